/**
 * Small Paper B latent explorer models for the tests, one per field kind: a fresh SVD-modulated HNN on (q, p), or a
 * GENERIC network on (q, p, S) drawn at S = 1, hypernetwork scaled up so that z matters.
 */
import * as tf from '@tensorflow/tfjs';
import { tensorToJson } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { LATENT_EXPLORER_FORMAT, LATENT_EXPLORER_VERSION, type LatentExplorerModel, type LatentFieldKind, latentFieldModel } from '../../src/explorer/latentPageRollout';
import { hnnBaseSpec } from '../../src/meta/latentModulation';
import { modulationSpec } from '../../src/modulation/modulation';

/** The field kinds the tests cover, each with the coordinates beyond (q, p) the grid holds fixed. */
export const TINY_FIELD_KINDS: readonly { field: LatentFieldKind; fixed: number[] }[] = [
  { field: { kind: 'hnn' }, fixed: [] },
  { field: { kind: 'generic', layout: { stateDim: 3, entropyVariables: 1 } }, fixed: [1] },
];

export function tinyLatentExplorerModel(kind: (typeof TINY_FIELD_KINDS)[number] = TINY_FIELD_KINDS[0]): LatentExplorerModel {
  const { field, fixed } = kind;
  const spec = modulationSpec(hnnBaseSpec({ width: 16, depth: 2, activation: 'tanh', beta: 1 }, 2 + fixed.length), 'svd', { latentDim: 4, rank: 2 });
  const latent = latentFieldModel(field, spec);
  const params = latent.init(createRng(11));
  // Φ starts at U(±0.01/√d_z): the modulation would barely move the field; 100× makes a slider visibly change it.
  const hyper = new Set(latent.hyperTensors(params));
  const tensors = latent.tensors(params);
  const weights = tensors.map((t) => {
    if (!hyper.has(t)) return tensorToJson(t);
    const scaled = tf.mul(t, 100);
    const json = tensorToJson(scaled);
    scaled.dispose();
    return json;
  });
  tf.dispose(tensors);
  const window = (a: number) => Array.from({ length: 30 }, (_, k) => [a * Math.cos(0.1 * k), 0 - a * Math.sin(0.1 * k), ...fixed]);
  return {
    format: LATENT_EXPLORER_FORMAT,
    version: LATENT_EXPLORER_VERSION,
    experiment: `tiny-latent-${field.kind}`,
    method: 'SVD',
    field,
    spec,
    weights,
    solver: { method: 'rk4', substeps: 1 },
    dt: 0.1,
    mean: [0.1, -0.2, 0.3, 0],
    components: [[0.6, 0.8, 0, 0], [0, 0, 1, 0]],
    explained: [0.7, 0.2],
    coordinateRange: [[-1, 2], [-0.5, 0.5]],
    grid: { x: [-1, -0.5, 0, 0.5, 1], y: [-2, 0, 2], fixed },
    instances: [
      { label: 'a', coordinates: [-1, 0], window: window(0.5) },
      { label: 'b', coordinates: [1, 0.3], window: window(1) },
      { label: 'c', coordinates: [2, -0.5], window: window(1.5) },
    ],
    stateLabels: ['q', 'p'],
  };
}
