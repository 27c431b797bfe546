module {
  func.func @main(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<0.5> : tensor<4x3xf32>
    %h = cim.matmul %x, %w : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    %y = tosa.erf %h : (tensor<?x3xf32>) -> tensor<?x3xf32> loc("erf_node")
    return %y : tensor<?x3xf32>
  }
}
