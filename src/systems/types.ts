/**
 * What a physical system is to the rest of the code: an autonomous ODE x' = F(x; μ) in float64 with physical
 * parameters μ, optionally a conserved energy, a sampler of initial states, and the box the parameters are drawn
 * from. Systems know nothing of tensors or networks; experiments pair a system with an integrator and a learner.
 */
import { ConfigError } from '../core/errors';
import { Rng } from '../core/rng';
import type { State, VectorField } from '../core/state';

export interface System<P> {
  readonly name: string;
  /** length of the state vector x */
  readonly stateDim: number;
  /** the keys of μ, in the order tables and latent-space plots list them */
  readonly paramNames: readonly (keyof P & string)[];
  /** x' = F(x; μ) */
  vectorField(x: State, mu: P): State;
  /** the conserved (or dissipated) energy, where the system has one */
  energy?(x: State, mu: P): number;
  /** an initial state drawn from the system's documented distribution */
  sampleState(rng: Rng, mu: P): State;
  /** [lo, hi] of each parameter over the family studied */
  readonly paramBox?: Readonly<Record<keyof P & string, readonly [number, number]>>;
}

/**
 * The lower and upper corners of `system.paramBox` over `names`, in that order: the default box of an experiment that
 * varies those parameters, so that the box is stated once, with its system.
 */
export function paramBoxCorners<P>(system: System<P>, names: readonly (keyof P & string)[]): { low: number[]; high: number[] } {
  const box = system.paramBox;
  if (!box) throw new ConfigError(`system ${system.name} has no paramBox`);
  return { low: names.map((n) => box[n][0]), high: names.map((n) => box[n][1]) };
}

/** The system at fixed μ as the (t, y) ↦ y' field the integrators take (systems are autonomous, so t is unused). */
export function fieldAt<P>(system: System<P>, mu: P): VectorField {
  return (_t, x) => system.vectorField(x, mu);
}
