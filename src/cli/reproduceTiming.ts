/**
 * The wall-time record of one `npm run reproduce`: every notebook's seconds, the run's span and the sum over the
 * notebooks, with the revision, the matrix-product engine asked for and the machine, written as JSON to
 * results/bench/reproduce-<scale>.json. Why: the "reproduce at default under 1 hour" target is checked against a
 * file a run wrote, not against a number typed into a document, and the per-notebook seconds say where the hour goes.
 * The span can exceed sum / jobs: one long notebook on one worker is the critical path.
 */
import * as path from 'path';
import { writeJsonAtomic } from '../core/atomicWrite';
import { baseResultsRoot } from '../core/paths';
import { GitInfo, Provenance, gitInfo, machineInfo } from '../core/results';
import type { NotebookRun } from './notebookExecution';
import { REPO_ROOT } from './commandLine';

export interface ReproduceTiming {
  scale: string;
  jobs: number;
  /** METADYN_MATMUL as given to the kernels ('auto' when unset: OpenBLAS where built) */
  matMulChoice: string;
  gitRevision: string | null;
  gitDirty: boolean | null;
  machine: Provenance['machine'];
  startedAt: string;
  finishedAt: string;
  /** first notebook start to the end of the README tables */
  spanSeconds: number;
  /** Σ over the notebooks of their wall seconds */
  notebookSecondsSum: number;
  notebooks: { id: string; ok: boolean; seconds: number }[];
}

/** The record of runs that started at `startedMs` and ended at `finishedMs`. */
export function reproduceTiming(
  runs: readonly Pick<NotebookRun, 'notebook' | 'ok' | 'seconds'>[],
  run: { scale: string; jobs: number; matMulChoice: string; git: GitInfo; machine: Provenance['machine']; startedMs: number; finishedMs: number },
): ReproduceTiming {
  if (!(run.finishedMs >= run.startedMs)) throw new RangeError(`finishedMs ${run.finishedMs} precedes startedMs ${run.startedMs}`);
  const notebooks = runs.map((r) => ({ id: r.notebook.id, ok: r.ok, seconds: r.seconds }));
  return {
    scale: run.scale,
    jobs: run.jobs,
    matMulChoice: run.matMulChoice,
    gitRevision: run.git.revision,
    gitDirty: run.git.dirty,
    machine: run.machine,
    startedAt: new Date(run.startedMs).toISOString(),
    finishedAt: new Date(run.finishedMs).toISOString(),
    spanSeconds: (run.finishedMs - run.startedMs) / 1000,
    notebookSecondsSum: notebooks.reduce((s, n) => s + n.seconds, 0),
    notebooks,
  };
}

/** Writes the record of this process's reproduce to `<results root>/bench/reproduce-<scale>.json`; returns the file. */
export function writeReproduceTiming(
  runs: readonly Pick<NotebookRun, 'notebook' | 'ok' | 'seconds'>[],
  run: { scale: string; jobs: number; startedMs: number; finishedMs: number },
): string {
  const file = path.join(baseResultsRoot(), 'bench', `reproduce-${run.scale}.json`);
  const record = reproduceTiming(runs, { ...run, matMulChoice: process.env.METADYN_MATMUL ?? 'auto', git: gitInfo(REPO_ROOT), machine: machineInfo() });
  writeJsonAtomic(file, record);
  return file;
}
