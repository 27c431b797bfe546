// RUN: cim-opt %s | cim-opt | FileCheck %s
// Every cim op, attribute and type prints and parses back unchanged.

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  // CHECK: module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>}

  // CHECK-LABEL: func.func @matmul
  func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x3xf32>, %c: tensor<2x?x4x5xf32>, %d: tensor<5xf32>) -> (tensor<?x3xf32>, tensor<2x?x4xf32>) {
    // CHECK: cim.matmul %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    %0 = cim.matmul %a, %b : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    // CHECK: cim.matmul %{{.*}}, %{{.*}} : tensor<2x?x4x5xf32>, tensor<5xf32> -> tensor<2x?x4xf32>
    %1 = cim.matmul %c, %d : tensor<2x?x4x5xf32>, tensor<5xf32> -> tensor<2x?x4xf32>
    return %0, %1 : tensor<?x3xf32>, tensor<2x?x4xf32>
  }

  // CHECK-LABEL: func.func @linear
  func.func @linear(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<4x2xf32>
    // CHECK: cim.linear %{{.*}}, %{{.*}} {readout = #cim.adc<bits = 6>} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 6>} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // CHECK-LABEL: func.func @tiles
  func.func @tiles(%x: tensor<?x6xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<4x2xf32>
    // CHECK: [[TILE:%.+]] = cim.program_tile %{{.*}} {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> <4x2, rram>
    %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    // CHECK: cim.mvm [[TILE]], %{{.*}} {readout = #cim.adc<bits = 8>, row_offset = 2 : i64} : <4x2, rram>, tensor<?x6xf32> -> tensor<?x2xf32>
    %y = cim.mvm %t, %x {readout = #cim.adc<bits = 8>, row_offset = 2 : i64} : !cim.tile<4x2, rram>, tensor<?x6xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // A ramp readout's steps keep every argument bit for bit (the f32 0.2 as
  // a double).
  // CHECK-LABEL: func.func @ramp_steps
  // CHECK-SAME: steps = [mul(0.20000000298023224), add(5.000000e-01), clamp(-1.000000e+00, 1.000000e+00), relu, sigmoid]
  func.func @ramp_steps() attributes {r = #cim.ramp<bits = 2, steps = [mul(0.20000000298023224), add(0.5), clamp(-1.0, 1.0), relu, sigmoid], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
    return
  }
}
