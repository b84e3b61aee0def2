/**
 * Headless notebook execution shared by `npm test`, `npm run notebooks` and `npm run reproduce` (which notebooks there
 * are: ./notebooks.ts; what a failed cell reports: ./notebookFailures.ts).
 *
 * Each notebook runs in a fresh tslab kernel through `scripts/execute_notebook.py` (nbclient), because nbclient's
 * cell hooks let us name the first failing cell, which `jupyter nbconvert --execute` does not. The kernel is the one
 * `npm run setup` registers in the git-ignored prefix `.jupyter/` (its kernel.json holds an absolute path, so every
 * checkout registers its own), found through JUPYTER_PATH; it runs with cwd `notebooks/`, so `./src/...` imports
 * resolve through the `notebooks/src -> ../src` symlink. The scale reaches the notebook as METADYN_SCALE;
 * METADYN_BACKEND and PLOTLY_INLINE pass through.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Scale } from '../core/config';
import { SYSTEM_PYTHON } from '../core/jupyter';
import { REPO_ROOT } from './commandLine';
import { type CellFailure, type DriverReport, describeCellFailure, formatCellFailure } from './notebookFailures';
import type { Notebook } from './notebooks';
import { mapPool, runProcess } from './processes';

export const KERNEL_NAME = 'tslab';

/** Per-cell timeout in seconds, 0 = none: smoke runs must finish in seconds, real runs may take hours. */
export function cellTimeoutSeconds(scale: Scale): number {
  return scale === 'smoke' ? 600 : 0;
}

/** The JUPYTER_PATH entry under which `npm run setup` registers the kernel. */
export function jupyterPath(root = REPO_ROOT): string {
  return path.join(root, '.jupyter', 'share', 'jupyter');
}

/** Why the project kernel cannot start, or null if it is registered and points at an existing tslab binary. */
export function kernelProblem(root = REPO_ROOT): string | null {
  const spec = path.join(jupyterPath(root), 'kernels', KERNEL_NAME, 'kernel.json');
  if (!fs.existsSync(spec)) return `the ${KERNEL_NAME} kernel is not registered (${spec} missing); run: npm run setup`;
  const argv: unknown = JSON.parse(fs.readFileSync(spec, 'utf8')).argv;
  const binary = Array.isArray(argv) && typeof argv[0] === 'string' ? argv[0] : '';
  if (!fs.existsSync(binary)) {
    return `${spec} starts '${binary}', which does not exist (checkout moved or node_modules missing); run: npm run setup`;
  }
  return null;
}

export interface NotebookRun {
  notebook: Notebook;
  ok: boolean;
  seconds: number;
  outFile: string;
  /** set when a cell failed */
  failure?: CellFailure;
  /** set when the notebook could not run at all (no kernel, driver crashed) */
  error?: string;
}

/** `ok   01-imode-pendulum (12.3 s)` or `FAIL 01-imode-pendulum (3.0 s)` */
export function formatRunLine(run: Pick<NotebookRun, 'ok' | 'seconds' | 'notebook'>): string {
  return `${run.ok ? 'ok  ' : 'FAIL'} ${run.notebook.name} (${run.seconds.toFixed(1)} s)`;
}

export function formatNotebookSummary(runs: readonly Pick<NotebookRun, 'ok'>[]): string {
  const passed = runs.filter((r) => r.ok).length;
  return `${passed} notebooks passed, ${runs.length - passed} failed`;
}

export interface ExecuteOptions {
  scale: Scale;
  outDir: string;
  root?: string;
}

