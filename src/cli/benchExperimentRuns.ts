/**
 * The timed runs of the whole iMODE pendulum experiment's training steps: one outer iteration at the default config
 * (5 inner steps on η for the 5 training lengths in one batched dopri5 rollout, then the Adam step), one test-time
 * adaptation (5 inner steps on one length), and one outer iteration at the authors' scale (paper config), ×200 the
 * estimated meta-training time; written to results/bench/<workload>.json.
 */
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../core/atomicWrite';
import { startProvenance } from '../core/results';
import { createRng } from '../core/rng';
import { type ImodePendulumConfig, type PendulumData, imodePendulumConfig, loadPendulumData, pendulumModel, pendulumProblem, pendulumTrainingOptions } from '../experiments/imodePendulum';
import { adaptEta } from '../meta/imode';
import { disposeTaskBatch, windowBatch } from '../meta/taskBatch';
import { type ImodeTrained, metaTrain } from '../meta/imodeTraining';
import { type BenchOptions, type BenchRow, type Timing, benchOutFile, benchProvenance, reps, summariseTimings } from './benchMeasurement';

/** The whole experiment's training steps, by their --only names. */
export const EXPERIMENT_WORKLOADS = ['imode-pendulum-outer-iteration', 'imode-pendulum-adaptation', 'imode-pendulum-paper-outer-iteration'] as const;
export type ExperimentWorkload = (typeof EXPERIMENT_WORKLOADS)[number];
const EXPERIMENT_REPS = { iterations: 10, warmup: 2 };

/** Meta-trains the pendulum for the config's outer iterations, timing each one (ms). */
function timedMetaTraining(cfg: ImodePendulumConfig, data: PendulumData): { trained: ImodeTrained; stamps: number[] } {
  const stamps: number[] = [];
  const rng = createRng(cfg.seed);
  let last = performance.now();
  const trained = metaTrain(pendulumProblem(cfg, data, rng), pendulumTrainingOptions(cfg), rng, {
    progress: {
      update: () => {
        const now = performance.now();
        stamps.push(now - last);
        last = now;
      },
      done: () => undefined,
    },
  });
  return { trained, stamps };
}

/** The default-config iMODE pendulum: outer iterations of metaTrain, then one adaptation per length. */
export function benchExperiment(which: readonly ExperimentWorkload[], o: BenchOptions): BenchRow[] {
  const { iterations, warmup } = reps(EXPERIMENT_REPS, o);
  const cfg = imodePendulumConfig('default', { outerIterations: warmup + iterations });
  const prov = startProvenance({ experiment: 'bench-imode-pendulum', paper: 'iMODE', section: 'performance', scale: 'default', config: cfg, seed: cfg.seed });
  const data = loadPendulumData(cfg);
  const tensorsBefore = tf.memory().numTensors;
  const { trained, stamps } = timedMetaTraining(cfg, data);
  const outer = summariseTimings(stamps.slice(warmup));
  const adaptMs: number[] = [];
  if (which.includes('imode-pendulum-adaptation')) {
    const model = pendulumModel(cfg);
    data.instances.forEach((ins, k) => {
      const batch = windowBatch([ins], createRng(k + 1), cfg.windowsPerTask, cfg.windowSteps);
      const t0 = performance.now();
      const r = adaptEta(model.makeField, trained.params, trained.eta0, batch, model.solver, model.inner, false);
      r.eta.dataSync();
      adaptMs.push(performance.now() - t0);
      r.eta.dispose();
      disposeTaskBatch(batch);
    });
  }
  tf.dispose([...trained.params, trained.eta0]);
  const tensorsAfter = tf.memory().numTensors;
  const c = { ...benchProvenance(prov.finish()), tensorsBefore, tensorsAfter };
  const rows: BenchRow[] = [];
  const write = (name: ExperimentWorkload, workload: string, t: Timing) => {
    writeJsonAtomic(benchOutFile(name), { ...c, workload, ...t, config: cfg });
    rows.push({ name, oursMs: t.medianMs, torch: [], tensorsBefore, tensorsAfter });
  };
  if (which.includes('imode-pendulum-outer-iteration')) {
    write('imode-pendulum-outer-iteration', 'iMODE pendulum outer iteration (default config: 5 tasks × 20 windows × 100 steps, 5 Levenberg–Marquardt inner steps, dopri5 1e-4)', outer);
  }
  if (adaptMs.length > 0) {
    write('imode-pendulum-adaptation', 'iMODE pendulum test-time adaptation of one length (5 inner steps, 20 windows × 100 steps)', summariseTimings(adaptMs.slice(1)));
  }
  return rows;
}

/**
 * The authors' scale (the `paper` config: 200 outer iterations, 5 inner SGD steps, dopri5 1e-4): median ms per
 * outer iteration, and 200 × that as the estimated meta-training time.
 */
export function benchPaperScale(o: BenchOptions): BenchRow {
  const { iterations, warmup } = reps({ iterations: 5, warmup: 1 }, o);
  const cfg = imodePendulumConfig('paper', { outerIterations: warmup + iterations });
  const prov = startProvenance({ experiment: 'bench-imode-pendulum-paper', paper: 'iMODE', section: 'performance', scale: 'paper', config: cfg, seed: cfg.seed });
  const data = loadPendulumData(cfg);
  const tensorsBefore = tf.memory().numTensors;
  const { trained, stamps } = timedMetaTraining(cfg, data);
  tf.dispose([...trained.params, trained.eta0]);
  const tensorsAfter = tf.memory().numTensors;
  const t = summariseTimings(stamps.slice(warmup));
  const paperIterations = imodePendulumConfig('paper').outerIterations;
  writeJsonAtomic(benchOutFile('imode-pendulum-paper-outer-iteration'), {
    ...benchProvenance(prov.finish()),
    tensorsBefore,
    tensorsAfter,
    workload: "iMODE pendulum outer iteration at the authors' scale (paper config: 5 tasks × 20 windows × 100 steps, 5 first-order inner SGD steps, dopri5 1e-4)",
    ...t,
    estimatedMetaTrainingSeconds: { fromMedian: (t.medianMs * paperIterations) / 1000, fromMin: (t.minMs * paperIterations) / 1000, outerIterations: paperIterations },
    authorsCodeSeconds: 400,
    config: cfg,
  });
  return { name: 'imode-pendulum-paper-outer-iteration', oursMs: t.medianMs, torch: [], tensorsBefore, tensorsAfter };
}
