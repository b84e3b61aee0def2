/**
 * iMODE's Neural Gauge on Paper B's latent codes (issue "Beyond both papers", §2): does the latent z that a
 * modulation method auto-decodes for a system say that system's physical parameters μ?
 *
 * For each modulation method (Shift, FW, RO, MR, SVD, MR-v1) of a trained Paper B experiment (its checkpoints; trained
 * anew where there are none; the baselines have no z and are not loaded):
 *   z of an instance   auto-decoded by the test-time protocol (Algorithm 2: from z_avg, `adaptSteps` steps on the
 *                      instance's first `supportTrajectories` trajectories), for the training and the test instances
 *                      alike, so that the gauge is fitted and applied to codes obtained the same way. The codes the
 *                      meta-training learned (z_k, fitted on all trajectories of a training instance) are the second
 *                      variant, `meta-training codes`: the gauge fitted on them meets test codes of another kind.
 *   gauge              ../experiments/imodeLatent.ts, unchanged: PCA of the training z, their leading p components
 *                      (p = the number of parameters, 2 for every Paper B system), an invertible map Φ from those
 *                      coordinates to log μ fitted on the training instances, and φ̂ = Φ(P(z)) of each test
 *                      instance, scored by the largest relative error over its parameters, max_j |φ̂_j − φ_j| / φ_j.
 * Written to results/latent-gauge/<id>/ (default scale) or results/<scale>/latent-gauge/<id>/: gauge.json, gauge.md
 * and the parity figures of the method with the lowest median error.
 */
import * as path from 'path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomicWrite';
import { initBackend } from '../core/backend';
import type { Scale } from '../core/config';
import { DataError } from '../core/errors';
import { readJsonOrNull, revisionLabel, startProvenance } from '../core/results';
import { streamFor } from '../core/rng';
import { finiteOrNull, median } from '../analysis/metrics';
import type { NeuralGaugeOptions } from '../analysis/neuralGauge';
import { type PaperBInstance, trajectoryFieldTask } from '../analysis/paperBEvaluation';
import { disposeFieldTasks } from '../data/fieldTask';
import { progress } from '../core/progress';
import { type PaperBMethodName, type TrainedMethod, methodsOf } from '../meta/paperBMethods';
import { saveFigure } from '../viz/plotly';
import { type Table, formatNumber, tableToMarkdown } from '../viz/table';
import { studyResultsDir } from './experiment';
import { type LatentAnalysis, type LatentPoint, analyseLatents, gaugeParityFigure, paramFigureKey } from './imodeLatent';
import type { PaperBConfig } from './paperB/config';
import type { PaperBSystem } from './paperB/system';
import { PAPER_B_STREAM, disposeTrained, metaTrainMethod, resolvePaperBConfig, simulatePaperB } from './paperBHamiltonian';

const STUDY = 'latent-gauge';
/** the iMODE families' gauge settings (their configs' gauge* fields at default), log μ since every μ > 0 */
export const PAPER_B_GAUGE_OPTIONS: Partial<NeuralGaugeOptions> = { width: 16, flowSteps: 8, iterations: 1500, lr: 0.01, logParameters: true };
const PCA_THRESHOLD = 0.99;

export type CodeSource = 'test-time protocol' | 'meta-training codes';

export interface MethodGauge {
  method: PaperBMethodName;
  source: CodeSource;
  /** PCA of the training z: the number of components for 99 % of the variance, and the leading ratios */
  pca99: number;
  explainedVariance: number[];
  /** standardised MSE of the gauge on its training pairs */
  gaugeTrainLoss: number;
  /** per test instance: μ, φ̂ and the largest relative error over the parameters */
  test: { label: string; params: number[]; predicted: (number | null)[]; relError: number | null }[];
  /** the median over the test instances of each parameter's relative error |φ̂_j − φ_j| / φ_j */
  medianErrorByParameter: (number | null)[];
  /** the median and the largest over the test instances of relError; null where a gauged φ̂ is not finite (the map diverged) */
  medianError: number | null;
  maxError: number | null;
}

export interface LatentGaugeStudy {
  experiment: string;
  scale: Scale;
  seed: number;
  paramNames: string[];
  methods: MethodGauge[];
  /** the method and source with the lowest median error: its parity figures are written */
  best: { method: PaperBMethodName; source: CodeSource };
}

/** Every instance's z by the test-time protocol (the support: its first supportTrajectories trajectories). */
export function autoDecodedCodes<P>(sys: PaperBSystem<P>, cfg: PaperBConfig, instances: readonly PaperBInstance[], trained: TrainedMethod): number[][] {
  return instances.map((ins) => {
    const support = trajectoryFieldTask(sys, ins.params, ins.trajectories.slice(0, cfg.supportTrajectories));
    try {
      const adapted = trained.adapt(support, cfg);
      const code = adapted.code;
      adapted.dispose();
      if (code === null) throw new DataError(`${trained.method} has no latent code to gauge`);
      return code;
    } finally {
      disposeFieldTasks([support]);
    }
  });
}

