import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { CELL_METHODS, type Cell, cellId, listCells, manifestCell, mergeGroups, mergeUpdatesReadme, parseCellId, readManifest, runCell, runMerge, runDirectory, writeManifest } from '../../src/cli/cells';
import { parseCellRunArgs, wantsCells } from '../../src/cli/reproduceCells';
import { seedRunDirs } from '../../src/cli/seeds';
import { ConfigError } from '../../src/core/errors';
import { experimentResultsDir } from '../../src/experiments/experiment';
import { repoRoot } from '../../src/core/paths';
import { readMetrics } from '../../src/core/results';
import { PAPER_B_METHOD_NAMES } from '../../src/experiments/paperBHamiltonian';
import { tmpDir, withResultsRoot } from '../helpers/tmpDir';

const NO_ROOT: NodeJS.ProcessEnv = {};
const configError = (pattern: RegExp) => (e: unknown) => e instanceof ConfigError && pattern.test(e.message);

describe('cli/cells: listing', () => {
  it('gives a Paper B experiment a cell per method but Scratch, an iMODE experiment one per seed, in a stable order with stable ids', () => {
    const cells = listCells({ ids: ['spd-pendulum', 'imode-bistable'], scale: 'smoke', env: NO_ROOT });
    assert.deepEqual(CELL_METHODS, PAPER_B_METHOD_NAMES.slice(1));
    assert.deepEqual(
      cells.map((c) => c.id),
      [
        'spd-pendulum/maml/smoke/seed-2508',
        'spd-pendulum/anil/smoke/seed-2508',
        'spd-pendulum/reptile/smoke/seed-2508',
        'spd-pendulum/shift/smoke/seed-2508',
        'spd-pendulum/fw/smoke/seed-2508',
        'spd-pendulum/ro/smoke/seed-2508',
        'spd-pendulum/mr/smoke/seed-2508',
        'spd-pendulum/svd/smoke/seed-2508',
        'spd-pendulum/mr-v1/smoke/seed-2508',
        `imode-bistable/smoke/seed-${cells[9].seed}`,
      ],
    );
    assert.equal(cells[9].method, undefined);
    assert.ok(!('method' in cells[9]), 'an iMODE cell has no method key (the manifest round-trips exactly)');
    assert.deepEqual(listCells({ ids: ['spd-pendulum', 'imode-bistable'], scale: 'smoke', env: NO_ROOT }), cells, 'the same listing twice');
    cells.forEach((c) => assert.equal(c.id, cellId(c)));
  });

  it('counts: every experiment, several seeds, a subset of methods', () => {
    const all = listCells({ ids: [], scale: 'default', env: NO_ROOT });
    assert.equal(all.length, 6 + 5 * 9, '6 iMODE experiments and 5 Paper B systems of 9 meta-trained methods');
    const seeded = listCells({ ids: ['spd-dno', 'imode-van-der-pol'], scale: 'smoke', seeds: [7, 8, 9], env: NO_ROOT });
    assert.equal(seeded.length, 3 * 9 + 3);
    assert.deepEqual([...new Set(seeded.map((c) => c.seed))], [7, 8, 9]);
    assert.equal(new Set(seeded.map((c) => c.id)).size, seeded.length, 'ids are unique');
    const some = listCells({ ids: ['spd-tgc'], scale: 'smoke', methods: ['svd', 'MAML', 'RO', 'mr-v1'], env: NO_ROOT });
    assert.deepEqual(some.map((c) => c.method), ['MAML', 'RO', 'SVD', 'MR-v1'], 'methods in PAPER_B_METHOD_NAMES order whatever the order asked');
  });

  it('puts the configured seed in the ordinary results root and other seeds where npm run seeds keeps them', () => {
    const root = tmpDir('metadyn-cells-root-');
    const [own, other] = listCells({ ids: ['spd-pendulum'], scale: 'smoke', seeds: [2508, 11], methods: ['SVD'], env: { METADYN_RESULTS_ROOT: root } });
    assert.equal(own.resultsRoot, root);
    assert.equal(other.resultsRoot, path.join(root, 'seeds', 'spd-pendulum', 'smoke', 'seed-11'));
    const [repo] = listCells({ ids: ['spd-pendulum'], scale: 'default', methods: ['SVD'], env: NO_ROOT });
    assert.equal(repo.resultsRoot, null, 'the repository results/ (what the README reads)');
    assert.equal(mergeUpdatesReadme([repo]), true);
    assert.equal(mergeUpdatesReadme([own, other]), false);
    const [set] = listCells({ ids: ['spd-pendulum'], scale: 'smoke', methods: ['SVD'], overrides: { seed: 5, width: 6 }, env: NO_ROOT });
    assert.deepEqual([set.seed, set.overrides, set.resultsRoot], [5, { width: 6 }, null], '--set seed=… is the configured seed, as in npm run experiment');
  });

  it('npm run seeds looks for each seed\'s run where the cells put it (the configured seed in the scale\'s own folder)', () => {
    const env = { METADYN_RESULTS_ROOT: tmpDir('metadyn-cells-seeds-') };
    const cells = listCells({ ids: ['spd-pendulum'], scale: 'converged', seeds: [2508, 2509], methods: ['SVD'], env });
    cells.forEach((c) => {
      const written = experimentResultsDir(c.experiment, c.scale, { METADYN_RESULTS_ROOT: c.resultsRoot ?? undefined });
      const looked = seedRunDirs(c.experiment, c.scale, c.seed, 2508, env);
      assert.ok(looked.includes(written), `seed ${c.seed}: written to ${written}, looked for in ${looked.join(', ')}`);
    });
    assert.equal(seedRunDirs('spd-pendulum', 'converged', 2509, 2508, env).length, 1, 'another seed is only looked for in its own folder');
  });

  it('rejects a bad experiment, method, seed, scale or override before any work, saying what is allowed', () => {
    const list = (l: Partial<Parameters<typeof listCells>[0]>) => () => listCells({ ids: ['spd-pendulum'], scale: 'smoke', env: NO_ROOT, ...l });
    assert.throws(list({ ids: ['spd-pendulumm'] }), configError(/unknown experiment 'spd-pendulumm'; known: .*spd-pendulum/));
    assert.throws(list({ methods: ['SVDD'] }), configError(/unknown method 'SVDD' for spd-pendulum; the methods with a cell: MAML, ANIL, .*MR-v1/));
    assert.throws(list({ methods: ['Scratch'] }), configError(/Scratch has no meta-training, so it has no cell/));
    assert.throws(list({ ids: ['imode-bistable'], methods: ['SVD'] }), configError(/--methods applies to the Paper B experiments/));
    assert.throws(list({ ids: ['spd-pendulum', 'spd-pendulum'] }), configError(/named twice/));
    assert.throws(list({ seeds: [1], overrides: { seed: 2 } }), configError(/conflicts with --seeds/));
    assert.throws(list({ seeds: [-1] }), configError(/seed/));
    assert.throws(list({ overrides: { widht: 3 } }), configError(/widht/));
    assert.throws(list({ ids: ['imode-bistable'], scale: 'converged' as never }), ConfigError);
  });

  it('parses a cell id back, and names the expected form for a bad one', () => {
    assert.deepEqual(parseCellId('spd-pendulum/mr-v1/smoke/seed-2508'), { experiment: 'spd-pendulum', method: 'MR-v1', scale: 'smoke', seed: 2508 });
    assert.deepEqual(parseCellId('imode-bistable/paper/seed-3'), { experiment: 'imode-bistable', method: undefined, scale: 'paper', seed: 3 });
    assert.throws(() => parseCellId('spd-pendulum/svd/smoke'), configError(/not a cell id; expected <experiment>\[\/<method>\]\/<scale>\/seed-<seed>/));
    assert.throws(() => parseCellId('spd-pendulum/smoke/seed-1'), configError(/spd-pendulum has a cell per method/));
    assert.throws(() => parseCellId('imode-bistable/svd/smoke/seed-1'), configError(/one cell per seed/));
    assert.throws(() => parseCellId('spd-pendulum/svd/huge/seed-1'), configError(/scale of cell .* must be one of/));
    assert.throws(() => parseCellId('spd-pendulum/xyz/smoke/seed-1'), configError(/unknown method 'xyz'/));
  });

  it('writes a manifest that reads back, indexes it with a clear range, and groups cells per (experiment, seed)', () => {
    const cells = listCells({ ids: ['spd-duffing', 'imode-slinky'], scale: 'smoke', seeds: [1, 2], methods: ['SVD', 'MAML'], env: NO_ROOT });
    const dir = runDirectory('slurm', cells, new Date('2026-01-02T03:04:05.678Z'), { METADYN_RESULTS_ROOT: tmpDir('metadyn-manifest-') });
    assert.match(path.basename(dir), /^20260102T030405Z-[0-9a-f]{8}$/);
    const file = writeManifest(dir, { createdAt: 'now', command: 'test', scale: 'smoke', cells });
    const manifest = readManifest(file);
    assert.deepEqual(manifest.cells, cells);
    assert.equal(manifestCell(manifest, 4, file).id, 'imode-slinky/smoke/seed-1');
    assert.equal(manifestCell(manifest, 5, file).id, 'imode-slinky/smoke/seed-2');
    assert.throws(() => manifestCell(manifest, 6, file), configError(/--index must be an integer in \[0, 5\]/));
    fs.writeFileSync(file, '{"cells": 3}');
    assert.throws(() => readManifest(file), /not a cell manifest/);
    const groups = mergeGroups(cells);
    assert.deepEqual(groups.map((g) => [g.experiment, g.seed, g.cells.length]), [['spd-duffing', 1, 2], ['spd-duffing', 2, 2], ['imode-slinky', 1, 1], ['imode-slinky', 2, 1]]);
  });
});

