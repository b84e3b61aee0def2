/** A test-time result of one iMODE instance with every field empty but those given: fixtures for summaries and tables. */
import { splitOf } from '../../src/data/imodePendulum';
import type { InstanceResult } from '../../src/meta/imodeEvaluation';

/** The pendulum of length L, split as the authors' protocol splits it, with `fields` over the empty defaults. */
export function pendulumInstanceResult(L: number, fields: Partial<InstanceResult> = {}): InstanceResult {
  return {
    label: `L=${L}`,
    split: splitOf(L),
    params: [L],
    eta: [0],
    adaptLosses: [],
    adaptSeconds: 0,
    evalError: 0,
    scratchEvalError: null,
    evalComponentErrors: { residual: [], motion: [] },
    rollout: { truth: [], predicted: [], scratch: null },
    newConditions: null,
    ...fields,
  };
}