/** Execute one notebook in a fresh kernel; the executed copy is written to `outDir` even when a cell fails. */
export async function executeNotebook(notebook: Notebook, opts: ExecuteOptions): Promise<NotebookRun> {
  const root = opts.root ?? REPO_ROOT;
  const outFile = path.join(opts.outDir, path.basename(notebook.file));
  const started = Date.now();
  const finish = (fields: Partial<NotebookRun>): NotebookRun => ({
    notebook,
    ok: false,
    seconds: (Date.now() - started) / 1000,
    outFile,
    ...fields,
  });
  const problem = kernelProblem(root);
  if (problem) return finish({ error: problem });

  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: jupyterPath(root), METADYN_SCALE: opts.scale };
  const args = [
    path.join(root, 'scripts', 'execute_notebook.py'),
    notebook.file,
    opts.outDir,
    '--kernel',
    KERNEL_NAME,
    '--timeout',
    String(cellTimeoutSeconds(opts.scale)),
  ];
  const { code, stdout } = await runProcess(SYSTEM_PYTHON, args, { cwd: root, env, captureStdout: true });
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  let report: DriverReport | null = null;
  try {
    report = JSON.parse(lastLine) as DriverReport;
  } catch {
    report = null;
  }
  if (!report) {
    return finish({
      error: `notebook driver exited with code ${code} without a report (is Jupyter installed? run: npm run setup)`,
    });
  }
  if (report.status === 'ok' && code === 0) return finish({ ok: true });
  if (report.status === 'failed') return finish({ failure: describeCellFailure(report) });
  return finish({ error: `could not run the notebook: ${report.ename ?? 'Error'}: ${report.evalue ?? `exit code ${code}`}` });
}

/** The lines printed for a failed run: what failed, then the kernel's report indented. */
export function formatRunProblem(run: NotebookRun, root = REPO_ROOT): string[] {
  const rel = path.relative(root, run.notebook.file);
  if (run.failure) {
    const details = run.failure.details ? run.failure.details.split('\n').map((l) => `    ${l}`) : [];
    return [formatCellFailure(rel, run.failure), ...details];
  }
  return [`FAILED ${rel}: ${run.error ?? 'unknown error'}`];
}

/**
 * Why a run failed in its kernel rather than in its code, or null: the kernel did not start (nbclient's "Kernel didn't
 * respond in N seconds" or "Kernel died before replying to kernel_info"), or it died under a cell (DeadKernelError).
 * tslab's kernel loses zeromq races under load: at start-up ("Socket is blocked by a bind or unbind operation",
 * EBUSY), and while publishing its status ("Socket is busy writing; only one send operation may be in progress",
 * EBUSY, which kills it in the middle of a notebook). A cell that raised is the code's fault and gives null.
 */
export function kernelFault(run: Pick<NotebookRun, 'ok' | 'error' | 'failure'>): string | null {
  if (run.ok) return null;
  if (run.error !== undefined && /Kernel didn't respond|Kernel died before replying to kernel_info/.test(run.error)) return 'its kernel did not start';
  if (run.failure?.ename === 'DeadKernelError') return `its kernel died in cell ${run.failure.cellIndex}`;
  return null;
}

/**
 * Execute notebooks, `jobs` at a time (each in its own kernel process, so one per core), continuing past failures,
 * printing one line per notebook as it finishes. A notebook whose kernel did not start or died (kernelFault) is
 * retried once in a fresh kernel, and the retry is printed; meta-training checkpoints make the retry of a long run
 * cheap. The runs come back in the order of `notebooks`.
 */
export async function runNotebooks(
  notebooks: readonly Notebook[],
  opts: ExecuteOptions,
  log: (line: string) => void = (line) => console.log(line),
  jobs = 1,
  execute: (notebook: Notebook, opts: ExecuteOptions) => Promise<NotebookRun> = executeNotebook,
): Promise<NotebookRun[]> {
  return mapPool(notebooks, jobs, async (notebook) => {
    let run = await execute(notebook, opts);
    const fault = kernelFault(run);
    if (fault) {
      log(`retry ${notebook.id}: ${fault} (${run.error ?? `${run.failure?.ename}: ${run.failure?.evalue}`}); once more in a fresh kernel`);
      run = await execute(notebook, opts);
    }
    log(formatRunLine(run));
    if (!run.ok) formatRunProblem(run, opts.root).forEach((line) => log(line));
    return run;
  });
}
