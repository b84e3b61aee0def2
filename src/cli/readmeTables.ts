/**
 * npm run readme-tables: splice every generated section into the page that shows it, between the markers
 *   <!-- results:<id> --> ... <!-- /results:<id> -->
 * so that every number in the README and in docs/results.md comes from a file a run wrote. README.md is the front
 * page and holds the two headlines (`imode-summary`, the iMODE systems side by side; `spd-headline`, every cell Paper B
 * reports beside ours); docs/results.md holds the rest: each experiment's section (results/<id>/readme.md, written
 * by its run; an experiment without results gets a line saying how to produce them), `seeds` and `imode-seeds` (the
 * tables over seeds of `npm run seeds`), `imode-basins` (`npm run basins`), `convergence` (`npm run convergence`),
 * `spd-paper-scales` (Paper B's numbers beside ours at default and converged), `field-coverage`
 * (`npm run field-coverage`) and `bench` (`npm run bench`'s timings). Every section must have its markers in exactly
 * one page, so that none is silently dropped or shown twice.
 */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../core/paths';
import { EXPERIMENTS, IMODE_FAMILIES } from '../experiments/registry';
import { crossPaperReadmeSection, writeCrossPaperTable } from '../experiments/crossPaper/table';
import { basinsSummarySection } from '../experiments/imodeBasins';
import { IMODE_EXPERIMENT_IDS, isImodeExperimentId, writeImodeSummary } from '../experiments/imodeSummary';
import { convergenceSection } from '../experiments/paperB/convergenceReport';
import { paperHeadlineSection, scaleComparisonSection } from '../experiments/paperBScaleComparison';
import { latentGaugeSection } from '../experiments/paperBLatentGauge';
import { runCli } from './commandLine';
import { seedSummariesSection } from './seeds';
import { benchReadmeSection, reproduceWallTimeLine } from '../bench/readmeSection';

/** The pages that hold generated sections, relative to the repository root. */
export const GENERATED_PAGES = ['README.md', path.join('docs', 'results.md')] as const;

const markers = (id: string) => ({ open: `<!-- results:${id} -->`, close: `<!-- /results:${id} -->` });

export function spliceSection(readme: string, id: string, body: string): string {
  const { open, close } = markers(id);
  const start = readme.indexOf(open);
  const end = readme.indexOf(close);
  if (start < 0 || end < start) throw new Error(`README.md has no '${open}' … '${close}' markers for ${id}`);
  return `${readme.slice(0, start + open.length)}\n${body.trim()}\n${readme.slice(end)}`;
}

/**
 * Splices each section into the one page (of `pages`, name → text) whose markers it has; throws when a section has
 * markers in no page or in several. Returns the pages' new texts.
 */
export function spliceIntoPages(pages: Readonly<Record<string, string>>, sections: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...pages };
  for (const [id, body] of Object.entries(sections)) {
    const holders = Object.keys(out).filter((name) => out[name].includes(markers(id).open));
    if (holders.length !== 1) {
      throw new Error(`section '${id}' must have its markers in exactly one of ${Object.keys(out).join(', ')}; found in ${holders.length === 0 ? 'none' : holders.join(', ')}`);
    }
    out[holders[0]] = spliceSection(out[holders[0]], id, body);
  }
  return out;
}

/** The sections built from several runs (beside one per experiment). */
const CROSS_RUN_SECTIONS = ['imode-summary', 'spd-headline', 'spd-paper-scales', 'field-coverage', 'seeds', 'imode-seeds', 'imode-basins', 'convergence', 'bench', 'latent-gauge', 'cross-paper'] as const;

/** The id of every generated section: one per experiment, then the cross-run ones. */
export function generatedSectionIds(): string[] {
  return [...EXPERIMENTS.map((e) => e.info.id), ...CROSS_RUN_SECTIONS];
}

/** Every generated section's body, from results/ (keys: generatedSectionIds()). */
function sections(root: string): Record<string, string> {
  const results = path.join(root, 'results');
  const out: Record<string, string> = {};
  for (const { info } of EXPERIMENTS) {
    const snippet = path.join(results, info.id, 'readme.md');
    out[info.id] = fs.existsSync(snippet) ? fs.readFileSync(snippet, 'utf8') : `_No default-scale results yet: run \`npm run reproduce -- ${info.id}\`._`;
  }
  out['imode-summary'] = writeImodeSummary(results);
  const wallTime = reproduceWallTimeLine(results, EXPERIMENTS.map((e) => e.info.id));
  out.bench = [benchReadmeSection(path.join(results, 'bench')), ...(wallTime ? [wallTime] : [])].join('\n\n');
  const paperBIds = EXPERIMENTS.map((e) => e.info.id).filter((id) => !isImodeExperimentId(id));
  out.seeds = seedSummariesSection(results, paperBIds, 'npm run seeds -- spd-pendulum --seeds 2508,2509,2510');
  out.convergence = convergenceSection(paperBIds);
  out['spd-paper-scales'] = scaleComparisonSection(paperBIds);
  out['spd-headline'] = paperHeadlineSection(paperBIds);
  out['latent-gauge'] = latentGaugeSection(results, paperBIds);
  // results/cross-paper.md (every scale) is rewritten beside the README's one-scale table, as imode-summary's files are
  writeCrossPaperTable(results);
  out['cross-paper'] = crossPaperReadmeSection(results);
  const coverage = path.join(results, 'field-coverage', 'readme.md');
  out['field-coverage'] = fs.existsSync(coverage) ? fs.readFileSync(coverage, 'utf8') : '_Not measured yet: `npm run field-coverage`._';
  out['imode-seeds'] = seedSummariesSection(results, IMODE_EXPERIMENT_IDS, 'npm run seeds -- imode-van-der-pol --seeds 2301,2302,2303');
  out['imode-basins'] = basinsSummarySection(results, IMODE_FAMILIES.map((f) => f.info.id)) ?? '_No identifiability checks yet: `npm run basins -- imode-double-pendulum`._';
  return out;
}

async function main(): Promise<number> {
  const root = repoRoot();
  const pages = Object.fromEntries(GENERATED_PAGES.map((p) => [p, fs.readFileSync(path.join(root, p), 'utf8')]));
  const all = sections(root);
  const missing = generatedSectionIds().filter((id) => !(id in all));
  if (missing.length) throw new Error(`no body built for section(s) ${missing.join(', ')}`);
  const updated = spliceIntoPages(pages, all);
  for (const [page, text] of Object.entries(updated)) fs.writeFileSync(path.join(root, page), text);
  console.log(`[readme-tables] updated ${Object.keys(all).length} section(s) of ${GENERATED_PAGES.join(' and ')}`);
  return 0;
}

if (require.main === module) runCli(main);
