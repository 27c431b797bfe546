// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s -canonicalize | FileCheck %s --check-prefix=FOLD
// The digital-unit ops with ONNX semantics, the recurrent ops and the
// control-flow ops print and parse back unchanged.

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<?x6xf32>, %i: tensor<2xi64>, %s: tensor<2xi64>) -> (tensor<?x6xi64>, tensor<2x6xf32>, tensor<2xi64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  // CHECK: cim.cast %{{.*}} : tensor<?x6xf32> -> tensor<?x6xi64>
  %0 = cim.cast %x : tensor<?x6xf32> -> tensor<?x6xi64>
  // CHECK: cim.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<?x6xf32>, tensor<2xi64> -> tensor<2x6xf32>
  %1 = cim.gather %x, %i {axis = 0 : i64} : tensor<?x6xf32>, tensor<2xi64> -> tensor<2x6xf32>
  // CHECK: cim.shape_of %{{.*}} {end = 2 : i64, start = 0 : i64} : tensor<?x6xf32> -> tensor<2xi64>
  %2 = cim.shape_of %x {end = 2 : i64, start = 0 : i64} : tensor<?x6xf32> -> tensor<2xi64>
  // CHECK: cim.expand %{{.*}}, %{{.*}} : tensor<?x6xf32>, tensor<2xi64> -> tensor<?x?xf32>
  %3 = cim.expand %x, %s : tensor<?x6xf32>, tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: cim.constant_of_shape %{{.*}} {value = 1.500000e+00 : f64} : tensor<2xi64> -> tensor<?x?xf32>
  %4 = cim.constant_of_shape %s {value = 1.5 : f64} : tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: cim.reshape %{{.*}}, %{{.*}} {allowzero = 0 : i64} : tensor<?x6xf32>, tensor<2xi64> -> tensor<?x?xf32>
  %5 = cim.reshape %x, %s {allowzero = 0 : i64} : tensor<?x6xf32>, tensor<2xi64> -> tensor<?x?xf32>
  // CHECK: cim.slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64> -> tensor<?x?xf32>
  %6 = cim.slice %x, %i, %s, %i, %s : tensor<?x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64> -> tensor<?x?xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<?x6xi64>, tensor<2x6xf32>, tensor<2xi64>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @recurrent
func.func @recurrent(%x: tensor<5x?x2xf32>, %w: tensor<1x12x2xf32>, %r: tensor<1x12x3xf32>, %lens: tensor<?xi64>, %h0: tensor<1x?x3xf32>, %r12: tensor<1x12x12xf32>) {
  // CHECK: cim.lstm(%{{.*}}, %{{.*}}, %{{.*}}) lens(%{{.*}}) h0(%{{.*}}) {{{.*}}clip = 2.000000e+00 : f32{{.*}}}
  %y, %yh, %yc = cim.lstm(%x, %w, %r) lens(%lens) h0(%h0) {activation_alpha = [0.0 : f32, 0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>, #cim<activation Tanh>], clip = 2.0 : f32, direction = #cim<direction forward>, hidden_size = 3 : i64, input_forget = 0 : i64, layout = 0 : i64} : (tensor<5x?x2xf32>, tensor<1x12x2xf32>, tensor<1x12x3xf32>, tensor<?xi64>, tensor<1x?x3xf32>) -> (tensor<5x1x?x3xf32>, tensor<1x?x3xf32>, tensor<1x?x3xf32>)
  // CHECK: cim.rnn(%{{.*}}, %{{.*}}, %{{.*}}) {{.*}} -> (tensor<5x1x?x12xf32>, tensor<1x?x12xf32>)
  %ry, %rh = cim.rnn(%x, %w, %r12) {activation_alpha = [0.0 : f32], activation_beta = [0.0 : f32], activations = [#cim<activation Relu>], direction = #cim<direction reverse>, hidden_size = 12 : i64, layout = 0 : i64} : (tensor<5x?x2xf32>, tensor<1x12x2xf32>, tensor<1x12x12xf32>) -> (tensor<5x1x?x12xf32>, tensor<1x?x12xf32>)
  return
}

// CHECK-LABEL: func.func @control_flow
func.func @control_flow(%n: tensor<i64>, %x: tensor<4xf32>, %rows: tensor<3x4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>, tensor<4xf32>) {
  // CHECK: cim.loop max %{{.*}} init(%{{.*}}) : (tensor<i64>, tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  // CHECK: cim.yield %{{.*}}, %{{.*}}, %{{.*}} : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  %0:2 = cim.loop max %n init(%x) : (tensor<i64>, tensor<4xf32>) -> (tensor<4xf32>, tensor<?x4xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>):
    %next = tosa.add %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    cim.yield %c, %next, %v : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  }
  // CHECK: cim.scan(%{{.*}}, %{{.*}}) {num_scan_inputs = 1 : i64, scan_input_axes = [0], scan_input_directions = [1], scan_output_axes = [], scan_output_directions = []} : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<4xf32> {
  %1 = cim.scan(%x, %rows) {num_scan_inputs = 1 : i64, scan_input_axes = [0], scan_input_directions = [1], scan_output_axes = [], scan_output_directions = []} : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<4xf32> {
  ^bb0(%acc: tensor<4xf32>, %row: tensor<4xf32>):
    %s = tosa.add %acc, %row : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    cim.yield %s : tensor<4xf32>
  }
  return %0#0, %0#1, %1 : tensor<4xf32>, tensor<?x4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @dynamic_quantize
func.func @dynamic_quantize(%x: tensor<?x4xf32>) -> (tensor<?x4xi64>, tensor<f32>, tensor<i64>) {
  // CHECK: cim.dynamic_quantize_linear %{{.*}} : tensor<?x4xf32> -> (tensor<?x4xi64>, tensor<f32>, tensor<i64>)
  %q, %s, %z = cim.dynamic_quantize_linear %x : tensor<?x4xf32> -> (tensor<?x4xi64>, tensor<f32>, tensor<i64>)
  return %q, %s, %z : tensor<?x4xi64>, tensor<f32>, tensor<i64>
}

// CHECK-LABEL: func.func @runtime_axes
func.func @runtime_axes(%x: tensor<2x1x3xf32>, %a1: tensor<1xi64>, %a2: tensor<2xi64>) -> (tensor<?x?xf32>, tensor<?x?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<2x1x?xf32>, tensor<2x1x?xf32>) {
  // CHECK: cim.squeeze %{{.*}}, %{{.*}} : tensor<2x1x3xf32>, tensor<1xi64> -> tensor<?x?xf32>
  %0 = cim.squeeze %x, %a1 : tensor<2x1x3xf32>, tensor<1xi64> -> tensor<?x?xf32>
  // CHECK: cim.unsqueeze %{{.*}}, %{{.*}} : tensor<2x1x3xf32>, tensor<2xi64> -> tensor<?x?x?x?x?xf32>
  %1 = cim.unsqueeze %x, %a2 : tensor<2x1x3xf32>, tensor<2xi64> -> tensor<?x?x?x?x?xf32>
  // CHECK: cim.reduce_sum %{{.*}}, %{{.*}} {keepdims = 1 : i64, noop_with_empty_axes = 0 : i64} : tensor<2x1x3xf32>, tensor<1xi64> -> tensor<?x?x?xf32>
  %2 = cim.reduce_sum %x, %a1 {keepdims = 1 : i64, noop_with_empty_axes = 0 : i64} : tensor<2x1x3xf32>, tensor<1xi64> -> tensor<?x?x?xf32>
  // CHECK: cim.split %{{.*}}, %{{.*}} {axis = 2 : i64} : tensor<2x1x3xf32>, tensor<2xi64> -> tensor<2x1x?xf32>, tensor<2x1x?xf32>
  %3:2 = cim.split %x, %a2 {axis = 2 : i64} : tensor<2x1x3xf32>, tensor<2xi64> -> tensor<2x1x?xf32>, tensor<2x1x?xf32>
  return %0, %1, %2, %3#0, %3#1 : tensor<?x?xf32>, tensor<?x?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<2x1x?xf32>, tensor<2x1x?xf32>
}

// A run-time condition; the regions yield shapes that differ in their
// first dimension, the result's is dynamic.
// CHECK-LABEL: func.func @if_runtime
// FOLD-LABEL: func.func @if_runtime
func.func @if_runtime(%c: tensor<i1>, %a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<?xf32> {
  // CHECK: cim.if %{{.*}} : tensor<i1> -> tensor<?xf32> {
  // CHECK:   cim.yield %{{.*}} : tensor<4xf32>
  // CHECK: } else {
  // CHECK:   cim.yield %{{.*}} : tensor<3xf32>
  // FOLD: cim.if
  %0 = cim.if %c : tensor<i1> -> tensor<?xf32> {
    %d = tosa.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    cim.yield %d : tensor<4xf32>
  } else {
    cim.yield %b : tensor<3xf32>
  }
  return %0 : tensor<?xf32>
}

// A constant condition folds to the taken region.
// FOLD-LABEL: func.func @if_constant
func.func @if_constant(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant dense<false> : tensor<i1>
  // FOLD-NOT: cim.if
  // FOLD-NOT: tosa.add
  // FOLD: return %arg1
  %0 = cim.if %c : tensor<i1> -> tensor<4xf32> {
    %d = tosa.add %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    cim.yield %d : tensor<4xf32>
  } else {
    cim.yield %b : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @windows
func.func @windows(%x: tensor<?x3x5x5xf32>, %s: tensor<?x2x7xf32>) -> (tensor<?x3x3x27xf32>, tensor<?x4x4xf32>) {
  // CHECK: cim.im2col %{{.*}} {ceil_mode = 0 : i64, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pad_value = 0.000000e+00 : f32, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x3x5x5xf32> -> tensor<?x3x3x27xf32>
  %0 = cim.im2col %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<?x3x5x5xf32> -> tensor<?x3x3x27xf32>
  // A 1-D image, a max pool's padding, ceil_mode: windows at 0, 2, 4, 6 of 7 + 1.
  // CHECK: cim.im2col %{{.*}} {ceil_mode = 1 : i64, dilations = array<i64: 1>, kernel_shape = array<i64: 2>, pad_value = 0xFF800000 : f32, pads = array<i64: 0, 1>, strides = array<i64: 2>} : tensor<?x2x7xf32> -> tensor<?x4x4xf32>
  %1 = cim.im2col %s {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 0, 1>, dilations = array<i64: 1>, pad_value = 0xFF800000 : f32, ceil_mode = 1 : i64} : tensor<?x2x7xf32> -> tensor<?x4x4xf32>
  return %0, %1 : tensor<?x3x3x27xf32>, tensor<?x4x4xf32>
}

// CHECK-LABEL: func.func @quantize
func.func @quantize(%x: tensor<?x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi64>) -> tensor<?x4xi64> {
  // CHECK: cim.quantize_linear %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, max = 127 : i64, min = -128 : i64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<?x4xi64>
  %0 = cim.quantize_linear %x, %s, %z {axis = 1 : i64, min = -128 : i64, max = 127 : i64} : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<?x4xi64>
  return %0 : tensor<?x4xi64>
}

// Constant operands fold, rounding half to even and saturating: 2.5 / 1
// -> 2, 3.5 -> 4, -300 -> -128; per axis, column 1 has scale 0.5 and zero
// point 10.
// FOLD-LABEL: func.func @quantize_fold
func.func @quantize_fold() -> tensor<2x2xi64> {
  // FOLD: arith.constant dense<{{\[}}[2, 17], [-128, 10]]> : tensor<2x2xi64>
  // FOLD-NOT: cim.quantize_linear
  %x = arith.constant dense<[[2.5, 3.5], [-300.0, 0.2]]> : tensor<2x2xf32>
  %s = arith.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %z = arith.constant dense<[0, 10]> : tensor<2xi64>
  %0 = cim.quantize_linear %x, %s, %z {axis = 1 : i64, min = -128 : i64, max = 127 : i64} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xi64>) -> tensor<2x2xi64>
  return %0 : tensor<2x2xi64>
}
