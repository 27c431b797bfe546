// The first case of cim-place-weights.mlir, for compiling with a placement
// file (cim-compile reads the file; the pass reads the module's cim.placement).
#rom = #cim.array<name = "rom", cell = rom, rows = 4, cols = 4, bits_per_cell = 1, count = 16, encoding = offset>
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 4, encoding = differential>
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 4, encoding = differential>
module attributes {cim.target = #cim.target<name = "hybrid", arrays = [#rom, #sram, #rram], dac_bits = 8, adc_bits = 8>} {
  func.func @three_weights(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<0.5> : tensor<4x4xf32>
    %a = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "emb"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %b = cim.linear %a, %w {readout = #cim.adc<bits = 8>, weight_name = "body"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %c = cim.linear %b, %w {readout = #cim.adc<bits = 8>, weight_name = "head.w"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    return %c : tensor<?x4xf32>
  }
}
