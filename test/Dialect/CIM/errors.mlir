// RUN: cim-opt %s -split-input-file -verify-diagnostics
// Every verifier diagnostic of the cim dialect.

func.func @matmul_inner_mismatch(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{operand shapes 'tensor<2x4xf32>' and 'tensor<5x3xf32>' cannot be multiplied}}
  %0 = cim.matmul %a, %b : tensor<2x4xf32>, tensor<5x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @matmul_batch_mismatch(%a: tensor<2x2x4xf32>, %b: tensor<3x4x3xf32>) {
  // expected-error @+1 {{cannot be multiplied}}
  %0 = cim.matmul %a, %b : tensor<2x2x4xf32>, tensor<3x4x3xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x4xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{result dimension 1 is 5, expected 3}}
  %0 = cim.matmul %a, %b : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_wrong_rank(%a: tensor<2x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{result rank 2 does not match expected rank 1}}
  %0 = cim.matmul %a, %b : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @matmul_element_type(%a: tensor<2x4xf32>, %b: tensor<4x3xf16>) {
  // expected-error @+1 {{operands and result must have one element type}}
  %0 = cim.matmul %a, %b : tensor<2x4xf32>, tensor<4x3xf16> -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x4xf32>, %w: tensor<4xf32>) {
  // expected-error @+1 {{weight must be a static 2-D matrix, got 'tensor<4xf32>'}}
  %0 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<2x4xf32>, tensor<4xf32> -> tensor<2x1xf32>
  return
}

// -----

func.func @linear_features(%x: tensor<2x5xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{input has 5 features but the weight has 4 rows}}
  %0 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<2x5xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @linear_result(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{result dimension 0 is 7, expected 2}}
  %0 = cim.linear %x, %w {readout = #cim.adc<bits = 8>} : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<7x3xf32>
  return
}

// -----

func.func @adc_bits(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{ADC bits must be in [1, 16], got 0}}
  %0 = cim.linear %x, %w {readout = #cim.adc<bits = 0>} : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  return
}

// -----

// expected-error @+2 {{array 'rram': bits_per_cell must be in [1, 16], got 17}}
// expected-error @+1 {{failed to parse CIM_TargetAttr parameter 'arrays'}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 17, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+2 {{array 'rram': arrays need at least one row and one column}}
// expected-error @+1 {{failed to parse CIM_TargetAttr parameter 'arrays'}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 0, cols = 4, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': dac_bits must be in [1, 16], got 17}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 17, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': adc_bits must be in [1, 16], got 0}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 0>} {}

// -----

