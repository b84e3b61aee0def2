/**
 * npm run readme-tables: splice each experiment's generated README section (results/<id>/readme.md, written by
 * the experiment's run) into README.md between the markers
 *   <!-- results:<id> --> ... <!-- /results:<id> -->
 * so that every number in the README comes from a file a run wrote. An experiment without results gets a line
 * saying how to produce them. Two more sections are built from several runs: `imode-summary` (the iMODE systems side
 * by side), `seeds` and `imode-seeds` (the tables over seeds of `npm run seeds`), `imode-basins` (`npm run basins`'s
 * identifiability checks), `convergence` (`npm run convergence`'s studies of Paper B), `spd-paper-scales` (Paper B's
 * numbers beside ours at default and converged), `field-coverage` (`npm run field-coverage`) and `bench` (`npm run bench`'s timings).
 */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../core/paths';
import { EXPERIMENTS, IMODE_FAMILIES } from '../experiments/registry';
import { basinsSummarySection } from '../experiments/imodeBasins';
import { IMODE_EXPERIMENT_IDS, isImodeExperimentId, writeImodeSummary } from '../experiments/imodeSummary';
import { convergenceSection } from '../experiments/spdConvergence';
import { scaleComparisonSection } from '../experiments/spdScaleComparison';
import { runCli } from './notebooks';
import { seedSummariesSection } from './seeds';
import { benchReadmeSection, reproduceWallTimeLine } from '../bench/readmeSection';

export function spliceSection(readme: string, id: string, body: string): string {
  const open = `<!-- results:${id} -->`;
  const close = `<!-- /results:${id} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no '${open}' … '${close}' markers for ${id}`);
  return `${readme.slice(0, start + open.length)}\n${body.trim()}\n${readme.slice(end)}`;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const readmeFile = path.join(root, 'README.md');
  let readme = fs.readFileSync(readmeFile, 'utf8');
  for (const { info } of EXPERIMENTS) {
    const snippet = path.join(root, 'results', info.id, 'readme.md');
    const body = fs.existsSync(snippet)
      ? fs.readFileSync(snippet, 'utf8')
      : `_No default-scale results yet: run \`npm run reproduce -- ${info.id}\`._`;
    readme = spliceSection(readme, info.id, body);
  }
  readme = spliceSection(readme, 'imode-summary', writeImodeSummary(path.join(root, 'results')));
  const wallTime = reproduceWallTimeLine(path.join(root, 'results'), EXPERIMENTS.map((e) => e.info.id));
  readme = spliceSection(readme, 'bench', [benchReadmeSection(path.join(root, 'results', 'bench')), ...(wallTime ? [wallTime] : [])].join('\n\n'));
  const spdIds = EXPERIMENTS.map((e) => e.info.id).filter((id) => !isImodeExperimentId(id));
  readme = spliceSection(readme, 'seeds', seedSummariesSection(path.join(root, 'results'), spdIds, 'npm run seeds -- spd-pendulum --seeds 2508,2509,2510'));
  readme = spliceSection(readme, 'convergence', convergenceSection(spdIds));
  readme = spliceSection(readme, 'spd-paper-scales', scaleComparisonSection(spdIds));
  const coverage = path.join(root, 'results', 'field-coverage', 'readme.md');
  readme = spliceSection(readme, 'field-coverage', fs.existsSync(coverage) ? fs.readFileSync(coverage, 'utf8') : '_Not measured yet: `npm run field-coverage`._');
  readme = spliceSection(readme, 'imode-seeds', seedSummariesSection(path.join(root, 'results'), IMODE_EXPERIMENT_IDS, 'npm run seeds -- imode-van-der-pol --seeds 2301,2302,2303'));
  const basins = basinsSummarySection(path.join(root, 'results'), IMODE_FAMILIES.map((f) => f.info.id));
  readme = spliceSection(readme, 'imode-basins', basins ?? '_No identifiability checks yet: `npm run basins -- imode-double-pendulum`._');
  fs.writeFileSync(readmeFile, readme);
  console.log(`[readme-tables] updated ${EXPERIMENTS.length} section(s) of README.md`);
  return 0;
}

if (require.main === module) runCli(main);
