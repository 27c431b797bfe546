// RUN: cim-opt %s -split-input-file -cim-tile-weights -verify-diagnostics
// cim-tile-weights needs constant f32 weights.

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @runtime_weight(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>) -> tensor<?x2xf32> {
    // expected-error @+1 {{weight is not a constant}}
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @f16_weight(%x: tensor<?x4xf16>) -> tensor<?x2xf16> {
    %w = arith.constant dense<1.0> : tensor<4x2xf16>
    // expected-error @+1 {{weights of type 'f16' are not supported (need f32)}}
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf16>, tensor<4x2xf16> -> tensor<?x2xf16>
    return %y : tensor<?x2xf16>
  }
}
