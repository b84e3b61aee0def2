/**
 * `npm run reproduce [-- --scale default|paper] [experiment-id ...]`: execute the experiment notebooks at the
 * default (README) scale into results/notebooks/, in order, continuing past a failure so that one broken
 * experiment does not cost the others' hours; then regenerate the README tables from results/ (when
 * src/cli/readmeTables.ts exists) so the tables always match the committed metrics. Exit code 1 if any step
 * failed, 2 on a usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
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
  console.log(`reproducing ${chosen.length} experiment(s) at scale '${args.scale}' into ${args.outDir}`);
  const runs = await runNotebooks(chosen, { scale: args.scale, outDir: args.outDir });
  console.log(formatNotebookSummary(runs));

  let tablesOk = true;
  const readmeTables = path.join(REPO_ROOT, 'src', 'cli', 'readmeTables.ts');
  if (fs.existsSync(readmeTables)) {
    console.log('regenerating README tables: tsx src/cli/readmeTables.ts');
    const tables = await runProcess(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [readmeTables]);
    tablesOk = tables.code === 0;
    if (!tablesOk) console.log(`FAILED readme tables (exit code ${tables.code})`);
  }
  console.log(`total wall time ${formatDuration((Date.now() - started) / 1000)}`);
  return runs.every((r) => r.ok) && tablesOk ? 0 : 1;
}

runCli(main);
