// RUN: cim-opt %s -cim-expose-preactivations | FileCheck %s
// The input of an activation after a product (with its bias) becomes an
// extra result of @main named preact:<activation name>; an activation of
// anything else is not exposed.

module {
  // CHECK-LABEL: func.func @main
  // CHECK-SAME: -> (tensor<?x2xf32> {cim.name = "y"}, tensor<?x2xf32>, tensor<?x2xf32> {cim.name = "preact:act1"})
  // CHECK: %[[PRE:.+]] = tosa.add
  // CHECK: return %{{.+}}, %{{.+}}, %[[PRE]]
  func.func @main(%x: tensor<?x2xf32>) -> (tensor<?x2xf32> {cim.name = "y"}, tensor<?x2xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x2xf32>
    %b = arith.constant dense<0.5> : tensor<1x2xf32>
    %m = cim.matmul %x, %w : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %a = tosa.add %m, %b : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %y = tosa.tanh %a : (tensor<?x2xf32>) -> tensor<?x2xf32> loc("act1")
    %z = tosa.sigmoid %x : (tensor<?x2xf32>) -> tensor<?x2xf32> loc("act2")
    return %y, %z : tensor<?x2xf32>, tensor<?x2xf32>
  }
}
