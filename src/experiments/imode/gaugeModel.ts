/**
 * The families' second model, the one the Neural Gauge reads (d_η = the number of physical parameters; trained by
 * ../imodeFamilyExperiment.ts retrainForGauge), and the screening of a fresh one's starts: each of `restarts` init draws is
 * meta-trained for `screenIterations`, scored by the median summed training loss over the last `SCREENING_WINDOW` of
 * them, and the lowest-scoring start is trained to the end of its schedule.
 */
import * as tf from '@tensorflow/tfjs';
import { median } from '../../analysis/metrics';
import { DataError } from '../../core/errors';
import type { ImodeModelFactory, InstanceResult } from '../../meta/imodeEvaluation';
import type { ImodeTrained } from '../../meta/imodeTraining';
import type { Table } from '../../viz/table';
import { trainingCheckpointKey } from './family';

/** The model the Neural Gauge reads: d_η = the number of physical parameters, adapted on every instance. */
export interface GaugeModel {
  etaDim: number;
  init: 'projection' | 'scratch';
  trained: ImodeTrained;
  /** its field: the first model's confined to the subspace ('projection'), or the family's ('scratch') */
  model: ImodeModelFactory;
  /** adaptation and held-out evaluation of every instance (no scratch baseline: the first model's stands) */
  results: InstanceResult[];
  /** the screened starts of a 'scratch' model with gaugeRetrainRestarts > 1, the one trained on marked (else empty) */
  screening: ScreenedStart[];
}

/** One start of a screened gauge model: its init draw and its median training loss over the screen's last iterations. */
export interface ScreenedStart {
  restart: number;
  screeningLoss: number;
  selected: boolean;
}

/** How many of the screen's last iterations the screening loss is the median of: its noise is the batch's, not the model's. */
const SCREENING_WINDOW = 100;

/**
 * The screening loss of a start: the median summed training loss over the last `SCREENING_WINDOW` of its first
 * `iterations` outer iterations (all of them when fewer). A checkpoint trained further still scores on its prefix.
 */
export function screeningLoss(lossHistory: readonly number[], iterations: number): number {
  if (lossHistory.length < iterations) throw new DataError(`the screen needs ${iterations} iterations of training loss, got ${lossHistory.length}`);
  return median(lossHistory.slice(Math.max(0, iterations - SCREENING_WINDOW), iterations));
}

/** The screened starts as a table: init draw, screening loss, which one was trained on. */
export function screeningTable(screening: readonly ScreenedStart[]): Table {
  return { columns: ['start (init draw)', 'screening loss', 'trained on'], rows: screening.map((s) => [s.restart, s.screeningLoss, s.selected ? 'yes' : '']) };
}

/**
 * The checkpoint key of the r-th start of the gauge model: start 0 keeps the key it had before restarts existed, so a
 * model trained then is start 0 now.
 */
export function restartCheckpointKey(cfg: object, restart: number): Record<string, unknown> {
  const key = trainingCheckpointKey(cfg);
  return restart === 0 ? key : { ...key, gaugeRestart: restart };
}

/**
 * Meta-train a fresh model from `restarts` init draws for `screenIterations` each, then train the one with the lowest
 * screening loss to the end of its schedule (every start is checkpointed, so a rerun trains nothing anew). Why: a fresh
 * d_η = p model can fall into a regime of large outer gradients early on and never recover (the double pendulum at seed
 * 2302, environment.md), and which draw does so is visible in its training loss long before the end.
 */
export function screenedMetaTraining(
  train: (restart: number, stopAfter?: number) => ImodeTrained,
  restarts: number,
  screenIterations: number,
): { trained: ImodeTrained; screening: ScreenedStart[] } {
  const losses = Array.from({ length: restarts }, (_, restart) => {
    const screened = train(restart, screenIterations);
    tf.dispose([...screened.params, screened.eta0]);
    return screeningLoss(screened.lossHistory, screenIterations);
  });
  const chosen = losses.indexOf(Math.min(...losses));
  return { trained: train(chosen), screening: losses.map((loss, restart) => ({ restart, screeningLoss: loss, selected: restart === chosen })) };
}


