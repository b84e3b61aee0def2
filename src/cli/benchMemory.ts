/**
 * `npm run bench -- --memory N`: N training steps of one workload (--memory-workload, default hnn), the live tensor
 * count and the process RSS sampled along the way (after a full garbage collection too, with
 * NODE_OPTIONS=--expose-gc), written to results/bench/memory-<workload>.json.
 */
import * as tf from '@tensorflow/tfjs';
import { writeJsonAtomic } from '../core/atomicWrite';
import { startProvenance } from '../core/results';
import { type WorkloadName, createWorkload } from '../bench/workloads';
import { benchOutFile, benchProvenance } from './benchMeasurement';
import { imodeWorkloadSetup } from './benchWorkloadRuns';

function rss(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

/** N training steps of one workload, sampling the live tensor count and the process RSS (MiB). */
export function memoryRun(name: WorkloadName, steps: number): void {
  const prov = startProvenance({ experiment: `bench-memory-${name}`, paper: 'issue 8', section: 'performance', scale: 'bench', config: { steps }, seed: 8 });
  const tensorsBefore = tf.memory().numTensors;
  const w = createWorkload(name, imodeWorkloadSetup);
  // With `node --expose-gc` (NODE_OPTIONS=--expose-gc) each sample also runs a full collection first: V8 collects
  // lazily, so raw RSS climbs for thousands of steps before a major GC even when nothing leaks.
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: { step: number; tensors: number; tensorMiB: number; rssMiB: number; rssAfterGcMiB: number | null; jsHeapMiB: number; wasmHeapMiB: number | null }[] = [];
  const every = Math.max(1, Math.round(steps / 20));
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const sample = (step: number) => {
    const mem = tf.memory();
    // The wasm module's linear memory only grows; its size is the heap the backend has asked for so far.
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.length;
    const raw = rss();
    if (gc) gc();
    samples.push({ step, tensors: mem.numTensors, tensorMiB: mib(mem.numBytes), rssMiB: raw, rssAfterGcMiB: gc ? rss() : null, jsHeapMiB: mib(process.memoryUsage().heapUsed), wasmHeapMiB: heap === undefined ? null : mib(heap) });
  };
  sample(0);
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    w.step();
    if (i % every === 0 || i === steps) {
      sample(i);
      const last = samples[samples.length - 1];
      console.log(`step ${i}/${steps}: tensors ${last.tensors}, RSS ${last.rssMiB} MiB (after GC ${last.rssAfterGcMiB ?? 'n/a'}), JS heap ${last.jsHeapMiB} MiB, wasm heap ${last.wasmHeapMiB} MiB`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  w.dispose();
  const tensorsAfter = tf.memory().numTensors;
  // The first sample after warm-up (step `every`) is the reference: the heap grows to its working size in the first steps.
  const first = samples[1] ?? samples[0];
  const end = samples[samples.length - 1];
  writeJsonAtomic(benchOutFile(`memory-${name}`), {
    ...benchProvenance(prov.finish()),
    workload: w.info.description,
    steps,
    seconds,
    tensorsBefore,
    tensorsAfter,
    tensors: { start: samples[0].tensors, afterFirstSample: first.tensors, end: end.tensors },
    gcBeforeSamples: gc !== undefined,
    rssMiB: { start: samples[0].rssMiB, afterFirstSample: first.rssMiB, end: end.rssMiB, max: Math.max(...samples.map((s) => s.rssMiB)) },
    rssAfterGcMiB: { start: samples[0].rssAfterGcMiB, afterFirstSample: first.rssAfterGcMiB, end: end.rssAfterGcMiB },
    jsHeapMiB: { start: samples[0].jsHeapMiB, afterFirstSample: first.jsHeapMiB, end: end.jsHeapMiB },
    wasmHeapMiB: { start: samples[0].wasmHeapMiB, afterFirstSample: first.wasmHeapMiB, end: end.wasmHeapMiB },
    samples,
  });
  console.log(`memory ${name}: ${steps} steps in ${seconds.toFixed(0)} s; tensors ${samples[0].tensors} -> ${end.tensors}; RSS ${first.rssMiB} MiB (step ${first.step}) -> ${end.rssMiB} MiB`);
}
