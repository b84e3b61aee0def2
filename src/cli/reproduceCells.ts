/**
 * The cell path of `npm run reproduce` (./reproduce.ts keeps its notebook path as the default):
 *
 *   npm run reproduce -- --cells [--jobs N] [--scale S] [--seeds a,b,c] [--methods M,…] [--set key=value …] [ids…]
 *   npm run reproduce -- --slurm [--sbatch-arg=--partition=P …] [--scale S] [--seeds a,b,c] [--methods M,…] [ids…]
 *
 * Both list the cells (./cells.ts) and write them as a manifest, cells.json, into a run directory
 * (results/cells/<time>-<hash>/ or results/slurm/<time>-<hash>/, git-ignored). --cells then runs every cell as a child
 * process, N at a time (default one per core), its output in logs/cell-<index>.out, continuing past a failure, and
 * merges in this process every (experiment, seed) whose cells all succeeded. --slurm writes cells.sbatch (a job array,
 * one task per cell) and merge.sbatch, submits the array and then the merge with --dependency=afterok on it, and
 * prints both job ids and the log paths (./slurm.ts). Exit code 1 if a cell or merge failed, 2 on a usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomicWrite';
import type { Scale } from '../core/config';
import { ConfigError } from '../core/errors';
import { type Cell, listCells, mergeAll, mergeGroups, runDirectory, writeManifest } from './cells';
import { REPO_ROOT, defaultJobs, parseOverrides, parseScale } from './commandLine';
import { mapPool, runProcess } from './processes';
import { parseSeedList } from './seeds';
import { arraySubmitArgs, batchScripts, logFiles, mergeSubmitArgs, sbatch } from './slurm';

export interface CellRunArgs {
  mode: 'cells' | 'slurm';
  scale: Scale;
  ids: string[];
  /** empty: each experiment's configured seed */
  seeds: number[];
  /** empty: every method with a cell */
  methods: string[];
  overrides: Record<string, unknown>;
  /** children at once (--cells) */
  jobs: number;
  /** passed to both sbatch calls (--slurm) */
  sbatchArgs: string[];
}

const USAGE =
  'npm run reproduce -- (--cells [--jobs N] | --slurm [--sbatch-arg=ARG ...]) [--scale smoke|default|paper|converged] [--seeds a,b,c] [--methods M,...] [--set key=value ...] [experiment-id ...]';

/** Whether `argv` asks for the cell path rather than the notebooks. */
export function wantsCells(argv: readonly string[]): boolean {
  return argv.includes('--cells') || argv.includes('--slurm');
}

export function parseCellRunArgs(argv: readonly string[], jobs = defaultJobs()): CellRunArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        cells: { type: 'boolean', default: false },
        slurm: { type: 'boolean', default: false },
        scale: { type: 'string', default: 'default' },
        seeds: { type: 'string' },
        methods: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        jobs: { type: 'string' },
        'sbatch-arg': { type: 'string', multiple: true, default: [] },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${USAGE}`);
  }
  const v = parsed.values;
  if (v.cells === v.slurm) throw new ConfigError(`give one of --cells (local processes) and --slurm (a job array); usage: ${USAGE}`);
  if (v.slurm && v.jobs !== undefined) throw new ConfigError('--jobs is for --cells; under --slurm, Slurm decides how many cells run at once');
  const sbatchArgs = v['sbatch-arg'] as string[];
  if (v.cells && sbatchArgs.length > 0) throw new ConfigError('--sbatch-arg is for --slurm');
  if (v.jobs !== undefined) {
    jobs = Number(v.jobs);
    if (!/^\d+$/.test(v.jobs) || jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got '${v.jobs}'`);
  }
  return {
    mode: v.slurm ? 'slurm' : 'cells',
    scale: parseScale(v.scale as string),
    ids: parsed.positionals,
    seeds: v.seeds === undefined ? [] : parseSeedList(v.seeds),
    methods: v.methods === undefined ? [] : v.methods.split(',').map((m) => m.trim()),
    overrides: parseOverrides(v.set as string[]),
    jobs,
    sbatchArgs,
  };
}

