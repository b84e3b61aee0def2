import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ConfigError, DataError } from '../../src/core/errors';
import { EXPLORER_EXPERIMENTS } from '../../src/explorer/explorerPage';
import { PAPER_B_EXPLORER_IDS, checkPageField, paperBExplorerModel } from '../../src/explorer/latentModelExport';
import { type LatentExplorerModel, fieldMagnitude, latentAt, latentFieldModel, latentRollout, nearestLatentInstance } from '../../src/explorer/latentPageRollout';
import { writeExplorerModel } from '../../src/explorer/modelExport';
import { EXPLORER_HANDLE, EXPLORER_IDS, type LatentExplorerHandle } from '../../src/explorer/pageContract';
import { moveSliders } from '../../src/explorer/pageDriver';
import { tmpDir } from '../helpers/tmpDir';
import { maxAbsDifference, onCpuBackend, useExplorerPage } from './explorerPageTesting';
import { TINY_FIELD_KINDS, tinyLatentExplorerModel } from './tinyLatentExplorerModel';

/** H̃(x; z) (GENERIC: Ẽ) of the model at the states `xs`. */
function learnedEnergy(model: LatentExplorerModel, z: number[], xs: number[][]): number[] {
  return tf.tidy(() => {
    const latent = latentFieldModel(model.field, model.spec);
    const params = latent.fromTensors(model.weights.map((w) => tf.tensor(w.values, w.shape, 'float32')));
    const codes = tf.tile(tf.tensor2d([z]), [xs.length, 1]) as tf.Tensor2D;
    return Array.from(latent.energy(params, { codes })(tf.tensor2d(xs)).dataSync());
  });
}

for (const kind of TINY_FIELD_KINDS) describe(`explorer/latentPageRollout (${kind.field.kind} field)`, () => {
  const model = tinyLatentExplorerModel(kind);
  const at = (q: number, p: number) => [q, p, ...model.grid.fixed];

  it('forms z = z̄ + Σ c_i PC_i and finds the nearest training latent', () => {
    assert.deepEqual(latentAt(model, [0, 0]), model.mean);
    const z = latentAt(model, [2, -1]);
    [0.1 + 1.2, -0.2 + 1.6, 0.3 - 1, 0].forEach((v, j) => assert.ok(Math.abs(z[j] - v) < 1e-12));
    assert.throws(() => latentAt(model, [1]), DataError);
    assert.equal(nearestLatentInstance(model, [-3, 0]), 0);
    assert.equal(nearestLatentInstance(model, [0.9, 0.2]), 1);
    assert.equal(nearestLatentInstance(model, [5, 0]), 2);
  });

  it('draws |ẋ| on the grid (rows follow y) and changes it with z, leaking no tensor', () => {
    const before = tf.memory().numTensors;
    const a = fieldMagnitude(model, latentAt(model, [-1, 0]));
    const b = fieldMagnitude(model, latentAt(model, [2, 0.5]));
    assert.equal(tf.memory().numTensors, before);
    assert.equal(a.length, model.grid.y.length);
    assert.ok(a.every((row) => row.length === model.grid.x.length && row.every((v) => Number.isFinite(v) && v >= 0)));
    assert.ok(maxAbsDifference(a, b) > 1e-3, 'z does not change the field');
    // the rollout's first step is along the field: |(q1, p1) − (q0, p0)|/dt ≈ |(q̇, ṗ)(x0)|, the grid's value
    const z = latentAt(model, [0.5, 0.1]);
    const x0 = at(model.grid.x[3], model.grid.y[1]);
    const short = latentRollout({ ...model, dt: 1e-3 }, z, x0, 2);
    const speed = Math.hypot(short[1][0] - short[0][0], short[1][1] - short[0][1]) / 1e-3;
    const grid = fieldMagnitude(model, z)[1][3];
    assert.ok(Math.abs(speed - grid) <= 1e-2 * grid, `|Δx|/dt = ${speed}, |ẋ| on the grid = ${grid}`);
  });

  it('rolls out from x0 along a level set of the learned H̃ or Ẽ (RK4, small drift; GENERIC: M̃∇Ẽ = 0)', () => {
    const z = latentAt(model, [1, 0.3]);
    const x0 = model.instances[1].window[0];
    const states = latentRollout(model, z, x0, 30);
    assert.equal(states.length, 30);
    assert.deepEqual(states[0], x0.map(Math.fround));
    const energies = learnedEnergy(model, z, states);
    const drift = Math.max(...energies.map((e) => Math.abs(e - energies[0])));
    const line = learnedEnergy(model, z, model.grid.x.map((x) => at(x, 0)));
    const spread = Math.max(...line) - Math.min(...line);
    assert.ok(drift < 1e-2 * spread, `H̃ drifts by ${drift} along the rollout (its spread over the grid: ${spread})`);
    assert.throws(() => latentRollout(model, [0, 0], x0, 30), /z needs 4 values/);
  });

  it('round-trips through its JSON file: the same model, the same field and rollout', () => {
    const file = path.join(tmpDir('explorer-latent-json-'), 'model.json');
    writeExplorerModel(file, model);
    const back = JSON.parse(fs.readFileSync(file, 'utf8')) as LatentExplorerModel;
    assert.deepEqual(back, model);
    const z = latentAt(model, [0.3, 0.2]);
    assert.deepEqual(fieldMagnitude(back, z), fieldMagnitude(model, z));
    assert.deepEqual(latentRollout(back, z, model.instances[0].window[0], 10), latentRollout(model, z, model.instances[0].window[0], 10));
  });
});

