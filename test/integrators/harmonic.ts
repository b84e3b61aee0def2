// The unit harmonic oscillator x'' = −x, x(0) = 1, v(0) = 0: x = cos t, v = −sin t, E = (x² + v²)/2 = 1/2.
import type { State, VectorField } from '../../src/core/state';

export const oscillator: VectorField = (_t, y) => Float64Array.of(y[1], -y[0]);
export const oscillatorStart = () => Float64Array.of(1, 0);
export const exactOscillator = (t: number) => [Math.cos(t), -Math.sin(t)];
export const oscillatorEnergy = (y: State) => 0.5 * (y[0] * y[0] + y[1] * y[1]);

/** max over times and components of |numeric − exact| */
export function maxOscillatorError(ts: readonly number[], out: State[]): number {
  let worst = 0;
  out.forEach((y, i) => exactOscillator(ts[i]).forEach((e, k) => (worst = Math.max(worst, Math.abs(y[k] - e)))));
  return worst;
}

export const grid = (t1: number, n: number) => Array.from({ length: n + 1 }, (_, i) => (i * t1) / n);
