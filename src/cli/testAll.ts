/**
 * `npm test`: the type-check, the mocha suite and every notebook at smoke scale, in that order.
 *
 * All three stages always run, so one report shows every problem. The total counts the type-check as one item,
 * each mocha test, and each notebook; the very last line printed is exactly `N passed, M failed` (CI greps it),
 * and the exit code is 0 iff M is 0. Mocha's counts are read from the spec reporter's epilogue
 * ("12 passing", "2 pending", "1 failing"); a mocha that crashes before printing them, or exits non-zero with
 * no failing test, counts as one failure so that it can never pass silently.
 */
import * as path from 'path';
import { REPO_ROOT, defaultJobs, defaultOutDir, runCli } from './commandLine';
import { type NotebookRun, formatNotebookSummary, formatRunLine, runNotebooks } from './notebookExecution';
import { listNotebooks } from './notebooks';
import { runProcess, stripAnsi } from './processes';

export interface MochaCounts {
  passing: number;
  failing: number;
  pending: number;
}

/** The counts from mocha's spec-reporter epilogue, or null if it never printed "N passing". */
export function parseMochaCounts(output: string): MochaCounts | null {
  const text = stripAnsi(output);
  const last = (word: string): number | null => {
    const matches = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))];
    return matches.length ? Number(matches[matches.length - 1][1]) : null;
  };
  const passing = last('passing');
  if (passing === null) return null;
  return { passing, failing: last('failing') ?? 0, pending: last('pending') ?? 0 };
}

/** Mocha's contribution to the totals, given its parsed counts and exit code. */
export function mochaTotals(counts: MochaCounts | null, exitCode: number): { passed: number; failed: number } {
  if (!counts) return { passed: 0, failed: 1 };
  const failed = counts.failing > 0 || exitCode === 0 ? counts.failing : 1;
  return { passed: counts.passing, failed };
}

export function formatTotals(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}

const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules', '.bin', name);

function heading(title: string): void {
  console.log(`\n=== ${title} ===`);
}

async function main(): Promise<number> {
  heading('typecheck: tsc --noEmit -p .');
  const typecheck = await runProcess(bin('tsc'), ['--noEmit', '-p', '.']);
  const typecheckOk = typecheck.code === 0;
  console.log(typecheckOk ? 'typecheck ok' : `typecheck failed (tsc exit code ${typecheck.code})`);

  heading('unit tests: mocha');
  const colour = process.stdout.isTTY ? ['--color'] : ['--no-color'];
  const mocha = await runProcess(bin('mocha'), ['--reporter', 'spec', ...colour], { captureStdout: true, echo: true });
  const counts = parseMochaCounts(mocha.stdout);
  const mochaResult = mochaTotals(counts, mocha.code);

  heading('notebooks at smoke scale');
  const runs: NotebookRun[] = [];
  let listingProblem = '';
  try {
    const { notebooks, ignored } = listNotebooks();
    ignored.forEach((f) => console.log(`skipping notebooks/${f}: name is not NN-<experiment-id>.ipynb`));
    const outDir = defaultOutDir('smoke');
    // Results and checkpoints of the smoke runs go beside the executed copies, never into results/: a checkpoint
    // left by an earlier run of the same config would otherwise let a notebook skip the code under test.
    process.env.METADYN_RESULTS_ROOT = path.join(outDir, 'results');
    if (notebooks.length) console.log(`executed copies and their results go to ${outDir}`);
    runs.push(...(await runNotebooks(notebooks, { scale: 'smoke', outDir }, undefined, defaultJobs())));
  } catch (e) {
    // a broken notebooks/ folder (two notebooks with one id) must still end in the totals line
    listingProblem = (e as Error).message;
    console.log(`FAILED notebooks/: ${listingProblem}`);
  }
  const notebooksPassed = runs.filter((r) => r.ok).length;
  const notebooksFailed = runs.length - notebooksPassed + (listingProblem ? 1 : 0);

  heading('summary');
  console.log(`typecheck  ${typecheckOk ? 'ok' : 'FAIL'}`);
  console.log(
    counts
      ? `mocha      ${counts.passing} passing, ${counts.failing} failing, ${counts.pending} pending` +
          (mochaResult.failed > counts.failing ? ` (but mocha exited with code ${mocha.code})` : '')
      : `mocha      FAIL: no test summary (mocha exited with code ${mocha.code} before reporting)`,
  );
  console.log(`notebooks  ${listingProblem ? `FAIL: ${listingProblem}` : formatNotebookSummary(runs)}`);
  runs.forEach((r) => console.log(`           ${formatRunLine(r)}`));
  const passed = (typecheckOk ? 1 : 0) + mochaResult.passed + notebooksPassed;
  const failed = (typecheckOk ? 0 : 1) + mochaResult.failed + notebooksFailed;
  console.log(formatTotals(passed, failed));
  return failed === 0 ? 0 : 1;
}

if (require.main === module) runCli(main);
