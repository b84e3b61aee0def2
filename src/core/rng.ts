/**
 * Seeded pseudo-random numbers, passed explicitly to every function that samples.
 *
 * Generator: xoshiro128** (Blackman & Vigna 2018), 128-bit state, period 2^128 − 1, seeded through splitmix32 so
 * that nearby seeds give unrelated streams. Uniforms are 32-bit (u ∈ [0, 1) with 2^-32 spacing), normals use the
 * Box–Muller transform. The whole state is four uint32 words, so a generator can be checkpointed and restored
 * (`rng.state` / `restoreRng`) and a resumed run draws exactly the numbers an uninterrupted one would.
 */

export type RngState = [number, number, number, number];

export interface Rng {
  /** uniform in [0, 1) */
  uniform(): number;
  /** uniform in [lo, hi) */
  uniformIn(lo: number, hi: number): number;
  /** integer uniform in [lo, hi) */
  int(lo: number, hi: number): number;
  /** standard normal N(0, 1) */
  normal(): number;
  /** an independent generator derived from this one (for a sub-task that must not shift this stream) */
  fork(): Rng;
  /** a copy of the 128-bit state */
  readonly state: RngState;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A generator seeded by a non-negative integer. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  const sm = splitmix32(seed);
  return restoreRng([sm(), sm(), sm(), sm()]);
}

/** A generator that continues from a saved state. */
export function restoreRng(state: RngState): Rng {
  if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new RangeError(`rng state must be four uint32 words, got ${JSON.stringify(state)}`);
  }
  if (state.every((w) => w === 0)) throw new RangeError('rng state must not be all zeros');
  const s = state.map((w) => w >>> 0) as RngState;

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  }

  const rng: Rng = {
    uniform: () => nextUint32() / 4294967296,
    uniformIn: (lo, hi) => lo + (hi - lo) * rng.uniform(),
    int: (lo, hi) => {
      if (!(hi > lo)) throw new RangeError(`int(lo, hi) needs hi > lo, got [${lo}, ${hi})`);
      return lo + Math.floor(rng.uniform() * (hi - lo));
    },
    normal: () => {
      // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
      const u1 = 1 - rng.uniform();
      const u2 = rng.uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    fork: () => createRng(nextUint32()),
    get state() {
      return [s[0], s[1], s[2], s[3]] as RngState;
    },
  };
  return rng;
}

/** Independent, order-free random streams per purpose and index (an instance, a task, a method): one seed, many streams that do not depend on the order they are drawn in. */
export function streamFor(seed: number, purpose: number, index: number): Rng {
  return createRng((seed + 1000003 * (purpose + 1) + 7919 * (index + 1)) >>> 0);
}