describe('cli/reproduceCells: arguments', () => {
  it('takes the cell path only with --cells or --slurm, and rejects mixed options', () => {
    assert.equal(wantsCells(['--jobs', '2', 'spd-pendulum']), false, 'the notebook path stays the default');
    assert.equal(wantsCells(['--slurm']), true);
    const args = parseCellRunArgs(['--cells', '--jobs', '3', '--scale', 'smoke', '--seeds', '4,5', '--methods', 'SVD,MAML', '--set', 'width=6', 'spd-pendulum'], 2);
    assert.deepEqual(args, { mode: 'cells', scale: 'smoke', ids: ['spd-pendulum'], seeds: [4, 5], methods: ['SVD', 'MAML'], overrides: { width: 6 }, jobs: 3, sbatchArgs: [] });
    const slurm = parseCellRunArgs(['--slurm', '--sbatch-arg=--partition=short', '--sbatch-arg=--time=01:00:00'], 2);
    assert.deepEqual([slurm.mode, slurm.scale, slurm.jobs, slurm.sbatchArgs], ['slurm', 'default', 2, ['--partition=short', '--time=01:00:00']]);
    assert.throws(() => parseCellRunArgs(['--cells', '--slurm']), configError(/give one of --cells/));
    assert.throws(() => parseCellRunArgs(['--slurm', '--jobs', '2']), configError(/--jobs is for --cells/));
    assert.throws(() => parseCellRunArgs(['--cells', '--sbatch-arg=-p x']), configError(/--sbatch-arg is for --slurm/));
    assert.throws(() => parseCellRunArgs(['--cells', '--jobs', '0']), configError(/--jobs must be a positive integer/));
    assert.throws(() => parseCellRunArgs(['--cells', '--seeds', '1,1']), configError(/repeated seed/));
    assert.throws(() => parseCellRunArgs(['--cells', '--bogus']), configError(/bogus.*usage: npm run reproduce/));
  });
});

