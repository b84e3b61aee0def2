/**
 * npm run explorer -- <experiment> [--scale default|smoke|paper|converged] [--out DIR] [--bench] [--moves N]
 *
 * Writes the latent explorer of a finished experiment run at --scale (default 'default'; src/explorer/explorerPage.ts):
 * <DIR>/<experiment>.html, one
 * offline page with sliders over η (iMODE) or over the leading principal components of z (Paper B), and
 * <DIR>/<experiment>.model.json, the model it holds (DIR: results/explorer for the default scale, results/<scale>/explorer
 * for another).
 * With --bench, then opens the page in headless Chromium, moves the slider N times (default 40) and writes the
 * measured redraw times to <DIR>/<experiment>.bench.json.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { initBackend } from '../core/backend';
import { ConfigError } from '../core/errors';
import { studyResultsDir } from '../experiments/experiment';
import { EXPLORER_EXPERIMENTS, writeExplorerPage } from '../explorer/explorerPage';
import { writeRedrawBenchmark } from '../explorer/pageBenchmark';
import { parseScale, runCli } from './commandLine';

const USAGE = `npm run explorer -- <${Object.keys(EXPLORER_EXPERIMENTS).join('|')}> [--scale default|smoke|paper|converged] [--out DIR] [--bench] [--moves N]`;

async function main(): Promise<number> {
  let parsed: { values: { out?: string; bench?: boolean; moves?: string; scale?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string' }, bench: { type: 'boolean' }, moves: { type: 'string' }, scale: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${USAGE}`);
  }
  if (parsed.positionals.length !== 1) throw new ConfigError(`give exactly one experiment; usage: ${USAGE}`);
  const experiment = parsed.positionals[0];
  const moves = parsed.values.moves === undefined ? 40 : Number(parsed.values.moves);
  if (!/^\d+$/.test(parsed.values.moves ?? '40') || moves < 2) throw new ConfigError(`--moves must be an integer ≥ 2, got '${parsed.values.moves}'`);
  // results/explorer/ (under METADYN_RESULTS_ROOT when set), beside the experiments' folders
  const scale = parseScale(parsed.values.scale ?? 'default');
  const dir = parsed.values.out ? path.resolve(parsed.values.out) : path.dirname(studyResultsDir('explorer', experiment, scale));
  // the engine the run trained on: the checkpoints refuse to load under another (and the family export recomputes its evaluation)
  await initBackend();
  const { page, modelFile, bytes } = await writeExplorerPage(experiment, dir, scale);
  console.log(`wrote ${page} (${(bytes / 1e6).toFixed(1)} MB) and ${modelFile}`);
  if (parsed.values.bench) {
    const { file, result } = await writeRedrawBenchmark(experiment, dir, moves);
    console.log(`redraw over ${moves} slider moves (${result.backend} backend): median ${result.redrawMs.median.toFixed(1)} ms, p95 ${result.redrawMs.p95.toFixed(1)} ms, max ${result.redrawMs.max.toFixed(1)} ms; written to ${file}`);
  }
  return 0;
}

if (require.main === module) runCli(main);
