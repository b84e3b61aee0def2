import { strict as assert } from 'assert';
import { ConfigError } from '../../src/core/errors';
import { createProgress, displayHtml, newKernelDisplay, progress, ProgressSink } from '../../src/core/progress';

function fakeClock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('core/progress', () => {
  it('log sink: first update, then at most one line per interval, then the final line', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const sink: ProgressSink = { kind: 'log', line: (s) => lines.push(s) };
    const p = createProgress({ total: 100, label: 'train', minIntervalMs: 200, logIntervalMs: 5000, sink, now: clock.now });
    for (let i = 1; i <= 100; i++) {
      clock.advance(100); // 10 s in all
      p.update(i, `loss=${i}`);
    }
    p.done('loss=final');
    p.done('ignored');
    // i=1 at 0.1 s, i=51 at 5.1 s (i=100 at 10.0 s is only 4.9 s later), then done
    assert.deepEqual(lines, [
      'train 1/100 (1%) 0.1 s, ETA 9.9 s loss=1',
      'train 51/100 (51%) 5.1 s, ETA 4.9 s loss=51',
      'train 100/100 (100%) 10.0 s loss=final',
    ]);
  });

  it('html sink: a <progress> bar throttled at minIntervalMs, label escaped', () => {
    const clock = fakeClock();
    const shown: string[] = [];
    const p = createProgress({ total: 10, label: 'a<b', minIntervalMs: 200, logIntervalMs: 5000, sink: { kind: 'html', show: (h) => shown.push(h) }, now: clock.now });
    for (let i = 1; i <= 10; i++) {
      clock.advance(100);
      p.update(i);
    }
    p.done();
    assert.equal(shown.length, 6);
    assert.ok(shown[5].startsWith('<progress value="10" max="10"></progress> a&lt;b 10/10 (100%)'));
  });

  it('rejects a bad total', () => {
    const sink: ProgressSink = { kind: 'log', line: () => undefined };
    assert.throws(() => createProgress({ total: -1, label: '', minIntervalMs: 0, logIntervalMs: 0, sink, now: Date.now }), ConfigError);
  });

  it('outside a kernel: no display, plain console lines, silenced by METADYN_QUIET=1', () => {
    assert.equal(newKernelDisplay(), null);
    assert.equal(displayHtml('<b>x</b>'), false);
    const logged: unknown[] = [];
    const original = console.log;
    const quiet = process.env.METADYN_QUIET;
    console.log = (...args: unknown[]) => void logged.push(args.join(' '));
    try {
      delete process.env.METADYN_QUIET;
      const p = progress(2, 'loud');
      p.update(1);
      p.done();
      process.env.METADYN_QUIET = '1';
      const q = progress(2, 'quiet');
      q.update(1);
      q.done();
    } finally {
      console.log = original;
      if (quiet === undefined) delete process.env.METADYN_QUIET;
      else process.env.METADYN_QUIET = quiet;
    }
    assert.equal(logged.length, 2);
    assert.match(String(logged[1]), /^loud 2\/2 \(100%\)/);
  });
});
