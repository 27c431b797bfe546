// RUN: cim-opt %s -split-input-file -cim-place-weights | FileCheck %s --check-prefix=DEFAULT
// RUN: cim-opt %s -split-input-file -cim-place-weights="tunable=head.* overrides=emb=rram" | FileCheck %s --check-prefix=RULES
// RUN: sed 's/^module attributes {cim.target = #cim.target<name = "hybrid"/module attributes {cim.placement = {place = {"b.*" = "rram"}, tunable = ["emb", "head[.].*"]}, cim.target = #cim.target<name = "hybrid"/' %s \
// RUN:   | cim-opt -split-input-file -cim-place-weights | FileCheck %s --check-prefix=FILE
// RUN: cim-compile %S/Inputs/three-weights.mlir --placement %S/Inputs/placement.json --emit=cim | FileCheck %s --check-prefix=FILE

#rom = #cim.array<name = "rom", cell = rom, rows = 4, cols = 4, bits_per_cell = 1, count = 16, encoding = offset>
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 4, encoding = differential>
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 4, encoding = differential>
module attributes {cim.target = #cim.target<name = "hybrid", arrays = [#rom, #sram, #rram], dac_bits = 8, adc_bits = 8>} {
  // DEFAULT-LABEL: func.func @three_weights
  // Frozen weights go to ROM.
  // DEFAULT: cim.linear {{.*}}placement = #cim<cell rom>{{.*}}weight_name = "emb"
  // DEFAULT: cim.linear {{.*}}placement = #cim<cell rom>{{.*}}weight_name = "body"
  // DEFAULT: cim.linear {{.*}}placement = #cim<cell rom>{{.*}}weight_name = "head.w"
  // RULES-LABEL: func.func @three_weights
  // An override rule wins; tunable weights go to SRAM; the rest stay frozen.
  // RULES: cim.linear {{.*}}placement = #cim<cell rram>{{.*}}weight_name = "emb"
  // RULES: cim.linear {{.*}}placement = #cim<cell rom>{{.*}}weight_name = "body"
  // RULES: cim.linear {{.*}}placement = #cim<cell sram>{{.*}}weight_name = "head.w"
  // FILE-LABEL: func.func @three_weights
  // Rules of a placement file (the module's cim.placement, which cim-compile
  // --placement attaches).
  // FILE: cim.linear {{.*}}placement = #cim<cell sram>{{.*}}weight_name = "emb"
  // FILE: cim.linear {{.*}}placement = #cim<cell rram>{{.*}}weight_name = "body"
  // FILE: cim.linear {{.*}}placement = #cim<cell sram>{{.*}}weight_name = "head.w"
  func.func @three_weights(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<0.5> : tensor<4x4xf32>
    %a = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "emb"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %b = cim.linear %a, %w {readout = #cim.adc<bits = 8>, weight_name = "body"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %c = cim.linear %b, %w {readout = #cim.adc<bits = 8>, weight_name = "head.w"} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    return %c : tensor<?x4xf32>
  }
}

// -----

// Without ROM, frozen weights go to RRAM; without RRAM either, to the first
// kind of array.
#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 4, encoding = differential>
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 4, encoding = differential>
module attributes {cim.target = #cim.target<name = "no-rom", arrays = [#sram, #rram], dac_bits = 8, adc_bits = 8>} {
  // DEFAULT-LABEL: func.func @no_rom
  // DEFAULT: placement = #cim<cell rram>
  func.func @no_rom(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<0.5> : tensor<4x4xf32>
    %a = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    return %a : tensor<?x4xf32>
  }
}

// -----

#sram = #cim.array<name = "sram", cell = sram, rows = 4, cols = 4, bits_per_cell = 1, count = 4, encoding = differential>
module attributes {cim.target = #cim.target<name = "sram-only", arrays = [#sram], dac_bits = 8, adc_bits = 8>} {
  // DEFAULT-LABEL: func.func @sram_only
  // DEFAULT: placement = #cim<cell sram>
  func.func @sram_only(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<0.5> : tensor<4x4xf32>
    %a = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    return %a : tensor<?x4xf32>
  }
}
