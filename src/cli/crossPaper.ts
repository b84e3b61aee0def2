/**
 * npm run cross-paper -- imode-on <id ...|all> [--scale smoke|default|paper|converged] [--set key=value ...]
 * npm run cross-paper -- paper-b-on-imode-pendulum [--scale …] [--set key=value ...]
 * npm run cross-paper -- table
 *
 * The cross-paper benchmark (src/experiments/crossPaper/): iMODE as a method on Paper B's systems, Paper B's
 * modulations on the iMODE authors' pendulum, and the table of every method on every system both are run on,
 * results/cross-paper.md and .csv, rewritten after every run (and by `npm run readme-tables`, into the README).
 */
import * as path from 'path';
import { ConfigError } from '../core/errors';
import { baseResultsRoot } from '../core/paths';
import { runPaperBOnImodePendulum } from '../experiments/crossPaper/paperBOnImodePendulum';
import { crossPaperScaleTable, writeCrossPaperTable } from '../experiments/crossPaper/table';
import { PAPER_B_STUDIES, paperBStudiesById } from '../experiments/registry';
import { tableToMarkdown } from '../viz/table';
import { parseStudyArgs, runCli } from './commandLine';

const USAGE = [
  'npm run cross-paper -- imode-on <id ...|all> [--scale smoke|default|paper|converged] [--set key=value ...]',
  'npm run cross-paper -- paper-b-on-imode-pendulum [--scale smoke|default|paper|converged] [--set key=value ...]',
  'npm run cross-paper -- table',
].join('\n  ');

async function main(): Promise<number> {
  const { scale, overrides, positionals } = parseStudyArgs(process.argv.slice(2), USAGE);
  const [command, ...ids] = positionals;
  if (command === 'imode-on') {
    if (ids.length === 0) throw new ConfigError(`name Paper B systems or 'all'; usage:\n  ${USAGE}`);
    const studies = ids.length === 1 && ids[0] === 'all' ? PAPER_B_STUDIES : ids.map(paperBStudiesById);
    for (const s of studies) console.log(`${s.info.id}: written to ${(await s.imodeOnPaperB(scale, overrides)).dir}`);
  } else if (command === 'paper-b-on-imode-pendulum') {
    if (ids.length) throw new ConfigError(`paper-b-on-imode-pendulum takes no id; usage:\n  ${USAGE}`);
    console.log(`written to ${(await runPaperBOnImodePendulum(scale, overrides)).dir}`);
  } else if (command !== 'table' || ids.length) {
    throw new ConfigError(`usage:\n  ${USAGE}`);
  }
  const results = baseResultsRoot();
  const section = writeCrossPaperTable(results);
  // a run prints its own scale's table (results/cross-paper.md holds the converged and default scales only)
  console.log(command === 'table' ? section || '(no method has crossed papers yet)' : tableToMarkdown(crossPaperScaleTable(results, scale)));
  console.log(`rewritten: ${path.join(results, 'cross-paper.md')} and .csv`);
  return 0;
}

if (require.main === module) runCli(main);
