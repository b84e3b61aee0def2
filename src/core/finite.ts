/**
 * NaN/Inf guard for training loops. A non-finite loss term poisons every parameter at the next optimiser step, and
 * a checkpoint saved after that step would make the damage permanent, so each step's terms are checked before the
 * update and the run stops with the step, the terms and the config needed to reproduce it.
 */
import { NonFiniteError } from './errors';

/** Throws NonFiniteError if any of `terms` (e.g. { loss, energyPenalty }) is NaN or ±Infinity. */
export function assertFiniteTerms(step: number, terms: Record<string, number>, config: unknown): void {
  if (Object.values(terms).some((v) => !Number.isFinite(v))) throw new NonFiniteError(step, terms, config);
}
