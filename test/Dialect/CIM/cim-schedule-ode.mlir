// RUN: cim-opt %s -split-input-file -cim-schedule-ode | FileCheck %s
// RUN: cim-opt %s -split-input-file -cim-schedule-ode="schedule=digital" | FileCheck %s --check-prefix=DIGITAL
// `auto` schedules an ODE analog on a target with integrators: the tiles f
// reads become `analog`; tiles outside the ODE are left alone.

#rram = #cim.array<name = "rram", cell = rram, rows = 8, cols = 8, bits_per_cell = 4, count = 8, encoding = differential>
module attributes {cim.target = #cim.target<name = "t", arrays = [#rram], dac_bits = 8, adc_bits = 8, integrator = <gain_max = 1.0, leak = 0.0, v_sat = 4.0, noise = 0.0>>} {
  // CHECK-LABEL: func.func @ode
  // CHECK: cim.program_tile %{{.+}} {encoding = #cim<encoding differential>} : tensor<4x4xf32> -> <4x4, rram>
  // CHECK: cim.ode euler {{.*}}{schedule = #cim<schedule analog>}
  // CHECK: cim.program_tile %{{.+}} {analog, encoding = #cim<encoding differential>}
  // DIGITAL: cim.ode euler {{.*}}{schedule = #cim<schedule digital>}
  // DIGITAL-NOT: analog,
  func.func @ode(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %w = arith.constant dense<0.25> : tensor<4x4xf32>
    %t0 = cim.program_tile %w {encoding = #cim<encoding differential>} : tensor<4x4xf32> -> !cim.tile<4x4, rram>
    %p = cim.mvm %t0, %h0 {readout = #cim.adc<bits = 8>, row_offset = 0} : !cim.tile<4x4, rram>, tensor<?x4xf32> -> tensor<?x4xf32>
    %r = cim.ode euler dt 0.5 steps 4 init(%p) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
    ^bb0(%h: tensor<?x4xf32>):
      %w2 = arith.constant dense<0.5> : tensor<4x4xf32>
      %t = cim.program_tile %w2 {encoding = #cim<encoding differential>} : tensor<4x4xf32> -> !cim.tile<4x4, rram>
      %y = cim.mvm %t, %h {readout = #cim.adc<bits = 8>, row_offset = 0} : !cim.tile<4x4, rram>, tensor<?x4xf32> -> tensor<?x4xf32>
      %f = tosa.tanh %y : (tensor<?x4xf32>) -> tensor<?x4xf32>
      cim.yield %f : tensor<?x4xf32>
    }
    return %r : tensor<?x4xf32>
  }
}
