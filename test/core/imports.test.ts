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
});
