/**
 * Headless notebook execution shared by `npm test`, `npm run notebooks` and `npm run reproduce`.
 *
 * A notebook is `notebooks/NN-<experiment-id>.ipynb` (../core/jupyter.ts); the id is the contract between a notebook,
 * its `results/<experiment-id>/` folder and the command line. Each notebook runs in a fresh tslab kernel through
 * `scripts/execute_notebook.py` (nbclient), because nbclient's cell hooks let us name the first failing cell,
 * which `jupyter nbconvert --execute` does not. The kernel is the one `npm run setup` registers in the git-ignored
 * prefix `.jupyter/` (its kernel.json holds an absolute path, so every checkout registers its own), found through
 * JUPYTER_PATH; it runs with cwd `notebooks/`, so `./src/...` imports resolve through the `notebooks/src -> ../src`
 * symlink. The scale reaches the notebook as METADYN_SCALE; METADYN_BACKEND and PLOTLY_INLINE pass through.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { SCALES, type Scale } from '../core/config';
import { ConfigError } from '../core/errors';
import { SYSTEM_PYTHON, parseNotebookFileName } from '../core/jupyter';
import { reusedMetaTrainSeconds } from '../core/results';

export { SCALES, type Scale };

/** The repository root (this file is src/cli/notebooks.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const KERNEL_NAME = 'tslab';

export interface Notebook {
  /** e.g. 1 */
  number: number;
  /** e.g. 'imode-pendulum' */
  id: string;
  /** the file name without extension, e.g. '01-imode-pendulum' */
  name: string;
  /** absolute path */
  file: string;
}

export function parseScale(value: string, field = '--scale'): Scale {
  if (!(SCALES as readonly string[]).includes(value)) {
    throw new ConfigError(`${field} must be one of ${SCALES.join(', ')}, got '${value}'`);
  }
  return value as Scale;
}

/**
 * The experiment notebooks in `dir`, sorted by number. Other .ipynb files are returned in `ignored` so a
 * misnamed notebook is reported rather than silently skipped by CI.
 */
export function listNotebooks(dir = path.join(REPO_ROOT, 'notebooks')): { notebooks: Notebook[]; ignored: string[] } {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort() : [];
  const notebooks: Notebook[] = [];
  const ignored: string[] = [];
  for (const f of files) {
    const parsed = parseNotebookFileName(f);
    if (parsed) notebooks.push({ ...parsed, name: f.slice(0, -'.ipynb'.length), file: path.join(dir, f) });
    else ignored.push(f);
  }
  notebooks.sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
  for (let i = 1; i < notebooks.length; i++) {
    const twin = notebooks.slice(0, i).find((n) => n.id === notebooks[i].id);
    if (twin) {
      throw new ConfigError(
        `experiment id '${notebooks[i].id}' is used by two notebooks: ${twin.name}.ipynb and ${notebooks[i].name}.ipynb`,
      );
    }
  }
  return { notebooks, ignored };
}

/** The notebook for an experiment id (or its full name, e.g. '01-imode-pendulum'). */
export function notebookForId(id: string, notebooks: readonly Notebook[]): Notebook {
  const found = notebooks.find((n) => n.id === id || n.name === id);
  if (!found) {
    const known = notebooks.length ? notebooks.map((n) => n.id).join(', ') : '(none: notebooks/ has no NN-<id>.ipynb)';
    throw new ConfigError(`unknown experiment id '${id}'; known ids: ${known}`);
  }
  return found;
}

/** The notebooks named by `ids`, in notebook order; all of them when `ids` is empty. */
export function selectNotebooks(ids: readonly string[], notebooks: readonly Notebook[]): Notebook[] {
  if (ids.length === 0) return [...notebooks];
  const chosen = new Set(ids.map((id) => notebookForId(id, notebooks)));
  return notebooks.filter((n) => chosen.has(n));
}

/** Per-cell timeout in seconds, 0 = none: smoke runs must finish in seconds, real runs may take hours. */
export function cellTimeoutSeconds(scale: Scale): number {
  return scale === 'smoke' ? 600 : 0;
}

