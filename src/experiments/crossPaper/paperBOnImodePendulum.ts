/**
 * Paper B's latent modulations (SVD, RO, FW; arXiv 2508.11205) on iMODE's authors' pendulum (arXiv 2301.00957), scored
 * by iMODE's metric (docs/decisions/cross-paper.md, "Paper B's modulations on the iMODE pendulum"):
 *
 *   data       the 13 lengths of ../imodePendulum.ts loadPendulumData at the iMODE side's config (its default, or
 *              its smoke config for a smoke run); per length the adaptation and evaluation windows iMODE draws
 *              (pendulumWindows: the same rows, from the same streams).
 *   targets    the data give states only, so the field targets are ẋ ≈ the fourth-order finite difference of each
 *              adaptation window (../../data/finiteDifference.ts), never the true ODE.
 *   model      Paper B's HNN ẋ = J∇H̃ on x = (θ, ω) with canonical J: exact for θ'' = −(g/L) sin θ, whose
 *              H = ω²/2 − (g/L) cos θ (unit mass), so q̇ = ∂H/∂ω = ω and ω̇ = −∂H/∂θ.
 *   training   Algorithm 1 (../../meta/paperBMethods.ts trainMethod) on the training lengths' field tasks with Paper B's
 *              config of the same scale, its task batch capped at the number of training lengths; checkpointed.
 *   test       per length, auto-decoding z on that length's adaptation field task (Paper B's test-time budget), then
 *              iMODE's evaluation of the adapted field: rollouts from the evaluation windows' first states with
 *              iMODE's solver, mean |x̂(t) − x(t)|² over the windows (../../meta/imodeEvaluation.ts scoreRollouts).
 *   write      results/[<scale>/]cross-paper/paperB-on-imode-pendulum/: metrics.json (per method and length, the
 *              file ./table.ts reads), metrics.md / metrics.csv (per-length table), provenance.json.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../core/backend';
import { type Scale, configHash } from '../../core/config';
import { progress } from '../../core/progress';
import { type ProvenanceRecorder, startProvenance, writeResults } from '../../core/results';
import { type FieldTask, disposeFieldTasks } from '../../data/fieldTask';
import { timeDerivative } from '../../data/finiteDifference';
import { IMODE_PENDULUM_DT, asFamilyInstances } from '../../data/imodePendulum';
import type { ImodeInstance, Split } from '../../data/imodeInstances';
import type { Windows } from '../../data/windows';
import { scoreRollouts } from '../../meta/imodeEvaluation';
import { PAPER_B_METHOD_NAMES, type PaperBMethodName, type TrainedMethod, trainMethod } from '../../meta/paperBMethods';
import { disposeTaskBatch } from '../../meta/taskBatch';
import { type Table, tableToCsv, tableToMarkdown } from '../../viz/table';
import { type ExperimentInfo, resolveConfig, studyResultsDir } from '../experiment';
import { solverOf } from '../imode/family';
import { type ImodePendulumConfig, imodePendulumConfig, loadPendulumData, pendulumWindowBatch, pendulumWindows } from '../imodePendulum';
import { paperBTrainingContext } from '../paperBHamiltonian';
import { type PaperBConfig, PAPER_B_SCALES, paperBSchema } from '../paperB/config';
import { HNN_STRUCTURE } from '../paperB/system';
import { CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM } from './studyIds';

export const paperBOnImodePendulumInfo: ExperimentInfo = {
  id: PAPER_B_ON_IMODE_PENDULUM,
  paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205) on iMODE (arXiv 2301.00957)',
  section: "cross-paper: Paper B's modulations on the iMODE authors' pendulum, iMODE's metric",
  title: 'SVD, RO and FW on the 13 pendulum lengths, scored by iMODE’s evaluation MSE',
};

/** Paper B's methods this run crosses over: its three best modulations on its own pendulum. */
export const PAPER_B_ON_IMODE_METHODS: readonly PaperBMethodName[] = ['SVD', 'RO', 'FW'];

/**
 * The crossing run's own choices, which neither paper makes (all [INF]):
 *   imodeScale     the iMODE side's config (data, windows, solver): its default, the only scale iMODE's results are
 *                  reported at, for every Paper B scale but smoke, which takes iMODE's smoke config so that it runs in
 *                  seconds. [INF]
 *   taskBatch      Paper B's taskBatch capped at the number of training lengths (5): Algorithm 1 draws a batch of
 *                  distinct tasks. [INF]
 *   targets        ẋ by the fourth-order stencil of each adaptation window (one-sided at its ends, so every state of
 *                  the window is a target); the data give no ẋ. [INF]
 *   tasks          a training length's meta-training task is its adaptation windows' states: Algorithm 1 and the
 *                  auto-decoding see the same rows as iMODE's inner loop. [INF]
 */
