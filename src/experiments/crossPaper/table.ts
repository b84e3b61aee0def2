/**
 * The cross-paper table (issue "Beyond both papers", §1): every method of both papers on every system both are run
 * on, each scored by the metric of the paper the system comes from, read from the results the runs wrote.
 *
 *   Paper B's systems (spd-*)     ε_field / ε_traj, the means over the test instances (Paper B's benchmark,
 *                                 results/[<scale>/]<id>/metrics.json), and iMODE as a method on them
 *                                 (./imodeOnPaperB.ts, results/[<scale>/]cross-paper/imode-on-<id>/metrics.json)
 *   the iMODE pendulum            iMODE's evaluation MSE, the median over the lengths not trained on, of iMODE itself
 *                                 (results/imode-pendulum/metrics.json, its default scale at every scale: it has no
 *                                 other) and of Paper B's methods (./paperBOnImodePendulum.ts,
 *                                 results/[<scale>/]cross-paper/paperB-on-imode-pendulum/metrics.json)
 *
 * A cell no run has written is '—'. In each column the lowest value of each metric is bold, so that the ranking
 * reads down a column; rows are not compared across columns (the metrics differ).
 */
import * as path from 'path';
import { writeFileAtomic } from '../../core/atomicWrite';
import type { Scale } from '../../core/config';
import { DataError } from '../../core/errors';
import { readJsonOrNull } from '../../core/results';
import { median } from '../../analysis/metrics';
import { PAPER_B_METHOD_NAMES } from '../../meta/paperBMethods';
import { type Table, formatNumber, tableToCsv, tableToMarkdown } from '../../viz/table';
import { experimentResultsDir, studyResultsDir } from '../experiment';
import { imodePendulumInfo } from '../imodePendulum';
import { PAPER_B_STUDIES } from '../registry';
import { CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM, imodeOnPaperBStudyId } from './studyIds';

const IMODE_PENDULUM_ID = imodePendulumInfo.id;
/** Paper B's systems, in the registry's (the benchmark's) order */
const paperBSystemIds = (): string[] => PAPER_B_STUDIES.map((s) => s.info.id);

/** One scored (method, system) pair: Paper B's two errors, or iMODE's evaluation MSE. */
export interface CrossPaperEntry {
  system: string;
  method: string;
  fieldError?: number;
  trajError?: number;
  evalMse?: number;
  /** the results file the values were read from, relative to the results root */
  source: string;
}

type Json = Record<string, unknown>;

function numberAt(o: unknown, keys: readonly string[], file: string): number {
  let v: unknown = o;
  for (const k of keys) v = v !== null && typeof v === 'object' ? (v as Json)[k] : undefined;
  if (typeof v !== 'number') throw new DataError(`expected a number at ${keys.join('.')}`, { file });
  return v;
}

function arrayAt(o: Json, key: string, file: string): Json[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new DataError(`expected an array '${key}'`, { file });
  return v as Json[];
}

function read(results: string, dir: string): { json: Json; source: string } | null {
  const file = path.join(dir, 'metrics.json');
  const json = readJsonOrNull<Json>(file);
  return json && { json, source: path.relative(results, file) };
}

const envOf = (results: string) => ({ METADYN_RESULTS_ROOT: results });

/** Paper B's ten methods on one of its systems (its benchmark table). */
export function paperBEntries(results: string, id: string, scale: Scale): CrossPaperEntry[] {
  const found = read(results, experimentResultsDir(id, scale, envOf(results)));
  if (!found) return [];
  return arrayAt(found.json, 'table', found.source).map((row) => ({
    system: id,
    method: String(row.method),
    fieldError: numberAt(row, ['fieldError', 'mean'], found.source),
    trajError: numberAt(row, ['trajError', 'mean'], found.source),
    source: found.source,
  }));
}

/** iMODE (and its longer-adaptation variant) on one of Paper B's systems. */
export function imodeOnPaperBEntries(results: string, id: string, scale: Scale): CrossPaperEntry[] {
  const found = read(results, studyResultsDir(CROSS_PAPER_STUDY, imodeOnPaperBStudyId(id), scale, envOf(results)));
  if (!found) return [];
  return arrayAt(found.json, 'methods', found.source).map((m) => ({
    system: id,
    method: String(m.method),
    fieldError: numberAt(m, ['summary', 'fieldError', 'mean'], found.source),
    trajError: numberAt(m, ['summary', 'trajError', 'mean'], found.source),
    source: found.source,
  }));
}

/** The median of `key` over the lengths whose split is not 'train' (the unseen lengths). */
function medianUnseen(lengths: readonly Json[], key: string, file: string): number {
  const unseen = lengths.filter((l) => l.split !== 'train').map((l) => numberAt(l, [key], file));
  if (unseen.length === 0) throw new DataError('no unseen length', { file });
  return median(unseen);
}

