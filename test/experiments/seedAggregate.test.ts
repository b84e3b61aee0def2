import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, DataError } from '../../src/core/errors';
import { type SeedRun, aggregateMetric, aggregateSeedTables, seedAggregateTable } from '../../src/experiments/seedAggregate';
import { parseSeedList, seedSummariesSection, seedsDir, staleSeedsNote } from '../../src/cli/seeds';
import { configHash } from '../../src/core/config';
import { experimentById } from '../../src/experiments/registry';
import { imodeSeedTable } from '../../src/experiments/imodeSummary';
import { REPO_ROOT } from '../../src/cli/commandLine';
import { tmpDir } from '../helpers/tmpDir';

const PROVENANCE: SeedRun['provenance'] = { configHash: 'h', backend: 'cpu', tfjsVersion: 't', gitRevision: null, gitDirty: null, wallSeconds: 1 };

function run(seed: number, rows: [string, number | null][]): SeedRun {
  const cell = (v: number | null) => ({ mean: v, std: 0 });
  return { seed, provenance: PROVENANCE, table: rows.map(([method, v]) => ({ method, fieldError: cell(v), trajError: cell(v === null ? null : 2 * (v as number)), ssim: cell(0.5), energyDrift: cell(0) })) };
}

describe('experiments/seedAggregate', () => {
  it('mean and sample std over seeds of the per-seed means (1, 2, 3 → 2 ± 1; one seed → std 0)', () => {
    assert.deepEqual(aggregateMetric([1, 2, 3]), { mean: 2, std: 1, perSeed: [1, 2, 3], diverged: 0 });
    assert.deepEqual(aggregateMetric([0.25]), { mean: 0.25, std: 0, perSeed: [0.25], diverged: 0 });
  });

  it('a method that diverged in any seed has no mean, and the table says in how many seeds', () => {
    const rows = aggregateSeedTables([run(1, [['SVD', 0.1], ['ANIL', null]]), run(2, [['SVD', 0.3], ['ANIL', 0.5]])]);
    assert.equal(rows[0].metrics.fieldError.mean, 0.2);
    assert.ok(Math.abs((rows[0].metrics.trajError.mean as number) - 0.4) < 1e-15);
    assert.deepEqual(rows[1].metrics.fieldError, { mean: null, std: null, perSeed: [null, 0.5], diverged: 1 });
    const table = seedAggregateTable(rows);
    assert.equal(table.rows[1][1], 'diverged in 1 of 2 seeds');
    assert.match(String(table.rows[0][1]), /^0\.2\d* ± 0\.14/);
  });

  it('rejects runs whose methods differ, repeated seeds, and cells that are not {mean, std}', () => {
    assert.throws(() => aggregateSeedTables([run(1, [['SVD', 0.1]]), run(2, [['RO', 0.1]])]), DataError);
    assert.throws(() => aggregateSeedTables([run(1, [['SVD', 0.1]]), run(1, [['SVD', 0.2]])]), /repeated seed/);
    const bad = run(3, [['SVD', 0.1]]);
    assert.throws(() => aggregateSeedTables([{ ...bad, table: [{ method: 'SVD', fieldError: 0.1 }] }]), /'fieldError' is not a \{mean, std\} cell/);
    assert.throws(() => aggregateSeedTables([]), DataError);
  });

  it('aggregates ε_field in data when every seed has it, leaves it out when none has, and refuses a mix', () => {
    const withInData = (r: SeedRun, v: number): SeedRun => ({ ...r, table: r.table.map((row) => ({ ...row, fieldErrorInData: { mean: v, std: 0 } })) });
    const both = aggregateSeedTables([withInData(run(1, [['SVD', 0.1]]), 0.02), withInData(run(2, [['SVD', 0.3]]), 0.04)]);
    assert.ok(Math.abs((both[0].metrics.fieldErrorInData?.mean ?? NaN) - 0.03) < 1e-15);
    const table = seedAggregateTable(both);
    assert.equal(table.columns[5], 'ε_field in data (mean ± std over seeds)');
    assert.match(String(table.rows[0][5]), /^0\.03\d* ± 0\.014/);
    const neither = aggregateSeedTables([run(1, [['SVD', 0.1]]), run(2, [['SVD', 0.3]])]);
    assert.equal(neither[0].metrics.fieldErrorInData, undefined);
    assert.equal(seedAggregateTable(neither).columns.length, 5);
    assert.throws(() => aggregateSeedTables([withInData(run(1, [['SVD', 0.1]]), 0.02), run(2, [['SVD', 0.3]])]), /'fieldErrorInData' is in the tables of seeds 1 only/);
  });

  it('an iMODE experiment over seeds: each seed\'s headline numbers and their median, dimensions checked', () => {
    const metrics = (intrinsic: number, interp: number, evalMse: number) => ({
      physicalDimension: 1,
      etaDim: 4,
      intrinsicDimension: intrinsic,
      spectralGapDimension: 1,
      gauge: [{ split: 'interpolate', relError: interp / 2 }, { split: 'interpolate', relError: interp }, { split: 'extrapolate', relError: 0.5 }],
      evalError: [{ value: evalMse }, { value: 3 * evalMse }, { value: 2 * evalMse }],
      scratchEvalError: [{ value: 1 }],
      adaptSeconds: [{ value: 0.1 }],
    });
    const table = imodeSeedTable([
      { seed: 7, metrics: metrics(1, 0.04, 0.1) },
      { seed: 8, metrics: metrics(2, 0.1, 0.2) },
      { seed: 9, metrics: metrics(1, 0.02, 0.4) },
    ]);
    assert.deepEqual(table.columns, ['quantity', 'seed 7', 'seed 8', 'seed 9', 'median over seeds']);
    const row = (label: RegExp) => table.rows.find((r) => label.test(String(r[0]))) as (string | number)[];
    assert.deepEqual(row(/^intrinsic dim\. \(PCA, 99 %; physical 1, η dim\. 4\)/).slice(1), ['1', '2', '1', '1']);
    assert.deepEqual(row(/^gauge worst error, interpolating$/).slice(1), ['4.0 %', '10.0 %', '2.0 %', '4.0 %']);
    assert.deepEqual(row(/^eval MSE iMODE/).slice(1), ['0.2', '0.4', '0.8', '0.4'], 'per seed the median over instances, then the median over seeds');
    assert.deepEqual(row(/^gauge worst error, interpolating, model/).slice(1), ['—', '—', '—', '—'], 'no gauge model: no number');
    assert.deepEqual(row(/^gauge error left one out, training instances \(median\)$/).slice(1), ['—', '—', '—', '—'], 'runs that predate the leave-one-out gauge');
    const withLoo = imodeSeedTable([
      { seed: 7, metrics: { ...metrics(1, 0.04, 0.1), gaugeLeaveOneOutMedian: 0.3, gaugeModel: { medianEvalError: 0.1, gauge: [], gaugeLeaveOneOutMedian: 0.05 } } },
      { seed: 8, metrics: { ...metrics(1, 0.04, 0.1), gaugeLeaveOneOutMedian: 0.1, gaugeModel: { medianEvalError: 0.1, gauge: [], gaugeLeaveOneOutMedian: 0.01 } } },
    ]);
    const looRow = (label: RegExp) => withLoo.rows.find((r) => label.test(String(r[0]))) as (string | number)[];
    assert.deepEqual(looRow(/^gauge error left one out, training instances \(median\)$/).slice(1), ['30.0 %', '10.0 %', '20.0 %']);
    assert.deepEqual(looRow(/^gauge error left one out, .*model with η dim\. = physical$/).slice(1), ['5.0 %', '1.0 %', '3.0 %']);
    assert.throws(() => imodeSeedTable([{ seed: 1, metrics: metrics(1, 0.1, 1) }, { seed: 2, metrics: { ...metrics(1, 0.1, 1), etaDim: 3 } }]), /seed 2 has physical \/ η dimensions 1 \/ 3/);
    assert.throws(() => imodeSeedTable([{ seed: 1, metrics: { ...metrics(1, 0.1, 1), gauge: undefined } }]), /seed 1: metrics.json lacks gauge/);
  });

  it('parseSeedList accepts distinct non-negative integers and rejects the rest', () => {
    assert.deepEqual(parseSeedList('2508, 2509,2510'), [2508, 2509, 2510]);
    for (const bad of ['1,1', '1.5', '-1', 'a', '']) assert.throws(() => parseSeedList(bad), ConfigError, bad);
  });

  it('npm run seeds at smoke scale: two seeds of spd-mass-spring give different tables, a summary with both, a rerun reuses them and a run of another config replaces them', function () {
    this.timeout(300000);
    const root = tmpDir('metadyn-seeds-');
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const args = [path.join(REPO_ROOT, 'src', 'cli', 'seeds.ts'), 'spd-mass-spring', '--seeds', '1,2', '--scale', 'smoke'];
    const env = { ...process.env, METADYN_RESULTS_ROOT: root };
    const first = spawnSync(tsx, args, { encoding: 'utf8', env });
    assert.equal(first.status, 0, first.stderr);
    const dir = seedsDir('spd-mass-spring', 'smoke', env);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
    assert.deepEqual(summary.seeds, [1, 2]);
    assert.equal(summary.table.length, 10);
    const svd = summary.table.find((r: { method: string }) => r.method === 'SVD').metrics.fieldError;
    assert.equal(svd.perSeed.length, 2);
    assert.notEqual(svd.perSeed[0], svd.perSeed[1], 'different seeds should give different runs');
    assert.ok(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8').includes('npm run seeds -- spd-mass-spring --seeds 1,2 --scale smoke'));
    const again = spawnSync(tsx, args, { encoding: 'utf8', env });
    assert.equal(again.status, 0, again.stderr);
    assert.equal((again.stdout.match(/reusing/g) ?? []).length, 2);
    // on another engine (the cpu backend here) the stored seeds are neither summarised beside its own nor overwritten
    const cpu = spawnSync(tsx, args, { encoding: 'utf8', env: { ...env, METADYN_BACKEND: 'cpu' } });
    assert.notEqual(cpu.status, 0);
    assert.match(cpu.stderr, /seed 1 was run on wasm, matMul .*, this run computes on cpu: run with the engine it names/);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')).runs.map((r: { backend: string }) => r.backend), ['wasm', 'wasm']);
    const bad = spawnSync(tsx, [args[0], 'imode-pendulum', '--seeds', '1', '--scale', 'smoke', '--set', 'seed=3'], { encoding: 'utf8', env });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /conflicts with --seeds/);
    const imode = spawnSync(tsx, [args[0], 'imode-van-der-pol', '--seeds', '1,2', '--scale', 'smoke'], { encoding: 'utf8', env });
    assert.equal(imode.status, 0, imode.stderr);
    const imodeMd = fs.readFileSync(path.join(seedsDir('imode-van-der-pol', 'smoke', env), 'summary.md'), 'utf8');
    assert.match(imodeMd, /\| quantity \| seed 1 \| seed 2 \| median over seeds \|/);
    assert.match(imodeMd, /\| gauge worst error, interpolating \| [\d.]+ % \| [\d.]+ % \| [\d.]+ % \|/);
    // Stored seeds of another config (here another gauge fit) are rerun, not summarised under the new one.
    const changed = spawnSync(tsx, [args[0], 'imode-van-der-pol', '--seeds', '1,2', '--scale', 'smoke', '--set', 'gaugeIterations=5'], { encoding: 'utf8', env });
    assert.equal(changed.status, 0, changed.stderr);
    assert.equal((changed.stdout.match(/replacing a run of another config/g) ?? []).length, 2, changed.stdout);
    assert.doesNotMatch(changed.stdout, /reusing/);
    const section = seedSummariesSection(root, ['spd-pendulum', 'spd-mass-spring'], 'npm run seeds -- spd-pendulum --seeds 2508,2509,2510');
    assert.equal(section, '_No runs over seeds yet: `npm run seeds -- spd-pendulum --seeds 2508,2509,2510`._', 'only default-scale summaries go into the README');
  });

  it('the README section over seeds lists each default-scale summary under its experiment, in the given order', () => {
    const root = tmpDir('metadyn-seeds-readme-');
    for (const id of ['spd-duffing', 'spd-pendulum']) {
      fs.mkdirSync(path.join(root, 'seeds', id, 'default'), { recursive: true });
      fs.writeFileSync(path.join(root, 'seeds', id, 'default', 'summary.md'), `table of ${id}\n`);
    }
    assert.equal(seedSummariesSection(root, ['spd-pendulum', 'spd-mass-spring', 'spd-duffing'], 'unused'), '**spd-pendulum** — table of spd-pendulum\n\n**spd-duffing** — table of spd-duffing');
    // With its summary.json beside it, the section names the revision each seed ran at, grouped.
    const runs = [
      { seed: 1, gitRevision: '776916e65213e7829d34a15e619fa50380c6b03e', gitDirty: false },
      { seed: 2, gitRevision: '49eadf748563108141a96752a0c9958cd1fd7908', gitDirty: true },
      { seed: 3, gitRevision: '49eadf748563108141a96752a0c9958cd1fd7908', gitDirty: true },
    ];
    fs.writeFileSync(path.join(root, 'seeds', 'spd-duffing', 'default', 'summary.json'), JSON.stringify({ runs }));
    assert.equal(
      seedSummariesSection(root, ['spd-duffing'], 'unused'),
      '**spd-duffing** — table of spd-duffing\n\nRuns: seed 1 at revision 776916e; seeds 2, 3 at revision 49eadf7 (with uncommitted changes).',
    );
  });

  it('marks a summary whose seeds ran another config than the current default, naming the fields that changed', () => {
    const vdp = experimentById('imode-van-der-pol');
    const current = (seed: number) => vdp.config('default', { seed });
    const asRun = (seed: number, config: Record<string, unknown>) => ({ seed, configHash: configHash(config), config, gitRevision: 'abc1234', gitDirty: false });
    const command = 'npm run seeds -- imode-van-der-pol --seeds 1,2 --scale default';
    const upToDate = { command, overrides: {}, runs: [asRun(1, current(1)), asRun(2, current(2))] };
    assert.equal(staleSeedsNote('imode-van-der-pol', upToDate), '');
    const older = { ...current(2), outerIterations: 7 };
    const oneStale = { command, overrides: {}, runs: [asRun(1, current(1)), asRun(2, older)] };
    assert.equal(
      staleSeedsNote('imode-van-der-pol', oneStale),
      `**Stale:** seed 2 ran another config than the current default (outerIterations 7 → ${current(2).outerIterations}); \`${command}\` reruns it.`,
    );
    const root = tmpDir('metadyn-seeds-stale-');
    const dir = path.join(root, 'seeds', 'imode-van-der-pol', 'default');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'summary.md'), 'table\n');
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(oneStale));
    assert.match(seedSummariesSection(root, ['imode-van-der-pol'], 'unused'), /table\n\nRuns: seeds 1, 2 at revision abc1234\.\n\n\*\*Stale:\*\* seed 2/);
  });
});
