/**
 * The report's index page, as a pure function of its entries: for every executed notebook, the paper and section
 * it reproduces, what it shows (the notebook's own summary), a link to its page, and its headline numbers read
 * from results/<id>/metrics.json — the scalar metrics (numbers and yes/no), which are the ones a reader compares
 * with the paper; arrays and per-task tables stay on the notebook's page.
 */
import { escapeHtml } from '../core/progress';

export interface HeadlineMetric {
  key: string;
  value: string;
}

export interface ReportEntry {
  /** the notebook's file name without extension, e.g. '01-imode-pendulum' */
  notebook: string;
  /** the page, relative to the index, e.g. '01-imode-pendulum.html' */
  page: string;
  title: string;
  summary: string;
  /** from metrics.json, when it was found */
  paper?: string;
  section?: string;
  scale?: string;
  headline: HeadlineMetric[];
  /** why there are no headline numbers (no experiment id, no metrics.json, unreadable file) */
  metricsNote?: string;
  figures: number;
}

const MAX_HEADLINE = 10;

/** 4 significant digits, without trailing zeros; integers as they are. */
export function formatMetric(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const abs = Math.abs(v);
  const s = abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(3) : v.toPrecision(4);
  // Trailing zeros of the mantissa only: '1.500e-4' → '1.5e-4', '0.01000' → '0.01', '1200' stays.
  return s.replace(/(\.\d*?)0+(e|$)/, '$1$2').replace(/\.(e|$)/, '$1');
}

/** The numeric and boolean metrics (metrics.json without its header), in file order, at most ten. */
export function headlineMetrics(metrics: Readonly<Record<string, unknown>>): HeadlineMetric[] {
  const out: HeadlineMetric[] = [];
  for (const [key, v] of Object.entries(metrics)) {
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ key, value: formatMetric(v) });
    else if (typeof v === 'boolean') out.push({ key, value: v ? 'yes' : 'no' });
    if (out.length === MAX_HEADLINE) break;
  }
  return out;
}

const STYLE = `
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #222; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.generated { color: #666; font-size: 0.85rem; margin-top: 0; }
.experiment { border: 1px solid #ddd; border-radius: 6px; padding: 0.8rem 1.1rem; margin: 1.2rem 0; }
.experiment h2 { font-size: 1.2rem; margin: 0 0 0.3rem; }
.meta { color: #555; font-size: 0.9rem; margin: 0 0 0.5rem; }
table { border-collapse: collapse; font-size: 0.9rem; margin-top: 0.5rem; }
td { padding: 0.15rem 0.8rem 0.15rem 0; border-bottom: 1px solid #eee; }
td.value { font-variant-numeric: tabular-nums; text-align: right; }
.note { color: #8a5a00; font-size: 0.9rem; }
`;

function entryHtml(e: ReportEntry): string {
  const meta = [e.notebook, e.paper, e.section, e.scale && `scale: ${e.scale}`, `${e.figures} figure${e.figures === 1 ? '' : 's'}`]
    .filter((s): s is string => typeof s === 'string' && s !== '')
    .map(escapeHtml)
    .join(' · ');
  const rows = e.headline.map((m) => `<tr><td><code>${escapeHtml(m.key)}</code></td><td class="value">${escapeHtml(m.value)}</td></tr>`);
  return [
    '<section class="experiment">',
    `<h2><a href="${escapeHtml(encodeURI(e.page))}">${escapeHtml(e.title)}</a></h2>`,
    `<p class="meta">${meta}</p>`,
    e.summary ? `<p>${escapeHtml(e.summary)}</p>` : '',
    rows.length ? `<table>${rows.join('')}</table>` : '',
    e.metricsNote ? `<p class="note">${escapeHtml(e.metricsNote)}</p>` : '',
    '</section>',
  ]
    .filter((s) => s !== '')
    .join('\n');
}

/** The whole index page; `generatedAt` is shown so a stale report is recognisable. */
export function reportIndexHtml(entries: readonly ReportEntry[], generatedAt: Date): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<title>metadyn-ts: reproduction report</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>metadyn-ts: reproduction report</h1>',
    `<p class="generated">${entries.length} notebook${entries.length === 1 ? '' : 's'}, generated ${escapeHtml(generatedAt.toISOString())}</p>`,
    ...entries.map(entryHtml),
    '</body></html>',
    '',
  ].join('\n');
}
