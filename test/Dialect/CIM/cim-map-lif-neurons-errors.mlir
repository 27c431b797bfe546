// RUN: cim-opt %s -cim-map-lif-neurons="mode=neurons" -verify-diagnostics

// Asking for neurons on a target that has none is an error naming the op.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 16, bits_per_cell = 2, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 4, adc_bits = 8>} {
  func.func @no_neurons(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<0.25> : tensor<6x3xf32>
    %p = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    // expected-error @+1 {{cannot map a LIF layer onto neurons: the target has no LIF neurons (its description has no `lif`)}}
    %s, %v = cim.lif %p {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    return %s : tensor<?x3xf32>
  }
}
