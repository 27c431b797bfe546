// RUN: cim-opt %s -split-input-file -verify-diagnostics
// Verifier diagnostics of the ONNX-semantics, recurrent and control-flow ops.

func.func @gather_axis(%x: tensor<4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = cim.gather %x, %i {axis = 1 : i64} : tensor<4xf32>, tensor<2xi64> -> tensor<2xf32>
  return
}

// -----

func.func @gather_shape(%x: tensor<4x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{result dimension 1 is 4, expected 3}}
  %0 = cim.gather %x, %i {axis = 0 : i64} : tensor<4x3xf32>, tensor<2xi64> -> tensor<2x4xf32>
  return
}

// -----

func.func @shape_of_range(%x: tensor<4x3xf32>) {
  // expected-error @+1 {{dimensions [1, 3) are not within rank 2}}
  %0 = cim.shape_of %x {end = 3 : i64, start = 1 : i64} : tensor<4x3xf32> -> tensor<2xi64>
  return
}

// -----

func.func @rnn_direction(%x: tensor<5x2x2xf32>, %w: tensor<1x3x2xf32>, %r: tensor<1x3x3xf32>) {
  // A direction is a #cim<direction ...>: forward, reverse or bidirectional.
  // expected-error @+1 {{attribute 'direction' failed to satisfy constraint: Direction of a recurrent layer}}
  %y, %h = cim.rnn(%x, %w, %r) {activation_alpha = [0.0 : f32], activation_beta = [0.0 : f32], activations = [#cim<activation Tanh>], direction = "sideways", hidden_size = 3 : i64, layout = 0 : i64} : (tensor<5x2x2xf32>, tensor<1x3x2xf32>, tensor<1x3x3xf32>) -> (tensor<5x1x2x3xf32>, tensor<1x2x3xf32>)
  return
}

// -----

func.func @gru_activations(%x: tensor<5x2x2xf32>, %w: tensor<1x9x2xf32>, %r: tensor<1x9x3xf32>) {
  // expected-error @+1 {{needs 2 activations, got 1}}
  %y, %h = cim.gru(%x, %w, %r) {activation_alpha = [0.0 : f32], activation_beta = [0.0 : f32], activations = [#cim<activation Tanh>], direction = #cim<direction forward>, hidden_size = 3 : i64, layout = 0 : i64, linear_before_reset = 0 : i64} : (tensor<5x2x2xf32>, tensor<1x9x2xf32>, tensor<1x9x3xf32>) -> (tensor<5x1x2x3xf32>, tensor<1x2x3xf32>)
  return
}

// -----

func.func @lstm_weights(%x: tensor<5x2x2xf32>, %w: tensor<1x8x2xf32>, %r: tensor<1x12x3xf32>) {
  // expected-error @+1 {{W must be [1, 12, input] and R [1, 12, 3]}}
  %y, %h, %c = cim.lstm(%x, %w, %r) {activation_alpha = [0.0 : f32, 0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>, #cim<activation Tanh>], direction = #cim<direction forward>, hidden_size = 3 : i64, input_forget = 0 : i64, layout = 0 : i64} : (tensor<5x2x2xf32>, tensor<1x8x2xf32>, tensor<1x12x3xf32>) -> (tensor<5x1x2x3xf32>, tensor<1x2x3xf32>, tensor<1x2x3xf32>)
  return
}

// -----

func.func @loop_body_args(%n: tensor<i64>, %x: tensor<4xf32>) {
  // expected-error @+1 {{body needs 3 arguments (iteration, condition, carried values), got 2}}
  %0 = cim.loop max %n init(%x) : (tensor<i64>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>):
    cim.yield %c, %x : tensor<i1>, tensor<4xf32>
  }
  return
}

// -----

func.func @loop_condition(%n: tensor<i64>, %x: tensor<4xf32>) {
  // expected-error @+1 {{body must yield the condition as tensor<i1> first}}
  %0 = cim.loop max %n init(%x) : (tensor<i64>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>):
    cim.yield %i, %v : tensor<i64>, tensor<4xf32>
  }
  return
}

// -----

func.func @scan_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{num_scan_inputs must be in [1, 1], got 2}}
  %0 = cim.scan(%x) {num_scan_inputs = 2 : i64, scan_input_axes = [0, 0], scan_input_directions = [0, 0], scan_output_axes = [], scan_output_directions = []} : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%r: tensor<f32>):
    cim.yield %r : tensor<f32>
  }
  return
}

// -----

func.func @dynamic_quantize_shape(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{levels dimension 1 is 3, the input's 4}}
  %q, %s, %z = cim.dynamic_quantize_linear %x : tensor<2x4xf32> -> (tensor<2x3xi64>, tensor<f32>, tensor<i64>)
  return
}

// -----

func.func @squeeze_rank(%x: tensor<2x1x3xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{result rank 3 does not match expected rank 2}}
  %0 = cim.squeeze %x, %a : tensor<2x1x3xf32>, tensor<1xi64> -> tensor<?x?x?xf32>
  return
}

// -----

