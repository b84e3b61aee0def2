/**
 * The trained iMODE pendulum model as the explorer page's JSON (./pageRollout.ts ExplorerModel): the energy
 * network's spec and selected weights θ from the finished meta-training checkpoint, the rollout solver of the
 * config, η0, and for each of the 13 lengths its adapted η (results/imode-pendulum/metrics.json, lengths[].eta) with
 * its first evaluation window, the data the experiment scored the length's rollout on.
 *
 * Nothing is trained or adapted here: exporting needs the finished run (`npm run experiment -- imode-pendulum`), and
 * a run whose metrics were written by another trained model (another training config, or the recomputed held-out MSE
 * of the first length of each split off the recorded one: ./recordedEvaluation.ts) is refused, since its η would not
 * belong to these weights.
 */
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../core/atomicWrite';
import { type TensorJson, checkpointStore, tensorFromJson, tensorToJson } from '../core/checkpoint';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { readJsonOrNull, readMetrics } from '../core/results';
import { asFamilyInstances } from '../data/imodePendulum';
import type { ImodeCheckpoint } from '../meta/imodeTraining';
import { experimentCheckpointDir, experimentResultsDir } from '../experiments/experiment';
import { trainingCheckpointKey } from '../experiments/imode/family';
import {
  type ImodePendulumConfig,
  imodePendulumConfig,
  imodePendulumInfo,
  loadPendulumData,
  metaTrainPendulum,
  pendulumModel,
  pendulumWindowBatch,
  pendulumWindows,
} from '../experiments/imodePendulum';
import type { LatentExplorerModel } from './latentPageRollout';
import { IMODE_FAMILY_FIELDS } from '../experiments/imode/families';
import { checkRecordedEvaluation, isFirstOfSplit } from './recordedEvaluation';
import { EXPLORER_MODEL_FORMAT, EXPLORER_MODEL_VERSION, type ExplorerField, type ExplorerInstance, type ExplorerModel, explorerEtaDim } from './pageRollout';

/** A length's adapted η as metrics.json records it. */
interface AdaptedLength {
  L: number;
  split: string;
  eta: number[];
  evalMse: number;
}

/** The adapted lengths of a metrics.json written by the model of `cfg`'s training key. */
function adaptedLengths(cfg: ImodePendulumConfig, scale: Scale): AdaptedLength[] {
  const dir = experimentResultsDir(imodePendulumInfo.id, scale);
  const metrics = readMetrics(dir) as unknown as { provenance: { config: object }; lengths?: AdaptedLength[] };
  if (configHash(trainingCheckpointKey(metrics.provenance.config)) !== configHash(trainingCheckpointKey(cfg))) {
    throw new DataError(`metrics.json was written by a model of another training config; re-run npm run experiment -- imode-pendulum`, { file: dir });
  }
  const lengths = metrics.lengths;
  if (!Array.isArray(lengths) || lengths.length === 0) throw new DataError('metrics.json has no lengths[] with adapted η', { file: dir });
  for (const l of lengths) {
    if (!Array.isArray(l.eta) || l.eta.length !== cfg.etaDim || !l.eta.every(Number.isFinite) || !Number.isFinite(l.evalMse)) {
      throw new DataError(`metrics.json lengths[L=${l.L}] must hold ${cfg.etaDim} finite η and a finite evalMse, got ${JSON.stringify(l.eta)}, ${l.evalMse}`, { file: dir });
    }
  }
  return lengths;
}

/** Per component, [min, max] of the instances' η. */
export function etaRangeOf(instances: readonly { eta: readonly number[] }[]): [number, number][] {
  if (instances.length === 0) throw new DataError('no instances to take the η range of');
  return instances[0].eta.map((_, j) => {
    const values = instances.map((ins) => ins.eta[j]);
    return [Math.min(...values), Math.max(...values)];
  });
}

/**
 * The explorer model of the finished imode-pendulum run at `scale`; ConfigError when meta-training has not finished
 * (exporting never trains).
 */
export function imodePendulumExplorerModel(scale: Scale = 'default'): ExplorerModel {
  const cfg = imodePendulumConfig(scale);
  const key = trainingCheckpointKey(cfg);
  const saved = checkpointStore<ImodeCheckpoint>(experimentCheckpointDir(imodePendulumInfo.id, scale, key), configHash(key)).load();
  if (saved === null || !saved.done) {
    throw new ConfigError(`imode-pendulum (${scale}) has no finished meta-training checkpoint; run npm run experiment -- imode-pendulum first`);
  }
  const lengths = adaptedLengths(cfg, scale);
  const data = loadPendulumData(cfg);
  // The finished checkpoint makes this a load: the selected θ and η0, exactly what the run adapted and scored with.
  const trained = metaTrainPendulum(cfg, data, scale, 'loading the trained model');
  const weights = trained.params.map(tensorToJson);
  const eta0 = Array.from(trained.eta0.dataSync());
  tf.dispose([...trained.params, trained.eta0]);

  const families = asFamilyInstances(data.instances);
  const model = pendulumModel(cfg);
  const instances: ExplorerInstance[] = lengths.map((l, i) => {
    const index = data.instances.findIndex((ins) => ins.L === l.L);
    if (index < 0) throw new DataError(`metrics.json names L = ${l.L}, which the data has not`);
    if (isFirstOfSplit(lengths, i)) {
      const batch = pendulumWindowBatch(cfg, families[index], index, 'eval');
      checkRecordedEvaluation({ makeField: model.makeField, weights, eta: l.eta, batch, solver: model.solver, scale: [1, 1], recorded: l.evalMse, label: `L = ${l.L}`, rerun: 'npm run experiment -- imode-pendulum', file: experimentResultsDir(imodePendulumInfo.id, scale) });
    }
    const w = pendulumWindows(cfg, families[index], index, 'eval');
    return { label: `L=${l.L}`, split: l.split, eta: l.eta, window: w.targets.map((step) => Array.from(step[0])) };
  });
  return {
    format: EXPLORER_MODEL_FORMAT,
    version: EXPLORER_MODEL_VERSION,
    experiment: imodePendulumInfo.id,
    field: { kind: 'conservative', spec: model.spec },
    weights,
    solver: model.solver,
    dt: data.instances[0].dt,
    etaRange: etaRangeOf(instances),
    eta0,
    instances,
    portrait: { x: 0, y: 1, xTitle: 'θ (rad)', yTitle: 'ω (rad/s)' },
  };
}

