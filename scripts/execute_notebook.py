"""Execute one notebook headless with nbclient and report the first failing cell as one JSON line.

Why a driver instead of `jupyter nbconvert --execute`: nbconvert reports a failure as a long traceback that
embeds the cell source, with no cell index; here the on_cell_start hook tracks which cell is running, so a
failure (error reply, timeout or dead kernel) is reported as {cellIndex, firstLine, ename, evalue, traceback,
stderr} and the TypeScript runner (src/cli/notebookExecution.ts) prints one `FAILED <notebook> cell <i> (...)` line.
The cell's stderr is included because tslab writes compile errors and uncaught exceptions there and replies
with the placeholder ename '<Error>'. Execution stops at the first error (nbclient's default), and the
executed notebook is written in every case so the failure can be read.

Usage: execute_notebook.py NOTEBOOK OUT_DIR [--kernel tslab] [--timeout SECONDS]
The kernel runs with cwd = the notebook's own folder and inherits this process's environment
(JUPYTER_PATH, METADYN_SCALE, METADYN_BACKEND, PLOTLY_INLINE). Stdout carries only the JSON result line;
exit code 0 = all cells ran, 1 = a cell failed, 2 = the notebook could not be run at all.
"""
import argparse
import json
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def first_line(source):
    lines = [line for line in source.splitlines() if line.strip()]
    return lines[0].strip() if lines else ''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('notebook')
    parser.add_argument('out_dir')
    parser.add_argument('--kernel', default='tslab')
    parser.add_argument('--timeout', type=int, default=0, help='per-cell timeout in seconds; 0 = none')
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=args.kernel,
        timeout=args.timeout if args.timeout > 0 else None,
        resources={'metadata': {'path': os.path.dirname(os.path.abspath(args.notebook))}},
    )
    current = {'index': -1}
    client.on_cell_start = lambda cell, cell_index: current.update(index=cell_index)

    result = {'status': 'ok'}
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        index = current['index']
        cell = nb.cells[index] if 0 <= index < len(nb.cells) else None
        outputs = cell.get('outputs', []) if cell else []
        errors = [o for o in outputs if o.get('output_type') == 'error']
        stderr = ''.join(o.get('text', '') for o in outputs if o.get('output_type') == 'stream' and o.get('name') == 'stderr')
        if isinstance(exc, CellExecutionError):
            ename, evalue = exc.ename, exc.evalue
            traceback = errors[-1].get('traceback', []) if errors else []
        else:
            ename, evalue, traceback = type(exc).__name__, str(exc).strip().splitlines()[0], []
        result = {
            'status': 'failed',
            'cellIndex': index,
            'firstLine': first_line(cell.source) if cell else '',
            'ename': ename,
            'evalue': evalue,
            'traceback': traceback,
            'stderr': stderr,
        }
    finally:
        os.makedirs(args.out_dir, exist_ok=True)
        nbformat.write(nb, os.path.join(args.out_dir, os.path.basename(args.notebook)))

    print(json.dumps(result), flush=True)
    return 0 if result['status'] == 'ok' else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception as exc:  # noqa: BLE001 - any other failure (bad JSON, missing kernel) is reported, not raised
        print(json.dumps({'status': 'error', 'ename': type(exc).__name__, 'evalue': str(exc)}), flush=True)
        sys.exit(2)
