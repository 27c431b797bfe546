// RUN: cim-opt %s -split-input-file -cim-map-matmuls -verify-diagnostics
// RUN: cim-opt %s -split-input-file -cim-tile-weights -verify-diagnostics
// Passes that need the hardware target refuse a module without one.

// expected-error @+1 {{module has no 'cim.target' attribute; attach a #cim.target, run cim-set-target first (cim-opt --cim-set-target="target=NAME") or compile with cim-compile --target}}
module {
  func.func @no_target(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}
