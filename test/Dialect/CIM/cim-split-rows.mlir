// RUN: cim-opt %s -split-input-file -cim-split-rows | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-split-rows='active-rows=2' | FileCheck %s --check-prefix=ACTIVE
// RUN: cim-opt %s -split-input-file -cim-split-rows='max-copies=1' | FileCheck %s --check-prefix=OFF
// RUN: cim-opt %s -split-input-file -cim-split-rows -cim-tile-weights | FileCheck %s --check-prefix=TILED

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  // Row 0 holds the column's peak, four times row 1: three copies of 4/3
  // fill the two free rows of the 4-row array (scale 4/3 instead of 4).
  // CHECK-LABEL: func.func @outlier
  // CHECK: [[IDX:%.+]] = arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
  // CHECK: [[G:%.+]] = cim.gather %arg0, [[IDX]] {axis = 1 : i64} : tensor<?x2xf32>, tensor<4xi64> -> tensor<?x4xf32>
  // CHECK: [[W:%.+]] = arith.constant dense<{{\[}}[1.33333337], [1.33333337], [1.33333337], [1.000000e+00]]> : tensor<4x1xf32>
  // CHECK: cim.linear [[G]], [[W]] {readout = #cim.adc<bits = 8>, weight_name = "fc"} : tensor<?x4xf32>, tensor<4x1xf32> -> tensor<?x1xf32>
  // With at most two rows driven at once no row is free.
  // ACTIVE-LABEL: func.func @outlier
  // ACTIVE-NOT: cim.gather
  // OFF-LABEL: func.func @outlier
  // OFF-NOT: cim.gather
  // The four rows are one tile read over the gathered input.
  // TILED-LABEL: func.func @outlier
  // TILED: cim.gather
  // TILED: cim.program_tile {{.*}} : tensor<4x1xf32> -> <4x1, rram>
  // TILED-NOT: cim.program_tile
  // TILED-LABEL: func.func @bias
  func.func @outlier(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[4.0], [1.0]]> : tensor<2x1xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc"} : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }

  // A bias row (the weight's last) is never split and stays last. In
  // blocks of two rows the three rows leave one free, which row 0 takes.
  // ACTIVE-LABEL: func.func @bias
  // ACTIVE: cim.gather {{.*}} -> tensor<?x3xf32>
  // CHECK-LABEL: func.func @bias
  // CHECK: [[IDX:%.+]] = arith.constant dense<[0, 0, 1]> : tensor<3xi64>
  // CHECK: [[G:%.+]] = cim.gather %arg0, [[IDX]] {axis = 1 : i64} : tensor<?x2xf32>, tensor<3xi64> -> tensor<?x3xf32>
  // CHECK: [[W:%.+]] = arith.constant dense<{{\[}}[2.000000e+00], [2.000000e+00], [1.000000e+00], [5.000000e-01]]> : tensor<4x1xf32>
  // CHECK: cim.linear [[G]], [[W]] {bias_row, readout = #cim.adc<bits = 8>} : tensor<?x3xf32>, tensor<4x1xf32> -> tensor<?x1xf32>
  func.func @bias(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[4.0], [1.0], [0.5]]> : tensor<3x1xf32>
    %y = cim.linear %x, %w {bias_row, readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<3x1xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }

  // Weights on a grid of levels (3 = 3 * 1, as a QDQ model's integers) keep
  // their levels: no copies.
  // CHECK-LABEL: func.func @grid
  // CHECK-NOT: cim.gather
  // CHECK-LABEL: func.func @full
  func.func @grid(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[3.0], [1.0]]> : tensor<2x1xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }

  // No free row: four rows fill the array.
  // CHECK-NOT: cim.gather
  func.func @full(%x: tensor<?x4xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[4.0], [1.0], [1.0], [1.0]]> : tensor<4x1xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x1xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 64, encoding = differential>, #cim.array<name = "sram", cell = sram, rows = 4, cols = 8, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 5, adc_kind = ramp>} {
  // Digital cells have no per-cell noise to spread, and a ramp's levels
  // are set on the product as it is: both stay.
  // CHECK-LABEL: func.func @kept
  // CHECK-NOT: cim.gather
  func.func @kept(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<[[4.0], [1.0]]> : tensor<2x1xf32>
    %h = cim.linear %x, %w {placement = #cim<cell sram>, readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    %y = cim.linear %x, %w {readout = #cim.ramp<bits = 1, steps = [tanh], lo = -2.0, hi = 2.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} : tensor<?x2xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
    %s = tosa.add %h, %y : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<?x1xf32>
    return %s : tensor<?x1xf32>
  }
}
