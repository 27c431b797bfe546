// RUN: cim-opt %s -cim-tile-weights | FileCheck %s
// Arrays of 4 rows x 4 columns hold 4x2 blocks of signed weights (two
// columns per weight under the differential encoding).

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  // A weight that fits one array becomes one tile and one MVM; the original
  // weight constant is gone.
  // CHECK-LABEL: func.func @fits
  // CHECK: [[W:%.+]] = arith.constant dense<{{\[\[}}1.000000e+00, -2.000000e+00], [3.000000e+00, -4.000000e+00]]> : tensor<2x2xf32>
  // CHECK-NOT: arith.constant
  // CHECK: [[T:%.+]] = cim.program_tile [[W]] {encoding = #cim<encoding differential>} : tensor<2x2xf32> -> <2x2, rram>
  // CHECK: [[Y:%.+]] = cim.mvm [[T]], %arg0 {readout = #cim.adc<bits = 7>, row_offset = 0 : i64} : <2x2, rram>, tensor<?x2xf32> -> tensor<?x2xf32>
  // CHECK-NEXT: return [[Y]]
  func.func @fits(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
    %w = arith.constant dense<[[1.0, -2.0], [3.0, -4.0]]> : tensor<2x2xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 7>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }

  // 6 input rows split 4 + 2: two tiles whose partial sums are added.
  // CHECK-LABEL: func.func @split_rows
  // CHECK: [[W0:%.+]] = arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00], [2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00], [6.000000e+00, 7.000000e+00]]> : tensor<4x2xf32>
  // CHECK: [[T0:%.+]] = cim.program_tile [[W0]] {{.*}} -> <4x2, rram>
  // CHECK: [[P0:%.+]] = cim.mvm [[T0]], %arg0 {{{.*}}row_offset = 0 : i64} : <4x2, rram>, tensor<3x6xf32> -> tensor<3x2xf32>
  // CHECK: [[W1:%.+]] = arith.constant dense<{{\[\[}}8.000000e+00, 9.000000e+00], [1.000000e+01, 1.100000e+01]]> : tensor<2x2xf32>
  // CHECK: [[T1:%.+]] = cim.program_tile [[W1]] {{.*}} -> <2x2, rram>
  // CHECK: [[P1:%.+]] = cim.mvm [[T1]], %arg0 {{{.*}}row_offset = 4 : i64} : <2x2, rram>, tensor<3x6xf32> -> tensor<3x2xf32>
  // CHECK: [[S:%.+]] = tosa.add [[P0]], [[P1]] : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  // CHECK: return [[S]]
  func.func @split_rows(%x: tensor<3x6xf32>) -> tensor<3x2xf32> {
    %w = arith.constant dense<[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]> : tensor<6x2xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<3x6xf32>, tensor<6x2xf32> -> tensor<3x2xf32>
    return %y : tensor<3x2xf32>
  }

  // 3 output columns split 2 + 1 and joined along the last axis.
  // CHECK-LABEL: func.func @split_cols
  // CHECK: [[W0:%.+]] = arith.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // CHECK: [[T0:%.+]] = cim.program_tile [[W0]] {{.*}} -> <2x2, rram>
  // CHECK: [[P0:%.+]] = cim.mvm [[T0]], %arg0 {{.*}} -> tensor<?x2xf32>
  // CHECK: [[W1:%.+]] = arith.constant dense<{{\[\[}}2.000000e+00], [5.000000e+00]]> : tensor<2x1xf32>
  // CHECK: [[T1:%.+]] = cim.program_tile [[W1]] {{.*}} -> <2x1, rram>
  // CHECK: [[P1:%.+]] = cim.mvm [[T1]], %arg0 {{.*}} -> tensor<?x1xf32>
  // CHECK: [[Y:%.+]] = tosa.concat [[P0]], [[P1]] {axis = 1 : i32} : (tensor<?x2xf32>, tensor<?x1xf32>) -> tensor<?x3xf32>
  // CHECK: return [[Y]]
  func.func @split_cols(%x: tensor<?x2xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]> : tensor<2x3xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x2xf32>, tensor<2x3xf32> -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }

  // Rank-3 input: the MVMs keep the leading dimensions.
  // CHECK-LABEL: func.func @batched_input
  // CHECK: cim.mvm {{.*}} : <2x2, rram>, tensor<5x?x2xf32> -> tensor<5x?x2xf32>
  func.func @batched_input(%x: tensor<5x?x2xf32>) -> tensor<5x?x2xf32> {
    %w = arith.constant dense<1.0> : tensor<2x2xf32>
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<5x?x2xf32>, tensor<2x2xf32> -> tensor<5x?x2xf32>
    return %y : tensor<5x?x2xf32>
  }
}
