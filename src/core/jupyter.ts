/**
 * What the notebook runner (../cli/notebookExecution.ts) and the report (../report/) share about notebooks: the file name
 * `NN-<experiment-id>.ipynb` (NN two digits, the id lower-case words joined by '-'), whose id is the contract between
 * a notebook, its `results/<experiment-id>/` folder and the command line, and the python that runs Jupyter.
 */

/** Debian's python, which has jupyter; `python3` on PATH may be a pyenv shim without it. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const NOTEBOOK_FILE = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$/;

/** `01-imode-pendulum.ipynb` → { number: 1, id: 'imode-pendulum' }; null for names outside the convention. */
export function parseNotebookFileName(fileName: string): { number: number; id: string } | null {
  const m = NOTEBOOK_FILE.exec(fileName);
  return m ? { number: Number(m[1]), id: m[2] } : null;
}
