// RUN: cim-opt %s -split-input-file -cim-tile-weights | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-tile-weights | FileCheck %s --check-prefix=ZEROBITS
// Column budgets of the encodings: arrays of 16 columns hold 8 differential
// weight columns, 15 offset ones (one reference column), and with 8-bit
// weights over 2-bit cells (4 slices) 2 differential or 3 offset ones.

#diff = #cim.array<name = "rram", cell = rram, rows = 4, cols = 16, bits_per_cell = 2, count = 64, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#diff], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @differential
  // CHECK-COUNT-2: cim.program_tile {{.*}}encoding = #cim<encoding differential>{{.*}} -> <4x8, rram>
  // CHECK-NOT: cim.program_tile
  func.func @differential(%x: tensor<?x4xf32>) -> tensor<?x16xf32> {
    %w = arith.constant dense<0.5> : tensor<4x16xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x16xf32> -> tensor<?x16xf32>
    return %y : tensor<?x16xf32>
  }
}

// -----

#offset = #cim.array<name = "rom", cell = rom, rows = 4, cols = 16, bits_per_cell = 1, count = 64, encoding = offset>
module attributes {cim.target = #cim.target<name = "t", arrays = [#offset], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @offset
  // CHECK: cim.program_tile {{.*}}encoding = #cim<encoding offset>{{.*}} -> <4x15, rom>
  // CHECK: cim.program_tile {{.*}}encoding = #cim<encoding offset>{{.*}} -> <4x1, rom>
  func.func @offset(%x: tensor<?x4xf32>) -> tensor<?x16xf32> {
    %w = arith.constant dense<0.5> : tensor<4x16xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x16xf32> -> tensor<?x16xf32>
    return %y : tensor<?x16xf32>
  }
}

// -----

#sliced = #cim.array<name = "rram", cell = rram, rows = 4, cols = 16, bits_per_cell = 2, count = 64, encoding = differential, weight_bits = 8>
module attributes {cim.target = #cim.target<name = "t", arrays = [#sliced], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @sliced_differential
  // CHECK-COUNT-3: cim.program_tile {{.*}} -> <4x2, rram>
  // CHECK-NOT: cim.program_tile
  func.func @sliced_differential(%x: tensor<?x4xf32>) -> tensor<?x6xf32> {
    %w = arith.constant dense<0.5> : tensor<4x6xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
    return %y : tensor<?x6xf32>
  }
}

// -----

#sliced = #cim.array<name = "rom", cell = rom, rows = 4, cols = 16, bits_per_cell = 2, count = 64, encoding = offset, weight_bits = 8>
module attributes {cim.target = #cim.target<name = "t", arrays = [#sliced], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @sliced_offset
  // CHECK: cim.program_tile {{.*}} -> <4x3, rom>
  // CHECK: cim.program_tile {{.*}} -> <4x3, rom>
  func.func @sliced_offset(%x: tensor<?x4xf32>) -> tensor<?x6xf32> {
    %w = arith.constant dense<0.5> : tensor<4x6xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x6xf32> -> tensor<?x6xf32>
    return %y : tensor<?x6xf32>
  }
}

// -----

// A product's weight_bits = 0 means one cell pair per weight even on a
// kind whose weights are sliced (8 bits over two 4-bit pairs): all four
// columns fit one 8-column array; without it, two columns per array.
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 8, cols = 8, bits_per_cell = 4, count = 64, encoding = differential, weight_bits = 8>], dac_bits = 8, adc_bits = 8>} {
  // ZEROBITS-LABEL: func.func @unsliced
  // ZEROBITS: cim.program_tile {{.*}}weight_bits = 0 : i64} : tensor<2x4xf32> -> <2x4, rram>
  // ZEROBITS-NOT: cim.program_tile
  func.func @unsliced(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<[[1.0, 0.5, 0.25, -1.0], [0.1, -0.2, 0.3, 0.4]]> : tensor<2x4xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_bits = 0 : i64} : tensor<?x2xf32>, tensor<2x4xf32> -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
  // ZEROBITS-LABEL: func.func @sliced
  // ZEROBITS-COUNT-2: cim.program_tile {{.*}} : tensor<2x2xf32> -> <2x2, rram>
  func.func @sliced(%x: tensor<?x2xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<[[1.0, 0.5, 0.25, -1.0], [0.1, -0.2, 0.3, 0.4]]> : tensor<2x4xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x4xf32> -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
}
