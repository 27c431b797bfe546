// RUN: cim-opt %s -split-input-file -cim-raise-lif | FileCheck %s

// Three unrolled steps as torch exports them: v = 0.9 v + I from a zero
// membrane, a spike where v > 1, reset by subtracting the spike (theta 1
// folded). One current reused at every step (a constant input).
// CHECK-LABEL: func.func @subtract_gt
// CHECK-SAME: (%[[I:.+]]: tensor<2x4xf32>)
// CHECK: %[[S:.+]]:3, %[[V:.+]] = cim.lif %[[I]], %[[I]], %[[I]] {beta = 0.89999997615814208 : f64, compare = "gt", reset = #cim<reset subtract>, theta = 1.000000e+00 : f64}
// CHECK-NOT: tosa.greater
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @subtract_gt(%i: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<2x4xf32>
  %beta = arith.constant dense<0.9> : tensor<1x1xf32>
  %theta = arith.constant dense<1.0> : tensor<1x1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  %v0 = tosa.add %m0, %i : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xi1>
  %s0 = cim.cast %g0 : tensor<2x4xi1> -> tensor<2x4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  %v1 = tosa.add %m1, %i : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xi1>
  %s1 = cim.cast %g1 : tensor<2x4xi1> -> tensor<2x4xf32>
  %r1 = tosa.sub %v1, %s1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %m2 = tosa.mul %r1, %beta {shift = 0 : i8} : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xf32>
  %v2 = tosa.add %i, %m2 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %g2 = tosa.greater %v2, %theta : (tensor<2x4xf32>, tensor<1x1xf32>) -> tensor<2x4xi1>
  %s2 = cim.cast %g2 : tensor<2x4xi1> -> tensor<2x4xf32>
  return %s0, %s1, %s2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Threshold 0.5 with >=, reset by subtracting s * theta; the currents
// differ per step (the inputs of a spiking layer); the last reset is read
// (the final membrane), and the first membrane is a function argument.
// CHECK-LABEL: func.func @subtract_ge_init
// CHECK-SAME: (%[[V0:.+]]: tensor<4xf32>, %[[A:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>)
// CHECK: %[[S:.+]]:2, %[[V:.+]] = cim.lif %[[A]], %[[B]] init(%[[V0]]) {beta = 5.000000e-01 : f64, compare = "ge", reset = #cim<reset subtract>, theta = 5.000000e-01 : f64}
// CHECK: return %[[S]]#0, %[[S]]#1, %[[V]]
func.func @subtract_ge_init(%v: tensor<4xf32>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %beta = arith.constant dense<0.5> : tensor<1xf32>
  %theta = arith.constant dense<0.5> : tensor<1xf32>
  %m0 = tosa.mul %beta, %v {shift = 0 : i8} : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater_equal %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %t0 = tosa.mul %s0, %theta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %r0 = tosa.sub %v0, %t0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater_equal %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  %t1 = tosa.mul %theta, %s1 {shift = 0 : i8} : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r1 = tosa.sub %v1, %t1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s0, %s1, %r1 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Reset to zero, both ways an export writes it: Where(v > theta, 0, v) and
// v * (1 - s); integrate-and-fire (no leak: beta = 1); the first step's
// zero membrane folded away (v_1 = I_1).
// CHECK-LABEL: func.func @zero_reset_if
// CHECK-SAME: (%[[A:.+]]: tensor<4xf32>, %[[B:.+]]: tensor<4xf32>, %[[C:.+]]: tensor<4xf32>)
// CHECK: %[[S:.+]]:3, %{{.+}} = cim.lif %[[A]], %[[B]], %[[C]] {beta = 1.000000e+00 : f64, compare = "gt", reset = #cim<reset zero>, theta = 2.000000e+00 : f64}
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @zero_reset_if(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %theta = arith.constant dense<2.0> : tensor<1xf32>
  %g0 = tosa.greater %a, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.select %g0, %zero, %a : (tensor<4xi1>, tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %v1 = tosa.add %r0, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  %k1 = tosa.sub %one, %s1 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r1 = tosa.mul %v1, %k1 {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %v2 = tosa.add %r1, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.greater %v2, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s2 = cim.cast %g2 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1, %s2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Not LIF layers, left alone: a membrane read outside the chain (its
// integrated value returned).
// CHECK-LABEL: func.func @membrane_read
// CHECK-NOT: cim.lif
// CHECK: tosa.greater
// CHECK: tosa.greater
func.func @membrane_read(%i: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.9> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1, %v0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A threshold that is not a constant.
// CHECK-LABEL: func.func @threshold_not_constant
// CHECK-NOT: cim.lif
func.func @threshold_not_constant(%i: tensor<4xf32>, %theta: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.9> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// The leak changes between steps (0.9, then 0.8).
// CHECK-LABEL: func.func @leak_changes
// CHECK-NOT: cim.lif
func.func @leak_changes(%i: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.9> : tensor<1xf32>
  %beta2 = arith.constant dense<0.8> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  %r1 = tosa.sub %v1, %s1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m2 = tosa.mul %r1, %beta2 {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v2 = tosa.add %m2, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.greater %v2, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s2 = cim.cast %g2 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1, %s2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A recurrent layer: the second step's current depends on the first
// step's spikes (I_2 = x + 0.5 s_1).
// CHECK-LABEL: func.func @recurrent
// CHECK-NOT: cim.lif
func.func @recurrent(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.9> : tensor<1xf32>
  %half = arith.constant dense<0.5> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %f = tosa.mul %s0, %half {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %i1 = tosa.add %x, %f : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// The reset subtracts something other than the threshold (0.5 s with
// theta 1).
// CHECK-LABEL: func.func @reset_not_theta
// CHECK-NOT: cim.lif
func.func @reset_not_theta(%i: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.9> : tensor<1xf32>
  %half = arith.constant dense<0.5> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %t0 = tosa.mul %s0, %half {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %r0 = tosa.sub %v0, %t0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A refractory step: after a spike the neuron ignores its input for one
// step (the current times 1 - the previous spike), reset to zero.
// CHECK-LABEL: func.func @refractory
// CHECK-SAME: (%[[I:.+]]: tensor<4xf32>)
// CHECK: %[[S:.+]]:3, %{{.+}} = cim.lif %[[I]], %[[I]], %[[I]] {beta = 5.000000e-01 : f64, compare = "gt", refractory = 1 : i64, reset = #cim<reset zero>, theta = 1.000000e+00 : f64}
// CHECK-NOT: tosa.sub
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @refractory(%i: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.5> : tensor<1xf32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %k0 = tosa.sub %one, %s0 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r0 = tosa.mul %v0, %k0 {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %n1 = tosa.sub %one, %s0 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i1 = tosa.mul %i, %n1 {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  %k1 = tosa.sub %one, %s1 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r1 = tosa.mul %v1, %k1 {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %n2 = tosa.sub %one, %s1 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i2 = tosa.mul %n2, %i {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m2 = tosa.mul %r1, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v2 = tosa.add %m2, %i2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.greater %v2, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s2 = cim.cast %g2 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1, %s2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Gated by the spike of two steps before, not the previous one: not a
// refractory step, and a current that depends on the chain.
// CHECK-LABEL: func.func @gate_not_previous
// CHECK-NOT: cim.lif
func.func @gate_not_previous(%i: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %beta = arith.constant dense<0.5> : tensor<1xf32>
  %one = arith.constant dense<1.0> : tensor<1xf32>
  %theta = arith.constant dense<1.0> : tensor<1xf32>
  %m0 = tosa.mul %zero, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v0 = tosa.add %m0, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g0 = tosa.greater %v0, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s0 = cim.cast %g0 : tensor<4xi1> -> tensor<4xf32>
  %r0 = tosa.sub %v0, %s0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m1 = tosa.mul %r0, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v1 = tosa.add %m1, %i : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g1 = tosa.greater %v1, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s1 = cim.cast %g1 : tensor<4xi1> -> tensor<4xf32>
  %r1 = tosa.sub %v1, %s1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %n2 = tosa.sub %one, %s0 : (tensor<1xf32>, tensor<4xf32>) -> tensor<4xf32>
  %i2 = tosa.mul %i, %n2 {shift = 0 : i8} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %m2 = tosa.mul %r1, %beta {shift = 0 : i8} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  %v2 = tosa.add %m2, %i2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %g2 = tosa.greater %v2, %theta : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xi1>
  %s2 = cim.cast %g2 : tensor<4xi1> -> tensor<4xf32>
  return %s0, %s1, %s2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// One step in the body of a loop that carries the membrane: a LIF layer
// over the loop's iterations (the carried membrane is the op's init, its
// final membrane is yielded back).
// CHECK-LABEL: func.func @loop_body
// CHECK: cim.loop
// CHECK-NEXT: ^bb0(%{{.+}}: tensor<i64>, %[[C:.+]]: tensor<i1>, %[[V:.+]]: tensor<?x4xf32>):
// CHECK: %[[S:.+]], %[[M:.+]] = cim.lif %arg0 init(%[[V]]) {beta = 5.000000e-01 : f64, compare = "gt", reset = #cim<reset subtract>, theta = 1.000000e+00 : f64}
// CHECK-NEXT: cim.yield %[[C]], %[[M]], %[[S]]
func.func @loop_body(%i: tensor<?x4xf32>, %v0: tensor<?x4xf32>) -> tensor<3x?x4xf32> {
  %n = arith.constant dense<3> : tensor<i64>
  %r:2 = cim.loop max %n init(%v0) : (tensor<i64>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<3x?x4xf32>) {
  ^bb0(%t: tensor<i64>, %c: tensor<i1>, %v: tensor<?x4xf32>):
    %beta = arith.constant dense<0.5> : tensor<1x1xf32>
    %theta = arith.constant dense<1.0> : tensor<1x1xf32>
    %m = tosa.mul %v, %beta {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %u = tosa.add %m, %i : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %g = tosa.greater %u, %theta : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xi1>
    %s = cim.cast %g : tensor<?x4xi1> -> tensor<?x4xf32>
    %r = tosa.sub %u, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    cim.yield %c, %r, %s : tensor<i1>, tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %r#1 : tensor<3x?x4xf32>
}

// -----

// A loop whose body's step does not feed its reset back to the membrane
// it leaks (it is yielded as a scan output instead): left alone.
// CHECK-LABEL: func.func @loop_not_carried
// CHECK-NOT: cim.lif
func.func @loop_not_carried(%i: tensor<?x4xf32>, %v0: tensor<?x4xf32>) -> tensor<3x?x4xf32> {
  %n = arith.constant dense<3> : tensor<i64>
  %r:2 = cim.loop max %n init(%v0) : (tensor<i64>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<3x?x4xf32>) {
  ^bb0(%t: tensor<i64>, %c: tensor<i1>, %v: tensor<?x4xf32>):
    %beta = arith.constant dense<0.5> : tensor<1x1xf32>
    %theta = arith.constant dense<1.0> : tensor<1x1xf32>
    %m = tosa.mul %v, %beta {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %u = tosa.add %m, %i : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    %g = tosa.greater %u, %theta : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xi1>
    %s = cim.cast %g : tensor<?x4xi1> -> tensor<?x4xf32>
    %r = tosa.sub %u, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    cim.yield %c, %v, %r : tensor<i1>, tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %r#1 : tensor<3x?x4xf32>
}
