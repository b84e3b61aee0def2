/**
 * The planar double pendulum (two point masses on massless rods), state x = (θ1, θ2, ω1, ω2) with angles from the
 * downward vertical, parameters μ = {l1, l2}; m1 = m2 = 1 and g = 9.81 are fixed (the iMODE paper gives neither, spec
 * §1.2 [INF]). From the Lagrangian
 *   T = ½(m1 + m2) l1² ω1² + ½ m2 l2² ω2² + m2 l1 l2 cos(θ1 − θ2) ω1 ω2,
 *   V = −(m1 + m2) g l1 cos θ1 − m2 g l2 cos θ2,
 * the equations of motion are M(θ) θ'' = Q(θ, ω) with the configuration-dependent mass matrix
 *   M = [[(m1 + m2) l1², m2 l1 l2 cos Δ], [m2 l1 l2 cos Δ, m2 l2²]],  Δ = θ1 − θ2,
 * and the generalised force (gravity plus the velocity terms of d/dt ∂T/∂ω)
 *   Q = (−m2 l1 l2 sin Δ ω2² − (m1 + m2) g l1 sin θ1,  m2 l1 l2 sin Δ ω1² − m2 g l2 sin θ2).
 * M and Q are exported separately because, unlike for the pendulum, the acceleration is not −∇V / m: a learner that
 * knows M(θ) only has to learn Q. The energy T + V is conserved.
 *
 * Initial states: θ1, θ2 ~ U[−π/2, π/2], released at rest [INF], the pendulum data's convention (released from at
 * most horizontal); the motion is chaotic for the larger angles, which is the point of the system.
 */
import { Rng } from '../core/rng';
import type { State } from '../core/state';
import { System } from './types';

export type DoublePendulumParams = { l1: number; l2: number };

export const DOUBLE_PENDULUM_MASSES = { m1: 1, m2: 1 } as const;
export const DOUBLE_PENDULUM_G = 9.81;

/** A symmetric 2×2 matrix as its three distinct entries. */
export type Symmetric2 = { m11: number; m12: number; m22: number };

const { m1, m2 } = DOUBLE_PENDULUM_MASSES;
const g = DOUBLE_PENDULUM_G;

/** M(θ); only θ1 − θ2 enters. */
export function doublePendulumMassMatrix(x: State, { l1, l2 }: DoublePendulumParams): Symmetric2 {
  return { m11: (m1 + m2) * l1 * l1, m12: m2 * l1 * l2 * Math.cos(x[0] - x[1]), m22: m2 * l2 * l2 };
}

/** Q(θ, ω), so that M(θ) θ'' = Q. */
export function doublePendulumGeneralisedForce(x: State, { l1, l2 }: DoublePendulumParams): [number, number] {
  const [th1, th2, w1, w2] = x;
  const sinDelta = Math.sin(th1 - th2);
  return [
    -m2 * l1 * l2 * sinDelta * w2 * w2 - (m1 + m2) * g * l1 * Math.sin(th1),
    m2 * l1 * l2 * sinDelta * w1 * w1 - m2 * g * l2 * Math.sin(th2),
  ];
}

export const doublePendulum: System<DoublePendulumParams> = {
  name: 'doublePendulum',
  stateDim: 4,
  paramNames: ['l1', 'l2'],
  vectorField(x: State, mu: DoublePendulumParams): State {
    const { m11, m12, m22 } = doublePendulumMassMatrix(x, mu);
    const [q1, q2] = doublePendulumGeneralisedForce(x, mu);
    // det M = l1² l2² (m1 + m2 sin² Δ) m2 > 0, so the 2×2 solve by Cramer's rule never divides by zero.
    const det = m11 * m22 - m12 * m12;
    return Float64Array.of(x[2], x[3], (m22 * q1 - m12 * q2) / det, (m11 * q2 - m12 * q1) / det);
  },
  energy(x: State, mu: DoublePendulumParams): number {
    const { l1, l2 } = mu;
    const { m11, m12, m22 } = doublePendulumMassMatrix(x, mu);
    const [th1, th2, w1, w2] = x;
    const kinetic = 0.5 * (m11 * w1 * w1 + 2 * m12 * w1 * w2 + m22 * w2 * w2);
    return kinetic - (m1 + m2) * g * l1 * Math.cos(th1) - m2 * g * l2 * Math.cos(th2);
  },
  sampleState(rng: Rng): State {
    return Float64Array.of(rng.uniformIn(-Math.PI / 2, Math.PI / 2), rng.uniformIn(-Math.PI / 2, Math.PI / 2), 0, 0);
  },
  paramBox: { l1: [0.5, 1.5], l2: [0.5, 1.5] },
};
