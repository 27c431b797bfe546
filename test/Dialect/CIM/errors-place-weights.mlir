// RUN: not cim-opt %s -split-input-file -cim-place-weights="overrides=w=sram" 2>&1 | FileCheck %s --check-prefix=NOSRAM
// RUN: not cim-opt %s -split-input-file -cim-place-weights="overrides=w=flash" 2>&1 | FileCheck %s --check-prefix=CELL
// RUN: not cim-opt %s -split-input-file -cim-place-weights="overrides=rram" 2>&1 | FileCheck %s --check-prefix=FORM
// RUN: not cim-compile %s --placement=%S/Inputs/no-such.json --emit=cim 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not cim-compile %s --placement=%S/Inputs/bad-placement.json --emit=cim 2>&1 | FileCheck %s --check-prefix=BADFILE
// RUN: sed 's/^module attributes {/module attributes {cim.placement = {place = {fc1 = 3}}, /' %s | not cim-opt -cim-place-weights 2>&1 | FileCheck %s --check-prefix=BADATTR
// RUN: sed 's/^module attributes {/module attributes {cim.placement = {tunable = ["(w"]}, /' %s | not cim-opt -cim-place-weights 2>&1 | FileCheck %s --check-prefix=BADREGEX
// Rule errors of cim-place-weights, and of placement files (which
// cim-compile reads and attaches as the module's cim.placement).

#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "small", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  func.func @too_big(%x: tensor<?x12xf32>) -> tensor<?x8xf32> {
    %w = arith.constant dense<0.5> : tensor<12x8xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "w"} : tensor<?x12xf32>, tensor<12x8xf32> -> tensor<?x8xf32>
    return %y : tensor<?x8xf32>
  }
}

// NOSRAM: error: 'cim.linear' op weight 'w' is placed on sram by rule 'w', but target 'small' has no sram arrays
// CELL: error: placement override 'w=flash': unknown cell technology 'flash' (expected rram, rom or sram)
// FORM: error: placement override 'rram' is not REGEX=CELL
// NOFILE: error: {{.*}}no-such.json: cannot read placement file: No such file or directory
// BADFILE: error: {{.*}}bad-placement.json: place.fc1: expected a cell technology string
// BADATTR: error: {{.*}}cim.placement: place.fc1: expected a cell technology string
// BADREGEX: error: {{.*}}cim.placement: tunable[0]: invalid regex '(w':
