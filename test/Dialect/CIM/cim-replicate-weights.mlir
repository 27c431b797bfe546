// RUN: cim-opt %s -split-input-file -cim-replicate-weights='replicate=fc1=3' | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-replicate-weights='replicate=2' -cim-tile-weights -cse | FileCheck %s --check-prefix=TILED
// RUN: not cim-opt %s -split-input-file -cim-replicate-weights='replicate=fc1=0' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: cim-opt %s -split-input-file -cim-replicate-weights='replicate=bnn=3' 2>&1 | FileCheck %s --check-prefix=NEURONS

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 8, cols = 8, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  // fc1 becomes three copies whose sum is scaled by 1/3; fc2 stays one.
  // CHECK-LABEL: func.func @two
  // CHECK: [[A:%.+]] = cim.linear %arg0, [[W:%.+]] {readout = #cim.adc<bits = 8>, replica = 0 : i64, weight_name = "fc1"}
  // CHECK: [[B:%.+]] = cim.linear %arg0, [[W]] {readout = #cim.adc<bits = 8>, replica = 1 : i64, weight_name = "fc1"}
  // CHECK: [[S1:%.+]] = tosa.add [[A]], [[B]]
  // CHECK: [[C:%.+]] = cim.linear %arg0, [[W]] {readout = #cim.adc<bits = 8>, replica = 2 : i64, weight_name = "fc1"}
  // CHECK: [[S2:%.+]] = tosa.add [[S1]], [[C]]
  // CHECK: [[K:%.+]] = arith.constant dense<0.333333343> : tensor<1x1xf32>
  // CHECK: [[M:%.+]] = tosa.mul [[S2]], [[K]] {shift = 0 : i8}
  // CHECK: cim.linear [[M]], {{.*}}weight_name = "fc2"}
  // CHECK-NOT: replica
  // The copies are programmed apart: CSE keeps one tile per replica.
  // TILED-LABEL: func.func @two
  // TILED-COUNT-4: cim.program_tile
  // TILED-NOT: cim.program_tile
  func.func @two(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, 0.5], [0.03, -0.2], [-0.45, 0.11], [0.27, -1.0]]> : tensor<4x2xf32>
    %v = arith.constant dense<[[1.0, 0.5], [0.3, -0.2]]> : tensor<2x2xf32>
    %h = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc1"} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    %y = cim.linear %h, %v {readout = #cim.adc<bits = 8>, weight_name = "fc2"} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}
// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 8, cols = 8, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 5, adc_kind = ramp>} {
  // A product fused into a ramp keeps its ramp in every copy; the copies'
  // activations are averaged.
  // CHECK-LABEL: func.func @fused
  // CHECK: [[A:%.+]] = cim.linear %arg0, [[W:%.+]] {readout = #cim.ramp<{{.*}}steps = [tanh]{{.*}}>, replica = 0 : i64, weight_name = "fc1"}
  // CHECK: [[B:%.+]] = cim.linear %arg0, [[W]] {readout = #cim.ramp<{{.*}}steps = [tanh]{{.*}}>, replica = 1 : i64, weight_name = "fc1"}
  // CHECK: [[S1:%.+]] = tosa.add [[A]], [[B]]
  // CHECK: [[C:%.+]] = cim.linear %arg0, [[W]] {readout = #cim.ramp<{{.*}}>, replica = 2 : i64, weight_name = "fc1"}
  // CHECK: [[S2:%.+]] = tosa.add [[S1]], [[C]]
  // CHECK: [[M:%.+]] = tosa.mul [[S2]]
  // CHECK: return [[M]]
  // TILED-LABEL: func.func @fused
  // TILED-COUNT-2: cim.program_tile {{.*}}ramp = #cim.ramp
  func.func @fused(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, 0.5], [0.03, -0.2], [-0.45, 0.11], [0.27, -1.0]]> : tensor<4x2xf32>
    %y = cim.linear %x, %w {readout = #cim.ramp<bits = 1, steps = [tanh], lo = -2.0, hi = 2.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>, weight_name = "fc1"} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}
// BAD: replicate rule 'fc1=0': expected N or REGEX=N with N in [1, 64]

// -----

// Binary neurons keep one copy: a mean of sign decisions is no decision.
// NEURONS: remark: binary neurons are not replicated: their decisions cannot be averaged
// NEURONS-LABEL: func.func @neurons
// NEURONS-COUNT-1: cim.linear
// NEURONS-NOT: cim.linear
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 8, cols = 8, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 1, adc_bits = 8, bridge_neurons = true>} {
  func.func @neurons(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[1.0], [-1.0]]> : tensor<2x1xf32>
    %y = cim.linear %x, %w {readout = #cim.sign<fan_in = 2, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [-1.0]>, weight_name = "bnn"} : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }
}
