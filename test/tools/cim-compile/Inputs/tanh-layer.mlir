func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %w = arith.constant dense<0.5> : tensor<4x4xf32>
  %m = cim.matmul %x, %w : tensor<1x4xf32>, tensor<4x4xf32> -> tensor<1x4xf32>
  %t = tosa.tanh %m : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %t : tensor<1x4xf32>
}