export interface PaperBOnImodeConfig {
  /** the iMODE side's scale [INF] */
  imodeScale: Scale;
  /** iMODE's pendulum config at imodeScale: data, windows, solver */
  imode: ImodePendulumConfig;
  /** Paper B's config at the run's scale, taskBatch capped at the training lengths [INF] */
  paperB: PaperBConfig;
  methods: readonly PaperBMethodName[];
}

const IMODE_OVERRIDE_PREFIX = 'imode.';

/**
 * The run's config at `scale`. Overrides (`--set` style) named `imode.<field>` go to the iMODE side's config, every
 * other one to Paper B's; each side validates its own (unknown fields fail naming the side).
 */
export function paperBOnImodeConfig(scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): PaperBOnImodeConfig {
  const imodeOverrides: Record<string, unknown> = {};
  const paperBOverrides: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (key.startsWith(IMODE_OVERRIDE_PREFIX)) imodeOverrides[key.slice(IMODE_OVERRIDE_PREFIX.length)] = value;
    else paperBOverrides[key] = value;
  }
  const imodeScale: Scale = scale === 'smoke' ? 'smoke' : 'default';
  const imode = imodePendulumConfig(imodeScale, imodeOverrides);
  const trainLengths = asFamilyInstances(loadPendulumData(imode).instances).filter((i) => i.split === 'train').length;
  const resolved = resolveConfig<PaperBConfig>(paperBSchema, PAPER_B_SCALES, scale, paperBOverrides, PAPER_B_ON_IMODE_PENDULUM);
  const paperB = { ...resolved, taskBatch: Math.min(resolved.taskBatch, trainLengths) };
  return { imodeScale, imode, paperB, methods: PAPER_B_ON_IMODE_METHODS };
}

/** One length's windows as a field task: every window state with ẋ from the stencil along its own window. */
export function windowsFieldTask(windows: Windows, dt: number): FieldTask {
  const rows = windows.x0.length;
  const states: Float64Array[] = [];
  const xdot: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const window = windows.targets.map((step) => step[r]);
    states.push(...window);
    xdot.push(...timeDerivative(window, dt));
  }
  const d = windows.x0[0].length;
  const flat = (a: readonly Float64Array[]) => {
    const out = new Float32Array(a.length * d);
    a.forEach((s, i) => out.set(s, i * d));
    return tf.tensor2d(out, [a.length, d]);
  };
  return { x: flat(states), xdot: flat(xdot) };
}

/** Length `index`'s adaptation field task: its iMODE adaptation windows with finite-difference targets. */
export function adaptationFieldTask(cfg: PaperBOnImodeConfig, ins: ImodeInstance, index: number): FieldTask {
  return windowsFieldTask(pendulumWindows(cfg.imode, ins, index, 'adapt'), IMODE_PENDULUM_DT);
}

/** The 13 lengths as iMODE's test time indexes them (the authors' order). */
export function pendulumLengths(cfg: PaperBOnImodeConfig): ImodeInstance[] {
  return asFamilyInstances(loadPendulumData(cfg.imode).instances);
}

/** Step 1: Algorithm 1 of `method` on the training lengths' field tasks (resumes or reuses its checkpoint). */
export function metaTrainOnPendulum(cfg: PaperBOnImodeConfig, scale: Scale, method: PaperBMethodName, tasks: readonly FieldTask[]): TrainedMethod {
  return trainMethod(
    method,
    paperBTrainingContext({
      cfg: cfg.paperB,
      tasks,
      stateDim: 2,
      models: HNN_STRUCTURE,
      streamIndex: PAPER_B_METHOD_NAMES.indexOf(method),
      dir: path.join(studyResultsDir(CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM, scale), 'checkpoints', configHash(cfg), method.toLowerCase()),
      checkpointKey: cfg,
      label: `meta-training ${method} on the iMODE pendulum`,
    }),
  );
}

export interface LengthResult {
  L: number;
  split: Split;
  /** iMODE's evaluation MSE of the adapted field (scoreRollouts) */
  evalMse: number;
  adaptSeconds: number;
  /** the support loss before the first and after the last auto-decoding step */
  adaptLossFirst: number;
  adaptLossFinal: number;
  code: number[] | null;
}

export interface MethodResult {
  method: PaperBMethodName;
  metaTrainSeconds: number;
  iterationsRun: number;
  finalTrainingLoss: number;
  perLength: LengthResult[];
}