/** The latent points of one method and source: training instances with their z, test instances with theirs. */
export function latentPoints(instances: readonly PaperBInstance[], trainCodes: readonly number[][], testCodes: readonly number[][]): LatentPoint[] {
  const train = instances.filter((i) => i.split === 'train');
  const test = instances.filter((i) => i.split === 'test');
  if (trainCodes.length !== train.length || testCodes.length !== test.length) {
    throw new DataError(`latentPoints: ${trainCodes.length} training and ${testCodes.length} test codes for ${train.length} and ${test.length} instances`);
  }
  // Paper B's test μ are drawn from the training box: interpolation in iMODE's words
  return [
    ...train.map((i, k): LatentPoint => ({ label: i.label, split: 'train', params: i.params, eta: trainCodes[k] })),
    ...test.map((i, k): LatentPoint => ({ label: i.label, split: 'interpolate', params: i.params, eta: testCodes[k] })),
  ];
}

/** One method's gauge summarised from the latent analysis. */
export function methodGauge(method: PaperBMethodName, source: CodeSource, analysis: LatentAnalysis): MethodGauge {
  const test = analysis.gauge.map((g) => ({ label: g.label, params: g.params, predicted: g.predicted, relError: g.relError }));
  const errors = test.map((t) => t.relError);
  return {
    method,
    source,
    pca99: analysis.intrinsicDimension,
    explainedVariance: analysis.explainedVariance.slice(0, 3),
    gaugeTrainLoss: analysis.gaugeTrainLoss,
    test: test.map((t) => ({ ...t, predicted: t.predicted.map(finiteOrNull), relError: finiteOrNull(t.relError) })),
    medianErrorByParameter: test[0].params.map((_, j) => finiteOrNull(median(test.map((t) => Math.abs(t.predicted[j] - t.params[j]) / Math.abs(t.params[j]))))),
    medianError: errors.every(Number.isFinite) ? median(errors) : null,
    maxError: finiteOrNull(Math.max(...errors)),
  };
}

/** A relative error in percent, or 'diverged'. */
export const formatGaugeError = (v: number | null) => (v === null ? 'diverged' : `${formatNumber(100 * v, 3)} %`);

export function latentGaugeTable(s: LatentGaugeStudy): Table {
  return {
    columns: ['method', 'z of the training instances', 'PCA (99 %)', 'leading explained variance', 'gauge train MSE', ...s.paramNames.map((n) => `median error ${n}`), 'median error (worst parameter)', 'max error'],
    rows: s.methods.map((m) => [
      m.method,
      m.source,
      m.pca99,
      m.explainedVariance.map((v) => formatNumber(v, 3)).join(', '),
      formatNumber(m.gaugeTrainLoss, 3),
      ...m.medianErrorByParameter.map(formatGaugeError),
      formatGaugeError(m.medianError),
      formatGaugeError(m.maxError),
    ]),
  };
}

/** results/latent-gauge/<id> (default) or results/<scale>/latent-gauge/<id>, under METADYN_RESULTS_ROOT when set. */
export function latentGaugeDir(id: string, scale: Scale, env: NodeJS.ProcessEnv = process.env): string {
  return studyResultsDir(STUDY, id, scale, env);
}

