// RUN: cim-opt %s -split-input-file -cim-check-capacity -verify-diagnostics
// RUN: not cim-opt %s -split-input-file -cim-check-capacity='allow-reload=true' 2>&1 | FileCheck %s --check-prefix=RELOAD
// With allow-reload writable RRAM passes (it will be time-shared); ROM
// still fails.
// RELOAD-NOT: target 'small'
// RELOAD-DAG: func.func @too_big
// RELOAD-DAG: func.func @fits
// RELOAD-DAG: rom needs at least 9 arrays
// Before tiling, a lower bound of the arrays every kind needs (its weight
// cells over an array's) against what the target has.

// 12 x 8 weights as differential pairs: 12 x 16 = 192 cells, 12 arrays of
// 4 x 4 at least; the target has 8. The same weight read again (an
// unrolled loop's step) shares its tiles and counts once.
// expected-error @+1 {{the model does not fit target 'small': rram needs at least 12 arrays (192 cells) but the target has 8 (128 cells)}}
module attributes {cim.target = #cim.target<name = "small", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 8, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @too_big(%x: tensor<?x12xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<12x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    %z = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    %s = tosa.add %y, %z : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
    return %s : tensor<?x8xf32>
  }
}

// -----

// 8 x 8 weights need 8 arrays: they fit.
module attributes {cim.target = #cim.target<name = "small", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 8, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @fits(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<8x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x8xf32>, tensor<8x8xf32> -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
}

// -----

// ROM cannot be time-shared: the error stays with allow-reload.
// expected-error @+1 {{the model does not fit target 'rom-only': rom needs at least 9 arrays (144 cells) but the target has 8 (128 cells)}}
module attributes {cim.target = #cim.target<name = "rom-only", arrays = [#cim.array<name = "rom", cell = rom, rows = 4, cols = 4, bits_per_cell = 1, count = 8, encoding = offset>], dac_bits = 8, adc_bits = 8>} {
  func.func @rom(%x: tensor<?x12xf32>) -> tensor<?x11xf32> {
    %w = arith.constant dense<0.5> : tensor<12x11xf32>
    %y = cim.linear %x, %w {placement = #cim<cell rom>, readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x11xf32> -> tensor<?x11xf32>
    return %y : tensor<?x11xf32>
  }
}
