// RUN: cim-opt %s -split-input-file -cim-fuse-activations="bits=2" -verify-diagnostics | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-fuse-activations="bits=2 input-range=2" -verify-diagnostics | FileCheck %s --check-prefix=RANGE2
// MVM + bias + monotonic activation -> one MVM read through a ramp ADC.

// tanh of x * [[1.0]] + 0.5 with |x| <= 1: the pre-activation range is
// [-1.5, 1.5]. A 2-bit ramp has 4 levels uniform over tanh(-1.5)..tanh(1.5)
// = -0.9051..0.9051, and thresholds at atanh of the midpoints between them:
// -0.6985, 0, 0.6985. The ramp column's steps (from -1.5) are 0.8015,
// 0.6985, 0.6985, so its conductances on a 1..40 uS array are 40, 34.99,
// 34.99 uS. Uniform levels over the outputs err by at most half an LSB.
// The bias becomes a second weight row driven by 1.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8, adc_kind = ramp>} {
  // CHECK-LABEL: func.func @tanh
  // CHECK: %[[W:.+]] = arith.constant dense<{{\[}}[1.000000e+00], [5.000000e-01]]> : tensor<2x1xf32>
  // CHECK: %[[Y:.+]] = cim.linear %arg0, %[[W]] {bias_row, readout = #cim.ramp<bits = 2, steps = [tanh], lo = -1.500000e+00, hi = 1.500000e+00,
  // CHECK-SAME: thresholds = [-6.985273e-01, 0.000000e+00, 6.985273e-01], levels = [-9.051483e-01, -3.017161e-01, 3.017161e-01, 9.051483e-01],
  // CHECK-SAME: conductances_us = [4.000000e+01, 3.499063e+01, 3.499063e+01], max_error_lsb = 5.000000e-01
  // CHECK-NOT: tosa.tanh
  // CHECK: return %[[Y]]
  // With |x| <= 2 the range is 0.5 + 2 * 1 = 2.5 either side.
  // RANGE2-LABEL: func.func @tanh
  // RANGE2: steps = [tanh], lo = -2.500000e+00, hi = 2.500000e+00,
  func.func @tanh(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<1.0> : tensor<1x1xf32>
    %b = arith.constant dense<0.5> : tensor<1x1xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %a = tosa.add %m, %b : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    %y = tosa.tanh %a : (tensor<?x1xf32>) -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }

  // relu and sigmoid without a bias: no bias row.
  // CHECK-LABEL: func.func @relu_sigmoid
  // CHECK: cim.linear %arg0, %{{.+}} {readout = #cim.ramp<bits = 2, steps = [relu], lo = -2.000000e+00, hi = 2.000000e+00, thresholds = [3.333333e-01, 1.000000e+00, 1.666667e+00], levels = [0.000000e+00, 6.666667e-01, 1.333333e+00, 2.000000e+00]
  // CHECK: cim.linear {{.*}}steps = [sigmoid]
  // CHECK-NOT: tosa.clamp
  // CHECK-NOT: tosa.sigmoid
  func.func @relu_sigmoid(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %r = tosa.clamp %m {min_fp = 0.0 : f32, max_fp = 3.40282347E+38 : f32, min_int = 0 : i64, max_int = 9223372036854775807 : i64} : (tensor<?x2xf32>) -> tensor<?x2xf32>
    %n = cim.linear %r, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %s = tosa.sigmoid %n : (tensor<?x2xf32>) -> tensor<?x2xf32>
    return %s : tensor<?x2xf32>
  }

  // Chains of monotonic elementwise steps fuse as one function.
  // HardSigmoid (alpha 0.2, beta 0.5) over |x| <= 1: 0.2 x + 0.5 spans
  // [0.3, 0.7]; levels 0.3, 0.4333, 0.5667, 0.7; thresholds where
  // 0.2 x + 0.5 crosses the midpoints: x = -2/3, 0, 2/3.
  // CHECK-LABEL: func.func @chains
  // CHECK: cim.linear %arg0, %{{.+}} {readout = #cim.ramp<bits = 2, steps = [mul(0.20000000298023224), add(5.000000e-01), clamp(0.000000e+00, 1.000000e+00)], lo = -1.000000e+00, hi = 1.000000e+00, thresholds = [-6.666667e-01, {{.+}}, 6.666667e-01], levels = [3.000000e-01, 4.333333e-01, 5.666667e-01, 7.000000e-01]
  // A clip before the activation (an RNN's clip) bounds what the ramp sees:
  // x + 0.5 in [-1.5, 1.5], clipped to [-1, 1]: levels sigmoid(-1) =
  // 0.2689 to sigmoid(1) = 0.7311.
  // CHECK: cim.linear %arg0, %{{.+}} {bias_row, readout = #cim.ramp<bits = 2, steps = [clamp(-1.000000e+00, 1.000000e+00), sigmoid], lo = -1.500000e+00, hi = 1.500000e+00, thresholds = [-6.368412e-01, {{.+}}, 6.368412e-01], levels = [2.689414e-01, 4.229805e-01, 5.770195e-01, 7.310586e-01]
  // A falling function, tanh(1 - x): levels descend from tanh(2) = 0.964
  // to tanh(0) = 0; thresholds still ascend (1 - atanh(0.8034) = -0.108).
  // CHECK: cim.linear %arg0, %{{.+}} {readout = #cim.ramp<bits = 2, steps = [mul(-1.000000e+00), add(1.000000e+00), tanh], lo = -1.000000e+00, hi = 1.000000e+00, thresholds = [-1.080057e-01, 4.743958e-01, 8.379243e-01], levels = [9.640276e-01, 6.426851e-01, 3.213425e-01, 0.000000e+00]
  // CHECK-NOT: tosa.sigmoid
  // CHECK: tosa.log
  func.func @chains(%x: tensor<?x1xf32>) -> (tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x1xf32>) {
    %w = arith.constant dense<1.0> : tensor<1x1xf32>
    %b = arith.constant dense<0.5> : tensor<1x1xf32>
    %alpha = arith.constant dense<0.2> : tensor<1x1xf32>
    %beta = arith.constant dense<0.5> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %m1 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %s1 = tosa.mul %m1, %alpha {shift = 0 : i8} : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    %s2 = tosa.add %s1, %beta : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    %hs = tosa.clamp %s2 {min_fp = 0.0 : f32, max_fp = 1.0 : f32, min_int = 0 : i64, max_int = 1 : i64} : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %m2 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %a2 = tosa.add %m2, %b : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    %c2 = tosa.clamp %a2 {min_fp = -1.0 : f32, max_fp = 1.0 : f32, min_int = -1 : i64, max_int = 1 : i64} : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %g2 = tosa.sigmoid %c2 : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %m3 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %n3 = tosa.sub %one, %m3 : (tensor<1x1xf32>, tensor<?x1xf32>) -> tensor<?x1xf32>
    %t3 = tosa.tanh %n3 : (tensor<?x1xf32>) -> tensor<?x1xf32>
    %m4 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    // expected-remark @+1 {{not fused into a ramp ADC: log is not finite over the pre-activation range}}
    %l4 = tosa.log %m4 : (tensor<?x1xf32>) -> tensor<?x1xf32>
    return %hs, %g2, %t3, %l4 : tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x1xf32>, tensor<?x1xf32>
  }

  // Not fused: abs is not monotonic; 4 rows plus a bias row do not fit one
  // 4-row array (partial sums before the activation). Each keeps its ADC
  // and digital op, with a remark.
  // CHECK-LABEL: func.func @fallbacks
  // CHECK-NOT: cim.ramp
  // CHECK: tosa.abs
  // CHECK: tosa.tanh
  func.func @fallbacks(%x: tensor<?x2xf32>, %z: tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = arith.constant dense<1.0> : tensor<2x2xf32>
    %w4 = arith.constant dense<1.0> : tensor<4x2xf32>
    %b = arith.constant dense<0.1> : tensor<1x2xf32>
    %m1 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    // expected-remark @+1 {{not fused into a ramp ADC: tosa.abs is not monotonic; kept ADC + digital}}
    %a = tosa.abs %m1 : (tensor<?x2xf32>) -> tensor<?x2xf32>
    %m3 = cim.linear %z, %w4 {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    %a3 = tosa.add %m3, %b : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    // expected-remark @+1 {{the pre-activation sums 5 rows over several arrays of 4}}
    %t = tosa.tanh %a3 : (tensor<?x2xf32>) -> tensor<?x2xf32>
    return %a, %t : tensor<?x2xf32>, tensor<?x2xf32>
  }
}

// -----

// Bit-sliced weights are converted slice by slice: no fused activation.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 2, count = 8, encoding = differential, weight_bits = 4>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8, adc_kind = ramp>} {
  func.func @sliced(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    // expected-remark @+1 {{bit-sliced weights are shifted and added after conversion}}
    %y = tosa.tanh %m : (tensor<?x2xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}
