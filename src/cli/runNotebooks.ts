/**
 * `npm run notebooks [-- --scale smoke|default|paper] [--out DIR] [--jobs N] [experiment-id ...]`: execute
 * experiment notebooks headless, one fresh kernel each, N at a time (default: one per core), continuing past failures so one broken notebook does not hide the
 * state of the others. Exit code 1 if any notebook failed, 2 on a usage error.
 */
import { parseRunArgs, runCli } from './commandLine';
import { formatNotebookSummary, runNotebooks } from './notebookExecution';
import { listNotebooks, selectNotebooks } from './notebooks';

async function main(): Promise<number> {
  const args = parseRunArgs(process.argv.slice(2), 'smoke');
  const { notebooks, ignored } = listNotebooks();
  ignored.forEach((f) => console.log(`skipping notebooks/${f}: name is not NN-<experiment-id>.ipynb`));
  const chosen = selectNotebooks(args.ids, notebooks);
  console.log(`executing ${chosen.length} notebook(s) at scale '${args.scale}', ${args.jobs} at a time, into ${args.outDir}`);
  const runs = await runNotebooks(chosen, { scale: args.scale, outDir: args.outDir }, undefined, args.jobs);
  console.log(formatNotebookSummary(runs));
  return runs.every((r) => r.ok) ? 0 : 1;
}

runCli(main);
