// RUN: cim-opt %s -cim-tile-weights | FileCheck %s
// Binary neurons whose fan-in exceeds an array's rows: the row blocks
// share their charge. Each block's MVM passes its columns' charge on
// (#cim.charge) as the next block's carry, and the last block's
// comparators decide; no partial sums are added digitally. Column blocks
// take their own neurons.

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 1, count = 16, encoding = differential>], dac_bits = 1, adc_bits = 8, bridge_neurons = true>} {
  // 10 inputs over arrays of 4 rows: blocks of 4, 4 and 2 rows; 3 neurons
  // over arrays of 2 weight columns: column blocks of 2 and 1.
  // CHECK-LABEL: func.func @split
  // CHECK: %[[T0:.+]] = cim.program_tile %{{.+}} {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> <4x2, rram>
  // CHECK: %[[Q0:.+]] = cim.mvm %[[T0]], %arg0 {readout = #cim.charge, row_offset = 0 : i64} : <4x2, rram>, tensor<?x10xf32> -> tensor<?x2xf32>
  // CHECK: %[[T1:.+]] = cim.program_tile {{.*}} -> <4x2, rram>
  // CHECK: %[[Q1:.+]] = cim.mvm %[[T1]], %arg0, %[[Q0]] {readout = #cim.charge, row_offset = 4 : i64} : <4x2, rram>, tensor<?x10xf32>, tensor<?x2xf32> -> tensor<?x2xf32>
  // CHECK: %[[T2:.+]] = cim.program_tile {{.*}} -> <2x2, rram>
  // CHECK: %[[Y0:.+]] = cim.mvm %[[T2]], %arg0, %[[Q1]] {readout = #cim.sign<fan_in = 10, pre = [0.000000e+00, 0.000000e+00], scale = [1.000000e+00, -1.000000e+00], bias = [0.000000e+00, 1.000000e+00], cmp = [0.000000e+00, 0.000000e+00], tie = 0.000000e+00, reference = [1.000000e+00, 2.000000e+00]>, row_offset = 8 : i64}
  // CHECK-NOT: tosa.add
  // CHECK: cim.mvm {{.*}}readout = #cim.charge, row_offset = 0 : i64} : <4x1, rram>
  // CHECK: cim.mvm {{.*}}readout = #cim.charge, row_offset = 4 : i64} : <4x1, rram>
  // CHECK: %[[Y1:.+]] = cim.mvm {{.*}}readout = #cim.sign<fan_in = 10, pre = [0.000000e+00], scale = [2.000000e+00], bias = [-3.000000e+00], cmp = [0.000000e+00], tie = 0.000000e+00, reference = [3.000000e+00]>, row_offset = 8 : i64} : <2x1, rram>
  // CHECK: %[[Y:.+]] = tosa.concat %[[Y0]], %[[Y1]] {axis = 1 : i32}
  // CHECK: return %[[Y]]
  func.func @split(%x: tensor<?x10xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<1.0> : tensor<10x3xf32>
    %y = cim.linear %x, %w {readout = #cim.sign<fan_in = 10, pre = [0.0, 0.0, 0.0], scale = [1.0, -1.0, 2.0], bias = [0.0, 1.0, -3.0], cmp = [0.0, 0.0, 0.0], tie = 0.0, reference = [1.0, 2.0, 3.0]>} : tensor<?x10xf32>, tensor<10x3xf32> -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}
