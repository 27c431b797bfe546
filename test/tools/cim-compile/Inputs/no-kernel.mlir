module {
  func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = tosa.erf %x : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("erf_node")
    return %y : tensor<?x4xf32>
  }
}