func.func @unsqueeze_axes(%x: tensor<3xf32>, %a: tensor<?xi64>) {
  // expected-error @+1 {{axes must be 1-D with a static length, got 'tensor<?xi64>'}}
  %0 = cim.unsqueeze %x, %a : tensor<3xf32>, tensor<?xi64> -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_sum_rank(%x: tensor<2x3xf32>, %a: tensor<0xi64>) {
  // expected-error @+1 {{result rank 2 does not match expected rank 0}}
  %0 = cim.reduce_sum %x, %a {keepdims = 0 : i64, noop_with_empty_axes = 0 : i64} : tensor<2x3xf32>, tensor<0xi64> -> tensor<?x?xf32>
  return
}

// -----

func.func @split_count(%x: tensor<2x6xf32>, %s: tensor<3xi64>) {
  // expected-error @+1 {{has 2 results for 3 sizes}}
  %0:2 = cim.split %x, %s {axis = 1 : i64} : tensor<2x6xf32>, tensor<3xi64> -> tensor<2x?xf32>, tensor<2x?xf32>
  return
}

// -----

func.func @split_other_dims(%x: tensor<2x6xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{result dimension 0 is 3, expected 2}}
  %0:2 = cim.split %x, %s {axis = 1 : i64} : tensor<2x6xf32>, tensor<2xi64> -> tensor<3x?xf32>, tensor<2x?xf32>
  return
}

// -----

func.func @if_count(%c: tensor<i1>, %x: tensor<4xf32>) {
  // expected-error @+1 {{else region yields 2 values for 1 results}}
  %0 = cim.if %c : tensor<i1> -> tensor<4xf32> {
    cim.yield %x : tensor<4xf32>
  } else {
    cim.yield %x, %x : tensor<4xf32>, tensor<4xf32>
  }
  return
}

// -----

func.func @if_type(%c: tensor<i1>, %x: tensor<4xf32>) {
  // expected-error @+1 {{then region yields 'tensor<4xf32>' for result 0 of type 'tensor<3xf32>'}}
  %0 = cim.if %c : tensor<i1> -> tensor<3xf32> {
    cim.yield %x : tensor<4xf32>
  } else {
    cim.yield %x : tensor<4xf32>
  }
  return
}

// -----

func.func @if_condition(%c: tensor<2xi1>, %x: tensor<4xf32>) {
  // expected-error @+1 {{condition must hold one element, got type 'tensor<2xi1>'}}
  %0 = cim.if %c : tensor<2xi1> -> tensor<4xf32> {
    cim.yield %x : tensor<4xf32>
  } else {
    cim.yield %x : tensor<4xf32>
  }
  return
}

// -----

func.func @im2col_rank(%x: tensor<2x3x4x4x4xf32>) {
  // expected-error @+1 {{needs an input of rank 3 or 4 ([N, C, D1(, D2)]) and a kernel of as many dimensions; got rank 5 and 3 kernel dimensions}}
  %0 = cim.im2col %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 1, 1, 1>, pads = array<i64: 0, 0, 0, 0, 0, 0>, dilations = array<i64: 1, 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<2x3x4x4x4xf32> -> tensor<2x3x3x3x24xf32>
  return
}

// -----

func.func @im2col_pads(%x: tensor<2x3x4x4xf32>) {
  // expected-error @+1 {{strides and dilations need 2 entries and pads 4}}
  %0 = cim.im2col %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<2x3x4x4xf32> -> tensor<2x3x3x12xf32>
  return
}

// -----

func.func @im2col_stride(%x: tensor<2x3x4x4xf32>) {
  // expected-error @+1 {{kernel, strides and dilations must be at least 1 and pads at least 0 (dimension 1)}}
  %0 = cim.im2col %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<2x3x4x4xf32> -> tensor<2x3x3x12xf32>
  return
}

// -----

func.func @im2col_no_window(%x: tensor<2x3x4x4xf32>) {
  // expected-error @+1 {{no window fits input dimension 3 of size 4}}
  %0 = cim.im2col %x {kernel_shape = array<i64: 2, 5>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<2x3x4x4xf32> -> tensor<2x3x1x30xf32>
  return
}

// -----

func.func @im2col_shape(%x: tensor<2x3x5x5xf32>) {
  // Stride 2 over 5 + 1 + 1 with a 3-tap kernel: 3 windows; 3 x 3 x 3 = 27 per row.
  // expected-error @+1 {{result dimension 2 is 2, expected 3}}
  %0 = cim.im2col %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, pad_value = 0.0 : f32, ceil_mode = 0 : i64} : tensor<2x3x5x5xf32> -> tensor<2x3x2x27xf32>
  return
}

// -----

func.func @quantize_axis_length(%x: tensor<2x4xf32>, %s: tensor<3xf32>, %z: tensor<3xi64>) {
  // expected-error @+1 {{a per-axis scale needs 4 entries (the input's extent along axis 1), not 3}}
  %0 = cim.quantize_linear %x, %s, %z {axis = 1 : i64, min = 0 : i64, max = 255 : i64} : (tensor<2x4xf32>, tensor<3xf32>, tensor<3xi64>) -> tensor<2x4xi64>
  return
}

// -----

func.func @quantize_range(%x: tensor<2x4xf32>, %s: tensor<1xf32>, %z: tensor<1xi64>) {
  // expected-error @+1 {{min 255 is above max 0}}
  %0 = cim.quantize_linear %x, %s, %z {axis = 0 : i64, min = 255 : i64, max = 0 : i64} : (tensor<2x4xf32>, tensor<1xf32>, tensor<1xi64>) -> tensor<2x4xi64>
  return
}
