/**
 * `npm run reproduce [-- --scale default|paper] [--jobs N] [experiment-id ...]`: execute the experiment notebooks at
 * the default (README) scale into results/notebooks/, N at a time (default one per core: each kernel is one
 * single-threaded wasm process), longest first by the wall time of the committed results (so the longest run does not
 * start last), continuing past a failure so that one broken experiment does not cost the others' hours; then
 * regenerate the README tables from results/ (default
 * scale only: the README shows default-scale numbers) so the tables always match the committed metrics. Exit code 1 if any step
 * failed, 2 on a usage error.
 */
import * as path from 'path';
import {
  lastWallSeconds,
  longestFirst,
  REPO_ROOT,
  formatNotebookSummary,
  listNotebooks,
  parseRunArgs,
  runCli,
  runNotebooks,
  runProcess,
  selectNotebooks,
} from './notebooks';

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

async function main(): Promise<number> {
  const started = Date.now();
  const args = parseRunArgs(process.argv.slice(2), 'default');
  const { notebooks, ignored } = listNotebooks();
  ignored.forEach((f) => console.log(`skipping notebooks/${f}: name is not NN-<experiment-id>.ipynb`));
  const chosen = selectNotebooks(args.ids, notebooks);
  // The executed copies live two folders below the root, where the notebooks' relative
  // <script src="../node_modules/..."> to Plotly does not resolve: embed Plotly in them instead.
  process.env.PLOTLY_INLINE = process.env.PLOTLY_INLINE ?? '1';
  const ordered = args.scale === 'default' ? longestFirst(chosen, lastWallSeconds) : chosen;
  console.log(`reproducing ${chosen.length} experiment(s) at scale '${args.scale}', ${args.jobs} at a time, into ${args.outDir}`);
  const runs = await runNotebooks(ordered, { scale: args.scale, outDir: args.outDir }, undefined, args.jobs);
  console.log(formatNotebookSummary(runs));

  let tablesOk = true;
  if (args.scale === 'default') {
    console.log('regenerating README tables: tsx src/cli/readmeTables.ts');
    const tables = await runProcess(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [path.join(REPO_ROOT, 'src', 'cli', 'readmeTables.ts')]);
    tablesOk = tables.code === 0;
    if (!tablesOk) console.log(`FAILED readme tables (exit code ${tables.code})`);
  }
  console.log(`total wall time ${formatDuration((Date.now() - started) / 1000)}`);
  return runs.every((r) => r.ok) && tablesOk ? 0 : 1;
}

runCli(main);
