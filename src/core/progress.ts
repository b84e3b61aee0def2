/**
 * Progress of long loops. Inside a tslab kernel: one HTML <progress> bar that is overwritten in place (one display
 * id, so a saved notebook keeps only the final state), throttled because every update is a kernel message.
 * Elsewhere (mocha, tsx, CLI): plain log lines at most every `logIntervalMs`, plus the final line; METADYN_QUIET=1
 * silences them.
 *
 * This module also owns the only access to tslab's display (`displayHtml`, `newKernelDisplay`, and `escapeHtml` for
 * what is shown), shared with the viz layer: tslab throws "Not ready" outside a kernel, so shared code probes it
 * at call time instead of importing it at top level.
 */
import type { Display } from 'tslab';
import { ConfigError } from './errors';

function tslabModule(): typeof import('tslab') | null {
  try {
    return require('tslab');
  } catch {
    return null;
  }
}

/** Run a display write; false when tslab has no kernel to write to (it throws "Not ready" then). */
function tryDisplay(write: () => void): boolean {
  try {
    write();
    return true;
  } catch (e) {
    if ((e as Error).message === 'Not ready') return false;
    throw e;
  }
}

/** Show `html` as a new output of the running tslab cell; false (nothing shown) outside a kernel. */
export function displayHtml(html: string): boolean {
  const tslab = tslabModule();
  return tslab !== null && tryDisplay(() => tslab.display.html(html));
}

/** Text made safe inside HTML elements and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A fresh display entry that later writes overwrite in place, or null outside a tslab kernel. */
export function newKernelDisplay(): Display | null {
  const tslab = tslabModule();
  if (tslab === null) return null;
  const display = tslab.newDisplay();
  return tryDisplay(() => display.text('')) ? display : null;
}

export interface Progress {
  /** `i` of `total` done; `extra` is appended (e.g. the current loss) */
  update(i: number, extra?: string): void;
  /** mark the loop finished; always shown */
  done(extra?: string): void;
}

/** Where progress goes: an in-place HTML display, or a stream of log lines. */
export type ProgressSink = { kind: 'html'; show(html: string): void } | { kind: 'log'; line(text: string): void };

export interface ProgressOptions {
  total: number;
  label: string;
  /** least time between HTML updates */
  minIntervalMs: number;
  /** least time between log lines */
  logIntervalMs: number;
  sink: ProgressSink;
  now: () => number;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A progress reporter over an explicit sink and clock (what `progress` wires to the kernel or the console). */
export function createProgress(o: ProgressOptions): Progress {
  if (!Number.isInteger(o.total) || o.total < 0) throw new ConfigError(`progress total must be an integer >= 0, got ${o.total}`);
  const start = o.now();
  let last = -Infinity;
  const interval = o.sink.kind === 'html' ? o.minIntervalMs : o.logIntervalMs;

  function emit(i: number, extra: string, final: boolean): void {
    const elapsed = o.now() - start;
    const fraction = o.total > 0 ? Math.min(i / o.total, 1) : 1;
    const eta = !final && fraction > 0 ? `, ETA ${seconds((elapsed * (1 - fraction)) / fraction)}` : '';
    const text = `${o.label} ${i}/${o.total} (${Math.round(100 * fraction)}%) ${seconds(elapsed)}${eta}${extra ? ` ${extra}` : ''}`.trim();
    if (o.sink.kind === 'html') o.sink.show(`<progress value="${i}" max="${o.total}"></progress> ${escapeHtml(text)}`);
    else o.sink.line(text);
  }

  let finished = false;
  return {
    update(i, extra = '') {
      const t = o.now();
      if (finished || t - last < interval) return;
      last = t;
      emit(i, extra, false);
    },
    done(extra = '') {
      if (finished) return;
      finished = true;
      emit(o.total, extra, true);
    },
  };
}

/**
 * Progress for `total` steps: a live bar in a tslab kernel (at most one update a second), throttled console lines
 * (every 5 s) elsewhere. A training loop never yields to the event loop, so the kernel's ZeroMQ socket may still be
 * sending the previous update: faster updates made tslab fail with "Socket is busy writing" and killed the kernel
 * (a Paper B notebook with sub-second iterations). A bar update that cannot be sent is dropped, never fatal.
 */
export function progress(total: number, label = '', minIntervalMs = 1000): Progress {
  const display = newKernelDisplay();
  const quiet = process.env.METADYN_QUIET === '1';
  const sink: ProgressSink = display
    ? {
        kind: 'html',
        show: (html) => {
          try {
            display.html(html);
          } catch (e) {
            if (!/busy/i.test((e as Error).message)) throw e;
          }
        },
      }
    : { kind: 'log', line: (text) => (quiet ? undefined : console.log(text)) };
  return createProgress({ total, label, minIntervalMs, logIntervalMs: 5000, sink, now: Date.now });
}
