// RUN: cim-opt %s -split-input-file -cim-tile-weights -cim-pack-tiles -verify-diagnostics | FileCheck %s
// Blocks share arrays where they fit side by side (a shelf) or above each
// other (a new shelf); tallest first. Arrays here are 4 rows x 8 columns.

#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @pack
  func.func @pack() {
    %w42 = arith.constant dense<1.0> : tensor<4x2xf32>
    %w22 = arith.constant dense<1.0> : tensor<2x2xf32>
    %w44 = arith.constant dense<1.0> : tensor<4x4xf32>
    // Two 4x2 blocks (4 cells wide each) fill array 0 side by side.
    // CHECK: cim.program_tile {{.*}}{array = 0 : i64, array_col = 0 : i64, array_row = 0 : i64
    %a = cim.program_tile %w42 {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    // CHECK: cim.program_tile {{.*}}{array = 0 : i64, array_col = 4 : i64, array_row = 0 : i64
    %b = cim.program_tile %w42 {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    // The 2x2 blocks are shorter: they go last, side by side in array 2.
    // CHECK: cim.program_tile {{.*}}{array = 2 : i64, array_col = 0 : i64, array_row = 0 : i64
    %c = cim.program_tile %w22 {encoding = #cim<encoding differential>} : tensor<2x2xf32> -> !cim.tile<2x2, rram>
    // A full 4x4 block takes array 1.
    // CHECK: cim.program_tile {{.*}}{array = 1 : i64, array_col = 0 : i64, array_row = 0 : i64
    %d = cim.program_tile %w44 {encoding = #cim<encoding differential>} : tensor<4x4xf32> -> !cim.tile<4x4, rram>
    // CHECK: cim.program_tile {{.*}}{array = 2 : i64, array_col = 4 : i64, array_row = 0 : i64
    %e = cim.program_tile %w22 {encoding = #cim<encoding differential>} : tensor<2x2xf32> -> !cim.tile<2x2, rram>
    return
  }
}

// -----

// A 12x8 weight in 4x4 arrays: 3 x 4 = 12 blocks that fill their arrays;
// the target has 8.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 8, encoding = differential>
// expected-error @+1 {{the model does not fit target 'small': rram needs 12 arrays (192 cells) but the target has 8 (128 cells)}}
module attributes {cim.target = #cim.target<name = "small", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  func.func @too_big(%x: tensor<?x12xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<12x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
}
