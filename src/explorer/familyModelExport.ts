/**
 * The trained model of a simulated iMODE family (bistable, double pendulum, Van der Pol, Slinky, reaction–diffusion)
 * as the explorer page's JSON (./pageRollout.ts ExplorerModel, field 'family'): the training config the page rebuilds
 * the family's field from, the selected θ and η0 of the finished meta-training checkpoint, the rollout solver, and for
 * every instance its adapted η (results/<id>/metrics.json, instances[].eta) with the first held-out trajectory over
 * the evaluation's `evalSteps`, re-simulated (deterministic in the seed) in the data's units.
 *
 * Nothing is trained or adapted here: a missing or unfinished checkpoint is an error that names the run that makes it.
 * That the recorded η belong to these weights is checked, not assumed (./recordedEvaluation.ts), on the first
 * instance of each split.
 */
import { checkpointStore } from '../core/checkpoint';
import { type Scale, configHash } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { readMetrics } from '../core/results';
import { experimentCheckpointDir, experimentResultsDir } from '../experiments/experiment';
import { type ImodeFamily, type ImodeFamilyConfig, scaledModel, solverOf, trainingCheckpointKey } from '../experiments/imode/family';
import { mapImodeFamilies } from '../experiments/imode/families';
import { familyEvalBatch, resolveFamilyConfig, simulateFamily } from '../experiments/imodeFamilyExperiment';
import type { ImodeCheckpoint } from '../meta/imodeTraining';
import { etaRangeOf } from './modelExport';
import { checkRecordedEvaluation, isFirstOfSplit } from './recordedEvaluation';
import { EXPLORER_MODEL_FORMAT, EXPLORER_MODEL_VERSION, type ExplorerInstance, type ExplorerModel } from './pageRollout';

/** An instance of metrics.json as the family experiment writes it (./imode/familySummary.ts). */
interface RecordedInstance {
  instance: string;
  split: string;
  eta: number[];
  evalError: number;
}

function recordedInstances(id: string, scale: Scale, key: unknown, etaDim: number): RecordedInstance[] {
  const dir = experimentResultsDir(id, scale);
  const metrics = readMetrics(dir) as unknown as { provenance: { config: object }; instances?: RecordedInstance[] };
  if (configHash(trainingCheckpointKey(metrics.provenance.config)) !== configHash(key)) {
    throw new DataError(`metrics.json was written by a model of another training config; re-run npm run experiment -- ${id}`, { file: dir });
  }
  const instances = metrics.instances;
  if (!Array.isArray(instances) || instances.length === 0) throw new DataError('metrics.json has no instances[] with adapted η', { file: dir });
  for (const r of instances) {
    if (!Array.isArray(r.eta) || r.eta.length !== etaDim || !r.eta.every(Number.isFinite) || !Number.isFinite(r.evalError)) {
      throw new DataError(`metrics.json instances[${r.instance}] must hold ${etaDim} finite η and a finite evalError, got ${JSON.stringify(r.eta)}, ${r.evalError}`, { file: dir });
    }
  }
  return instances;
}

/** The explorer model of `family`'s finished run at `scale`; ConfigError when its meta-training has not finished. */
export function familyExplorerModel<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, scale: Scale): ExplorerModel {
  const id = family.info.id;
  const cfg = resolveFamilyConfig(family, scale);
  const key = trainingCheckpointKey(cfg);
  const store = checkpointStore<ImodeCheckpoint>(experimentCheckpointDir(id, scale, key), configHash(key));
  const saved = store.load();
  if (saved === null || !saved.done) throw new ConfigError(`${id} (${scale}) has no finished meta-training checkpoint; run npm run experiment -- ${id} first`);
  const recorded = recordedInstances(id, scale, key, cfg.etaDim);
  const simulated = simulateFamily(family, cfg);
  const stateScale = family.stateScale(cfg);
  const model = scaledModel(family, cfg);
  const solver = solverOf(cfg);
  const instances: ExplorerInstance[] = recorded.map((r, i) => {
    const ins = simulated.find((s) => s.label === r.instance);
    if (!ins) throw new DataError(`metrics.json names instance '${r.instance}', which the config does not simulate`, { file: store.file });
    const window = ins.evalTrajectories[0].slice(0, cfg.evalSteps).map((x) => Array.from(x));
    // the first instance of each split is enough to tell these weights' η from another run's, at a rollout each
    if (isFirstOfSplit(recorded, i)) {
      checkRecordedEvaluation({
        makeField: model.makeField,
        weights: saved.best.params,
        eta: r.eta,
        batch: familyEvalBatch(ins, stateScale, cfg.evalSteps, cfg.dt),
        solver,
        scale: stateScale,
        recorded: r.evalError,
        label: `instance ${r.instance}`,
        rerun: `npm run experiment -- ${id}`,
        file: store.file,
      });
    }
    return { label: r.instance, split: r.split, eta: r.eta, window };
  });
  const { x, y, xTitle, yTitle } = family.portrait(cfg);
  return {
    format: EXPLORER_MODEL_FORMAT,
    version: EXPLORER_MODEL_VERSION,
    experiment: id,
    field: { kind: 'family', config: cfg },
    weights: saved.best.params,
    solver,
    dt: cfg.dt,
    etaRange: etaRangeOf(instances),
    eta0: saved.best.eta0.values,
    instances,
    portrait: { x, y, xTitle, yTitle },
  };
}

/** Every family's exporter, by experiment id. */
export const FAMILY_EXPLORERS: Readonly<Record<string, (scale: Scale) => ExplorerModel>> = Object.fromEntries(
  mapImodeFamilies((family) => [family.info.id, (scale: Scale) => familyExplorerModel(family, scale)] as const),
);