/** iMODE on its authors' pendulum (its default scale: it has no other). */
export function imodePendulumEntries(results: string): CrossPaperEntry[] {
  const found = read(results, experimentResultsDir(IMODE_PENDULUM_ID, 'default', envOf(results)));
  if (!found) return [];
  const lengths = arrayAt(found.json, 'lengths', found.source);
  return [{ system: IMODE_PENDULUM_ID, method: 'iMODE', evalMse: medianUnseen(lengths, 'evalMse', found.source), source: found.source }];
}

/** Paper B's methods on the iMODE pendulum. */
export function paperBOnImodePendulumEntries(results: string, scale: Scale): CrossPaperEntry[] {
  const found = read(results, studyResultsDir(CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM, scale, envOf(results)));
  if (!found) return [];
  return arrayAt(found.json, 'methods', found.source).map((m) => ({
    system: IMODE_PENDULUM_ID,
    method: String(m.method),
    evalMse: medianUnseen(arrayAt(m, 'perLength', found.source), 'evalMse', found.source),
    source: found.source,
  }));
}

/** One length's evaluation MSE, as both runs on the iMODE pendulum write it. */
export interface LengthScore {
  L: number;
  split: string;
  evalMse: number;
}

function lengthScores(lengths: readonly Json[], file: string): LengthScore[] {
  return lengths.map((l) => ({ L: numberAt(l, ['L'], file), split: String(l.split), evalMse: numberAt(l, ['evalMse'], file) }));
}

/** Every method's per-length evaluation MSE on the iMODE pendulum at `scale` (iMODE's at its default), for the figure. */
export function imodePendulumPerLength(results: string, scale: Scale): { method: string; lengths: LengthScore[] }[] {
  const own = read(results, experimentResultsDir(IMODE_PENDULUM_ID, 'default', envOf(results)));
  const crossed = read(results, studyResultsDir(CROSS_PAPER_STUDY, PAPER_B_ON_IMODE_PENDULUM, scale, envOf(results)));
  return [
    ...(own ? [{ method: 'iMODE', lengths: lengthScores(arrayAt(own.json, 'lengths', own.source), own.source) }] : []),
    ...(crossed ? arrayAt(crossed.json, 'methods', crossed.source).map((m) => ({ method: String(m.method), lengths: lengthScores(arrayAt(m, 'perLength', crossed.source), crossed.source) })) : []),
  ];
}

/** Every entry of `scale` the runs under `results` have written. */
export function crossPaperEntries(results: string, scale: Scale): CrossPaperEntry[] {
  return [
    ...paperBSystemIds().flatMap((id) => [...paperBEntries(results, id, scale), ...imodeOnPaperBEntries(results, id, scale)]),
    ...imodePendulumEntries(results),
    ...paperBOnImodePendulumEntries(results, scale),
  ];
}

const METRICS = ['fieldError', 'trajError', 'evalMse'] as const;
type Metric = (typeof METRICS)[number];

/** The rows' order: Paper B's ten, then iMODE's, then anything else in order of first appearance. */
function methodOrder(entries: readonly CrossPaperEntry[]): string[] {
  const seen = [...new Set(entries.map((e) => e.method))];
  const imode = seen.filter((m) => m.startsWith('iMODE'));
  const known = PAPER_B_METHOD_NAMES.filter((m) => seen.includes(m));
  return [...known, ...imode, ...seen.filter((m) => !(known as string[]).includes(m) && !imode.includes(m))];
}

/**
 * The table: a row per method, a column per system; a Paper B system's cell is "ε_field / ε_traj", the iMODE
 * pendulum's the median evaluation MSE over its unseen lengths. The lowest value of each metric in a column is bold.
 */
export function crossPaperTable(entries: readonly CrossPaperEntry[], systems: readonly string[]): Table {
  const duplicate = entries.find((e, i) => entries.findIndex((f) => f.system === e.system && f.method === e.method) !== i);
  if (duplicate) throw new DataError(`two results for ${duplicate.method} on ${duplicate.system}`, { file: duplicate.source });
  const best = new Map<string, number>();
  for (const e of entries) {
    for (const m of METRICS) {
      const v = e[m];
      if (v !== undefined && Number.isFinite(v)) best.set(`${e.system}/${m}`, Math.min(best.get(`${e.system}/${m}`) ?? Infinity, v));
    }
  }
  const show = (e: CrossPaperEntry, m: Metric): string => {
    const v = e[m];
    if (v === undefined) return '—';
    const text = formatNumber(v, 3);
    return v === best.get(`${e.system}/${m}`) ? `**${text}**` : text;
  };
  const cell = (method: string, system: string): string => {
    const e = entries.find((x) => x.method === method && x.system === system);
    if (!e) return '—';
    return e.evalMse !== undefined ? show(e, 'evalMse') : `${show(e, 'fieldError')} / ${show(e, 'trajError')}`;
  };
  return { columns: ['method', ...systems], rows: methodOrder(entries).map((method) => [method, ...systems.map((s) => cell(method, s))]) };
}

