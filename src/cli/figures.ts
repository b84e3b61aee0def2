/**
 * `npm run figures [-- --scale smoke|default|paper|converged] [--width single|double] [--scale-png N] [--formats svg,png,pdf]
 * [experiment-id ...]`: export every saved figure spec `results/<id>/figures/<name>.json` (smoke and paper runs:
 * `results/<scale>/<id>/…`) to `<name>.svg`, `.png` and `.pdf` beside it, in the publication style, with one
 * headless Chromium for the whole run. Without ids, every experiment of that scale that has figure specs.
 * Continues past a broken spec; exit code 1 if any figure failed, 2 on a usage error.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import type { Scale } from '../core/config';
import { ConfigError, DataError } from '../core/errors';
import { progress } from '../core/progress';
import { experimentResultsDir } from '../experiments/experiment';
import { type ExportFormat, DEFAULT_PNG_SCALE, EXPORT_FORMATS, openFigureExporter, parseExportFormats, parsePngScale } from '../viz/export';
import type { PlotlyFigure } from '../viz/plotly';
import { type ColumnWidth, parseColumnWidth } from '../viz/publicationStyle';
import { parseScale, runCli } from './commandLine';

export interface FiguresArgs {
  scale: Scale;
  width: ColumnWidth;
  pngScale: number;
  formats: ExportFormat[];
  ids: string[];
}

const USAGE = '[--scale smoke|default|paper|converged] [--width single|double] [--scale-png N] [--formats svg,png,pdf] [experiment-id ...]';

export function parseFiguresArgs(argv: readonly string[]): FiguresArgs {
  let parsed: { values: Record<string, string | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { scale: { type: 'string' }, width: { type: 'string' }, 'scale-png': { type: 'string' }, formats: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}; usage: ${USAGE}`);
  }
  const v = parsed.values;
  return {
    scale: v.scale === undefined ? 'default' : parseScale(v.scale),
    width: v.width === undefined ? 'double' : parseColumnWidth(v.width),
    pngScale: v['scale-png'] === undefined ? DEFAULT_PNG_SCALE : parsePngScale(Number(v['scale-png']), '--scale-png'),
    formats: v.formats === undefined ? [...EXPORT_FORMATS] : parseExportFormats(v.formats.split(','), '--formats'),
    ids: parsed.positionals,
  };
}

export interface FigureSpecFile {
  /** the experiment's result directory */
  dir: string;
  name: string;
  file: string;
}

/** The figure specs `<dir>/figures/*.json`, sorted by name; none when the folder does not exist. */
export function figureSpecFiles(dir: string): FigureSpecFile[] {
  const folder = path.join(dir, 'figures');
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ dir, name: f.slice(0, -'.json'.length), file: path.join(folder, f) }));
}

/** A stored spec; DataError naming the file when it is not JSON or lacks a data array and a layout object. */
export function readFigureSpec(file: string): PlotlyFigure {
  let spec: unknown;
  try {
    spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`not a readable JSON figure spec (${(e as Error).message})`, { file });
  }
  const s = spec as Partial<PlotlyFigure> | null;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.data) || typeof s.layout !== 'object' || s.layout === null) {
    throw new DataError('a figure spec needs a "data" array and a "layout" object', { file });
  }
  return s as PlotlyFigure;
}

/**
 * The result directories to export: those of `ids`, or every experiment of `scale` with figure specs.
 * ConfigError when a named experiment has none (it has not run at that scale).
 */
export function resultDirsToExport(ids: readonly string[], scale: Scale, env: NodeJS.ProcessEnv = process.env): string[] {
  if (ids.length > 0) {
    return ids.map((id) => {
      const dir = experimentResultsDir(id, scale, env);
      if (figureSpecFiles(dir).length === 0) {
        throw new ConfigError(`experiment '${id}' has no figure specs in ${path.join(dir, 'figures')}; run it at scale '${scale}' first`);
      }
      return dir;
    });
  }
  // experimentResultsDir(id, scale) is <folder of this scale>/<id>; list that folder.
  const scaleFolder = path.dirname(experimentResultsDir('any', scale, env));
  if (!fs.existsSync(scaleFolder)) return [];
  return fs
    .readdirSync(scaleFolder, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(scaleFolder, d.name))
    .filter((dir) => figureSpecFiles(dir).length > 0)
    .sort();
}

async function main(): Promise<number> {
  const args = parseFiguresArgs(process.argv.slice(2));
  const specs = resultDirsToExport(args.ids, args.scale).flatMap(figureSpecFiles);
  if (specs.length === 0) {
    console.log(`no figure specs found at scale '${args.scale}'; run an experiment first`);
    return 0;
  }
  console.log(`exporting ${specs.length} figure(s) as ${args.formats.join(', ')} (${args.width} column, PNG ×${args.pngScale})`);
  const started = Date.now();
  const exporter = await openFigureExporter();
  const launchSeconds = (Date.now() - started) / 1000;
  const bar = progress(specs.length, 'figures');
  const failures: string[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      bar.update(i, spec.name);
      try {
        await exporter.export(readFigureSpec(spec.file), spec.name, { dir: spec.dir, formats: args.formats, width: args.width, pngScale: args.pngScale });
      } catch (e) {
        failures.push(`FAILED ${spec.file}: ${(e as Error).message}`);
      }
    }
  } finally {
    await exporter.close();
  }
  bar.done();
  failures.forEach((f) => console.log(f));
  const total = (Date.now() - started) / 1000;
  console.log(
    `${specs.length - failures.length} figure(s) exported, ${failures.length} failed; ` +
      `${total.toFixed(1)} s (browser start ${launchSeconds.toFixed(1)} s)`,
  );
  return failures.length === 0 ? 0 : 1;
}

if (require.main === module) runCli(main);
