// RUN: cim-opt %s -split-input-file -cim-fuse-activations="bits=2" -verify-diagnostics | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-fuse-activations="bits=2 ramp-targets-only=true" -verify-diagnostics | FileCheck %s --check-prefix=ONLY
// What cim-fuse-activations reads besides its options: calibrated ranges in
// the module's cim.ramp_ranges (cim-compile --ramp-ranges attaches them),
// and with ramp-targets-only (the pipelines' fuse-activations=auto) the
// target's ADC kind.

// The calibrated range of the activation named "act" replaces the
// worst-case range [-1.5, 1.5].
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.ramp_ranges = {act = [-5.000000e-01, 2.000000e+00]}, cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8, adc_kind = ramp>} {
  // CHECK-LABEL: func.func @calibrated
  // CHECK: #cim.ramp<{{.*}}lo = -5.000000e-01, hi = 2.000000e+00
  // CHECK-NOT: tosa.tanh
  // ONLY-LABEL: func.func @calibrated
  // ONLY: #cim.ramp<{{.*}}lo = -5.000000e-01, hi = 2.000000e+00
  func.func @calibrated(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<1.0> : tensor<1x1xf32>
    %b = arith.constant dense<0.5> : tensor<1x1xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %a = tosa.add %m, %b : (tensor<?x1xf32>, tensor<1x1xf32>) -> tensor<?x1xf32>
    %y = tosa.tanh %a : (tensor<?x1xf32>) -> tensor<?x1xf32> loc("act")
    return %y : tensor<?x1xf32>
  }
}

// -----

// A uniform-ADC target: fused when asked, left alone with ramp-targets-only.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.target = #cim.target<name = "u", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @uniform
  // CHECK: #cim.ramp<
  // ONLY-LABEL: func.func @uniform
  // ONLY-NOT: #cim.ramp<
  // ONLY: tosa.tanh
  func.func @uniform(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<1.0> : tensor<1x1xf32>
    %m = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
    %y = tosa.tanh %m : (tensor<?x1xf32>) -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }
}

// -----

// A range must be [lo, hi] with lo < hi.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential>
// expected-error @+1 {{cim.ramp_ranges: act: expected [lo, hi] with lo < hi}}
module attributes {cim.ramp_ranges = {act = [2.000000e+00, 1.000000e+00]}, cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8, adc_kind = ramp>} {
}
