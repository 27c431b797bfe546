// RUN: cim-opt %s -split-input-file -cim-tile-weights -cim-pack-tiles="allow-reload=true" -verify-diagnostics | FileCheck %s
// With allow-reload, writable arrays that do not fit are time-shared: their
// tiles are marked `reload`. ROM cannot be rewritten, so it still errors.

// A 12x8 weight needs 12 arrays of 4x4; the target has 8 SRAM arrays.
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "small", arrays = [#sram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @reloaded
  // CHECK-COUNT-12: cim.program_tile {{.*}}reload{{.*}} -> <4x2, sram>
  func.func @reloaded(%x: tensor<?x12xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<12x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
}

// -----

// A model that fits is not reloaded.
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "small", arrays = [#sram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @fits
  // CHECK-NOT: reload
  func.func @fits(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<0.5> : tensor<4x2xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

#rom = #cim.array<name = "rom", cell = rom, rows = 4, cols = 4, bits_per_cell = 1, count = 8, encoding = differential>
// expected-error @+1 {{the model does not fit target 'rom-only': rom needs 12 arrays (192 cells) but the target has 8 (128 cells)}}
module attributes {cim.target = #cim.target<name = "rom-only", arrays = [#rom], dac_bits = 8, adc_bits = 8>} {
  func.func @rom_cannot_reload(%x: tensor<?x12xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<12x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
}
