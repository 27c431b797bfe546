// RUN: cim-opt %s -split-input-file -cim-fuse-sign-neurons -verify-diagnostics | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-fuse-sign-neurons="mapping=current-sum" | FileCheck %s --check-prefix=SUM
// RUN: cim-opt %s -split-input-file -cim-fuse-sign-neurons="reference=crossing" 2>/dev/null | FileCheck %s --check-prefix=CROSS
// RUN: not cim-opt %s -split-input-file -cim-fuse-sign-neurons="reference=nearest" 2>&1 | FileCheck %s --check-prefix=BADREF
// BADREF: comparator reference 'nearest' is not one of midway, crossing

// A product of +-1 weights, BatchNormalization (a scale and a shift) and
// Sign, as a BNN imports, becomes one product read by binary neurons.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 1, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 8, bits_per_cell = 1, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram, #sram], dac_bits = 1, adc_bits = 8, bridge_neurons = true>} {
  // Column 0: v = 0.5 q + 1. With +-1 inputs q is -4, -2, 0, 2 or 4;
  // q = -2 gives v = 0 exactly (Sign: 0; a comparator reads -1), so the
  // reference sits between q = -2 and q = 0, at -1. Column 1 has a
  // negative scale (gamma < 0): v = -2 q + 3 falls with q, +1 up to q = 0
  // and -1 from q = 2: the comparison reverses, reference 1.
  // CHECK-LABEL: func.func @bn_sign
  // CHECK: %[[X:.+]] = tosa.select
  // CHECK: %[[Y:.+]] = cim.linear %[[X]], %{{.+}} {readout = #cim.sign<fan_in = 4, pre = [0.000000e+00, 0.000000e+00], scale = [5.000000e-01, -2.000000e+00], bias = [1.000000e+00, 3.000000e+00], cmp = [0.000000e+00, 0.000000e+00], tie = 0.000000e+00, reference = [-1.000000e+00, 1.000000e+00]>, weight_name = "w"}
  // CHECK-NEXT: return %[[Y]]
  // With reference=crossing the references are where the steps cross 0:
  // -1 / 0.5 = -2 (a reachable value) and -3 / -2 = 1.5.
  // CROSS-LABEL: func.func @bn_sign
  // CROSS: reference = [-2.000000e+00, 1.500000e+00]
  // SUM-LABEL: func.func @bn_sign
  // SUM: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  // SUM: tosa.mul
  // SUM: tosa.add
  // SUM: tosa.select
  // SUM: tosa.select
  func.func @bn_sign(%in: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %half = arith.constant dense<0.5> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %c = tosa.greater %in, %half : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xi1>
    %x = tosa.select %c, %one, %minus : (tensor<?x4xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %w = arith.constant dense<[[1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]> : tensor<4x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "w"} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    %gamma = arith.constant dense<[[0.5, -2.0]]> : tensor<1x2xf32>
    %beta = arith.constant dense<[[1.0, 3.0]]> : tensor<1x2xf32>
    %s = tosa.mul %m, %gamma {shift = 0 : i8} : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %v = tosa.add %s, %beta : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %d = tosa.sub %v, %v : (tensor<?x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    %lt = tosa.greater %zero, %v : (tensor<1x1xf32>, tensor<?x2xf32>) -> tensor<?x2xi1>
    %neg = tosa.select %lt, %minus, %d : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    %gt = tosa.greater %v, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %neg : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // A Gemm bias, a scale and a shift (add, mul, add), then Where(v >= c,
  // 1, -1) with a per-column c (ties read +1), on real-valued inputs: the
  // reference is where the steps cross c, ((c - bias) / scale) - pre: a
  // subtraction of [2, 1] is pre = [-2, -1]; column 0: (0.5 - 1) / 4 + 2 =
  // 1.875; column 1: (-1 - 0) / 0.5 + 1 = -1. The scale and shift may come
  // first in their ops. A zero weight is a bridge of two high-resistance
  // cells.
  // CHECK-LABEL: func.func @bias_bn_where
  // CHECK: cim.linear %arg0, %{{.+}} {readout = #cim.sign<fan_in = 3, pre = [-2.000000e+00, -1.000000e+00], scale = [4.000000e+00, 5.000000e-01], bias = [1.000000e+00, 0.000000e+00], cmp = [5.000000e-01, -1.000000e+00], tie = 1.000000e+00, reference = [1.875000e+00, -1.000000e+00]>}
  // CHECK-NEXT: return
  func.func @bias_bn_where(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, 0.0], [-1.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x3xf32>, tensor<3x2xf32> -> tensor<?x2xf32>
    %b0 = arith.constant dense<[[2.0, 1.0]]> : tensor<1x2xf32>
    %p = tosa.sub %m, %b0 : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %g = arith.constant dense<[[4.0, 0.5]]> : tensor<1x2xf32>
    %s = tosa.mul %g, %p {shift = 0 : i8} : (tensor<1x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    %beta = arith.constant dense<[[1.0, 0.0]]> : tensor<1x2xf32>
    %v = tosa.add %beta, %s : (tensor<1x2xf32>, tensor<?x2xf32>) -> tensor<?x2xf32>
    %c = arith.constant dense<[[0.5, -1.0]]> : tensor<1x2xf32>
    %ge = tosa.greater_equal %v, %c : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xi1>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %y = tosa.select %ge, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // Not binary: weights other than +-1 and 0 keep their ADC and the sign
  // stays digital, without a remark.
  // CHECK-LABEL: func.func @not_binary
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  // CHECK: tosa.select
  func.func @not_binary(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, 0.5], [-1.0, 1.0]]> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %gt = tosa.greater %m, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // Not a sign: a relu after a binary product is left alone.
  // CHECK-LABEL: func.func @not_sign
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  // CHECK: tosa.clamp
  func.func @not_sign(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %y = tosa.clamp %m {min_fp = 0.0 : f32, max_fp = 3.4e38 : f32, min_int = 0 : i64, max_int = 9223372036854775807 : i64} : (tensor<?x2xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // The pre-activation also feeds something else: no fold.
  // CHECK-LABEL: func.func @shared
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  func.func @shared(%x: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = arith.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %gt = tosa.greater %m, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y, %m : tensor<?x2xf32>, tensor<?x2xf32>
  }

  // Two scales in a row are not a bias, a scale and a shift.
  // CHECK-LABEL: func.func @two_scales
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  func.func @two_scales(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
    // expected-remark @+1 {{binary product followed by a sign stays on an ADC: the steps between the product and the sign are not a bias, a scale and a shift (add? mul? add?)}}
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %g = arith.constant dense<[[2.0, 3.0]]> : tensor<1x2xf32>
    %s = tosa.mul %m, %g {shift = 0 : i8} : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %t = tosa.mul %s, %g {shift = 0 : i8} : (tensor<?x2xf32>, tensor<1x2xf32>) -> tensor<?x2xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %gt = tosa.greater %t, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // Weights placed on SRAM arrays cannot be bridges.
  // CHECK-LABEL: func.func @on_sram
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  func.func @on_sram(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
    // expected-remark @+1 {{binary product followed by a sign stays on an ADC: its weights are not on differential RRAM arrays (a bridge is a pair of RRAM cells)}}
    %m = cim.linear %x, %w {placement = #cim<cell sram>, readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %gt = tosa.greater %m, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

// A target without bridge neurons: `auto` leaves products on their ADCs.
// CHECK-LABEL: func.func @no_neurons
// CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
module attributes {cim.target = #cim.target<name = "adc-only", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 1, count = 8, encoding = differential>], dac_bits = 1, adc_bits = 8>} {
  func.func @no_neurons(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, -1.0], [-1.0, 1.0]]> : tensor<2x2xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    %zero = arith.constant dense<0.0> : tensor<1x1xf32>
    %one = arith.constant dense<1.0> : tensor<1x1xf32>
    %minus = arith.constant dense<-1.0> : tensor<1x1xf32>
    %gt = tosa.greater %m, %zero : (tensor<?x2xf32>, tensor<1x1xf32>) -> tensor<?x2xi1>
    %y = tosa.select %gt, %one, %minus : (tensor<?x2xi1>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}
