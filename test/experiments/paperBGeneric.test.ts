import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/core/backend';
import { paperReference } from '../../src/core/reference';
import { EXPERIMENTS } from '../../src/experiments/registry';
import { paperBDno } from '../../src/experiments/paperBDno';
import { PAPER_B_METHOD_NAMES } from '../../src/meta/paperBMethods';
import { resolvePaperBConfig } from '../../src/experiments/paperB/config';
import { type PaperBTableRow, benchmarkTable, paperCell, paperValue } from '../../src/experiments/paperB/tables';
import { runPaperBHamiltonian, simulatePaperB } from '../../src/experiments/paperBHamiltonian';
import { paperBTgc } from '../../src/experiments/paperBTgc';
import { energy as dnoEnergy } from '../../src/systems/dampedOscillator';
import { withResultsRoot } from '../helpers/tmpDir';

describe('experiments/paperBGeneric (Paper B, GENERIC benchmark: DNO and TGC)', () => {
  before(async () => {
    await initBackend();
  });

  it('registers spd-dno and spd-tgc; DNO uses SVD(3) and the spec horizon at paper scale, TGC GFINNs\' t ∈ [0, 8] at dt 0.02', () => {
    const ids = EXPERIMENTS.map((e) => e.info.id);
    assert.ok(ids.includes('spd-dno') && ids.includes('spd-tgc'));
    const dno = resolvePaperBConfig(paperBDno, 'paper');
    assert.deepEqual([dno.rank, dno.trajectoryPoints, dno.dt, dno.trainInstances, dno.testInstances, dno.width], [3, 100, 0.1, 70, 10, 100]);
    const tgc = resolvePaperBConfig(paperBTgc, 'paper');
    assert.deepEqual([tgc.rank, tgc.trajectoryPoints, tgc.dt], [5, 401, 0.02]);
    assert.equal(resolvePaperBConfig(paperBDno, 'default').rank, 3);
  });

  it('simulates DNO data that conserve the total energy and produce entropy (first and second law in the data)', () => {
    const cfg = resolvePaperBConfig(paperBDno, 'smoke', { trajectoryPoints: 30 });
    for (const ins of simulatePaperB(paperBDno, cfg)) {
      const mu = { k: ins.params[0], gamma: ins.params[1] };
      for (const tr of ins.trajectories) {
        tr.forEach((x, i) => {
          assert.ok(Math.abs(dnoEnergy(x, mu) - dnoEnergy(tr[0], mu)) < 1e-7, `${ins.label}: E drifts`);
          if (i > 0) assert.ok(x[2] >= tr[i - 1][2] - 1e-12, `${ins.label}: S falls`);
        });
      }
    }
  });

  it('shows the paper\'s DNO values: SVD(3) ε_traj 0.142, ANIL and Reptile diverged; TGC has none', () => {
    const ref = paperReference('spd-dno');
    assert.equal(paperValue(ref, 'v2', 'SVD', 'trajError'), 0.142);
    assert.equal(paperValue(ref, 'v2', 'ANIL', 'trajError'), null);
    assert.equal(paperCell(ref, 'v2', 'Reptile', 'fieldError'), 'diverged (NaN)');
    assert.equal(paperCell(ref, 'v2', 'MAML', 'trajError'), '—');
    assert.equal(paperReference('spd-tgc').values, null);
    const row = (method: (typeof PAPER_B_METHOD_NAMES)[number]): PaperBTableRow => {
      const s = { mean: 0.5, std: 0.1 };
      return { method, fieldError: s, fieldErrorInData: { ...s, instances: 10 }, trajError: s, trajErrorFirstThird: s, ssim: s, energyDrift: s, adaptSeconds: 1 };
    };
    const table = benchmarkTable(PAPER_B_METHOD_NAMES.map(row), ref);
    assert.deepEqual(table.rows[2].slice(0, 5), ['ANIL', '0.5 ± 0.1', 'diverged (NaN)', '0.5 ± 0.1', 'diverged (NaN)']);
    assert.equal(table.rows[8][4], '0.142');
  });

  it('a TGC smoke run writes the results contract with the degeneracy checks at round-off, the decomposition and the GENERIC figures, and leaves no tensor behind', async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-spd-generic-', async () => {
      const tensorsBefore = tf.memory().numTensors;
      const { dir } = await runPaperBHamiltonian(paperBTgc, 'smoke', {});
      assert.equal(tf.memory().numTensors, tensorsBefore, 'a whole run (meta-training, adaptation, studies, checks) leaves no tensor behind');
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.deepEqual(m.table.map((r: PaperBTableRow) => r.method), [...PAPER_B_METHOD_NAMES]);
      for (const r of m.table) {
        for (const k of ['fieldError', 'trajError', 'ssim', 'energyDrift']) assert.ok(Number.isFinite(r[k].mean) && Number.isFinite(r[k].std), `${r.method}.${k}`);
        assert.ok(r.energyDrift.mean < 1e-3, `${r.method}: the model's own Ẽ drifts by ${r.energyDrift.mean} along its rollouts`);
      }
      assert.equal(m.paperReference.values, null);
      const d = m.degeneracy;
      for (const k of ['maxLgradS', 'maxMgradE', 'minEigM', 'maxEnergyRateAbs', 'minEntropyRate']) assert.ok(typeof d[k] === 'number', k);
      assert.equal(d.maxLgradS, 0);
      assert.ok(d.maxMgradERelative < 1e-5 && d.maxEnergyRateRelative < 1e-5, JSON.stringify(d));
      assert.ok(d.minEigM >= -1e-6 && d.minEntropyRate >= -1e-6, JSON.stringify(d));
      assert.equal(d.perMethod.length, PAPER_B_METHOD_NAMES.length);
      assert.deepEqual(Object.keys(m.decomposition[0]), ['method', 'energyGradientError', 'frictionError', 'reversibleError', 'dissipativeError']);
      for (const f of ['vector-fields', 'phase-portraits', 'energy-level-sets', 'entropy-rollouts', 'latent-pca-alpha', 'latent-pca-m', 'few-shot-sweep']) {
        assert.ok(fs.existsSync(path.join(dir, 'figures', `${f}.json`)), f);
      }
      const readme = fs.readFileSync(path.join(dir, 'readme.md'), 'utf8');
      assert.match(readme, /GENERIC structure checks/);
      assert.match(readme, /a right total field does not mean right pieces/);
    });
  });
});
