/**
 * `npm run bench -- --check`: the loss and parameter gradients of every (or every --only) issue-8 workload against
 * PyTorch in float64 (bench/torch_workloads.py --check) on the same weights, written to results/bench/parity.json.
 */
import { writeJsonAtomic } from '../core/atomicWrite';
import { startProvenance } from '../core/results';
import { type WorkloadName, createWorkload } from '../bench/workloads';
import { type Parity, checkParity, torchUnavailable } from '../bench/torchReference';
import { benchOutFile, benchProvenance } from './benchMeasurement';
import { imodeWorkloadSetup } from './benchWorkloadRuns';

/** Tolerance of the parity check (float32 against float64), also the test's. */
export const PARITY_TOLERANCE = 1e-4;

/** Loss and parameter gradients of each workload against PyTorch in float64; exit code 1 when one is off or leaks. */
export function parityRun(names: readonly WorkloadName[]): number {
  const why = torchUnavailable();
  if (why) {
    console.log(`[bench] --check: skipped: ${why}`);
    return 0;
  }
  const prov = startProvenance({ experiment: 'bench-parity', paper: 'issue 8', section: 'performance', scale: 'bench', config: { names }, seed: 8 });
  const results: Parity[] = [];
  for (const name of names) {
    const p = checkParity(() => createWorkload(name, imodeWorkloadSetup));
    results.push(p);
    console.log(`${name}: loss rel. diff ${p.loss.relativeDifference.toExponential(2)}, worst gradient rel. diff ${p.worstGradientRelativeDifference.toExponential(2)}`);
  }
  writeJsonAtomic(benchOutFile('parity'), { ...benchProvenance(prov.finish()), tolerance: PARITY_TOLERANCE, reference: 'PyTorch float64 (bench/torch_workloads.py --check)', results });
  const ok = results.every((p) => p.loss.relativeDifference < PARITY_TOLERANCE && p.worstGradientRelativeDifference < PARITY_TOLERANCE && p.tensorsAfter === p.tensorsBefore);
  return ok ? 0 : 1;
}