// expected-error @+2 {{array 'rram': arrays need two columns for differential weights}}
// expected-error @+1 {{failed to parse CIM_TargetAttr parameter 'arrays'}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 1, bits_per_cell = 1, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+2 {{array 'rram': count must be positive}}
// expected-error @+1 {{failed to parse CIM_TargetAttr parameter 'arrays'}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 0, encoding = differential>], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': needs at least one array kind}}
module attributes {cim.target = #cim.target<name = "t", arrays = [], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': more than one rram array kind}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>, #cim.array<name = "rram", cell = rram, rows = 8, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': arrays must be #cim.array attributes}}
module attributes {cim.target = #cim.target<name = "t", arrays = [42], dac_bits = 8, adc_bits = 8>} {}

// -----

// expected-error @+1 {{target 't': cost 'adc_pj' is not a number}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8, costs = {adc_pj = "cheap"}>} {}

// -----

// expected-error @+1 {{tile must have at least one row and one column}}
func.func private @zero_tile(!cim.tile<0x4, rram>)

// -----

// expected-error @+1 {{unknown cell technology 'flash'}}
func.func private @bad_cell(!cim.tile<4x4, flash>)

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_too_many_rows(%w: tensor<5x2xf32>) {
    // expected-error @+1 {{tile has 5 rows but the target's rram arrays have 4}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<5x2xf32> -> !cim.tile<5x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_too_many_cols(%w: tensor<4x3xf32>) {
    // expected-error @+1 {{tile needs 6 array columns (differential) but the target's rram arrays have 4}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x3xf32> -> !cim.tile<4x3, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_wrong_cell(%w: tensor<4x2xf32>) {
    // expected-error @+1 {{target 't' has no sram arrays}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, sram>
    return
  }
}

// -----

func.func @tile_shape(%w: tensor<4x2xf32>) {
  // expected-error @+1 {{weights 'tensor<4x2xf32>' do not match tile '!cim.tile<4x3, rram>'}}
  %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x3, rram>
  return
}

// -----

func.func @mvm_rows(%t: !cim.tile<4x2, rram>, %x: tensor<?x5xf32>) {
  // expected-error @+1 {{reads input rows [2, 6) but the input has 5}}
  %y = cim.mvm %t, %x {readout = #cim.adc<bits = 8>, row_offset = 2 : i64} : !cim.tile<4x2, rram>, tensor<?x5xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @mvm_negative_offset(%t: !cim.tile<4x2, rram>, %x: tensor<?x5xf32>) {
  // expected-error @+1 {{attribute 'row_offset' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %y = cim.mvm %t, %x {readout = #cim.adc<bits = 8>, row_offset = -1 : i64} : !cim.tile<4x2, rram>, tensor<?x5xf32> -> tensor<?x2xf32>
  return
}

// -----

func.func @mvm_cols(%t: !cim.tile<4x2, rram>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{result dimension 1 is 3, expected 2}}
  %y = cim.mvm %t, %x {readout = #cim.adc<bits = 8>, row_offset = 0 : i64} : !cim.tile<4x2, rram>, tensor<?x4xf32> -> tensor<?x3xf32>
  return
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = offset>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_wrong_encoding(%w: tensor<4x2xf32>) {
    // expected-error @+1 {{encoding 'differential' is not the rram arrays' 'offset'}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_codes_shape(%w: tensor<4x2xf32>) {
    // expected-error @+1 {{codes 'tensor<2x4xi32>' do not match the weights 'tensor<4x2xf32>'}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>, codes = dense<0> : tensor<2x4xi32>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_code_range(%w: tensor<4x2xf32>) {
    // expected-error @+1 {{codes[3] = 16 is not a code of 15 levels}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>, codes = dense<[[0, 1], [-15, 16], [0, 0], [0, 0]]> : tensor<4x2xi32>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = offset>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_code_parity(%w: tensor<4x2xf32>) {
    // expected-error @+1 {{codes[0] = 2 is not a code of 15 levels (odd, for offset cells)}}
    %t = cim.program_tile %w {encoding = #cim<encoding offset>, codes = dense<[[2, 1], [1, 1], [1, 1], [1, 1]]> : tensor<4x2xi32>} : tensor<4x2xf32> -> !cim.tile<4x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = offset>], dac_bits = 8, adc_bits = 8>} {
  func.func @offset_columns(%w: tensor<4x4xf32>) {
    // expected-error @+1 {{tile needs 5 array columns (offset) but the target's rram arrays have 4}}
    %t = cim.program_tile %w {encoding = #cim<encoding offset>} : tensor<4x4xf32> -> !cim.tile<4x4, rram>
    return
  }
}

// -----

// expected-error @+2 {{array 'rram': 4 columns cannot hold one weight of 8 bits in 8 slices}}
// expected-error @+1 {{failed to parse CIM_TargetAttr parameter 'arrays'}}
module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 1, count = 4, encoding = differential, weight_bits = 8>], dac_bits = 8, adc_bits = 8>} {}

// -----

func.func @ode_no_steps(%h: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{needs the step count as an attribute or as an operand, not neither}}
  %r = cim.ode euler dt 0.5 init(%h) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%x: tensor<?x4xf32>):
    cim.yield %x : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

func.func @ode_bad_dt(%h: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{dt must be positive, got -5.000000e-01}}
  %r = cim.ode euler dt -0.5 steps 2 init(%h) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%x: tensor<?x4xf32>):
    cim.yield %x : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

func.func @ode_bad_body(%h: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{body must yield dh/dt of type 'tensor<?x4xf32>'}}
  %r = cim.ode rk4 dt 0.5 steps 2 init(%h) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%x: tensor<?x4xf32>):
    %c = arith.constant dense<1.0> : tensor<4xf32>
    cim.yield %c : tensor<4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{ramp ADC bits must be in [1, 12], got 13}}
