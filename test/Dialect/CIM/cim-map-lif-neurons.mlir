// RUN: cim-opt %s -split-input-file -cim-map-lif-neurons -verify-diagnostics | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-map-lif-neurons="mode=digital" | FileCheck %s --check-prefix=DIGITAL
// RUN: cim-opt %s -split-input-file -cim-map-lif-neurons -cim-tile-weights -canonicalize -cse 2>/dev/null | FileCheck %s --check-prefix=TILED
// RUN: cim-opt %s -split-input-file -cim-map-lif-neurons="input-coding=rate" 2>/dev/null | FileCheck %s --check-prefix=RATE
// RUN: cim-opt %s -split-input-file -cim-map-lif-neurons="input-coding=dac" 2>/dev/null | FileCheck %s --check-prefix=DAC
// RUN: not cim-opt %s -split-input-file -cim-map-lif-neurons="mode=sometimes" 2>&1 | FileCheck %s --check-prefix=BADMODE
// BADMODE: mode must be neurons, digital or auto, got 'sometimes'
// RUN: not cim-opt %s -split-input-file -cim-map-lif-neurons="input-coding=morse" 2>&1 | FileCheck %s --check-prefix=BADCODING
// BADCODING: input-coding must be dac, rate, latency or auto, got 'morse'

