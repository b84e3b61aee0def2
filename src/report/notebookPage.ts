/**
 * One report page per executed notebook: Jupyter's own HTML export (Debian's nbconvert, run by /usr/bin/python3,
 * which has it), with plotly.js relinked so that the interactive figures work when the page is opened from disk.
 *
 * Executed notebooks load plotly.js either inline (the whole bundle in a <script>, PLOTLY_INLINE=1) or with
 * `<script src="../node_modules/plotly.js-dist-min/plotly.min.js">`, which only resolves one directory below the
 * repository root. The report folder holds one copy of plotly.min.js, and every loader of either kind becomes
 * `<script src="plotly.min.js">`: pages stay small (no 4.8 MB bundle each) and resolve from wherever the folder is.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { DataError } from '../core/errors';
import { SYSTEM_PYTHON } from '../core/jupyter';

export const REPORT_PLOTLY_FILE = 'plotly.min.js';
const PLOTLY_SRC = /(<script\b[^>]*\bsrc=")[^"]*node_modules\/plotly\.js-dist-min\/plotly\.min\.js(")/g;

/**
 * `html` with each plotly.js loader pointing at the report's copy; `inlineLoader` is the exact inline loader the
 * notebooks emit (plotlyLoaderHtml('inline')).
 */
export function relinkPlotly(html: string, inlineLoader: string): string {
  return html
    .split(inlineLoader)
    .join(`<script src="${REPORT_PLOTLY_FILE}"></script>`)
    .replace(PLOTLY_SRC, `$1${REPORT_PLOTLY_FILE}$2`);
}

/** Convert `notebookFile` to `<outDir>/<name>.html` with nbconvert; returns that file. */
export function convertNotebookToHtml(notebookFile: string, outDir: string, name: string): Promise<string> {
  const args = ['-m', 'nbconvert', '--to', 'html', '--output-dir', outDir, '--output', name, notebookFile];
  return new Promise((resolve, reject) => {
    execFile(SYSTEM_PYTHON, args, { maxBuffer: 16 * 2 ** 20 }, (error, _stdout, stderr) => {
      if (error) {
        reject(new DataError(`nbconvert --to html failed (${error.message.split('\n')[0]}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`, { file: notebookFile }));
      } else {
        resolve(path.join(outDir, `${name}.html`));
      }
    });
  });
}
