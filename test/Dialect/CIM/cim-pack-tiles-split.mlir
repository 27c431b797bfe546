// RUN: cim-opt %s -split-input-file -cim-pack-tiles | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-pack-tiles="split=false" | FileCheck %s --check-prefix=WHOLE
// Blocks that fit nowhere whole are split into free space when that saves
// an array. Arrays here are 4 rows x 8 columns (4 differential weight
// columns).

// Two 4x3 blocks leave 4x2 cells free in each of their arrays; a 4x2 block
// (4x4 cells) fits neither, so whole it takes a third array (the bound is
// 64 cells / 32 = 2). Split by columns, its halves fill the two gaps and
// their results are concatenated.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @columns
  // WHOLE-LABEL: func.func @columns
  // WHOLE: cim.program_tile {{.*}}{array = 2 : i64, array_col = 0 : i64, array_row = 0 : i64{{.*}} -> <4x2, rram>
  func.func @columns(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
    %wa = arith.constant dense<1.0> : tensor<4x3xf32>
    %wc = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
    // CHECK: cim.program_tile {{.*}}{array = 0 : i64, array_col = 0 : i64, array_row = 0 : i64{{.*}} -> <4x3, rram>
    %a = cim.program_tile %wa {encoding = #cim<encoding differential>} : tensor<4x3xf32> -> !cim.tile<4x3, rram>
    // CHECK: cim.program_tile {{.*}}{array = 1 : i64, array_col = 0 : i64, array_row = 0 : i64{{.*}} -> <4x3, rram>
    %b = cim.program_tile %wa {encoding = #cim<encoding differential>} : tensor<4x3xf32> -> !cim.tile<4x3, rram>
    // CHECK: [[L:%.+]] = arith.constant dense<{{\[}}[1.000000e+00], [3.000000e+00], [5.000000e+00], [7.000000e+00]]> : tensor<4x1xf32>
    // CHECK: [[LT:%.+]] = cim.program_tile [[L]] {array = 0 : i64, array_col = 6 : i64, array_row = 0 : i64{{.*}} -> <4x1, rram>
    // CHECK: [[R:%.+]] = arith.constant dense<{{\[}}[2.000000e+00], [4.000000e+00], [6.000000e+00], [8.000000e+00]]> : tensor<4x1xf32>
    // CHECK: [[RT:%.+]] = cim.program_tile [[R]] {array = 1 : i64, array_col = 6 : i64, array_row = 0 : i64{{.*}} -> <4x1, rram>
    %c = cim.program_tile %wc {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    // CHECK: [[YL:%.+]] = cim.mvm [[LT]], %arg0 {{{.*}}row_offset = 0 : i64} : <4x1, rram>, tensor<?x4xf32> -> tensor<?x1xf32>
    // CHECK: [[YR:%.+]] = cim.mvm [[RT]], %arg0 {{{.*}}row_offset = 0 : i64} : <4x1, rram>, tensor<?x4xf32> -> tensor<?x1xf32>
    // CHECK: [[Y:%.+]] = tosa.concat [[YL]], [[YR]] {axis = 1 : i32}
    // CHECK: return [[Y]]
    %y = cim.mvm %c, %x {readout = #cim.adc<bits = 8>, row_offset = 0} : !cim.tile<4x2, rram>, tensor<?x4xf32> -> tensor<?x2xf32>
    return %y : tensor<?x2xf32>
  }
}

// -----

// Two 3x4 blocks leave one row free in each array; a 2x4 block split by
// rows fills both, and its pieces' partial sums are added. The lower piece
// reads the input from row_offset + 1.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 8, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8>} {
  // CHECK-LABEL: func.func @rows
  // WHOLE-LABEL: func.func @rows
  // WHOLE: cim.program_tile {{.*}}{array = 2 : i64, array_col = 0 : i64, array_row = 0 : i64{{.*}} -> <2x4, rram>
  func.func @rows(%x: tensor<?x5xf32>) -> tensor<?x4xf32> {
    %wa = arith.constant dense<1.0> : tensor<3x4xf32>
    %wc = arith.constant dense<2.0> : tensor<2x4xf32>
    %a = cim.program_tile %wa {encoding = #cim<encoding differential>} : tensor<3x4xf32> -> !cim.tile<3x4, rram>
    %b = cim.program_tile %wa {encoding = #cim<encoding differential>} : tensor<3x4xf32> -> !cim.tile<3x4, rram>
    // CHECK: [[TT:%.+]] = cim.program_tile {{.*}}{array = 0 : i64, array_col = 0 : i64, array_row = 3 : i64{{.*}} -> <1x4, rram>
    // CHECK: [[BT:%.+]] = cim.program_tile {{.*}}{array = 1 : i64, array_col = 0 : i64, array_row = 3 : i64{{.*}} -> <1x4, rram>
    %c = cim.program_tile %wc {encoding = #cim<encoding differential>} : tensor<2x4xf32> -> !cim.tile<2x4, rram>
    // CHECK: [[YT:%.+]] = cim.mvm [[TT]], %arg0 {{{.*}}row_offset = 3 : i64}
    // CHECK: [[YB:%.+]] = cim.mvm [[BT]], %arg0 {{{.*}}row_offset = 4 : i64}
    // CHECK: [[Y:%.+]] = tosa.add [[YT]], [[YB]]
    // CHECK: return [[Y]]
    %y = cim.mvm %c, %x {readout = #cim.adc<bits = 8>, row_offset = 3} : !cim.tile<2x4, rram>, tensor<?x5xf32> -> tensor<?x4xf32>
    return %y : tensor<?x4xf32>
  }
}
