// RUN: cim-opt %s -cim-tile-weights='active-rows=fc1=2' | FileCheck %s
// RUN: cim-opt %s -cim-tile-weights='active-rows=3' | FileCheck %s --check-prefix=ALL
// RUN: not cim-opt %s -cim-tile-weights='active-rows=fc1=0' 2>&1 | FileCheck %s --check-prefix=BAD
// An active-rows rule caps the rows of a product's blocks below the
// array's 4: each conversion sums fewer rows, with more partial sums.

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  // fc1's 4 rows (one array's worth) become two blocks of 2; fc2 keeps one
  // block of 4.
  // CHECK-LABEL: func.func @two
  // CHECK: [[T0:%.+]] = cim.program_tile {{.*}} -> <2x2, rram>
  // CHECK: [[P0:%.+]] = cim.mvm [[T0]], %arg0 {{{.*}}row_offset = 0 : i64}
  // CHECK: [[T1:%.+]] = cim.program_tile {{.*}} -> <2x2, rram>
  // CHECK: [[P1:%.+]] = cim.mvm [[T1]], %arg0 {{{.*}}row_offset = 2 : i64}
  // CHECK: [[S:%.+]] = tosa.add [[P0]], [[P1]]
  // CHECK: cim.program_tile {{.*}} -> <4x2, rram>
  // CHECK-NOT: cim.program_tile
  // Every product at most 3 rows: 3 + 1 each.
  // ALL-LABEL: func.func @two
  // ALL-COUNT-2: cim.program_tile {{.*}} -> <3x2, rram>
  // ALL-NOT: cim.program_tile {{.*}} -> <4x2
  func.func @two(%x: tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %w = arith.constant dense<[[1.0, 0.5], [0.03, -0.2], [-0.45, 0.11], [0.27, -1.0]]> : tensor<4x2xf32>
    %v = arith.constant dense<[[1.0, 0.5], [0.3, -0.2], [0.1, 0.2], [-0.7, 0.4]]> : tensor<4x2xf32>
    %h = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc1"} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    %y = cim.linear %x, %v {readout = #cim.adc<bits = 8>, weight_name = "fc2"} : tensor<?x4xf32>, tensor<4x2xf32> -> tensor<?x2xf32>
    return %h, %y : tensor<?x2xf32>, tensor<?x2xf32>
  }
}
// BAD: active-rows rule 'fc1=0': expected N or REGEX=N with N in [1, 1048576]
