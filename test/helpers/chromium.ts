/** Browser tests run wherever Chromium is installed; they skip (saying why) only outside CI, and fail in CI. */
import { strict as assert } from 'assert';
import { chromiumExecutable } from '../../src/viz/export';

export function requireChromium(ctx: Mocha.Context): void {
  if (chromiumExecutable() !== null) return;
  if (!process.env.CI) {
    console.log('      skipped: Chromium is not installed (apt-get install chromium); in CI these tests must run');
    ctx.skip();
  }
  assert.fail('Chromium is missing in CI: .ci/run must install it');
}
