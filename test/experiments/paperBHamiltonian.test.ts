import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '../../src/core/backend';
import { configHash } from '../../src/core/config';
import { ConfigError } from '../../src/core/errors';
import { paperReference } from '../../src/core/reference';
import { disposeFieldTasks } from '../../src/data/fieldTask';
import { EXPERIMENTS, experimentById } from '../../src/experiments/registry';
import { paperBDuffing } from '../../src/experiments/paperBDuffing';
import { trajectoryFieldTask } from '../../src/analysis/paperBEvaluation';
import { PAPER_B_METHOD_NAMES } from '../../src/meta/paperBMethods';
import { resolvePaperBConfig } from '../../src/experiments/paperB/config';
import { type PaperBTableRow, benchmarkTable, paperValue, rankingCheck, paperBTableRows, trajectoryHorizonCurves } from '../../src/experiments/paperB/tables';
import { runPaperBHamiltonian, simulatePaperB } from '../../src/experiments/paperBHamiltonian';
import { trajectoryHorizonFigure } from '../../src/experiments/paperB/figures';
import { paperBMassSpring } from '../../src/experiments/paperBMassSpring';
import { paperBPendulum } from '../../src/experiments/paperBPendulum';
import { hamiltonian as pendulumH } from '../../src/systems/hamiltonianPendulum';
import { withResultsRoot } from '../helpers/tmpDir';

const SYSTEMS = [paperBMassSpring, paperBPendulum, paperBDuffing];

