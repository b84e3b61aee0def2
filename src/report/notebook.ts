/**
 * What the report needs from an executed notebook (.ipynb, nbformat 4): its title and the paragraph that says what
 * it shows (from the first markdown cell, which by the notebooks' convention is `# title` then a summary), and how
 * many Plotly figures its outputs hold, so the rendered page can be checked figure by figure.
 *
 * A figure is counted by the fallback text every figure div carries until Plotly draws it (src/viz/plotly.ts
 * figureHtml): it appears once per figure and nowhere in plotly.js itself.
 */
import * as fs from 'fs';
import { DataError } from '../core/errors';

export const FIGURE_FALLBACK_TEXT = 'Plotly not loaded';
const SUMMARY_MAX_CHARS = 480;

type Source = string | string[];

export interface NotebookJson {
  cells: { cell_type: string; source: Source; outputs?: { data?: Record<string, Source> }[] }[];
}

export function readNotebook(file: string): NotebookJson {
  let nb: unknown;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`not a readable notebook (${(e as Error).message})`, { file });
  }
  if (typeof nb !== 'object' || nb === null || !Array.isArray((nb as NotebookJson).cells)) {
    throw new DataError('not an nbformat 4 notebook: no "cells" array', { file });
  }
  return nb as NotebookJson;
}

function text(source: Source | undefined): string {
  return Array.isArray(source) ? source.join('') : source ?? '';
}

/** Markdown emphasis, code and link syntax removed, leaving the words; code spans keep their characters (snake_case). */
function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .split(/(`[^`]*`)/)
    .map((part) => (/^`[^`]*`$/.test(part) ? part.slice(1, -1) : part.replace(/\*+|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])/g, '')))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncateAtWord(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 1))} …`;
}

/**
 * The title (first `# ` heading of the first markdown cell, else `fallbackTitle`) and summary (that cell's first
 * paragraph after the title, as plain text, cut at a word near 480 characters).
 */
export function notebookTitleAndSummary(nb: NotebookJson, fallbackTitle: string): { title: string; summary: string } {
  const first = nb.cells.find((c) => c.cell_type === 'markdown');
  const lines = text(first?.source).split('\n');
  const heading = lines.findIndex((l) => /^#\s+\S/.test(l));
  const title = heading >= 0 ? plainText(lines[heading].replace(/^#\s+/, '')) : fallbackTitle;
  const rest = lines.slice(heading + 1);
  const start = rest.findIndex((l) => l.trim() !== '' && !/^#/.test(l));
  const paragraph: string[] = [];
  for (const line of start >= 0 ? rest.slice(start) : []) {
    if (line.trim() === '' || /^#/.test(line)) break;
    paragraph.push(line);
  }
  return { title, summary: truncateAtWord(plainText(paragraph.join(' ')), SUMMARY_MAX_CHARS) };
}

/** The number of Plotly figures in the notebook's HTML outputs. */
export function countFigureOutputs(nb: NotebookJson): number {
  let n = 0;
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      n += text(output.data?.['text/html']).split(FIGURE_FALLBACK_TEXT).length - 1;
    }
  }
  return n;
}
