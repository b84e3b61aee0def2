/**
 * The Slurm side of `npm run reproduce -- --slurm`: a job array with one task per cell of a manifest (./cells.ts),
 * and a merge job that starts once every task has succeeded (--dependency=afterok on the array job, which waits for
 * all its tasks). A failed task makes the dependency unsatisfiable, and --kill-on-invalid-dep=yes then cancels the
 * merge instead of leaving it pending for ever; submitting again redoes only what is missing (a finished cell reloads
 * its checkpoint). Both jobs run `npm run cell` in the checkout, which every node must see at the same path.
 */
import * as path from 'path';
import { ConfigError, DataError } from '../core/errors';
import { MANIFEST_FILE } from './cells';
import { runProcess } from './processes';

export interface BatchScripts {
  /** the job array: task i runs cell i of the manifest */
  cells: string;
  /** the merge: every experiment's full run on the finished cells */
  merge: string;
}

export interface BatchPlan {
  /** the run directory: cells.json, the two scripts, logs/ */
  dir: string;
  /** the checkout the jobs run in */
  repo: string;
  cellCount: number;
  /** what the header comment says made this submission */
  command: string;
}

/** Where a task's output goes: logs/cell-<index>.out (%a is Slurm's array index); the merge's is logs/merge.out. */
export function logFiles(dir: string): { cells: string; merge: string } {
  return { cells: path.join(dir, 'logs', 'cell-%a.out'), merge: path.join(dir, 'logs', 'merge.out') };
}

/** A word for a POSIX shell, quoted when it needs to be. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The two batch scripts. sbatch reads `#SBATCH` lines before the shell runs, without shell quoting, so paths with
 * white space are refused (ConfigError) rather than silently split. stderr goes to the same log as stdout (no
 * --error). One CPU a task: every cell is one single-threaded wasm process. `npm run cell` resolves through PATH,
 * which sbatch exports from the submitting shell (its default --export=ALL).
 */
export function batchScripts(plan: BatchPlan): BatchScripts {
  if (plan.cellCount < 1) throw new ConfigError('no cells to submit');
  for (const p of [plan.dir, plan.repo]) if (/\s/.test(p)) throw new ConfigError(`Slurm's #SBATCH lines cannot hold a path with white space: '${p}'`);
  const manifest = path.join(plan.dir, MANIFEST_FILE);
  const logs = logFiles(plan.dir);
  const header = (what: string) => [
    '#!/bin/bash',
    `# metadyn-ts ${what}, written by: ${plan.command}`,
    `# cells: ${manifest}`,
  ];
  const directives = (name: string, output: string, array: string[]) => [
    `#SBATCH --job-name=${name}`,
    ...array,
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --chdir=${plan.repo}`,
    `#SBATCH --output=${output}`,
  ];
  const body = (args: string) => ['set -euo pipefail', `cd ${shellWord(plan.repo)}`, `exec npm run --silent cell -- --manifest ${shellWord(manifest)} ${args}`, ''];
  return {
    cells: [
      ...header(`job array, one task per cell (${plan.cellCount})`),
      ...directives('metadyn-cells', logs.cells, [`#SBATCH --array=0-${plan.cellCount - 1}`]),
      ...body('--index "$SLURM_ARRAY_TASK_ID"'),
    ].join('\n'),
    merge: [...header('merge: every experiment run on its finished cells'), ...directives('metadyn-merge', logs.merge, []), ...body('--merge')].join('\n'),
  };
}

/** sbatch's arguments for the array (`extra`: the user's --sbatch-arg values, which override the scripts' lines). */
export function arraySubmitArgs(script: string, extra: readonly string[]): string[] {
  return ['--parsable', ...extra, script];
}

/** sbatch's arguments for the merge: it waits for every task of `arrayJobId` to succeed, and dies if one fails. */
export function mergeSubmitArgs(script: string, arrayJobId: string, extra: readonly string[]): string[] {
  return ['--parsable', `--dependency=afterok:${arrayJobId}`, '--kill-on-invalid-dep=yes', ...extra, script];
}

/** The job id in `sbatch --parsable`'s output, `<id>` or `<id>;<cluster>`. */
export function parseSbatchJobId(output: string): string {
  const m = /^(\d+)(?:;\S+)?$/.exec(output.trim());
  if (!m) throw new DataError(`sbatch --parsable printed '${output.trim()}', not a job id`);
  return m[1];
}

/** Runs sbatch and returns the job id; a failed sbatch (its message is on stderr) is an Error naming its exit code. */
export async function sbatch(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { code, stdout } = await runProcess('sbatch', args, { env, captureStdout: true });
  if (code !== 0) throw new Error(`sbatch ${args.join(' ')} failed with exit code ${code}${code === 127 ? ' (is Slurm installed and sbatch on PATH?)' : ''}`);
  return parseSbatchJobId(stdout);
}
