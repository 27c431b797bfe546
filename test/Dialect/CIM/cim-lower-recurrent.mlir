// RUN: cim-opt --cim-lower-recurrent %s 2>/dev/null | FileCheck %s
// RUN: cim-opt --cim-lower-recurrent %s 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// An RNN: one loop over the 3 steps; the gate reads [x_t, h] (4 + 5 rows)
// times [W^T; R^T] (5 columns: W = 0.5 on the first 4 rows, R = 0.25 on
// the last 5), plus Wb + Rb = 1 + 1, then tanh. No initial state: zeros.
// CHECK-LABEL: func.func @rnn
// CHECK: %[[ZERO:.+]] = arith.constant dense<0.000000e+00> : tensor<2x5xf32>
// CHECK: cim.loop max %{{.+}} cond %{{.+}} init(%[[ZERO]]) : (tensor<i64>, tensor<i1>, tensor<2x5xf32>) -> (tensor<2x5xf32>, tensor<3x2x5xf32>)
// CHECK: ^bb0(%[[S:.+]]: tensor<i64>, %[[C:.+]]: tensor<i1>, %[[H:.+]]: tensor<2x5xf32>):
// CHECK: %[[X:.+]] = cim.gather %arg0, %[[S]] {axis = 0 : i64}
// CHECK: %[[XH:.+]] = tosa.concat %[[X]], %[[H]] {axis = 1 : i32}
// CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01, 5.000000e-01], [5.000000e-01, {{.*}}[2.500000e-01, 2.500000e-01, 2.500000e-01, 2.500000e-01, 2.500000e-01]]> : tensor<9x5xf32>
// CHECK: %[[B:.+]] = arith.constant dense<2.000000e+00> : tensor<1x5xf32>
// CHECK: %[[P:.+]] = cim.matmul %[[XH]], %[[W]] : tensor<2x9xf32>, tensor<9x5xf32> -> tensor<2x5xf32>
// CHECK: %[[PB:.+]] = tosa.add %[[P]], %[[B]]
// CHECK: %[[NEW:.+]] = tosa.tanh %[[PB]]
// CHECK: cim.yield %[[C]], %[[NEW]], %[[NEW]]
// CHECK-NOT: cim.rnn
func.func @rnn(%x: tensor<3x2x4xf32>) -> tensor<3x1x2x5xf32> {
  %w = arith.constant dense<0.5> : tensor<1x5x4xf32>
  %r = arith.constant dense<0.25> : tensor<1x5x5xf32>
  %b = arith.constant dense<1.0> : tensor<1x10xf32>
  %y, %yh = cim.rnn(%x, %w, %r) bias(%b) {activation_alpha = [0.0 : f32], activation_beta = [0.0 : f32], activations = [#cim<activation Tanh>], direction = #cim<direction forward>, hidden_size = 5 : i64, layout = 0 : i64} : (tensor<3x2x4xf32>, tensor<1x5x4xf32>, tensor<1x5x5xf32>, tensor<1x10xf32>) -> (tensor<3x1x2x5xf32>, tensor<1x2x5xf32>)
  return %y : tensor<3x1x2x5xf32>
}

// A reverse GRU with sequence lengths: step s reads time (3 - 1) - s; the
// candidate gate reads [x_t, r * h]; past an entry's length the state is
// kept and Y is zero; Y comes out last step first and is reversed (a slice
// with step -1); entries of length 0 end with zero state.
// CHECK-LABEL: func.func @gru_reverse
// CHECK: %[[LENS:.+]] = tosa.reshape %arg1 {new_shape = array<i64: 2, 1>}
// CHECK: %[[LAST:.+]] = tosa.sub %{{.+}}, %{{.+}} : (tensor<i64>, tensor<i64>) -> tensor<i64>
// CHECK: cim.loop
// CHECK: ^bb0(%[[S:.+]]: tensor<i64>, %[[C:.+]]: tensor<i1>, %[[H:.+]]: tensor<2x2xf32>):
// CHECK: %[[T:.+]] = tosa.sub %[[LAST]], %[[S]]
// CHECK: %[[X:.+]] = cim.gather %arg0, %[[T]] {axis = 0 : i64}
// CHECK: %[[XH:.+]] = tosa.concat %[[X]], %[[H]]
// CHECK: %[[Z:.+]] = tosa.sigmoid
// CHECK: %[[R:.+]] = tosa.sigmoid
// CHECK: %[[RH:.+]] = tosa.mul %[[R]], %[[H]]
// CHECK: tosa.concat %[[X]], %[[RH]]
// CHECK: %[[N:.+]] = tosa.tanh
// CHECK: %[[T2:.+]] = tosa.reshape %[[T]] {new_shape = array<i64: 1, 1>}
// CHECK: %[[LIVE:.+]] = tosa.greater %[[LENS]], %[[T2]]
// CHECK: %[[KEEP:.+]] = tosa.select %[[LIVE]], %[[NEW:.+]], %[[H]]
// CHECK: %[[Y:.+]] = tosa.select %[[LIVE]], %[[NEW]], %{{.+}} : (tensor<2x1xi1>, tensor<2x2xf32>, tensor<1x1xf32>)
// CHECK: cim.yield %[[C]], %[[KEEP]], %[[Y]]
// CHECK: cim.slice %{{.+}}#1, {{.+}} : tensor<3x2x2xf32>
// CHECK: %[[STARTED:.+]] = tosa.greater %[[LENS]],
// CHECK: tosa.select %[[STARTED]], %{{.+}}#0,
func.func @gru_reverse(%x: tensor<3x2x1xf32>, %lens: tensor<2xi64>) -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>) {
  %w = arith.constant dense<0.5> : tensor<1x6x1xf32>
  %r = arith.constant dense<0.25> : tensor<1x6x2xf32>
  %y, %yh = cim.gru(%x, %w, %r) lens(%lens) {activation_alpha = [0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>], direction = #cim<direction reverse>, hidden_size = 2 : i64, layout = 0 : i64, linear_before_reset = 0 : i64} : (tensor<3x2x1xf32>, tensor<1x6x1xf32>, tensor<1x6x2xf32>, tensor<2xi64>) -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>)
  return %y, %yh : tensor<3x1x2x2xf32>, tensor<1x2x2xf32>
}

// A bidirectional batch-first LSTM with peepholes and clip: two loops
// (forward, then reverse) that gather x along axis 1; peephole terms are
// added before the clamp to [-clip, clip] and the activation (HardSigmoid
// as mul, add, clamp to [0, 1] in the reverse direction); outputs are
// transposed to batch-first and concatenated over directions.
// REMARK: remark: peepholes: the i, f and o gates add P * c digitally
// CHECK-LABEL: func.func @lstm_bidi
// CHECK: cim.loop {{.*}} -> (tensor<2x1xf32>, tensor<2x1xf32>, tensor<4x2x1xf32>)
// CHECK: ^bb0(%[[S:.+]]: tensor<i64>, %{{.+}}: tensor<i1>, %[[H:.+]]: tensor<2x1xf32>, %[[CELL:.+]]: tensor<2x1xf32>):
// CHECK: cim.gather %arg0, %[[S]] {axis = 1 : i64}
// CHECK: %[[PRE:.+]] = tosa.add %{{.+}}, %{{.+}} : (tensor<2x1xf32>, tensor<1x1xf32>)
// CHECK: %[[PC:.+]] = tosa.mul %[[CELL]], %{{.+}} : (tensor<2x1xf32>, tensor<1x1xf32>)
// CHECK: %[[SUM:.+]] = tosa.add %[[PRE]], %[[PC]]
// CHECK: %[[CLIP:.+]] = tosa.clamp %[[SUM]] {max_fp = 3.000000e+00 : f32, {{.*}}min_fp = -3.000000e+00 : f32
// CHECK: tosa.sigmoid %[[CLIP]]
// CHECK: cim.loop
// CHECK: tosa.sub
// CHECK: tosa.clamp {{.*}}max_fp = 1.000000e+00 : f32, {{.*}}min_fp = 0.000000e+00 : f32
// CHECK: tosa.transpose %{{.+}}#2, %{{.+}} : (tensor<4x2x1xf32>, tensor<3xi32>) -> tensor<2x4x1xf32>
// CHECK: %[[Y:.+]] = tosa.concat %{{.+}}, %{{.+}} {axis = 2 : i32} : (tensor<2x4x1x1xf32>, tensor<2x4x1x1xf32>) -> tensor<2x4x2x1xf32>
// CHECK: tosa.concat
// CHECK: %[[YC:.+]] = tosa.concat %{{.+}}, %{{.+}} {axis = 1 : i32} : (tensor<2x1x1xf32>, tensor<2x1x1xf32>) -> tensor<2x2x1xf32>
// CHECK: return %[[Y]], %[[YC]]
func.func @lstm_bidi(%x: tensor<2x4x3xf32>) -> (tensor<2x4x2x1xf32>, tensor<2x2x1xf32>) {
  %w = arith.constant dense<0.5> : tensor<2x4x3xf32>
  %r = arith.constant dense<0.25> : tensor<2x4x1xf32>
  %p = arith.constant dense<0.125> : tensor<2x3xf32>
  %y, %yh, %yc = cim.lstm(%x, %w, %r) peepholes(%p) {activation_alpha = [0.0 : f32, 0.0 : f32, 0.0 : f32, 0.2 : f32, 0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32, 0.0 : f32, 0.5 : f32, 0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>, #cim<activation Tanh>, #cim<activation HardSigmoid>, #cim<activation Tanh>, #cim<activation Tanh>], clip = 3.0 : f32, direction = #cim<direction bidirectional>, hidden_size = 1 : i64, input_forget = 0 : i64, layout = 1 : i64} : (tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x1xf32>, tensor<2x3xf32>) -> (tensor<2x4x2x1xf32>, tensor<2x2x1xf32>, tensor<2x2x1xf32>)
  return %y, %yc : tensor<2x4x2x1xf32>, tensor<2x2x1xf32>
}

// A dynamic batch without initial state: zeros of shape [batch, hidden]
// from X's shape. LeakyRelu is a select of x and alpha * x.
// CHECK-LABEL: func.func @rnn_dynamic
// CHECK: %[[N:.+]] = cim.shape_of %arg0 {end = 2 : i64, start = 1 : i64}
// CHECK: %[[SHAPE:.+]] = tosa.concat %[[N]], %{{.+}} {axis = 0 : i32} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
// CHECK: %[[Z:.+]] = cim.constant_of_shape %[[SHAPE]] {value = 0.000000e+00 : f64} : tensor<2xi64> -> tensor<?x2xf32>
// CHECK: cim.loop {{.*}}init(%[[Z]])
// CHECK: %[[PRE:.+]] = tosa.add
// CHECK: %[[SCALED:.+]] = tosa.mul %[[PRE]], %{{.+}}
// CHECK: %[[POS:.+]] = tosa.greater_equal %[[PRE]],
// CHECK: tosa.select %[[POS]], %[[PRE]], %[[SCALED]]
func.func @rnn_dynamic(%x: tensor<3x?x2xf32>) -> tensor<1x?x2xf32> {
  %w = arith.constant dense<0.5> : tensor<1x2x2xf32>
  %r = arith.constant dense<0.25> : tensor<1x2x2xf32>
  %y, %yh = cim.rnn(%x, %w, %r) {activation_alpha = [0.5 : f32], activation_beta = [0.0 : f32], activations = [#cim<activation LeakyRelu>], direction = #cim<direction forward>, hidden_size = 2 : i64, layout = 0 : i64} : (tensor<3x?x2xf32>, tensor<1x2x2xf32>, tensor<1x2x2xf32>) -> (tensor<3x1x?x2xf32>, tensor<1x?x2xf32>)
  return %yh : tensor<1x?x2xf32>
}

// Linear before reset: the candidate gate is two products (W x + Wb and
// R h + Rb) combined with r digitally, with a remark.
// REMARK: remark: linear_before_reset: the candidate gate multiplies r * (R h + Rb) digitally
// CHECK-LABEL: func.func @gru_lbr
// CHECK: tosa.sigmoid
// CHECK: %[[R:.+]] = tosa.sigmoid
// CHECK: %[[WX:.+]] = cim.matmul %{{.+}}, %{{.+}} : tensor<2x1xf32>, tensor<1x2xf32> -> tensor<2x2xf32>
// CHECK: %[[WXB:.+]] = tosa.add %[[WX]],
// CHECK: %[[RH:.+]] = cim.matmul %{{.+}}, %{{.+}} : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
// CHECK: %[[RHB:.+]] = tosa.add %[[RH]],
// CHECK: %[[GATED:.+]] = tosa.mul %[[R]], %[[RHB]]
// CHECK: %[[PRE:.+]] = tosa.add %[[WXB]], %[[GATED]]
// CHECK: tosa.tanh %[[PRE]]
func.func @gru_lbr(%x: tensor<3x2x1xf32>) -> tensor<1x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<1x6x1xf32>
  %r = arith.constant dense<0.25> : tensor<1x6x2xf32>
  %y, %yh = cim.gru(%x, %w, %r) {activation_alpha = [0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>], direction = #cim<direction forward>, hidden_size = 2 : i64, layout = 0 : i64, linear_before_reset = 1 : i64} : (tensor<3x2x1xf32>, tensor<1x6x1xf32>, tensor<1x6x2xf32>) -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>)
  return %yh : tensor<1x2x2xf32>
}

// Weights that are not constants cannot be programmed: the layer keeps its
// digital kernel, with a remark.
// REMARK: remark: cim.gru kept in the digital unit: weights, biases or peepholes that are not constants
// CHECK-LABEL: func.func @gru_weights_input
// CHECK: cim.gru(
func.func @gru_weights_input(%x: tensor<3x2x1xf32>, %w: tensor<1x6x1xf32>) -> tensor<1x2x2xf32> {
  %r = arith.constant dense<0.25> : tensor<1x6x2xf32>
  %y, %yh = cim.gru(%x, %w, %r) {activation_alpha = [0.0 : f32, 0.0 : f32], activation_beta = [0.0 : f32, 0.0 : f32], activations = [#cim<activation Sigmoid>, #cim<activation Tanh>], direction = #cim<direction forward>, hidden_size = 2 : i64, layout = 0 : i64, linear_before_reset = 0 : i64} : (tensor<3x2x1xf32>, tensor<1x6x1xf32>, tensor<1x6x2xf32>) -> (tensor<3x1x2x2xf32>, tensor<1x2x2xf32>)
  return %yh : tensor<1x2x2xf32>
}
