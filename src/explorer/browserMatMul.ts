/**
 * What ../core/nativeMatMul.ts answers in a browser page: the explorer's bundle (./explorerPage.ts) resolves that
 * module to this one, because the real one reads the OpenBLAS addon from disk (fs, path) and a page has neither.
 * A page has no native products, so its matrix products are the backend's own; ../nn/inputGradient.ts then takes
 * its explicit-transpose path, the path Node takes on every engine but OpenBLAS.
 */

/** The engine name ../nn/inputGradient.ts reads: anything but OpenBLAS means "no exact transpose flags". */
export function matMulEngine(): string {
  return 'xnnpack';
}