/** Smoke copies go outside the tree (they are throwaway); real runs go to results/notebooks/. */
export function defaultOutDir(scale: Scale, root = REPO_ROOT): string {
  return scale === 'smoke' ? path.join(os.tmpdir(), `metadyn-smoke-${process.pid}`) : path.join(root, 'results', 'notebooks');
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

/** What scripts/execute_notebook.py prints as its one stdout line. */
export interface DriverReport {
  status: 'ok' | 'failed' | 'error';
  cellIndex?: number;
  firstLine?: string;
  ename?: string;
  evalue?: string;
  /** lines of the kernel's `error` outputs (tslab sends none) */
  traceback?: string[];
  /** the failing cell's stderr, where tslab writes compile errors and uncaught exceptions */
  stderr?: string;
}

export interface CellFailure {
  /** 0-based index over all cells of the notebook, markdown included (nbclient's numbering) */
  cellIndex: number;
  firstLine: string;
  ename: string;
  evalue: string;
  /** the kernel's traceback or the cell's stderr, ANSI colours removed */
  details: string;
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

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

const THROWN_ERROR_LINE = /^((?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)): (.*)$/;
const COMPILE_DIAGNOSTIC = /^\d+:\d+ - .*$/;

/**
 * Name the error of a failed cell. tslab replies with the placeholder ename '<Error>' and an empty evalue, and
 * writes the real message to stderr: `1:7 - Type 'string' is not …` for a compile error, Node's uncaught-error
 * report (`ConfigError: latentDim must be …` followed by the stack) for a runtime error, or just the value for
 * a thrown non-Error. Kernels that send proper error replies keep their ename/evalue.
 */
export function describeCellFailure(report: DriverReport): CellFailure {
  const stderr = stripAnsi(report.stderr ?? '');
  const traceback = stripAnsi((report.traceback ?? []).join('\n'));
  const lines = stderr.split('\n').map((l) => l.trimEnd());
  let ename = report.ename ?? '';
  let evalue = report.evalue ?? '';
  if (ename === '' || ename === '<Error>') {
    const thrown = lines.filter((l) => THROWN_ERROR_LINE.test(l)).pop();
    const diagnostics = lines.filter((l) => COMPILE_DIAGNOSTIC.test(l));
    if (thrown) {
      const m = THROWN_ERROR_LINE.exec(thrown) as RegExpExecArray;
      ename = m[1];
      evalue = m[2];
    } else if (diagnostics.length) {
      ename = 'CompileError';
      evalue = diagnostics.join('; ');
    } else {
      ename = 'Error';
      evalue = lines.filter((l) => l.trim() !== '').pop() ?? '(no message; the kernel wrote nothing to stderr)';
    }
  }
  return {
    cellIndex: report.cellIndex ?? -1,
    firstLine: report.firstLine ?? '',
    ename,
    evalue,
    details: (traceback || stderr).trimEnd(),
  };
}

/** `FAILED notebooks/01-x.ipynb cell 3 (const model = …): ConfigError: latentDim must be …` */
export function formatCellFailure(notebookPath: string, failure: CellFailure): string {
  return `FAILED ${notebookPath} cell ${failure.cellIndex} (${failure.firstLine}): ${failure.ename}: ${failure.evalue}`;
}

/** `ok   01-imode-pendulum (12.3 s)` or `FAIL 01-imode-pendulum (3.0 s)` */
export function formatRunLine(run: Pick<NotebookRun, 'ok' | 'seconds' | 'notebook'>): string {
  return `${run.ok ? 'ok  ' : 'FAIL'} ${run.notebook.name} (${run.seconds.toFixed(1)} s)`;
}

export function formatNotebookSummary(runs: readonly Pick<NotebookRun, 'ok'>[]): string {
  const passed = runs.filter((r) => r.ok).length;
  return `${passed} notebooks passed, ${runs.length - passed} failed`;
}

export interface ProcessResult {
  code: number;
  /** captured stdout when `captureStdout` was set, else '' */
  stdout: string;
}

/**
 * Run a command to completion. stderr always goes to ours; stdout is either inherited or captured (and then
 * also echoed when `echo` is set, so a long mocha run still shows progress). With `outputFile`, stdout and stderr
 * are appended to that file instead (one log per child of a pool, whose outputs would interleave). Never rejects: a
 * command that cannot start yields code 127 and a message on stderr.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; captureStdout?: boolean; echo?: boolean; outputFile?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const log = opts.outputFile === undefined ? null : fs.openSync(opts.outputFile, 'a');
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: log !== null ? ['ignore', log, log] : ['ignore', opts.captureStdout ? 'pipe' : 'inherit', 'inherit'],
    });
    if (log !== null) fs.closeSync(log); // the child holds its own copy
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (opts.echo) process.stdout.write(chunk);
    });
    child.on('error', (e) => {
      process.stderr.write(`cannot run ${command}: ${e.message}\n`);
      resolve({ code: 127, stdout: '' });
    });
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
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

/**
 * `fn` over `items`, at most `jobs` at a time (each call typically waits on a child process), taking the items in
 * order as workers free up; the results come back in the order of `items`.
 */
export async function mapPool<T, R>(items: readonly T[], jobs: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(jobs) || jobs < 1) throw new ConfigError(`jobs must be a positive integer, got ${jobs}`);
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

/** One notebook per core, the default of `--jobs`. */
export function defaultJobs(): number {
  return os.availableParallelism();
}

/**
 * The wall time of the last committed run of each notebook's experiment (results/<id>/provenance.json), or null.
 * A run that reused finished checkpoints (its metrics record more meta-training than its wall time) gets that
 * meta-training added, the cost of the fresh run `reproduce` schedules.
 */
export function lastWallSeconds(notebook: Notebook, root = REPO_ROOT): number | null {
  const dir = path.join(root, 'results', notebook.id);
  const file = path.join(dir, 'provenance.json');
  if (!fs.existsSync(file)) return null;
  const seconds: unknown = JSON.parse(fs.readFileSync(file, 'utf8')).wallSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  return seconds + reusedMetaTrainSeconds(dir, seconds);
}

/** Longest first (greedy scheduling on N workers); experiments never run before go first, as they may be long. */
export function longestFirst(notebooks: readonly Notebook[], seconds: (n: Notebook) => number | null): Notebook[] {
  const key = (n: Notebook) => seconds(n) ?? Infinity;
  return [...notebooks].sort((a, b) => key(b) - key(a) || a.number - b.number);
}

export interface RunArgs {
  scale: Scale;
  outDir: string;
  ids: string[];
  /** notebooks executed at once */
  jobs: number;
}

const RUN_ARGS_USAGE = '[--scale smoke|default|paper|converged] [--out DIR] [--jobs N] [experiment-id ...]';

/** Parse `[--scale S] [--out DIR] [--jobs N] [ids...]` for runNotebooks and reproduce. */
export function parseRunArgs(argv: readonly string[], defaultScale: Scale, jobs = defaultJobs()): RunArgs {
  let parsed: { values: { scale?: string; out?: string; jobs?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { scale: { type: 'string' }, out: { type: 'string' }, jobs: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${RUN_ARGS_USAGE}`);
  }
  const scale = parsed.values.scale === undefined ? defaultScale : parseScale(parsed.values.scale);
  const outDir = parsed.values.out ? path.resolve(parsed.values.out) : defaultOutDir(scale);
  if (parsed.values.jobs !== undefined) {
    jobs = Number(parsed.values.jobs);
    if (!/^\d+$/.test(parsed.values.jobs) || jobs < 1) throw new ConfigError(`--jobs must be a positive integer, got '${parsed.values.jobs}'`);
  }
  return { scale, outDir, ids: parsed.positionals, jobs };
}

/** Run a CLI's main and turn its result into the exit code; a ConfigError is a usage problem (code 2). */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const err = e as Error;
      console.error(err instanceof ConfigError ? `${err.name}: ${err.message}` : err.stack ?? String(e));
      process.exitCode = 2;
    },
  );
}