describe('cli/cells: running cells (smoke)', () => {
  it('a Paper B cell meta-trains its one method into the checkpoint the experiment uses; run again, it only reloads it', async () => {
    await withResultsRoot('metadyn-cell-run-', async (root) => {
      const [cell] = listCells({ ids: ['spd-mass-spring'], scale: 'smoke', methods: ['RO'] });
      const first = await runCell(cell);
      assert.equal(first.training?.iterationsRun, 2, 'smoke: 2 iterations of Algorithm 1');
      const checkpoints = fs.readdirSync(path.join(root, 'smoke', 'spd-mass-spring', 'checkpoints'));
      assert.equal(checkpoints.length, 1, 'one config hash');
      assert.deepEqual(fs.readdirSync(path.join(root, 'smoke', 'spd-mass-spring', 'checkpoints', checkpoints[0])), ['ro']);
      const again = await runCell(cell);
      assert.equal(again.training?.iterationsRun, 0);
      assert.equal(process.env.METADYN_RESULTS_ROOT, root, 'the results root is restored');
    });
  });

  it('an iMODE cell is the whole experiment run, and its merge keeps that run', async () => {
    await withResultsRoot('metadyn-cell-imode-', async (root) => {
      const cells: Cell[] = listCells({ ids: ['imode-van-der-pol'], scale: 'smoke', seeds: [3] });
      const outcome = await runCell(cells[0]);
      assert.equal(outcome.resultsDir, path.join(root, 'seeds', 'imode-van-der-pol', 'smoke', 'seed-3', 'smoke', 'imode-van-der-pol'));
      assert.equal(readMetrics(outcome.resultsDir!).provenance.seed, 3);
      const merged = await runMerge(mergeGroups(cells)[0]);
      assert.deepEqual([merged.ran, merged.dir], [false, outcome.resultsDir]);
    });
    assert.ok(!fs.existsSync(path.join(repoRoot(), 'results', 'seeds', 'imode-van-der-pol', 'smoke')), 'nothing written into the repository');
  });
});
