import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';

/**
 * tslab (the notebooks' kernel) loads src/ with its own CommonJS loader, which recurses forever on an import cycle
 * and cannot resolve a folder's index file; both pass tsc and mocha, so they are checked here.
 */
const SRC = path.resolve(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports that exist at run time (`import type` is erased by the compiler). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.[^']+)';/gms)].map((m) => m[1]);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

/** Every relative import and re-export, type-only ones included: a type that points up the layers is a dependency too. */
function allImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)';/gms)].map((m) => m[1]);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

/**
 * The layers of src/, lowest first: a file may import from its own folder's layer and the layers before it, never
 * from one after it (type-only imports count).
 *
 *   core         backend, seeded RNG, config and errors, results and provenance, checkpoints, paths, the float64
 *                ODE state and right-hand side (state.ts), the notebook file convention (jupyter.ts)
 *   systems      physical systems in float64 (knows nothing of integrators, tensors or networks)
 *   integrators  float64 ground-truth integrators
 *   data         datasets and trajectories: loaders, windows, simulated ground truth
 *   nn           tfjs pieces: MLP with analytic input gradient, iMODE fields, differentiable odeint
 *   modulation   hypernetwork and the modulations of the MLP
 *   models       field models on the (modulated) MLP: HNN, GENERIC and their contract (fieldModel.ts); above
 *                modulation because they are built on the modulated MLP, below meta because meta trains them
 *   meta         training procedures
 *   analysis     metrics, PCA, the Neural Gauge
 *   viz          Plotly figures and tables
 *   bench        benchmark workloads built from nn/modulation/models/meta (their README section uses viz's tables);
 *                below experiments: a workload that times an experiment's model is handed that model by its caller
 *   experiments  one file per paper experiment, joining the layers above
 *   explorer     the live explorer: trained models exported to an offline page that runs them in the browser
 *   report       the HTML report of executed notebooks (their explorer frames included) and the experiments' metrics
 *   cli          entry points (the only layer that joins bench, experiments and report)
 */
const LAYERS = ['core', 'systems', 'integrators', 'data', 'nn', 'modulation', 'models', 'meta', 'analysis', 'viz', 'bench', 'experiments', 'explorer', 'report', 'cli'] as const;

/**
 * Imports the order allows but the layer map rules out: a layer's "knows nothing of", and the reaches for a helper
 * that sits in one user's module instead of a lower place both users import (module paths are relative to src/;
 * a folder name stands for every module in it).
 */
const FORBIDDEN: readonly { from: string; to: string; why: string }[] = [
  { from: 'nn', to: 'systems', why: 'networks know nothing of systems: pass a system\'s constants in' },
  { from: 'analysis', to: 'meta', why: 'analysis knows nothing of training: a helper both use lives in nn/ or core/' },
  { from: 'viz', to: 'meta', why: 'viz knows nothing of training' },
  { from: 'modulation', to: 'nn/accelerationField', why: 'a validator both use lives in core/' },
];

const within = (module: string, place: string) => module === place || module.startsWith(`${place}/`);

describe('src/ imports (what tslab can load)', () => {
  const files = sourceFiles(SRC);

  it('every relative import names a file, not a folder index', () => {
    const bad = files.flatMap((f) => runtimeImports(f).filter((target) => !fs.existsSync(`${target}.ts`)).map((t) => `${path.relative(SRC, f)} -> ${path.relative(SRC, t)}`));
    assert.deepEqual(bad, []);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f.replace(/\.ts$/, ''), runtimeImports(f)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, trail: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(node)), node].map((n) => path.relative(SRC, n)).join(' -> '));
        return;
      }
      state.set(node, 'open');
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    assert.deepEqual(cycles, []);
  });

  it('imports only point down the layers (or within one)', () => {
    const layerOf = (module: string) => (LAYERS as readonly string[]).indexOf(module.split('/')[0]);
    const folders = fs.readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.deepEqual(folders.filter((f) => layerOf(f) < 0), [], 'every folder of src/ has a layer in LAYERS');
    const bad = files.flatMap((f) => {
      const from = path.relative(SRC, f).replace(/\.ts$/, '');
      return allImports(f).flatMap((t) => {
        const to = path.relative(SRC, t);
        if (layerOf(to) > layerOf(from)) return [`${from} -> ${to} (${LAYERS[layerOf(from)]} is below ${LAYERS[layerOf(to)]})`];
        const rule = FORBIDDEN.find((r) => within(from, r.from) && within(to, r.to));
        return rule ? [`${from} -> ${to} (${rule.why})`] : [];
      });
    });
    assert.deepEqual(bad, []);
  });
});
