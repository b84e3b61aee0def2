/**
 * Colours that colour-blind readers can tell apart, fixed per method so a method looks the same in every figure.
 *
 * Base: Okabe & Ito (2008), "Color Universal Design", eight colours distinguishable under the common colour-vision
 * deficiencies. The two papers compare up to eleven methods plus the ground truth, more than eight, so the map
 * borrows from Paul Tol's "muted" scheme (also designed for colour-blind readers) and a neutral grey for Scratch.
 * Names the map does not know get a colour from the unused entries, chosen by a hash of the name (stable across
 * runs and figures).
 */

/** Okabe–Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple. */
export const OKABE_ITO = ['#000000', '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'] as const;

/** Paul Tol's muted scheme (without its pale grey, which is invisible on white). */
export const TOL_MUTED = ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499'] as const;

const SCRATCH_GREY = '#999999';

const METHOD_COLORS: Readonly<Record<string, string>> = {
  truth: '#000000',
  True: '#000000',
  iMODE: '#E69F00',
  SVD: '#D55E00',
  MR: '#0072B2',
  RO: '#009E73',
  'MR-v1': '#56B4E9',
  FW: '#CC79A7',
  Shift: '#882255',
  MAML: '#332288',
  ANIL: '#999933',
  Reptile: '#44AA99',
  Scratch: SCRATCH_GREY,
};

const assigned = new Set(Object.values(METHOD_COLORS));
/** The palette entries no method owns, for names outside the map. */
const SPARE_COLORS: readonly string[] = [...OKABE_ITO, ...TOL_MUTED].filter((c) => !assigned.has(c));

/** FNV-1a: a fixed, platform-independent 32-bit hash, so a name always gets the same spare colour. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** 'SVD(5)' and 'MR (r=3)' are the SVD and MR methods with a rank: they share their method's colour. */
function methodBase(name: string): string {
  return name.replace(/\s*\(.*\)\s*$/, '');
}

function knownColor(name: string): string | undefined {
  return METHOD_COLORS[name] ?? METHOD_COLORS[methodBase(name)];
}

/** The colour of a method (or 'truth'); unknown names get a deterministic spare colour. */
export function methodColor(name: string): string {
  return knownColor(name) ?? SPARE_COLORS[fnv1a(name) % SPARE_COLORS.length];
}

/**
 * Colours for the series of one figure: known methods keep their colour; unknown names take their hashed spare
 * colour unless another series of this figure already has it, in which case the next free spare is used.
 */
export function seriesColors(names: readonly string[]): string[] {
  const used = new Set<string>();
  const byName = new Map<string, string>();
  for (const name of names) {
    const c = knownColor(name);
    if (c !== undefined) {
      byName.set(name, c);
      used.add(c);
    }
  }
  for (const name of names) {
    if (byName.has(name)) continue;
    const start = fnv1a(name) % SPARE_COLORS.length;
    let color = SPARE_COLORS[start];
    for (let k = 0; k < SPARE_COLORS.length; k++) {
      const candidate = SPARE_COLORS[(start + k) % SPARE_COLORS.length];
      if (!used.has(candidate)) {
        color = candidate;
        break;
      }
    }
    byName.set(name, color);
    used.add(color);
  }
  return names.map((n) => byName.get(n) as string);
}
