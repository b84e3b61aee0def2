import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../../src/core/errors';
import { readMetrics } from '../../src/core/results';
import { experimentResultsDir } from '../../src/experiments/experiment';
import { runImodePendulum } from '../../src/experiments/imodePendulum';
import { etaRangeOf, imodePendulumExplorerModel, parseExplorerModel, readExplorerModel, writeExplorerModel } from '../../src/explorer/modelExport';
import { nearestInstance, pageRollout } from '../../src/explorer/pageRollout';
import { tmpDir, withResultsRoot } from '../helpers/tmpDir';
import { tinyExplorerModel } from './tinyExplorerModel';

describe('explorer/modelExport', () => {
  it('round-trips a model through its JSON file, weights bit for bit', () => {
    const model = tinyExplorerModel();
    const file = path.join(tmpDir('explorer-json-'), 'model.json');
    writeExplorerModel(file, model);
    const back = readExplorerModel(file);
    assert.deepEqual(back, model);
    // every float32 weight is the same float32 after the trip
    back.weights.forEach((w, i) => assert.deepEqual(Array.from(Float32Array.from(w.values)), model.weights[i].values));
    assert.deepEqual(pageRollout(back, [0.3], [0.4, 0], 20), pageRollout(model, [0.3], [0.4, 0], 20));
  });

  it('refuses a file that is not an explorer model, naming the bad field', () => {
    const model = tinyExplorerModel(10);
    const bad = (change: (m: Record<string, unknown>) => void, pattern: RegExp) => {
      const m = JSON.parse(JSON.stringify(model)) as Record<string, unknown>;
      change(m);
      assert.throws(() => parseExplorerModel(m), (e: Error) => e instanceof DataError && pattern.test(e.message));
    };
    bad((m) => (m.format = 'other'), /not a metadyn-explorer-model/);
    bad((m) => (m.version = 1), /version 1, this code reads 2/);
    bad((m) => ((m.field as { spec: unknown }).spec = null), /field\.spec must be a conservative-force spec/);
    bad((m) => ((m.weights as { values: unknown[] }[])[0].values[0] = null), /tensor value \[0\]/);
    bad((m) => ((m.weights as { values: unknown[] }[])[1].values.pop()), /needs \d+ values/);
    bad((m) => ((m.instances as { window: number[][] }[])[1].window[3] = [1]), /instances\[1\]\.window/);
    bad((m) => ((m.instances as { eta: number[] }[])[0].eta = [1, 2]), /instances\[0\]\.eta/);
    bad((m) => (m.dt = 0), /dt must be > 0/);
    assert.throws(() => readExplorerModel(path.join(tmpDir('explorer-none-'), 'absent.json')), (e: Error) => e instanceof DataError && /no explorer model here/.test(e.message));
  });

  it('takes the η range over the instances and finds the nearest one', () => {
    assert.deepEqual(etaRangeOf([{ eta: [1, -2] }, { eta: [-1, 5] }, { eta: [0, 0] }]), [[-1, 1], [-2, 5]]);
    assert.throws(() => etaRangeOf([]), DataError);
    const model = tinyExplorerModel(10);
    assert.equal(nearestInstance(model, [-5]), 0);
    assert.equal(nearestInstance(model, [0.5]), 1);
    assert.equal(nearestInstance(model, [0.9]), 2);
  });

  it('rolls out from x0, dt apart, without leaking tensors, and rejects bad arguments', () => {
    const model = tinyExplorerModel(10);
    const before = tf.memory().numTensors;
    const states = pageRollout(model, [0.2], [0.5, -0.1], 30);
    assert.equal(tf.memory().numTensors, before);
    assert.equal(states.length, 30);
    assert.deepEqual(states[0], [0.5, Math.fround(-0.1)]);
    assert.ok(states.every((x) => x.length === 2 && x.every(Number.isFinite)));
    // another η is another field, so another trajectory
    assert.notDeepEqual(pageRollout(model, [1.4], [0.5, -0.1], 30)[29], states[29]);
    assert.throws(() => pageRollout(model, [0, 1], [0.5, 0], 30), /η needs 1 values/);
    assert.throws(() => pageRollout(model, [0], [0.5], 30), /initial state needs 2/);
    assert.throws(() => pageRollout(model, [0], [0.5, 0], 1), /at least 2 steps/);
  });

  it('exports a finished smoke imode-pendulum run, and refuses a metrics.json whose recorded MSE these weights do not give', async function () {
    this.timeout(300000);
    await withResultsRoot('explorer-pendulum-', async () => {
      const { dir } = await runImodePendulum('smoke');
      const model = imodePendulumExplorerModel('smoke');
      const metrics = readMetrics(dir) as unknown as { lengths: { L: number; eta: number[] }[] };
      assert.equal(model.field.kind, 'conservative');
      assert.deepEqual(model.instances.map((i) => i.eta), metrics.lengths.map((l) => l.eta));
      const file = path.join(dir, 'metrics.json');
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      json.lengths[0].evalMse *= 1.5;
      fs.writeFileSync(file, JSON.stringify(json));
      assert.throws(() => imodePendulumExplorerModel('smoke'), (e: Error) => e instanceof DataError && /L = [\d.]+: these weights and its recorded η give held-out MSE .* metrics\.json was written by another run/.test(e.message));
    });
  });

  it('exports the finished imode-pendulum run: its adapted η per length and evaluation windows', function () {
    let model;
    try {
      model = imodePendulumExplorerModel('default');
    } catch (e) {
      if (/no finished meta-training checkpoint|no metrics\.json/.test((e as Error).message)) {
        console.log('      skipped: no finished imode-pendulum run here (checkpoints are git-ignored)');
        this.skip();
      }
      throw e;
    }
    const metrics = readMetrics(experimentResultsDir('imode-pendulum', 'default')) as unknown as { lengths: { L: number; eta: number[] }[] };
    assert.deepEqual(model.instances.map((i) => i.eta), metrics.lengths.map((l) => l.eta));
    assert.equal(model.instances.length, 13);
    assert.ok(model.instances.every((i) => i.window.length === 500));
    assert.deepEqual(model.etaRange, etaRangeOf(model.instances));
    assert.deepEqual(parseExplorerModel(JSON.parse(JSON.stringify(model))), model);
  });
});
