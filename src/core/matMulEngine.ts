/**
 * Which engine computes the wasm backend's matrix products, as a piece of state that runs anywhere: ./nativeMatMul.ts
 * (Node only: it loads the OpenBLAS addon from disk) sets it when it replaces the backend's kernel, and
 * ../nn/inputGradient.ts and the run records read it. The explorer's browser page never sets it, so there it stays the
 * backend's own kernel, 'xnnpack'.
 */
let engine = 'xnnpack';

/** Which products the wasm backend runs: 'xnnpack', or 'openblas <version>, <n> thread(s)'. */
export function matMulEngine(): string {
  return engine;
}

/** Record the engine now registered (./nativeMatMul.ts, after it replaced the kernel). */
export function setMatMulEngine(name: string): void {
  engine = name;
}