/** The study of the header for one Paper B system; returns the directory it wrote and the study. */
export async function runLatentGaugeStudy<P>(sys: PaperBSystem<P>, scale: Scale, overrides: Readonly<Record<string, unknown>> = {}): Promise<{ dir: string; study: LatentGaugeStudy }> {
  await initBackend();
  const cfg = resolvePaperBConfig(sys, scale, overrides);
  const gaugeOptions = scale === 'smoke' ? { ...PAPER_B_GAUGE_OPTIONS, iterations: 20 } : PAPER_B_GAUGE_OPTIONS;
  const prov = startProvenance({ experiment: sys.info.id, paper: sys.info.paper, section: 'Neural Gauge on the latent codes', scale, config: { ...cfg, gauge: gaugeOptions }, seed: cfg.seed });
  const instances = simulatePaperB(sys, cfg);
  const training = instances.filter((i) => i.split === 'train');
  const tasks = training.map((i) => trajectoryFieldTask(sys, i.params, i.trajectories));
  let modulations: TrainedMethod[];
  try {
    modulations = methodsOf('modulation').map((method) => metaTrainMethod(sys, cfg, scale, method, tasks));
  } finally {
    disposeFieldTasks(tasks);
  }
  const methods: MethodGauge[] = [];
  try {
    const bar = progress(modulations.length, 'auto-decoding and gauging');
    modulations.forEach((t, k) => {
      // simulatePaperB puts the training instances first
      const decoded = autoDecodedCodes(sys, cfg, instances, t);
      const testCodes = decoded.slice(training.length);
      const sources: [CodeSource, number[][]][] = [['test-time protocol', decoded.slice(0, training.length)]];
      if (t.codes !== null) sources.push(['meta-training codes', t.codes]);
      sources.forEach(([source, trainCodes], s) => {
        const rng = streamFor(cfg.seed, PAPER_B_STREAM.latentGauge, 2 * k + s);
        methods.push(methodGauge(t.method, source, analyseLatents(latentPoints(instances, trainCodes, testCodes), rng, { threshold: PCA_THRESHOLD, gauge: gaugeOptions })));
      });
      bar.update(k + 1, t.method);
    });
    bar.done();
  } finally {
    disposeTrained(modulations);
  }
  const rank = (m: MethodGauge) => m.medianError ?? Infinity;
  const bestGauge = methods.reduce((a, b) => (rank(b) < rank(a) ? b : a));
  const study: LatentGaugeStudy = { experiment: sys.info.id, scale, seed: cfg.seed, paramNames: [...sys.system.paramNames], methods, best: { method: bestGauge.method, source: bestGauge.source } };
  const dir = latentGaugeDir(sys.info.id, scale);
  const provenance = prov.finish();
  // the best gauge has a finite median, so every φ̂ of it is finite
  const asGauge = { gauge: bestGauge.test.map((t) => ({ ...t, predicted: t.predicted.map((v) => v ?? NaN), relError: t.relError ?? NaN, split: 'interpolate' as const })), gaugeTrainLoss: bestGauge.gaugeTrainLoss };
  sys.system.paramNames.forEach((n, j) =>
    saveFigure(dir, `gauge-parity${paramFigureKey(j, sys.system.paramNames.length)}`, gaugeParityFigure(asGauge, j, n, `${bestGauge.method} latents (${bestGauge.source})`)),
  );
  writeJsonAtomic(path.join(dir, 'gauge.json'), { ...study, provenance });
  writeFileAtomic(
    path.join(dir, 'gauge.md'),
    `Neural Gauge on the latent codes of ${sys.info.id} (${scale}): test instances' μ measured from their auto-decoded z by a gauge fitted on the training instances (${cfg.trainInstances} training, ${cfg.testInstances} test); ` +
      `revision ${revisionLabel(provenance)}, seed ${cfg.seed}, backend ${provenance.backend}; regenerate with \`npm run latent-gauge -- ${sys.info.id}${scale === 'default' ? '' : ` --scale ${scale}`}\`. ` +
      `Lowest median error: ${bestGauge.method} (${bestGauge.source}), ${formatGaugeError(bestGauge.medianError)}.\n\n` +
      tableToMarkdown(latentGaugeTable(study)),
  );
  return { dir, study };
}

/** The study of `id` at `scale` under the results root `results` (its latentGaugeDir there), or null. */
export function readLatentGauge(results: string, id: string, scale: Scale): LatentGaugeStudy | null {
  return readJsonOrNull<LatentGaugeStudy>(path.join(latentGaugeDir(id, scale, { METADYN_RESULTS_ROOT: results }), 'gauge.json'));
}

/**
 * The results page's section: per system and scale that has been gauged, the method (and code source) with the lowest
 * median error, its median error per parameter and its worst, and SVD's median beside it (the paper's best method).
 */
export function latentGaugeSection(results: string, ids: readonly string[]): string {
  const studies = ids.flatMap((id) => (['default', 'converged'] as const).flatMap((scale) => readLatentGauge(results, id, scale) ?? []));
  if (studies.length === 0) return '_Not gauged yet: `npm run latent-gauge -- spd-pendulum --scale converged`._';
  const rows = studies.map((s) => {
    const best = s.methods.find((m) => m.method === s.best.method && m.source === s.best.source)!;
    const svd = s.methods.find((m) => m.method === 'SVD' && m.source === 'test-time protocol');
    return [
      s.experiment,
      s.scale,
      s.seed,
      `${best.method} (${best.source})`,
      best.medianErrorByParameter.map((v, j) => `${s.paramNames[j]} ${formatGaugeError(v)}`).join(', '),
      formatGaugeError(best.medianError),
      formatGaugeError(best.maxError),
      svd ? formatGaugeError(svd.medianError) : '—',
    ];
  });
  return [
    "iMODE's Neural Gauge on Paper B's latent codes: the test instances' physical parameters measured from their auto-decoded z by a gauge fitted on the training instances' z (`src/experiments/paperBLatentGauge.ts`; every method and both code sources in each `results/[<scale>/]latent-gauge/<id>/gauge.md`; regenerate with `npm run latent-gauge -- <id> [--scale converged]`). Error of an instance: the largest relative error over its parameters.",
    '',
    tableToMarkdown({ columns: ['experiment', 'scale', 'seed', 'lowest median error', 'its median error per parameter', 'its median error', 'its max error', 'SVD (test-time protocol) median error'], rows }).trimEnd(),
  ].join('\n');
}
