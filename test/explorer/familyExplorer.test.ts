import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../../src/core/errors';
import { readMetrics } from '../../src/core/results';
import { imodeBistable } from '../../src/experiments/imodeBistable';
import { resolveFamilyConfig } from '../../src/experiments/imodeFamilyExperiment';
import { imodeSlinky } from '../../src/experiments/imodeSlinky';
import { runImodeFamily } from '../../src/experiments/imodeFamilyExperiment';
import { FAMILY_EXPLORERS } from '../../src/explorer/familyModelExport';
import { parseExplorerModel } from '../../src/explorer/modelExport';
import { pageRollout } from '../../src/explorer/pageRollout';
import { odeint } from '../../src/nn/odeint';
import { withResultsRoot } from '../helpers/tmpDir';
import { tinyFamilyExplorerModel } from './tinyFamilyExplorerModel';

describe('explorer/familyModelExport and the family field of pageRollout', function () {
  this.timeout(300000);

  it('exports a finished family run: its config, selected weights, every instance’s recorded η and held-out window', async () => {
    await withResultsRoot('explorer-family-', async () => {
      assert.throws(() => FAMILY_EXPLORERS['imode-bistable']('smoke'), (e: Error) => e instanceof ConfigError && /no finished meta-training checkpoint; run npm run experiment -- imode-bistable/.test(e.message));
      const { dir } = await runImodeFamily(imodeBistable, 'smoke');
      const model = FAMILY_EXPLORERS['imode-bistable']('smoke');
      const cfg = resolveFamilyConfig(imodeBistable, 'smoke');
      const metrics = readMetrics(dir) as unknown as { instances: { instance: string; eta: number[] }[] };
      assert.equal(model.field.kind, 'family');
      assert.deepEqual(model.instances.map((i) => [i.label, i.eta]), metrics.instances.map((r) => [r.instance, r.eta]));
      assert.ok(model.instances.every((i) => i.window.length === cfg.evalSteps && i.window[0].length === 2));
      assert.deepEqual(parseExplorerModel(JSON.parse(JSON.stringify(model))), model);

      // another run's η do not belong to these weights: the recomputed held-out MSE says so
      const file = path.join(dir, 'metrics.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      json.instances[0].eta = json.instances[0].eta.map((v: number) => v + 0.5);
      fs.writeFileSync(file, JSON.stringify(json));
      assert.throws(() => FAMILY_EXPLORERS['imode-bistable']('smoke'), (e: Error) => e instanceof DataError && /metrics\.json was written by another run/.test(e.message));
    });
  });

  it('rolls a family with a state scale out in the data’s units: the same trajectory as its unscaled field', () => {
    const model = tinyFamilyExplorerModel(imodeSlinky);
    const cfg = resolveFamilyConfig(imodeSlinky, 'smoke');
    const { eta, window } = model.instances[1];
    const steps = 5;
    const before = tf.memory().numTensors;
    const states = pageRollout(model, eta, window[0], steps);
    assert.equal(tf.memory().numTensors, before);
    // x0 → x0 ⊘ s in float32 → back ⊙ s: the data's state to float32 rounding
    states[0].forEach((v, j) => assert.ok(Math.abs(v - window[0][j]) <= 1e-6 * Math.abs(window[0][j]), `x0[${j}] ${window[0][j]} came back as ${v}`));
    // dx/dt = f(x) in metres and radians, integrated directly; the page integrated dx̃/dt = f(x̃ ⊙ s) ⊘ s
    const unscaled = tf.tidy(() => {
      const params = model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
      const field = imodeSlinky.model(cfg).makeField(params, tf.tensor2d([eta]));
      const ts = Array.from({ length: steps }, (_, k) => k * cfg.dt);
      return (odeint(field, tf.tensor2d([window[0]]), ts, model.solver).arraySync() as number[][][]).map((step) => step[0]);
    });
    const scale = imodeSlinky.stateScale(cfg);
    // float32 in both, through a fresh (stiff) random field: ~1e-5 relative to |x| + s after 5 steps; a wrong scale is O(1)
    const worst = Math.max(...states.flatMap((x, k) => x.map((v, j) => Math.abs(v - unscaled[k][j]) / (Math.abs(unscaled[k][j]) + scale[j]))));
    assert.ok(worst < 5e-5, `scaled and unscaled rollouts differ by ${worst} (relative to |x| + s)`);
    assert.ok(Math.max(...states[steps - 1].map((v, j) => Math.abs(v - window[0][j]) / scale[j])) > 1e-2, 'the chain did not move');
  });

  it('refuses a family model with an unknown family, a config without etaDim or a portrait outside the state', () => {
    const model = tinyFamilyExplorerModel(imodeBistable);
    const bad = (change: (m: Record<string, any>) => void, pattern: RegExp) => {
      const m = JSON.parse(JSON.stringify(model));
      change(m);
      assert.throws(() => parseExplorerModel(m), (e: Error) => e instanceof DataError && pattern.test(e.message));
    };
    bad((m) => (m.experiment = 'imode-nothing'), /family field needs the family's id/);
    bad((m) => delete m.field.config.etaDim, /field\.config must be the training config/);
    bad((m) => (m.field.kind = 'other'), /field\.kind must be 'conservative' or 'family', got "other"/);
    bad((m) => (m.portrait.y = 2), /portrait must name two state components in \[0, 2\)/);
    bad((m) => (m.eta0 = [0]), /eta0 must hold 4 numbers/);
  });
});
