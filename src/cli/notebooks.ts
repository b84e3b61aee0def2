/**
 * The experiment notebooks, shared by `npm test`, `npm run notebooks` and `npm run reproduce`: listing and choosing
 * them, and ordering them by the wall time of their last run.
 *
 * A notebook is `notebooks/NN-<experiment-id>.ipynb` (../core/jupyter.ts); the id is the contract between a notebook,
 * its `results/<experiment-id>/` folder and the command line. Running them: ./notebookExecution.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../core/errors';
import { parseNotebookFileName } from '../core/jupyter';
import { reusedMetaTrainSeconds } from '../core/results';
import { REPO_ROOT } from './commandLine';

export interface Notebook {
  /** e.g. 1 */
  number: number;
  /** e.g. 'imode-pendulum' */
  id: string;
  /** the file name without extension, e.g. '01-imode-pendulum' */
  name: string;
  /** absolute path */
  file: string;
}

/**
 * The experiment notebooks in `dir`, sorted by number. Other .ipynb files are returned in `ignored` so a
 * misnamed notebook is reported rather than silently skipped by CI.
 */
export function listNotebooks(dir = path.join(REPO_ROOT, 'notebooks')): { notebooks: Notebook[]; ignored: string[] } {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort() : [];
  const notebooks: Notebook[] = [];
  const ignored: string[] = [];
  for (const f of files) {
    const parsed = parseNotebookFileName(f);
    if (parsed) notebooks.push({ ...parsed, name: f.slice(0, -'.ipynb'.length), file: path.join(dir, f) });
    else ignored.push(f);
  }
  notebooks.sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
  for (let i = 1; i < notebooks.length; i++) {
    const twin = notebooks.slice(0, i).find((n) => n.id === notebooks[i].id);
    if (twin) {
      throw new ConfigError(
        `experiment id '${notebooks[i].id}' is used by two notebooks: ${twin.name}.ipynb and ${notebooks[i].name}.ipynb`,
      );
    }
  }
  return { notebooks, ignored };
}

/** The notebook for an experiment id (or its full name, e.g. '01-imode-pendulum'). */
export function notebookForId(id: string, notebooks: readonly Notebook[]): Notebook {
  const found = notebooks.find((n) => n.id === id || n.name === id);
  if (!found) {
    const known = notebooks.length ? notebooks.map((n) => n.id).join(', ') : '(none: notebooks/ has no NN-<id>.ipynb)';
    throw new ConfigError(`unknown experiment id '${id}'; known ids: ${known}`);
  }
  return found;
}

/** The notebooks named by `ids`, in notebook order; all of them when `ids` is empty. */
export function selectNotebooks(ids: readonly string[], notebooks: readonly Notebook[]): Notebook[] {
  if (ids.length === 0) return [...notebooks];
  const chosen = new Set(ids.map((id) => notebookForId(id, notebooks)));
  return notebooks.filter((n) => chosen.has(n));
}

/**
 * The wall time of the last committed run of each notebook's experiment (results/<id>/provenance.json), or null.
 * A run that reused finished checkpoints (its metrics record more meta-training than its wall time) gets that
 * meta-training added, the cost of the fresh run `reproduce` schedules.
 */
export function lastWallSeconds(notebook: Notebook, root = REPO_ROOT): number | null {
  const dir = path.join(root, 'results', notebook.id);
  const file = path.join(dir, 'provenance.json');
  if (!fs.existsSync(file)) return null;
  const seconds: unknown = JSON.parse(fs.readFileSync(file, 'utf8')).wallSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  return seconds + reusedMetaTrainSeconds(dir, seconds);
}

/** Longest first (greedy scheduling on N workers); experiments never run before go first, as they may be long. */
export function longestFirst(notebooks: readonly Notebook[], seconds: (n: Notebook) => number | null): Notebook[] {
  const key = (n: Notebook) => seconds(n) ?? Infinity;
  return [...notebooks].sort((a, b) => key(b) - key(a) || a.number - b.number);
}
