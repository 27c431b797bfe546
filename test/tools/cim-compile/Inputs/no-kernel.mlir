module {
  func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %y = tosa.floor %x : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("floor_node")
    return %y : tensor<?x4xf32>
  }
}
