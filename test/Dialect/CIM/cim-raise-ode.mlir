// RUN: cim-opt %s -split-input-file -cim-raise-ode | FileCheck %s
// Euler and RK4 steps of one f become cim.ode; everything else stays.

// Two unrolled Euler steps of f(h) = tanh(h W) with dt = 0.5.
// CHECK-LABEL: func.func @euler_chain
// CHECK: %[[ODE:.+]] = cim.ode euler dt 5.000000e-01 steps 2 init(%arg0) : (tensor<?x4xf32>) -> tensor<?x4xf32> {
// CHECK-NEXT: ^bb0(%[[H:.+]]: tensor<?x4xf32>):
// CHECK: %[[M:.+]] = cim.matmul %[[H]],
// CHECK-NEXT: %[[F:.+]] = tosa.tanh %[[M]]
// CHECK-NEXT: cim.yield %[[F]]
// CHECK: return %[[ODE]]
func.func @euler_chain(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<0.25> : tensor<4x4xf32>
  %dt = arith.constant dense<0.5> : tensor<1x1xf32>
  %a1 = cim.matmul %h0, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f1 = tosa.tanh %a1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s1 = tosa.mul %f1, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h1 = tosa.add %h0, %s1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %a2 = cim.matmul %h1, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f2 = tosa.tanh %a2 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s2 = tosa.mul %dt, %f2 {shift = 0 : i8} : (tensor<1x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %h2 = tosa.add %s2, %h1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %h2 : tensor<?x4xf32>
}

// -----

// A Loop of one Euler step with a constant trip count: steps 5 (dt is the
// f32 constant 0.1).
// CHECK-LABEL: func.func @euler_loop
// CHECK: cim.ode euler dt 0.10000000149011612 steps 5 init(%arg0)
// CHECK-NOT: cim.loop
func.func @euler_loop(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %n = arith.constant dense<5> : tensor<i64>
  %true = arith.constant dense<true> : tensor<i1>
  %r = cim.loop max %n cond %true init(%h0) : (tensor<i64>, tensor<i1>, tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %h: tensor<?x4xf32>):
    %w = arith.constant dense<0.25> : tensor<4x4xf32>
    %dt = arith.constant dense<0.1> : tensor<1x1xf32>
    %a = cim.matmul %h, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %f = tosa.tanh %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
    %s = tosa.mul %f, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %next = tosa.add %h, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    cim.yield %c, %next : tensor<i1>, tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

// Not an ODE: the body's f depends on the iteration number.
// CHECK-LABEL: func.func @uses_iteration
// CHECK-NOT: cim.ode
// CHECK: cim.loop
func.func @uses_iteration(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %n = arith.constant dense<5> : tensor<i64>
  %true = arith.constant dense<true> : tensor<i1>
  %r = cim.loop max %n cond %true init(%h0) : (tensor<i64>, tensor<i1>, tensor<?x4xf32>) -> tensor<?x4xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %h: tensor<?x4xf32>):
    %w = arith.constant dense<0.25> : tensor<4x4xf32>
    %dt = arith.constant dense<0.1> : tensor<1x1xf32>
    %t = cim.cast %i : tensor<i64> -> tensor<f32>
    %a = cim.matmul %h, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %b = tosa.mul %a, %t {shift = 0 : i8} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
    %f = tosa.tanh %b : (tensor<?x4xf32>) -> tensor<?x4xf32>
    %s = tosa.mul %f, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %next = tosa.add %h, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    cim.yield %c, %next : tensor<i1>, tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}

// -----

// Not an ODE: one step alone (a residual block) is not a solve.
// CHECK-LABEL: func.func @single_step
// CHECK-NOT: cim.ode
func.func @single_step(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<0.25> : tensor<4x4xf32>
  %dt = arith.constant dense<0.5> : tensor<1x1xf32>
  %a1 = cim.matmul %h0, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f1 = tosa.tanh %a1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s1 = tosa.mul %f1, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h1 = tosa.add %h0, %s1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %h1 : tensor<?x4xf32>
}

// -----

// Not an ODE: the two steps use different weights (two residual blocks).
// CHECK-LABEL: func.func @different_f
// CHECK-NOT: cim.ode
func.func @different_f(%h0: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w1 = arith.constant dense<0.25> : tensor<4x4xf32>
  %w2 = arith.constant dense<0.5> : tensor<4x4xf32>
  %dt = arith.constant dense<0.5> : tensor<1x1xf32>
  %a1 = cim.matmul %h0, %w1 : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f1 = tosa.tanh %a1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s1 = tosa.mul %f1, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h1 = tosa.add %h0, %s1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %a2 = cim.matmul %h1, %w2 : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f2 = tosa.tanh %a2 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s2 = tosa.mul %f2, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h2 = tosa.add %h1, %s2 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %h2 : tensor<?x4xf32>
}

// -----

// Not raised: the intermediate state is also a result of the function.
// CHECK-LABEL: func.func @state_escapes
// CHECK-NOT: cim.ode
func.func @state_escapes(%h0: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %w = arith.constant dense<0.25> : tensor<4x4xf32>
  %dt = arith.constant dense<0.5> : tensor<1x1xf32>
  %a1 = cim.matmul %h0, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f1 = tosa.tanh %a1 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s1 = tosa.mul %f1, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h1 = tosa.add %h0, %s1 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %a2 = cim.matmul %h1, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
  %f2 = tosa.tanh %a2 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  %s2 = tosa.mul %f2, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
  %h2 = tosa.add %h1, %s2 : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %h2, %h1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Not raised: a Loop carrying two values.
// CHECK-LABEL: func.func @two_carried
// CHECK-NOT: cim.ode
func.func @two_carried(%h0: tensor<?x4xf32>, %z: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %n = arith.constant dense<5> : tensor<i64>
  %true = arith.constant dense<true> : tensor<i1>
  %r:2 = cim.loop max %n cond %true init(%h0, %z) : (tensor<i64>, tensor<i1>, tensor<?x4xf32>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %h: tensor<?x4xf32>, %y: tensor<?x4xf32>):
    %w = arith.constant dense<0.25> : tensor<4x4xf32>
    %dt = arith.constant dense<0.1> : tensor<1x1xf32>
    %a = cim.matmul %h, %w : tensor<?x4xf32>, tensor<4x4xf32> -> tensor<?x4xf32>
    %f = tosa.tanh %a : (tensor<?x4xf32>) -> tensor<?x4xf32>
    %s = tosa.mul %f, %dt {shift = 0 : i8} : (tensor<?x4xf32>, tensor<1x1xf32>) -> tensor<?x4xf32>
    %next = tosa.add %h, %s : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    cim.yield %c, %next, %y : tensor<i1>, tensor<?x4xf32>, tensor<?x4xf32>
  }
  return %r#0 : tensor<?x4xf32>
}
