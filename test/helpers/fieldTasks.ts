/** Test fixtures for the structure-preserving meta-learners: a one-parameter mass-spring family. */
import { createRng } from '../../src/core/rng';
import { type FieldTask, sampleFieldTask } from '../../src/data/fieldTask';
import { massSpring } from '../../src/systems/massSpring';

/** Stiffnesses of the training instances, spread over the spec's box [1, 5]. */
export const TRAIN_K: readonly number[] = [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];

/** Mass-spring instances with m = 1 and the given k, `points` exact-field samples each, drawn from `seed`. */
export function springTasks(seed: number, ks: readonly number[], points: number): FieldTask[] {
  const rng = createRng(seed);
  return ks.map((k) => sampleFieldTask(massSpring, { m: 1, k }, points, rng));
}
