/**
 * What a failed notebook cell reports: the driver's one-line JSON report (scripts/execute_notebook.py), the error it
 * names (tslab's placeholder replies decoded from the cell's stderr), and the `FAILED <notebook> cell <i> (...)` line.
 */
import { stripAnsi } from './processes';

/** What scripts/execute_notebook.py prints as its one stdout line. */
export interface DriverReport {
  status: 'ok' | 'failed' | 'error';
  cellIndex?: number;
  firstLine?: string;
  ename?: string;
  evalue?: string;
  /** lines of the kernel's `error` outputs (tslab sends none) */
  traceback?: string[];
  /** the failing cell's stderr, where tslab writes compile errors and uncaught exceptions */
  stderr?: string;
}

export interface CellFailure {
  /** 0-based index over all cells of the notebook, markdown included (nbclient's numbering) */
  cellIndex: number;
  firstLine: string;
  ename: string;
  evalue: string;
  /** the kernel's traceback or the cell's stderr, ANSI colours removed */
  details: string;
}

const THROWN_ERROR_LINE = /^((?:[A-Za-z_$][\w$.]*)?(?:Error|Exception)): (.*)$/;
const COMPILE_DIAGNOSTIC = /^\d+:\d+ - .*$/;

/**
 * Name the error of a failed cell. tslab replies with the placeholder ename '<Error>' and an empty evalue, and
 * writes the real message to stderr: `1:7 - Type 'string' is not …` for a compile error, Node's uncaught-error
 * report (`ConfigError: latentDim must be …` followed by the stack) for a runtime error, or just the value for
 * a thrown non-Error. Kernels that send proper error replies keep their ename/evalue.
 */
export function describeCellFailure(report: DriverReport): CellFailure {
  const stderr = stripAnsi(report.stderr ?? '');
  const traceback = stripAnsi((report.traceback ?? []).join('\n'));
  const lines = stderr.split('\n').map((l) => l.trimEnd());
  let ename = report.ename ?? '';
  let evalue = report.evalue ?? '';
  if (ename === '' || ename === '<Error>') {
    const thrown = lines.filter((l) => THROWN_ERROR_LINE.test(l)).pop();
    const diagnostics = lines.filter((l) => COMPILE_DIAGNOSTIC.test(l));
    if (thrown) {
      const m = THROWN_ERROR_LINE.exec(thrown) as RegExpExecArray;
      ename = m[1];
      evalue = m[2];
    } else if (diagnostics.length) {
      ename = 'CompileError';
      evalue = diagnostics.join('; ');
    } else {
      ename = 'Error';
      evalue = lines.filter((l) => l.trim() !== '').pop() ?? '(no message; the kernel wrote nothing to stderr)';
    }
  }
  return {
    cellIndex: report.cellIndex ?? -1,
    firstLine: report.firstLine ?? '',
    ename,
    evalue,
    details: (traceback || stderr).trimEnd(),
  };
}

/** `FAILED notebooks/01-x.ipynb cell 3 (const model = …): ConfigError: latentDim must be …` */
export function formatCellFailure(notebookPath: string, failure: CellFailure): string {
  return `FAILED ${notebookPath} cell ${failure.cellIndex} (${failure.firstLine}): ${failure.ename}: ${failure.evalue}`;
}