/** Step 2: one meta-trained method auto-decoded on every length and scored by iMODE's evaluation. */
export function evaluateOnLengths(cfg: PaperBOnImodeConfig, trained: TrainedMethod, lengths: readonly ImodeInstance[]): LengthResult[] {
  const solver = solverOf(cfg.imode);
  const bar = progress(lengths.length, `adapt + evaluate ${trained.method}`);
  const out = lengths.map((ins, index) => {
    const support = adaptationFieldTask(cfg, ins, index);
    const evalBatch = pendulumWindowBatch(cfg.imode, ins, index, 'eval');
    const t0 = performance.now();
    const adapted = trained.adapt(support, cfg.paperB);
    const adaptSeconds = (performance.now() - t0) / 1000;
    try {
      const score = scoreRollouts(adapted.field, evalBatch, solver, [1, 1]);
      bar.update(index + 1, ins.label);
      return {
        L: ins.params[0],
        split: ins.split,
        evalMse: score.error,
        adaptSeconds,
        adaptLossFirst: adapted.losses[0],
        adaptLossFinal: adapted.losses[adapted.losses.length - 1],
        code: adapted.code,
      };
    } finally {
      adapted.dispose();
      disposeFieldTasks([support]);
      disposeTaskBatch(evalBatch);
    }
  });
  bar.done();
  return out;
}

/** Steps 1–2 for every method of the config, in its order. */
export function runMethods(cfg: PaperBOnImodeConfig, scale: Scale): MethodResult[] {
  const lengths = pendulumLengths(cfg);
  const tasks = lengths.flatMap((ins, index) => (ins.split === 'train' ? [adaptationFieldTask(cfg, ins, index)] : []));
  try {
    return cfg.methods.map((method) => {
      const trained = metaTrainOnPendulum(cfg, scale, method, tasks);
      try {
        return {
          method,
          metaTrainSeconds: trained.seconds,
          iterationsRun: trained.iterationsRun,
          finalTrainingLoss: trained.lossHistory[trained.lossHistory.length - 1],
          perLength: evaluateOnLengths(cfg, trained, lengths),
        };
      } finally {
        tf.dispose(trained.tensors());
      }
    });
  } finally {
    disposeFieldTasks(tasks);
  }
}

/** The per-length table: a row per length, iMODE's evaluation MSE of each method. */
export function perLengthTable(methods: readonly MethodResult[]): Table {
  const first = methods[0].perLength;
  return {
    columns: ['L', 'split', ...methods.map((m) => `eval MSE (${m.method})`)],
    rows: first.map((l, i) => [l.L, l.split, ...methods.map((m) => m.perLength[i].evalMse)]),
  };
}

/** Step 3: metrics.json, metrics.md / metrics.csv and provenance.json in the study's folder; returns the folder. */
export function writePaperBOnImodeResults(cfg: PaperBOnImodeConfig, scale: Scale, methods: readonly MethodResult[], provenance: ProvenanceRecorder): string {
  const dir = studyResultsDir(CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM, scale);
  const table = perLengthTable(methods);
  const md = [
    `# ${paperBOnImodePendulumInfo.title}`,
    '',
    `Scale ${scale} (iMODE side: ${cfg.imodeScale}), seed ${cfg.paperB.seed}: iMODE's evaluation MSE of each adapted field per length (the cross-paper table, ./table.ts, takes the median over the unseen lengths).`,
    '',
    tableToMarkdown(table).trimEnd(),
    '',
  ].join('\n');
  writeResults(dir, {
    metrics: {
      seed: cfg.paperB.seed,
      imodeScale: cfg.imodeScale,
      methods,
    },
    provenance: provenance.finish(),
    tables: { 'metrics.md': md, 'metrics.csv': tableToCsv(table) },
  });
  return dir;
}

export function startPaperBOnImodeProvenance(cfg: PaperBOnImodeConfig, scale: Scale): ProvenanceRecorder {
  const info = paperBOnImodePendulumInfo;
  return startProvenance({ experiment: info.id, paper: info.paper, section: info.section, scale, config: cfg, seed: cfg.paperB.seed });
}

/** The whole run: config, meta-training and evaluation of every method, results. */
export async function runPaperBOnImodePendulum(scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; methods: MethodResult[] }> {
  await initBackend();
  const cfg = paperBOnImodeConfig(scale, overrides);
  const prov = startPaperBOnImodeProvenance(cfg, scale);
  const methods = runMethods(cfg, scale);
  return { dir: writePaperBOnImodeResults(cfg, scale, methods, prov), methods };
}