function isNumberMatrix(x: unknown, columns: number): boolean {
  return Array.isArray(x) && x.every((row) => Array.isArray(row) && row.length === columns && row.every((v) => typeof v === 'number' && Number.isFinite(v)));
}

/** An ExplorerModel from parsed JSON, checked field by field (DataError naming the first bad one). */
export function parseExplorerModel(json: unknown, where = 'explorer model'): ExplorerModel {
  const m = json as Partial<ExplorerModel>;
  const fail = (what: string): never => {
    throw new DataError(`${where}: ${what}`);
  };
  if (typeof m !== 'object' || m === null || m.format !== EXPLORER_MODEL_FORMAT) fail(`not a ${EXPLORER_MODEL_FORMAT} file`);
  if (m.version !== EXPLORER_MODEL_VERSION) fail(`version ${m.version}, this code reads ${EXPLORER_MODEL_VERSION}`);
  const field = m.field as ExplorerField | undefined;
  if (field?.kind === 'conservative') {
    if (typeof field.spec !== 'object' || field.spec === null || !Number.isInteger(field.spec.etaDim) || !Number.isInteger(field.spec.positionDim)) fail('field.spec must be a conservative-force spec');
  } else if (field?.kind === 'family') {
    if (!(typeof m.experiment === 'string' && m.experiment in IMODE_FAMILY_FIELDS)) fail(`a family field needs the family's id as experiment (${Object.keys(IMODE_FAMILY_FIELDS).join(', ')}), got ${JSON.stringify(m.experiment)}`);
    if (typeof field.config !== 'object' || field.config === null || !(Number.isInteger(field.config.etaDim) && Number(field.config.etaDim) > 0)) fail('field.config must be the training config, with etaDim');
  } else {
    fail(`field.kind must be 'conservative' or 'family', got ${JSON.stringify((m.field as { kind?: unknown } | undefined)?.kind)}`);
  }
  const etaDim = explorerEtaDim(m as ExplorerModel);
  if (!Array.isArray(m.weights)) fail('weights must be an array of tensors');
  // tensorFromJson checks shape against values and finiteness; the tensor itself is not needed.
  (m.weights as TensorJson[]).forEach((w) => tensorFromJson(w).dispose());
  if (typeof m.solver !== 'object' || m.solver === null) fail('solver must be odeint options');
  if (!(typeof m.dt === 'number' && m.dt > 0)) fail(`dt must be > 0, got ${m.dt}`);
  if (!isNumberMatrix(m.etaRange, 2) || (m.etaRange as unknown[]).length !== etaDim) fail(`etaRange must hold ${etaDim} [min, max] pairs`);
  if (!isNumberMatrix([m.eta0], etaDim)) fail(`eta0 must hold ${etaDim} numbers`);
  if (!Array.isArray(m.instances) || m.instances.length === 0) fail('instances must be a non-empty array');
  const instances = m.instances as ExplorerInstance[];
  const stateDim = Array.isArray(instances[0].window?.[0]) ? instances[0].window[0].length : 0;
  if (field?.kind === 'conservative' && stateDim !== 2 * field.spec.positionDim) fail(`instances[0].window's states must hold ${2 * field.spec.positionDim} numbers, got ${stateDim}`);
  instances.forEach((ins, i) => {
    if (typeof ins.label !== 'string' || typeof ins.split !== 'string') fail(`instances[${i}] needs a label and a split`);
    if (!isNumberMatrix([ins.eta], etaDim)) fail(`instances[${i}].eta must hold ${etaDim} numbers`);
    if (!isNumberMatrix(ins.window, stateDim) || ins.window.length < 2) fail(`instances[${i}].window must be ≥ 2 states of ${stateDim} numbers`);
  });
  const p = m.portrait;
  const component = (c: unknown) => Number.isInteger(c) && (c as number) >= 0 && (c as number) < stateDim;
  if (typeof p !== 'object' || p === null || !component(p.x) || !component(p.y) || typeof p.xTitle !== 'string' || typeof p.yTitle !== 'string') {
    fail(`portrait must name two state components in [0, ${stateDim}) and their axis titles`);
  }
  return m as ExplorerModel;
}

/** Either explorer model (this file's or ./latentModelExport.ts's) as its JSON file. */
export function writeExplorerModel(file: string, model: ExplorerModel | LatentExplorerModel): void {
  writeJsonAtomic(file, model);
}

export function readExplorerModel(file: string): ExplorerModel {
  const parsed = readJsonOrNull<unknown>(file);
  if (parsed === null) throw new DataError('no explorer model here; write it with npm run explorer', { file });
  return parseExplorerModel(parsed, file);
}
