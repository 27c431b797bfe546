// RUN: cim-opt %s -canonicalize | FileCheck %s

// A transpose that only moves a unit dimension (a convolution's single
// channel, NHWC to NCHW) canonicalises to a reshape; with a dynamic batch
// the reshape infers it (-1), which the runtime resolves, rather than
// holding the dynamic-size marker of the result type. The pattern is the
// cim dialect's, so it applies where the module uses it (every module of
// the compiler carries a cim.target; here a placement attribute).
// CHECK-LABEL: func.func @unit_channel
// CHECK: tosa.reshape %arg0 {new_shape = array<i64: -1, 1, 28, 28>}
module attributes {test.cell = #cim<cell rram>} {
func.func @unit_channel(%arg0: tensor<?x28x28x1xf32>) -> tensor<?x1x28x28xf32> {
  %p = "tosa.const"() {value = dense<[0, 3, 1, 2]> : tensor<4xi32>} : () -> tensor<4xi32>
  %0 = tosa.transpose %arg0, %p : (tensor<?x28x28x1xf32>, tensor<4xi32>) -> tensor<?x1x28x28xf32>
  return %0 : tensor<?x1x28x28xf32>
}
}
