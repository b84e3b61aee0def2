import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { writeJsonAtomic as writeJson } from '../../src/core/atomicWrite';
import { configHash } from '../../src/core/config';
import { resolvePaperBConfig } from '../../src/experiments/paperBHamiltonian';
import { paperBPendulum } from '../../src/experiments/paperBPendulum';
import { firstThirdCell, paperHeadlineSection, paperHeadlineTable, paperRatio, scaleColumn, scaleComparisonSection, scaleComparisonTable, statedOnceWhenUniform } from '../../src/experiments/paperBScaleComparison';
import { withResultsRoot } from '../helpers/tmpDir';

const aggregated = (mean: number | null) => ({ mean, std: 0, perSeed: [mean], diverged: mean === null ? 1 : 0 });

describe('experiments/paperBScaleComparison (paper / default / converged side by side)', () => {
  it('ratio to the paper: ✓ within 2× or better, none beyond, diverged and missing said so', () => {
    assert.equal(paperRatio(0.09, 0.0462), '1.95× ✓');
    assert.equal(paperRatio(0.0462, 0.0924), '0.5× ✓');
    assert.equal(paperRatio(0.1, 0.0462), '2.16×');
    assert.equal(paperRatio(null, 0.0462), 'diverged');
    assert.equal(paperRatio(undefined, 0.0462), '—');
    assert.equal(paperRatio(0.1, null), '—');
  });

  it('reads each scale from the best source present: the mean over seeds, else one run, else the convergence study at exactly that config', async () => {
    await withResultsRoot('metadyn-scales-', async (root) => {
      const id = 'spd-pendulum';
      assert.equal(scaleColumn(id, 'converged').source, 'none');
      const converged = resolvePaperBConfig(paperBPendulum, 'converged');
      const point = (iterations: number, fieldError: number) => ({ method: 'SVD', width: 32, iterations, fieldError: { mean: fieldError, std: 0 }, trajError: { mean: 0.2, std: 0 }, trainLoss: 1, secondsPerIteration: 1 });
      const provenance = { gitRevision: 'abcdef0123', gitDirty: false, backend: 'cpu' };
      writeJson(path.join(root, 'convergence', id, 'points', 'svd-w32-x.json'), { method: 'SVD', width: 32, variant: 'v', configHash: configHash(converged), config: converged, points: [point(1000, 0.5), point(2000, 0.09)], provenance });
      writeJson(path.join(root, 'convergence', id, 'points', 'fw-w32-y.json'), { method: 'FW', width: 32, variant: 'w', configHash: 'another', config: converged, points: [point(2000, 0.01)], provenance });
      const fromStudy = scaleColumn(id, 'converged');
      assert.equal(fromStudy.source, 'convergence');
      assert.deepEqual(fromStudy.values, { SVD: { fieldError: 0.09, trajError: 0.2 } }, 'the last iteration of the run of this config only');

      const row = (method: string, fieldError: number | null) => ({ method, fieldError: { mean: fieldError, std: 0 }, trajError: { mean: 0.3, std: 0 } });
      writeJson(path.join(root, 'converged', id, 'metrics.json'), { table: [row('SVD', 0.08), row('MAML', null)], provenance: { seed: 2508, gitRevision: 'fedcba9876' } });
      const oneRun = scaleColumn(id, 'converged');
      assert.deepEqual([oneRun.source, oneRun.seeds, oneRun.values.SVD?.fieldError, oneRun.values.MAML?.fieldError], ['one run', [2508], 0.08, null]);

      const summaryRow = (method: string, fieldError: number | null) => ({ method, metrics: { fieldError: aggregated(fieldError), trajError: aggregated(0.25) } });
      writeJson(path.join(root, 'seeds', id, 'converged', 'summary.json'), { seeds: [2508, 2509, 2510], gitRevision: '0123456789', table: [summaryRow('SVD', 0.07), summaryRow('MAML', 0.5)] });
      const seeds = scaleColumn(id, 'converged');
      assert.deepEqual([seeds.source, seeds.seeds, seeds.values.SVD?.fieldError], ['seeds', [2508, 2509, 2510], 0.07]);

      const table = scaleComparisonTable(id, { default: scaleColumn(id, 'default'), converged: seeds });
      const svd = table.rows.find((r) => r[0] === 'SVD')!;
      assert.deepEqual(svd.slice(1, 5), ['0.0462', '—', '0.07', '1.52× ✓'], 'paper v2, no default run here, ours, the ratio');
      const anil = table.rows.find((r) => r[0] === 'ANIL')!;
      assert.equal(anil[5], '2.23 (v1)', "an ε_traj only v1 reports is shown and marked");

      fs.mkdirSync(path.join(root, id), { recursive: true });
      const section = scaleComparisonSection([id, 'spd-tgc', 'spd-dno']);
      assert.match(section, /\*\*spd-pendulum\*\*.*`converged`: mean over seeds 2508, 2509, 2510/);
      assert.doesNotMatch(section, /spd-tgc|spd-dno/, 'a system without results is left out');
      fs.mkdirSync(path.join(root, 'spd-tgc'), { recursive: true });
      writeJson(path.join(root, 'seeds', 'spd-tgc', 'converged', 'summary.json'), { seeds: [2508, 2509, 2510], gitRevision: '0123456789', table: [summaryRow('SVD', 0.18)] });
      const withTgc = scaleComparisonSection([id, 'spd-tgc']);
      assert.match(withTgc, /\*\*spd-tgc\*\*.*The paper reports no number for this system: ours only\./, 'TGC is shown, ours only');
      const tgcSvd = scaleComparisonTable('spd-tgc', { default: scaleColumn('spd-tgc', 'default'), converged: scaleColumn('spd-tgc', 'converged') }).rows.find((r) => r[0] === 'SVD')!;
      assert.deepEqual(tgcSvd.slice(1, 5), ['—', '—', '0.18', '—'], 'no paper value, no ratio');
    });
  });

  it('the headline: one row per method the paper reports, ours from converged where that method ran there, else default', async () => {
    await withResultsRoot('metadyn-headline-', async (root) => {
      const id = 'spd-pendulum';
      const row = (method: string, v: number) => ({ method, fieldError: { mean: v, std: 0 }, fieldErrorInData: { mean: v / 2, std: 0, instances: 10 }, trajError: { mean: 2 * v, std: 0 }, trajErrorFirstThird: { mean: v / 3, std: 0 } });
      writeJson(path.join(root, id, 'metrics.json'), { table: [row('SVD', 0.2), row('FW', 0.3)], provenance: { seed: 2508, gitRevision: 'aaaaaaa' } });
      const summaryRow = (method: string, v: number) => ({ method, metrics: { fieldError: aggregated(v), trajError: aggregated(0.1) } });
      writeJson(path.join(root, 'seeds', id, 'converged', 'summary.json'), { seeds: [2508, 2509, 2510], table: [summaryRow('SVD', 0.0462)] });
      const table = paperHeadlineTable([id, 'spd-tgc']);
      assert.deepEqual(table.rows.map((r) => r[1]), ['Scratch', 'MAML', 'ANIL', 'Reptile', 'Shift', 'FW', 'RO', 'SVD'], 'the methods the paper reports for the pendulum (ANIL: v1 ε_traj); TGC has none');
      const svd = table.rows.find((r) => r[1] === 'SVD')!;
      assert.deepEqual([svd[3], svd[4], svd[8], svd[9], svd[10]], ['0.0462', '1× ✓', '—', '—', 'converged, mean over 3 seeds'], 'a summary without the later metrics shows —');
      const fw = table.rows.find((r) => r[1] === 'FW')!;
      // FW's ε_traj first third 0.1 against the paper's 0.1065: the ratio, without a ✓ (another horizon than the paper's)
      assert.deepEqual([fw[3], fw[6], fw[8], fw[9], fw[10]], ['0.3', '0.6', '0.15', '0.1 (0.939×)', 'default, seed 2508']);
      assert.equal(table.rows.find((r) => r[1] === 'RO')![10], 'not run yet');
      assert.equal(firstThirdCell(null, 0.1), 'diverged');
      assert.equal(firstThirdCell(0.05, null), '0.05');
    });
  });

  it('the headline states its source once when every row shares it, and keeps the column when rows differ', async () => {
    const t = { columns: ['method', 'value', 'ours from'], rows: [['SVD', 1, 'converged, mean over 3 seeds'], ['FW', 2, 'converged, mean over 3 seeds']] };
    assert.deepEqual(statedOnceWhenUniform(t, 'ours from'), { table: { columns: ['method', 'value'], rows: [['SVD', 1], ['FW', 2]] }, value: 'converged, mean over 3 seeds' });
    const mixed = { ...t, rows: [t.rows[0], ['FW', 2, 'default, seed 2508']] };
    assert.deepEqual(statedOnceWhenUniform(mixed, 'ours from'), { table: mixed, value: null });
    await withResultsRoot('metadyn-headline-', async (root) => {
      const row = (method: string, v: number) => ({ method, fieldError: { mean: v, std: 0 }, trajError: { mean: 2 * v, std: 0 } });
      writeJson(path.join(root, 'spd-duffing', 'metrics.json'), { table: [row('SVD', 0.2), row('FW', 0.3)], provenance: { seed: 2508, gitRevision: 'aaaaaaa' } });
      const section = paperHeadlineSection(['spd-duffing']);
      assert.match(section, /every row at default, seed 2508\./);
      assert.doesNotMatch(section, /\| ours from \|/);
    });
  });
});