func.func @ramp_bits() attributes {r = #cim.ramp<bits = 13, steps = [tanh], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+1 {{ramp range needs lo < hi}}
func.func @ramp_range() attributes {r = #cim.ramp<bits = 1, steps = [tanh], lo = 1.0, hi = -1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+1 {{a ramp needs one more level than thresholds, got 1 thresholds and 3 levels}}
func.func @ramp_levels() attributes {r = #cim.ramp<bits = 1, steps = [tanh], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 0.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+1 {{ramp thresholds must ascend}}
func.func @ramp_order() attributes {r = #cim.ramp<bits = 2, steps = [tanh], lo = -1.0, hi = 1.0, thresholds = [0.5, 0.0, 0.7], levels = [-1.0, -0.3, 0.3, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+2 {{unknown ramp function step 'gelu'}}
// expected-error @+1 {{failed to parse CIM_RampReadoutAttr parameter 'steps'}}
func.func @ramp_function() attributes {r = #cim.ramp<bits = 1, steps = [gelu], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+2 {{ramp function step 'clamp' needs 2 numeric argument(s), got 1}}
// expected-error @+1 {{failed to parse CIM_RampReadoutAttr parameter 'steps'}}
func.func @ramp_step_args() attributes {r = #cim.ramp<bits = 1, steps = [mul(2.0), clamp(0.0)], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

// expected-error @+1 {{unbalanced '(' character in pretty dialect name}}
func.func @ramp_step_paren() attributes {r = #cim.ramp<bits = 1, steps = [add(0.5 tanh], lo = -1.0, hi = 1.0, thresholds = [0.0], levels = [-1.0, 1.0], conductances_us = [1.0], max_error_lsb = 0.5, rms_error_lsb = 0.3>} {
  return
}

// -----

func.func @sign_columns(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  // expected-error @+1 {{has 1 binary neurons for 2 weight columns}}
  %y = cim.linear %x, %w {readout = #cim.sign<fan_in = 2, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [0.0]>} : tensor<?x2xf32>, tensor<2x2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @sign_bias_row(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1xf32>
  // expected-error @+1 {{has binary neurons and a bias row (their threshold is the comparator's reference)}}
  %y = cim.linear %x, %w {bias_row, readout = #cim.sign<fan_in = 2, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [0.0]>} : tensor<?x1xf32>, tensor<2x1xf32> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

func.func @sign_sizes(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{binary neurons need one pre, scale, bias, cmp and reference per column, got 1, 1, 1, 1 and 2}}
  %y = cim.linear %x, %w {readout = #cim.sign<fan_in = 1, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [0.0, 1.0]>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

func.func @sign_tie(%x: tensor<?x1xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1xf32>
  // expected-error @+1 {{a binary neuron's tie output is 0, 1 or -1, got 5.000000e-01}}
  %y = cim.linear %x, %w {readout = #cim.sign<fan_in = 1, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.5, reference = [0.0]>} : tensor<?x1xf32>, tensor<1x1xf32> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

func.func @carry_adc(%t: !cim.tile<2x2, rram>, %x: tensor<?x2xf32>, %q: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{takes a carry, which only binary neurons (#cim.sign or #cim.charge readouts) and LIF columns share}}
  %y = cim.mvm %t, %x, %q {readout = #cim.adc<bits = 8>, row_offset = 0 : i64} : !cim.tile<2x2, rram>, tensor<?x2xf32>, tensor<?x2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @carry_type(%t: !cim.tile<2x2, rram>, %x: tensor<?x2xf32>, %q: tensor<?x3xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{carry type 'tensor<?x3xf32>' differs from the result type 'tensor<?x2xf32>'}}
  %y = cim.mvm %t, %x, %q {readout = #cim.charge, row_offset = 0 : i64} : !cim.tile<2x2, rram>, tensor<?x2xf32>, tensor<?x3xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func.func @mvm_sign_columns(%t: !cim.tile<2x2, rram>, %x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{has 1 binary neurons for 2 tile columns}}
  %y = cim.mvm %t, %x {readout = #cim.sign<fan_in = 2, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [0.0]>, row_offset = 0 : i64} : !cim.tile<2x2, rram>, tensor<?x2xf32> -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

// expected-error @+1 {{target 'b': bridge_neurons need RRAM arrays with a differential encoding (a bridge is a pair of cells)}}
module attributes {cim.target = #cim.target<name = "b", arrays = [#cim.array<name = "rom", cell = rom, rows = 4, cols = 4, bits_per_cell = 1, count = 1, encoding = offset>], dac_bits = 1, adc_bits = 8, bridge_neurons = true>} {
}

// -----

module attributes {cim.target = #cim.target<name = "b", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 1, count = 1, encoding = differential>], dac_bits = 1, adc_bits = 8, bridge_neurons = true>} {
  func.func @input_means_rows(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
    %w = arith.constant dense<1.0> : tensor<2x1xf32>
    // expected-error @+1 {{input_means has 3 values for 2 rows}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>, input_means = array<f64: 1.0, -1.0, 0.0>} : tensor<2x1xf32> -> !cim.tile<2x1, rram>
    %y = cim.mvm %t, %x {readout = #cim.charge, row_offset = 0 : i64} : !cim.tile<2x1, rram>, tensor<?x2xf32> -> tensor<?x1xf32>
    return %y : tensor<?x1xf32>
  }
}

// -----

// expected-error @+1 {{binary neurons need a positive fan_in}}
func.func @sign_fan_in() attributes {r = #cim.sign<fan_in = 0, pre = [0.0], scale = [1.0], bias = [0.0], cmp = [0.0], tie = 0.0, reference = [0.0]>} {
  return
}

// -----

func.func @lif_spikes(%i: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{has 1 spike results for 2 time steps}}
  %s, %v = cim.lif %i, %i {beta = 1.0 : f64, theta = 1.0 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %s : tensor<4xf32>
}

// -----

func.func @lif_compare(%i: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{compare must be "gt" or "ge", got "lt"}}
  %s, %v = cim.lif %i {beta = 1.0 : f64, theta = 1.0 : f64, compare = "lt", reset = #cim<reset zero>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %s : tensor<4xf32>
}

// -----

func.func @lif_types(%i: tensor<4xf32>, %j: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{currents differ in type: 'tensor<3xf32>' and 'tensor<4xf32>'}}
  %s:2, %v = cim.lif %i, %j {beta = 1.0 : f64, theta = 1.0 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<4xf32>, tensor<3xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return %s#0 : tensor<4xf32>
}

// -----

func.func @lif_bias(%i: tensor<2x4xf32>, %b: tensor<1x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{bias type 'tensor<1x3xf32>' must be f32 [1, ..., N] for currents 'tensor<2x4xf32>'}}
  %s, %v = cim.lif %i bias(%b) {beta = 1.0 : f64, theta = 1.0 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<1x3xf32>, tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %s : tensor<2x4xf32>
}

// -----

func.func @lif_theta(%i: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{beta and theta must be finite, got beta 1.000000e+00, theta INF}}
  %s, %v = cim.lif %i {beta = 1.0 : f64, theta = 0x7FF0000000000000 : f64, compare = "gt", reset = #cim<reset zero>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %s : tensor<4xf32>
}

// -----

func.func @lif_tile_adc(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1xf32>
  %t = cim.program_tile %w {encoding = #cim<encoding differential>, lif} : tensor<2x1xf32> -> !cim.tile<2x1, rram>
  // expected-error @+1 {{reads a tile whose columns feed LIF neurons, which needs a #cim.charge readout}}
  %y = cim.mvm %t, %x {readout = #cim.adc<bits = 8>, row_offset = 0 : i64} : !cim.tile<2x1, rram>, tensor<?x2xf32> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

func.func @charge_bias_row(%x: tensor<?x2xf32>) -> tensor<?x1xf32> {
  %w = arith.constant dense<1.0> : tensor<3x1xf32>
  // expected-error @+1 {{leaves its charge to LIF neurons and has a bias row (the neurons take the bias as a current)}}
  %y = cim.linear %x, %w {readout = #cim.charge, bias_row} : tensor<?x2xf32>, tensor<3x1xf32> -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_scales_count() {
    %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    // expected-error @+1 {{scales has 1 values for 2 columns}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>, scales = array<f64: 4.0>} : tensor<2x2xf32> -> !cim.tile<2x2, rram>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", arrays = [#cim.array<name = "rram", cell = rram, rows = 4, cols = 4, bits_per_cell = 4, count = 64, encoding = differential>], dac_bits = 8, adc_bits = 8>} {
  func.func @tile_scale_below_weight() {
    %w = arith.constant dense<[[1.0, 2.0], [-3.0, 4.0]]> : tensor<2x2xf32>
    // expected-error @+1 {{scales[0] = 2.000000e+00 is not a positive scale of at least the column's largest |w| (3.000000e+00)}}
    %t = cim.program_tile %w {encoding = #cim<encoding differential>, scales = array<f64: 2.0, 4.0>} : tensor<2x2xf32> -> !cim.tile<2x2, rram>
    return
  }
}