/** The same entries in long form, one row per value, with the file it came from (results/cross-paper.csv). */
export function crossPaperLongTable(scale: Scale, entries: readonly CrossPaperEntry[]): Table {
  return {
    columns: ['scale', 'system', 'method', 'metric', 'value', 'source'],
    rows: entries.flatMap((e) => METRICS.flatMap((m) => (e[m] === undefined ? [] : [[scale, e.system, e.method, m, e[m] as number, e.source]]))),
  };
}

/** The table's columns: Paper B's systems, then the iMODE pendulum. */
const crossPaperSystems = (): string[] => [...paperBSystemIds(), IMODE_PENDULUM_ID];

/** The table of one scale, as the notebook shows it (the README's section shows the converged and default scales). */
export function crossPaperScaleTable(results: string, scale: Scale): Table {
  return crossPaperTable(crossPaperEntries(results, scale), crossPaperSystems());
}

const SCALES_SHOWN: readonly Scale[] = ['converged', 'default'];

/** Each shown scale's entries, read once for both the Markdown and the CSV. */
function entriesByScale(results: string): { scale: Scale; entries: CrossPaperEntry[] }[] {
  return SCALES_SHOWN.map((scale) => ({ scale, entries: crossPaperEntries(results, scale) }));
}

/** Whether a method has been run on the other paper's system: iMODE on a Paper B system, or a Paper B method on the iMODE pendulum. */
const crossesPapers = (e: CrossPaperEntry): boolean => e.method.startsWith('iMODE') !== (e.system === IMODE_PENDULUM_ID);

/** What the columns score and where the runs are, at the head of results/cross-paper.md. */
const FULL_CAPTION =
  "Every method of both papers on the systems both are run on (`src/experiments/crossPaper/`; the notebook `20-cross-paper` says what is compared and how fairly). Paper B's systems: ε_field / ε_traj, means over the test instances (seed of the run, Paper B's metrics); the iMODE pendulum: iMODE's evaluation MSE, the median over the lengths it was not meta-trained on. Bold: the lowest in its column. Regenerate with `npm run cross-paper -- table`; the runs: `npm run cross-paper -- imode-on all [--scale converged]`, `npm run cross-paper -- paper-b-on-imode-pendulum [--scale converged]`.";
/** The same, short, for the README's front page. */
const README_CAPTION =
  "Paper B's systems: ε_field / ε_traj (Paper B's metrics, means over the test instances); the iMODE pendulum: iMODE's evaluation MSE, median over the unseen lengths. One seed; bold: the lowest in its column (`npm run cross-paper -- table`).";

/** The section's Markdown from each scale's entries under `caption`; '' when no method has crossed papers at any scale. */
function sectionOf(byScale: readonly { scale: Scale; entries: readonly CrossPaperEntry[] }[], caption: string): string {
  const systems = crossPaperSystems();
  const parts = byScale.flatMap(({ scale, entries }) => {
    if (!entries.some(crossesPapers)) return [];
    return [`**${scale}** scale${scale === 'default' ? '' : ' (the iMODE pendulum column: iMODE at its default, its only scale)'}:`, '', tableToMarkdown(crossPaperTable(entries, systems)).trimEnd(), ''];
  });
  if (parts.length === 0) return '';
  return [caption, '', ...parts].join('\n');
}

/**
 * The Markdown of results/cross-paper.md: per scale that has results, the table, what each column scores and where
 * the numbers come from. '' when no scale has a cross-paper run yet.
 */
export function crossPaperSection(results: string): string {
  return sectionOf(entriesByScale(results), FULL_CAPTION);
}

/**
 * The README's section: the same for the first scale with a crossed method only (converged before default), so
 * that the front page holds one table; every scale and each value's source file are in results/cross-paper.md.
 */
export function crossPaperReadmeSection(results: string): string {
  const first = entriesByScale(results).find(({ entries }) => entries.some(crossesPapers));
  if (!first) return '_No cross-paper run yet: `npm run cross-paper -- imode-on all` and `npm run cross-paper -- paper-b-on-imode-pendulum`._';
  return `${sectionOf([first], README_CAPTION)}\nEvery scale, and the file each value comes from: [results/cross-paper.md](results/cross-paper.md), [.csv](results/cross-paper.csv).`;
}

/** Writes results/cross-paper.md and results/cross-paper.csv (every value with its source file); returns the Markdown. */
export function writeCrossPaperTable(results: string): string {
  const byScale = entriesByScale(results);
  const section = sectionOf(byScale, FULL_CAPTION);
  const long = byScale.map(({ scale, entries }) => crossPaperLongTable(scale, entries));
  writeFileAtomic(path.join(results, 'cross-paper.md'), `# Cross-paper benchmark\n\n${section || '_No cross-paper run yet._'}\n`);
  writeFileAtomic(path.join(results, 'cross-paper.csv'), tableToCsv({ columns: long[0].columns, rows: long.flatMap((t) => t.rows) }));
  return section;
}
