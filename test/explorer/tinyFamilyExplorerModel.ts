/** An explorer model of an iMODE family at smoke scale for the tests: fresh weights of the family's model, three simulated instances with made-up η. */
import * as tf from '@tensorflow/tfjs';
import { tensorToJson } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { type ImodeFamily, type ImodeFamilyConfig, scaledModel, solverOf } from '../../src/experiments/imode/family';
import { resolveFamilyConfig, simulateFamily } from '../../src/experiments/imodeFamilyExperiment';
import { etaRangeOf } from '../../src/explorer/modelExport';
import { EXPLORER_MODEL_FORMAT, EXPLORER_MODEL_VERSION, type ExplorerModel } from '../../src/explorer/pageRollout';

export function tinyFamilyExplorerModel<C extends ImodeFamilyConfig>(family: ImodeFamily<C>, seed = 3): ExplorerModel {
  const cfg = resolveFamilyConfig(family, 'smoke');
  const params = scaledModel(family, cfg).initialParams(createRng(seed));
  const weights = params.map(tensorToJson);
  tf.dispose(params);
  const instances = simulateFamily(family, cfg)
    .slice(0, 3)
    .map((ins, k) => ({
      label: ins.label,
      split: ins.split,
      eta: Array.from({ length: cfg.etaDim }, (_, j) => 0.5 * (k - 1) + 0.1 * j),
      window: ins.evalTrajectories[0].slice(0, cfg.evalSteps).map((x) => Array.from(x)),
    }));
  const { x, y, xTitle, yTitle } = family.portrait(cfg);
  return {
    format: EXPLORER_MODEL_FORMAT,
    version: EXPLORER_MODEL_VERSION,
    experiment: family.info.id,
    field: { kind: 'family', config: cfg },
    weights,
    solver: solverOf(cfg),
    dt: cfg.dt,
    etaRange: etaRangeOf(instances),
    eta0: Array<number>(cfg.etaDim).fill(0),
    instances,
    portrait: { x, y, xTitle, yTitle },
  };
}
