/**
 * `npm run reproduce [-- --scale default|paper] [--jobs N] [experiment-id ...]`: execute the experiment notebooks at
 * the default (README) scale into results/notebooks/, N at a time (default one per core: each kernel is one
 * single-threaded wasm process), longest first by the wall time of the committed results (so the longest run does not
 * start last), continuing past a failure so that one broken experiment does not cost the others' hours; then
 * regenerate the README tables from results/ (default
 * scale only: the README shows default-scale numbers) so the tables always match the committed metrics. Exit code 1 if any step
 * failed, 2 on a usage error. The wall times go to results/bench/reproduce-<scale>.json (./reproduceTiming.ts).
 *
 * With `--cells` or `--slurm` it runs the experiments' cells instead of the notebooks, in local child processes or as
 * a Slurm job array with a dependent merge job (./reproduceCells.ts).
 */
import { regenerateReadmeTables } from './cells';
import { parseRunArgs, runCli } from './commandLine';
import { formatNotebookSummary, runNotebooks } from './notebookExecution';
import { lastWallSeconds, listNotebooks, longestFirst, selectNotebooks } from './notebooks';
import { reproduceCells, wantsCells } from './reproduceCells';
import { writeReproduceTiming } from './reproduceTiming';

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

async function main(): Promise<number> {
  const started = Date.now();
  if (wantsCells(process.argv.slice(2))) return reproduceCells(process.argv.slice(2));
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

  const tablesOk = args.scale === 'default' ? await regenerateReadmeTables() : true;
  const finished = Date.now();
  const timingFile = writeReproduceTiming(runs, { scale: args.scale, jobs: args.jobs, startedMs: started, finishedMs: finished });
  console.log(`total wall time ${formatDuration((finished - started) / 1000)} (per notebook: ${timingFile})`);
  return runs.every((r) => r.ok) && tablesOk ? 0 : 1;
}

runCli(main);