describe('explorer/latentModelExport', () => {
  it('covers the five Paper B systems and refuses another id', () => {
    assert.deepEqual([...PAPER_B_EXPLORER_IDS].sort(), ['spd-dno', 'spd-duffing', 'spd-mass-spring', 'spd-pendulum', 'spd-tgc']);
    PAPER_B_EXPLORER_IDS.forEach((id) => assert.ok(id in EXPLORER_EXPERIMENTS, `${id} has no page`));
    assert.throws(() => paperBExplorerModel('spd-other'), (e: Error) => e instanceof ConfigError && /available: spd-pendulum/.test(e.message));
  });

  it("refuses a checkpoint that is not the experiment's model or a page field that is not its field", () => {
    const [hnn, generic] = TINY_FIELD_KINDS.map((k) => tinyLatentExplorerModel(k));
    const own = latentFieldModel(hnn.field, hnn.spec);
    const states = hnn.grid.y.flatMap((p) => hnn.grid.x.map((q) => [q, p]));
    const check = (page: typeof own, weights = hnn.weights) => checkPageField({ own, page, weights, code: hnn.mean, states, file: 'tiny' });
    const before = tf.memory().numTensors;
    check(latentFieldModel(hnn.field, hnn.spec));
    const scaled = (factor: number): typeof own => ({ ...own, field: (p, latents) => (t, x) => tf.mul(own.field(p, latents)(t, x), factor) });
    assert.throws(() => check(scaled(1.001)), (e: Error) => e instanceof DataError && /the page's field differs/.test(e.message));
    assert.throws(() => check(own, generic.weights), /expected \d+ tensors, got \d+/);
    assert.equal(tf.memory().numTensors, before);
  });

  const FIELD_KIND: Readonly<Record<string, { kind: string; stateDim: number; fixed: number[] }>> = {
    'spd-pendulum': { kind: 'hnn', stateDim: 2, fixed: [] },
    'spd-mass-spring': { kind: 'hnn', stateDim: 2, fixed: [] },
    'spd-duffing': { kind: 'hnn', stateDim: 2, fixed: [] },
    'spd-dno': { kind: 'generic', stateDim: 3, fixed: [1] },
    'spd-tgc': { kind: 'generic', stateDim: 4, fixed: [2, 2] },
  };
  for (const id of PAPER_B_EXPLORER_IDS) {
    it(`exports the finished ${id} SVD run: the PCA of its 30 training latents and their instances`, function () {
      let exported: LatentExplorerModel;
      try {
        exported = paperBExplorerModel(id, 'default');
      } catch (e) {
        if (!/no finished SVD meta-training checkpoint/.test((e as Error).message)) throw e;
        console.log(`      skipped: no finished ${id} run here (checkpoints are git-ignored)`);
        return this.skip();
      }
      assert.equal(exported.experiment, id);
      assert.equal(exported.field.kind, FIELD_KIND[id].kind);
      assert.deepEqual(exported.grid.fixed, FIELD_KIND[id].fixed);
      assert.equal(exported.instances.length, 30);
      assert.equal(exported.components.length, 2);
      const dot = (a: number[], b: number[]) => a.reduce((s, v, j) => s + v * b[j], 0);
      assert.ok(Math.abs(dot(exported.components[0], exported.components[0]) - 1) < 1e-9 && Math.abs(dot(exported.components[0], exported.components[1])) < 1e-9);
      assert.ok(exported.explained[0] >= exported.explained[1]);
      exported.instances.forEach((ins) => ins.coordinates.forEach((c, i) => assert.ok(c >= exported.coordinateRange[i][0] && c <= exported.coordinateRange[i][1])));
      assert.ok(exported.instances.every((ins) => ins.window.length === exported.instances[0].window.length && ins.window.every((x) => x.length === FIELD_KIND[id].stateDim)));
      const field = fieldMagnitude(exported, latentAt(exported, [0, 0]));
      assert.ok(field.length === exported.grid.y.length && field.flat().every((v) => Number.isFinite(v) && v >= 0));
    });
  }
});

for (const kind of TINY_FIELD_KINDS) describe(`explorer/latentPage (headless Chromium, ${kind.field.kind} field)`, function () {
  const model = tinyLatentExplorerModel(kind);
  const shown = useExplorerPage({ kind: 'latent', model });

  it('loads offline with two sliders and redraws the field and the rollout when they move', async () => {
    assert.deepEqual(shown().opened.blocked, []);
    assert.deepEqual(shown().opened.errors, []);
    assert.equal(await shown().opened.page.locator('input[type=range]').count(), 2);
    const traces = () => shown().opened.page.evaluate((id) => (document.getElementById(id) as unknown as { data: { z?: number[][]; x: number[]; y: number[] }[] }).data, EXPLORER_IDS.figure);
    await moveSliders(shown().opened.page, [-1, 0]);
    const before = await traces();
    const moved = await moveSliders(shown().opened.page, [2, 0.5]);
    const after = await traces();
    assert.notDeepEqual(after[0].z, before[0].z, 'the |ẋ| heatmap did not change');
    assert.notDeepEqual(after[2].y, before[2].y, 'the rollout did not change');
    const expected = await onCpuBackend(() => fieldMagnitude(model, latentAt(model, moved.values)));
    assert.ok(maxAbsDifference(after[0].z as number[][], expected) <= 1e-5);
  });

  it('computes the field and the rollout of a given z as Node does, to 1e-5 (cpu backend in both)', async () => {
    const z = latentAt(model, [0.7, -0.2]);
    const x0 = model.instances[2].window[0];
    const inPage = await shown().opened.page.evaluate(
      ([handle, zz, x]) => {
        const h = (window as unknown as Record<string, LatentExplorerHandle>)[handle];
        return { field: h.fieldMagnitude(h.model, zz), rollout: h.latentRollout(h.model, zz, x, 30) };
      },
      [EXPLORER_HANDLE, z, x0] as const,
    );
    const node = await onCpuBackend(() => ({ field: fieldMagnitude(model, z), rollout: latentRollout(model, z, x0, 30) }));
    assert.ok(maxAbsDifference(inPage.field, node.field) <= 1e-5, `field differs by ${maxAbsDifference(inPage.field, node.field)}`);
    assert.ok(maxAbsDifference(inPage.rollout, node.rollout) <= 1e-5, `rollout differs by ${maxAbsDifference(inPage.rollout, node.rollout)}`);
  });
});
