// RUN: cim-opt %s -cim-set-target="target=rram-ramp-adc" | FileCheck %s
// RUN: not cim-opt %s -cim-set-target="target=no-such" 2>&1 | FileCheck %s --check-prefix=BAD
// A preset replaces the module's target; only presets (cim-compile reads
// target files).

// CHECK: module attributes {cim.target = #cim.target<name = "rram-ramp-adc"
// CHECK-NOT: name = "old"
// BAD: error: {{.*}}cim-set-target: unknown target preset 'no-such'
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "old", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
}