describe('experiments/paperBHamiltonian (Paper B, Hamiltonian benchmark)', () => {
  before(async () => {
    await initBackend();
  });

  it('rejects a bad config before any work, naming the field', () => {
    assert.throws(() => resolvePaperBConfig(paperBMassSpring, 'smoke', { trajectories: 1 }), (e: Error) => e instanceof ConfigError && /trajectories/.test(e.message));
    assert.throws(() => resolvePaperBConfig(paperBMassSpring, 'smoke', { supportTrajectories: 2 }), /supportTrajectories must be less than trajectories = 2/);
    assert.throws(() => resolvePaperBConfig(paperBPendulum, 'smoke', { gridSize: 10 }), /gridSize/);
    assert.throws(() => resolvePaperBConfig(paperBDuffing, 'smoke', { latentInit: 'random' }), /latentInit must be one of .*mean.*zero/);
    assert.throws(() => resolvePaperBConfig(paperBDuffing, 'smoke', { reptileStepSize: 2 }), /reptileStepSize/);
    assert.throws(() => resolvePaperBConfig(paperBDuffing, 'smoke', { adaptStep: 3 }), /adaptStep/);
  });

  it('paper scale is the spec protocol: 70 / 10 instances, 10 trajectories of 30 points, 100 test-time steps, 50 × 50 grid', () => {
    const cfg = resolvePaperBConfig(paperBPendulum, 'paper');
    assert.deepEqual(
      [cfg.trainInstances, cfg.testInstances, cfg.trajectories, cfg.trajectoryPoints, cfg.dt, cfg.adaptSteps, cfg.gridSize, cfg.width, cfg.depth, cfg.latentDim, cfg.rank],
      [70, 10, 10, 30, 0.1, 100, 50, 100, 3, 10, 5],
    );
  });

  it('simulates instances inside the parameter box, deterministically, with data that conserves the true energy', () => {
    const cfg = resolvePaperBConfig(paperBPendulum, 'smoke', { trajectoryPoints: 30 });
    const instances = simulatePaperB(paperBPendulum, cfg);
    assert.equal(instances.length, cfg.trainInstances + cfg.testInstances);
    assert.equal(instances.filter((i) => i.split === 'test').length, cfg.testInstances);
    instances.forEach((ins) => {
      ins.params.forEach((v) => assert.ok(v >= 0.5 && v <= 2, `${ins.label} outside [0.5, 2]`));
      const mu = { m: ins.params[0], l: ins.params[1] };
      ins.trajectories.forEach((tr) => {
        assert.equal(tr.length, 30);
        const h = tr.map((s) => pendulumH(s, mu));
        h.forEach((e) => assert.ok(Math.abs(e - h[0]) <= 1e-7 * Math.max(1, Math.abs(h[0])), `energy drifts in the data: ${e} vs ${h[0]}`));
      });
    });
    assert.deepEqual(simulatePaperB(paperBPendulum, cfg), instances);
    const task = trajectoryFieldTask(paperBPendulum, instances[0].params, instances[0].trajectories);
    assert.deepEqual(task.x.shape, [cfg.trajectories * 30, 2]);
    const [x, xdot] = [task.x.arraySync(), task.xdot.arraySync()];
    const { m, l } = { m: instances[0].params[0], l: instances[0].params[1] };
    assert.ok(Math.abs(xdot[5][0] - x[5][1] / (m * l * l)) < 1e-5, 'q̇ = p/(m l²)');
    disposeFieldTasks([task]);
  });

  it('reads the paper values from the reference file, scaled, with null where the paper gives none', () => {
    const ref = paperReference('spd-pendulum');
    assert.ok(Math.abs((paperValue(ref, 'v2', 'SVD', 'fieldError') ?? NaN) - 0.0462) < 1e-12);
    assert.ok(Math.abs((paperValue(ref, 'v1', 'ANIL', 'trajError') ?? NaN) - 2.227) < 1e-12);
    assert.equal(paperValue(ref, 'v2', 'MR', 'trajError'), null);
    assert.equal(paperValue(paperReference('spd-duffing'), 'v1', 'SVD', 'trajError'), null);
    assert.ok(Math.abs((paperValue(paperReference('spd-mass-spring'), 'v1', 'MR-v1', 'trajError') ?? NaN) - 0.058) < 1e-12);
  });

  it('checks the paper ranking on the means, treating a diverged method as worst', () => {
    const row = (method: (typeof PAPER_B_METHOD_NAMES)[number], v: number | null): PaperBTableRow => {
      const s = { mean: v, std: 0 };
      return { method, fieldError: s, fieldErrorInData: { ...s, instances: 10 }, trajError: s, trajErrorFirstThird: s, ssim: s, energyDrift: s, adaptSeconds: 0 };
    };
    const values: Record<string, number | null> = { Scratch: 0.8, MAML: 0.5, ANIL: null, Reptile: 0.7, Shift: 0.1, FW: 0.09, RO: 0.06, MR: 0.08, SVD: 0.05, 'MR-v1': 0.07 };
    const r = rankingCheck(PAPER_B_METHOD_NAMES.map((m) => row(m, values[m])), 'fieldError');
    assert.deepEqual(r, { metric: 'fieldError', bestModulation: 'SVD', bestBaseline: 'MAML', modulationsBeatBaselines: true, svdOrRoBest: true });
    const worse = rankingCheck(PAPER_B_METHOD_NAMES.map((m) => row(m, m === 'Shift' ? 0.6 : values[m])), 'fieldError');
    assert.equal(worse.modulationsBeatBaselines, false);
  });

  it('writes a diverged method (NaN or ∞ metrics) as null and shows it as diverged beside the paper; ε_field in data skips only the instances where it is undefined', () => {
    const result = (v: number) => ({ instance: 'i', fieldError: v, fieldErrorInData: v / 2, trajError: v, trajErrorFirstThird: v / 4, trajErrorByHorizon: [v / 8, v], ssim: v, energyDrift: v, adaptSeconds: 0.5, adaptLosses: [v], code: null });
    const evaluation = {
      grid: { points: [], n: 11 },
      horizonTimes: [0.1, 0.2],
      truth: { grid: [], hamiltonian: [], rollout: [], support: [] },
      methods: [
        { method: 'ANIL' as const, instances: [result(0.2), result(NaN)], preview: { grid: [], hamiltonian: [], rollout: [] } },
        { method: 'SVD' as const, instances: [result(0.1), { ...result(0.3), fieldErrorInData: null }], preview: { grid: [], hamiltonian: [], rollout: [] } },
      ],
    };
    const rows = paperBTableRows(evaluation);
    assert.deepEqual(rows[0].trajError, { mean: null, std: null });
    assert.ok(Math.abs((rows[1].fieldError.mean ?? NaN) - 0.2) < 1e-12 && Math.abs((rows[1].fieldError.std ?? NaN) - 0.1) < 1e-12);
    const table = benchmarkTable(rows, paperReference('spd-pendulum'));
    assert.deepEqual(table.rows[0].slice(0, 6), ['ANIL', 'diverged', '—', 'diverged', '—', '2.23']);
    assert.deepEqual(table.rows[1].slice(0, 5), ['SVD', '0.2 ± 0.1', '0.0462', '0.2 ± 0.1', '0.0533']);
    // ε_field in data: NaN is divergence (ANIL), null only undefined (SVD's second instance), averaged over the rest
    assert.deepEqual(rows[0].fieldErrorInData, { mean: null, std: null, instances: 2 });
    assert.deepEqual(rows[1].fieldErrorInData, { mean: 0.05, std: 0, instances: 1 });
    assert.deepEqual([table.rows[0][7], table.rows[1][7]], ['diverged', '0.05 ± 0']);
    // ε_traj over the first third, and the horizon curve: a diverged instance makes that mean null, not skipped
    assert.deepEqual([table.rows[0][6], table.rows[1][6]], ['diverged', '0.05 ± 0.025']);
    assert.deepEqual(trajectoryHorizonCurves(evaluation), {
      times: [0.1, 0.2],
      methods: [
        { method: 'ANIL', trajError: [null, null] },
        { method: 'SVD', trajError: [0.025, 0.2] },
      ],
    });
    // the figure: one curve per method, the paper's ε_traj dotted in the method's colour where it reports one (SVD
    // v2 0.0533, ANIL v1 2.227), across the horizons
    const fig = trajectoryHorizonFigure(trajectoryHorizonCurves(evaluation), paperReference('spd-pendulum'));
    const traces = fig.data as { name: string; x: number[]; y: (number | null)[]; line: { color: string; dash: string } }[];
    assert.deepEqual(traces.map((t) => t.name), ['ANIL', 'SVD', 'ANIL (paper)', 'SVD (paper)']);
    const svdPaper = traces[3];
    assert.deepEqual([svdPaper.x, svdPaper.line.dash, svdPaper.line.color], [[0.1, 0.2], 'dot', traces[1].line.color]);
    assert.ok(Math.abs((svdPaper.y[0] ?? NaN) - 0.0533) < 1e-12 && svdPaper.y[0] === svdPaper.y[1]);
  });

  it('registers the three experiments', () => {
    const ids = EXPERIMENTS.map((e) => e.info.id);
    SYSTEMS.forEach((s) => assert.ok(ids.includes(s.info.id), s.info.id));
  });

  it('a smoke run writes the results contract: all ten method rows with finite metrics, the paper reference, figures and README section; a rerun reuses the checkpoints', async function () {
    this.timeout(120000);
    await withResultsRoot('metadyn-spd-', async () => {
      const { dir } = await runPaperBHamiltonian(paperBMassSpring, 'smoke', {});
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'metrics.json'), 'utf8'));
      assert.equal(m.provenance.configHash, configHash(experimentById('spd-mass-spring').config('smoke', {})), 'the registry resolves the config the run records');
      assert.deepEqual(
        m.table.map((r: PaperBTableRow) => r.method),
        ['Scratch', 'MAML', 'ANIL', 'Reptile', 'Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1'],
      );
      for (const r of m.table) {
        for (const k of ['fieldError', 'trajError', 'ssim', 'energyDrift']) {
          assert.ok(Number.isFinite(r[k].mean) && Number.isFinite(r[k].std) && r[k].std >= 0, `${r.method}.${k} = ${JSON.stringify(r[k])}`);
        }
        assert.ok(r.fieldError.mean > 0 && r.ssim.mean <= 1 && r.energyDrift.mean >= 0, r.method);
        assert.ok(r.adaptSeconds > 0, `${r.method}.adaptSeconds`);
      }
      assert.equal(m.paperReference.values.v2.table.SVD.fieldError, 1.51);
      for (const f of ['vector-fields', 'phase-portraits', 'training-curves', 'latent-pca-m', 'latent-pca-k', 'hamiltonian-level-sets', 'few-shot-sweep']) {
        assert.ok(fs.existsSync(path.join(dir, 'figures', `${f}.json`)), f);
      }
      const finite = (s: { mean: number | null; std: number | null }) => Number.isFinite(s.mean) && Number.isFinite(s.std);
      assert.deepEqual(m.fewShotSweep.sizes, [5, 8], 'smoke: 5 and the whole support trajectory of 8 points');
      assert.deepEqual(m.fewShotSweep.methods.map((r: { method: string }) => r.method), [...PAPER_B_METHOD_NAMES]);
      for (const r of m.fewShotSweep.methods) assert.ok(r.fieldError.length === 2 && r.fieldError.every(finite), JSON.stringify(r));
      const full = m.fewShotSweep.methods.map((r: { fieldError: unknown[] }) => r.fieldError[1]);
      assert.deepEqual(full, m.table.map((r: PaperBTableRow) => r.fieldError), 'n = N is the main evaluation');
      assert.deepEqual(m.latentInitAblation.map((r: { method: string }) => r.method), ['Shift', 'FW', 'RO', 'MR', 'SVD', 'MR-v1']);
      for (const r of m.latentInitAblation) {
        for (const init of ['mean', 'zero']) assert.ok(finite(r[init].fieldError) && finite(r[init].trajError), JSON.stringify(r));
      }
      const svd = m.latentInitAblation.find((r: { method: string }) => r.method === 'SVD');
      assert.deepEqual(svd.mean.fieldError, m.table.find((r: PaperBTableRow) => r.method === 'SVD').fieldError, 'the configured start z_avg is the main evaluation');
      const levels = JSON.parse(fs.readFileSync(path.join(dir, 'figures', 'hamiltonian-level-sets.json'), 'utf8'));
      assert.deepEqual(levels.data.map((t: { type: string }) => t.type), ['contour', 'contour', 'contour']);
      for (const t of levels.data) assert.equal(Math.min(...t.z.flat().filter((v: number | null) => v !== null)), 0, 'each H is shifted to min 0');
      const fields = JSON.parse(fs.readFileSync(path.join(dir, 'figures', 'vector-fields.json'), 'utf8'));
      assert.equal(fields.data.filter((t: { mode?: string }) => t.mode === 'markers')[0].x.length, 8, 'the support states are marked on the target');
      for (const f of ['few-shot-sweep.md', 'latent-init-ablation.csv']) assert.ok(fs.existsSync(path.join(dir, f)), f);
      assert.match(fs.readFileSync(path.join(dir, 'readme.md'), 'utf8'), /z_avg \(spec\) against 0/);
      const readme = fs.readFileSync(path.join(dir, 'readme.md'), 'utf8');
      assert.match(readme, /\| SVD \|/);
      assert.match(readme, /paper's ranking/);
      assert.ok(fs.existsSync(path.join(dir, 'benchmark.md')));
      const again = await runPaperBHamiltonian(paperBMassSpring, 'smoke', {});
      const training = again.summary.metrics.training as { method: string; iterationsRun: number }[];
      assert.ok(training.every((t) => t.iterationsRun === 0), JSON.stringify(training));
      assert.deepEqual((again.summary.metrics.table as PaperBTableRow[]).map((r) => r.fieldError), m.table.map((r: PaperBTableRow) => r.fieldError));
    });
  });
});