/** `npm run reproduce -- …` as typed, for the manifest and the scripts' header. */
function commandLine(argv: readonly string[]): string {
  return ['npm run reproduce --', ...argv].join(' ');
}

/** Lists the cells and writes the run directory with its manifest and logs/. */
function prepare(args: CellRunArgs, argv: readonly string[]): { cells: Cell[]; dir: string; manifest: string } {
  const cells = listCells({ ids: args.ids, scale: args.scale, seeds: args.seeds, methods: args.methods, overrides: args.overrides });
  const now = new Date();
  const dir = runDirectory(args.mode, cells, now);
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const manifest = writeManifest(dir, { createdAt: now.toISOString(), command: commandLine(argv), scale: args.scale, cells });
  console.log(`${cells.length} cell(s) at scale '${args.scale}' in ${manifest}`);
  return { cells, dir, manifest };
}

/** --cells: every cell in a child process, `jobs` at a time, then the merges of the (experiment, seed)s whose cells all succeeded. */
async function runLocal(args: CellRunArgs, argv: readonly string[]): Promise<number> {
  const { cells, dir, manifest } = prepare(args, argv);
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const cellCli = path.join(REPO_ROOT, 'src', 'cli', 'cell.ts');
  console.log(`running them ${args.jobs} at a time; each cell's output in ${path.join(dir, 'logs', 'cell-<index>.out')}`);
  const ok = await mapPool(cells, args.jobs, async (cell, i) => {
    const started = Date.now();
    const log = path.join(dir, 'logs', `cell-${i}.out`);
    const { code } = await runProcess(tsx, [cellCli, '--manifest', manifest, '--index', String(i)], { outputFile: log });
    console.log(`${code === 0 ? 'ok  ' : 'FAIL'} ${cell.id} (${((Date.now() - started) / 1000).toFixed(1)} s)${code === 0 ? '' : `: exit code ${code}, see ${log}`}`);
    return code === 0;
  });
  const failed = new Set(cells.filter((_, i) => !ok[i]).map((c) => c.id));
  const groups = mergeGroups(cells);
  const ready = groups.filter((g) => g.cells.every((id) => !failed.has(id)));
  groups.filter((g) => !ready.includes(g)).forEach((g) => console.log(`[merge] skipped ${g.experiment} (seed ${g.seed}): a cell of it failed`));
  const merged = await mergeAll(ready);
  console.log(`${cells.length - failed.size} cells passed, ${failed.size} failed`);
  return failed.size === 0 && merged ? 0 : 1;
}

/** --slurm: the scripts, the array job, then the merge job depending on it. */
async function submitSlurm(args: CellRunArgs, argv: readonly string[]): Promise<number> {
  const { cells, dir } = prepare(args, argv);
  const scripts = batchScripts({ dir, repo: REPO_ROOT, cellCount: cells.length, command: commandLine(argv) });
  const files = { cells: path.join(dir, 'cells.sbatch'), merge: path.join(dir, 'merge.sbatch') };
  writeFileAtomic(files.cells, scripts.cells);
  writeFileAtomic(files.merge, scripts.merge);
  const arrayJobId = await sbatch(arraySubmitArgs(files.cells, args.sbatchArgs));
  const mergeJobId = await sbatch(mergeSubmitArgs(files.merge, arrayJobId, args.sbatchArgs));
  writeJsonAtomic(path.join(dir, 'jobs.json'), { arrayJobId, mergeJobId, submittedAt: new Date().toISOString() });
  const logs = logFiles(dir);
  console.log(`submitted array job ${arrayJobId} (${cells.length} task(s), logs ${logs.cells.replace('%a', '<index>')})`);
  console.log(`submitted merge job ${mergeJobId} (after every task succeeds; log ${logs.merge})`);
  console.log(`watch: squeue -j ${arrayJobId},${mergeJobId}`);
  return 0;
}

export async function reproduceCells(argv: readonly string[]): Promise<number> {
  const args = parseCellRunArgs(argv);
  return args.mode === 'slurm' ? submitSlurm(args, argv) : runLocal(args, argv);
}
