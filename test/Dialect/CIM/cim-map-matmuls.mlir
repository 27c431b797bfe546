// RUN: cim-opt %s -cim-map-matmuls | FileCheck %s

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 128, cols = 128, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 6>} {
  // A constant 2-D weight goes to the arrays, read out by the target's ADC.
  // CHECK-LABEL: func.func @constant_weight
  // CHECK: [[W:%.+]] = arith.constant dense<{{.*}}> : tensor<4x3xf32>
  // CHECK: cim.linear %arg0, [[W]] {readout = #cim.adc<bits = 6>} : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
  // CHECK-NOT: cim.matmul
  func.func @constant_weight(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<0.5> : tensor<4x3xf32>
    %y = cim.matmul %x, %w : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }

  // A run-time right operand stays in the digital unit.
  // CHECK-LABEL: func.func @dynamic_operand
  // CHECK: cim.matmul %arg0, %arg1
  // CHECK-NOT: cim.linear
  func.func @dynamic_operand(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
    %y = cim.matmul %a, %b : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }

  // A constant but batched (3-D) right operand is not one matrix: digital.
  // CHECK-LABEL: func.func @batched_constant
  // CHECK: cim.matmul
  // CHECK-NOT: cim.linear
  func.func @batched_constant(%a: tensor<2x2x4xf32>) -> tensor<2x2x3xf32> {
    %w = arith.constant dense<0.5> : tensor<2x4x3xf32>
    %y = cim.matmul %a, %w : tensor<2x2x4xf32>, tensor<2x4x3xf32> -> tensor<2x2x3xf32>
    return %y : tensor<2x2x3xf32>
  }
}