// A LIF layer over two steps of one product plus a bias (an image driven
// at every step): each step reads the product by charge (#cim.charge, no
// ADC), the bias becomes the neurons' bias current. The image drives the
// rows as latency codes (auto on a target with LIF neurons), as rate
// codes or through the DAC as asked.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 16, bits_per_cell = 2, count = 8, encoding = differential, weight_bits = 4, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 4, adc_bits = 8, lif = #cim.lif<threshold = 1.0, leak = 0.0, reset = zero>>} {
  // CHECK-LABEL: func.func @image
  // CHECK-DAG: %[[W:.+]] = arith.constant dense<{{.+}}> : tensor<6x3xf32>
  // CHECK-DAG: %[[B:.+]] = arith.constant dense<{{.+}}> : tensor<1x3xf32>
  // CHECK: %[[C0:.+]] = cim.linear %arg0, %[[W]] {input_coding = #cim<coding latency>, readout = #cim.charge, step = 0 : i64, weight_name = "fc"}
  // CHECK: %[[C1:.+]] = cim.linear %arg0, %[[W]] {input_coding = #cim<coding latency>, readout = #cim.charge, step = 1 : i64, weight_name = "fc"}
  // CHECK: %[[S:.+]]:2, %{{.+}} = cim.lif %[[C0]], %[[C1]] bias(%[[B]]) {beta = 9.000000e-01 : f64, compare = "gt", neurons, reset = #cim<reset subtract>, theta = 1.000000e+00 : f64}
  // CHECK-NOT: readout = #cim.adc
  // CHECK: return %[[S]]#0, %[[S]]#1
  // RATE-LABEL: func.func @image
  // RATE: cim.linear %arg0, %{{.+}} {input_coding = #cim<coding rate>, readout = #cim.charge, step = 0
  // DAC-LABEL: func.func @image
  // DAC: cim.linear %arg0, %{{.+}} {readout = #cim.charge, step = 0
  // DIGITAL-LABEL: func.func @image
  // DIGITAL: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  // DIGITAL: cim.lif %{{.+}}, %{{.+}} {beta = 9.000000e-01 : f64, compare = "gt", reset = #cim<reset subtract>
  // The fan-in of 6 spans two row blocks of the 4-row arrays: the first
  // block's charge joins the second's (the carry), whose charge goes to
  // the neurons; both steps read the same two tiles.
  // TILED-LABEL: func.func @image
  // TILED: %[[T0:.+]] = cim.program_tile %{{.+}} {encoding = #cim<encoding differential>, input_coding = #cim<coding latency>, lif} : tensor<4x3xf32>
  // TILED: %[[A0:.+]] = cim.mvm %[[T0]], %arg0 {readout = #cim.charge, row_offset = 0 : i64, step = 0 : i64}
  // TILED: %[[T1:.+]] = cim.program_tile %{{.+}} {encoding = #cim<encoding differential>, input_coding = #cim<coding latency>, lif} : tensor<2x3xf32>
  // TILED: %[[B0:.+]] = cim.mvm %[[T1]], %arg0, %[[A0]] {readout = #cim.charge, row_offset = 4 : i64, step = 0 : i64}
  // TILED: %[[A1:.+]] = cim.mvm %[[T0]], %arg0 {readout = #cim.charge, row_offset = 0 : i64, step = 1 : i64}
  // TILED: %[[B1:.+]] = cim.mvm %[[T1]], %arg0, %[[A1]] {readout = #cim.charge, row_offset = 4 : i64, step = 1 : i64}
  // TILED: cim.lif %[[B0]], %[[B1]] bias
  func.func @image(%x: tensor<?x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
    %w = arith.constant dense<[[0.5, -0.25, 0.125], [0.25, 0.5, -0.5], [-0.125, 0.25, 0.5], [0.5, 0.5, 0.5], [0.25, -0.25, 0.25], [0.125, 0.125, -0.125]]> : tensor<6x3xf32>
    %b = arith.constant dense<[[0.1, 0.2, -0.1]]> : tensor<1x3xf32>
    %p = cim.linear %x, %w {readout = #cim.adc<bits = 8>, weight_name = "fc"} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %i = tosa.add %p, %b : (tensor<?x3xf32>, tensor<1x3xf32>) -> tensor<?x3xf32>
    %s:2, %v = cim.lif %i, %i {beta = 0.9 : f64, theta = 1.0 : f64, compare = "gt", reset = #cim<reset subtract>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
    return %s#0, %s#1 : tensor<?x3xf32>, tensor<?x3xf32>
  }

  // A product per step of one weight, no bias.
  // CHECK-LABEL: func.func @per_step_inputs
  // CHECK: %[[C0:.+]] = cim.linear %arg0, %{{.+}} {input_coding = #cim<coding latency>, readout = #cim.charge, step = 0 : i64}
  // CHECK: %[[C1:.+]] = cim.linear %arg1, %{{.+}} {input_coding = #cim<coding latency>, readout = #cim.charge, step = 1 : i64}
  // CHECK: cim.lif %[[C0]], %[[C1]] {beta = 1.000000e+00 : f64, compare = "ge", neurons, reset = #cim<reset zero>
  func.func @per_step_inputs(%s0: tensor<?x6xf32>, %s1: tensor<?x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
    %w = arith.constant dense<0.25> : tensor<6x3xf32>
    %p0 = cim.linear %s0, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %p1 = cim.linear %s1, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %s:2, %v = cim.lif %p0, %p1 {beta = 1.0 : f64, theta = 0.5 : f64, compare = "ge", reset = #cim<reset zero>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
    return %s#0, %s#1 : tensor<?x3xf32>, tensor<?x3xf32>
  }

  // A second layer reads the first one's spikes: a pulse per spike, no
  // DAC (as does any product of spikes); its membrane is not a spike.
  // CHECK-LABEL: func.func @two_layers
  // CHECK: %[[S1:.+]], %[[V1:.+]] = cim.lif %{{.+}} {beta = 1.000000e+00 : f64, compare = "gt", neurons
  // CHECK: %[[C:.+]] = cim.linear %[[S1]], %{{.+}} {input_coding = #cim<coding spikes>, readout = #cim.charge, step = 0 : i64}
  // CHECK: cim.lif %[[C]] {beta = 5.000000e-01
  // CHECK: cim.linear %[[V1]], %{{.+}} {readout = #cim.adc<bits = 8>}
  func.func @two_layers(%x: tensor<?x6xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
    %w = arith.constant dense<0.25> : tensor<6x3xf32>
    %w2 = arith.constant dense<0.5> : tensor<3x3xf32>
    %p = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %s1, %v1 = cim.lif %p {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    %q = cim.linear %s1, %w2 {readout = #cim.adc<bits = 8>} : tensor<?x3xf32>, tensor<3x3xf32> -> tensor<?x3xf32>
    %s2, %v2 = cim.lif %q {beta = 0.5 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    %m = cim.linear %v1, %w2 {readout = #cim.adc<bits = 8>} : tensor<?x3xf32>, tensor<3x3xf32> -> tensor<?x3xf32>
    return %s2, %m : tensor<?x3xf32>, tensor<?x3xf32>
  }

  // A layer over a loop's iterations: the carried membrane stays on the
  // columns, so its init does not stop the mapping.
  // CHECK-LABEL: func.func @loop_layer
  // CHECK: %[[C:.+]] = cim.linear %arg0, %{{.+}} {input_coding = #cim<coding latency>, readout = #cim.charge, step = 0 : i64}
  // CHECK: cim.lif %[[C]] init(%{{.+}}) {beta = 5.000000e-01 : f64, compare = "gt", neurons
  func.func @loop_layer(%x: tensor<?x6xf32>, %v0: tensor<?x3xf32>) -> tensor<2x?x3xf32> {
    %n = arith.constant dense<2> : tensor<i64>
    %r:2 = cim.loop max %n init(%v0) : (tensor<i64>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<2x?x3xf32>) {
    ^bb0(%t: tensor<i64>, %c: tensor<i1>, %v: tensor<?x3xf32>):
      %w = arith.constant dense<0.25> : tensor<6x3xf32>
      %p = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
      %s, %m = cim.lif %p init(%v) {beta = 0.5 : f64, theta = 1.0 : f64, compare = "gt", reset = #cim<reset subtract>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
      cim.yield %c, %m, %s : tensor<i1>, tensor<?x3xf32>, tensor<?x3xf32>
    }
    return %r#1 : tensor<2x?x3xf32>
  }

  // Layers left with membranes in the digital unit, with a remark: steps
  // of different weights, a current that is not a product, a non-zero
  // initial membrane.
  // CHECK-LABEL: func.func @not_mapped
  // CHECK-COUNT-3: cim.lif {{.+}} {beta = 1.000000e+00 : f64, compare = "gt", reset = #cim<reset zero>
  func.func @not_mapped(%x: tensor<?x6xf32>, %i: tensor<?x3xf32>, %v0: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) {
    %w = arith.constant dense<0.25> : tensor<6x3xf32>
    %w2 = arith.constant dense<0.5> : tensor<6x3xf32>
    %p0 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %p1 = cim.linear %x, %w2 {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    // expected-remark @+1 {{LIF layer keeps its membranes in the digital unit: its steps' products differ in weights, bias or placement}}
    %a:2, %va = cim.lif %p0, %p1 {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>)
    // expected-remark @+1 {{LIF layer keeps its membranes in the digital unit: a current is not a product with a constant weight (plus a constant bias)}}
    %b, %vb = cim.lif %i {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    // expected-remark @+1 {{LIF layer keeps its membranes in the digital unit: its initial membrane is not zero}}
    %c, %vc = cim.lif %p0 init(%v0) {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    return %a#1, %b, %c : tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>
  }
}

// -----

// A target without LIF neurons: auto leaves the layer alone.
#rram = #cim.array<name = "rram", cell = rram, rows = 4, cols = 16, bits_per_cell = 2, count = 8, encoding = differential, g_min_us = 1.0, g_max_us = 40.0>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 4, adc_bits = 8>} {
  // CHECK-LABEL: func.func @no_neurons
  // CHECK: cim.linear {{.*}}readout = #cim.adc<bits = 8>
  // CHECK-NOT: neurons
  func.func @no_neurons(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
    %w = arith.constant dense<0.25> : tensor<6x3xf32>
    %p = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<?x6xf32>, tensor<6x3xf32> -> tensor<?x3xf32>
    %s, %v = cim.lif %p {beta = 1.0 : f64, theta = 0.5 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
    return %s : tensor<?x3xf32>
  }
}
