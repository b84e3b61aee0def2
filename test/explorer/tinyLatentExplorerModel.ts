/** A small Paper B latent explorer model for the tests: a fresh SVD-modulated HNN, hypernetwork scaled up so that z matters. */
import * as tf from '@tensorflow/tfjs';
import { tensorToJson } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { LATENT_EXPLORER_FORMAT, LATENT_EXPLORER_VERSION, type LatentExplorerModel } from '../../src/explorer/latentPageRollout';
import { hnnBaseSpec } from '../../src/meta/latentModulation';
import { hnnLatentModel } from '../../src/models/hnn';
import { modulationSpec } from '../../src/modulation/modulation';

export function tinyLatentExplorerModel(): LatentExplorerModel {
  const spec = modulationSpec(hnnBaseSpec({ width: 16, depth: 2, activation: 'tanh', beta: 1 }, 2), 'svd', { latentDim: 4, rank: 2 });
  const latent = hnnLatentModel(spec);
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
  const window = (a: number) => Array.from({ length: 30 }, (_, k) => [a * Math.cos(0.1 * k), 0 - a * Math.sin(0.1 * k)]);
  return {
    format: LATENT_EXPLORER_FORMAT,
    version: LATENT_EXPLORER_VERSION,
    experiment: 'tiny-latent',
    method: 'SVD',
    spec,
    weights,
    solver: { method: 'rk4', substeps: 1 },
    dt: 0.1,
    mean: [0.1, -0.2, 0.3, 0],
    components: [[0.6, 0.8, 0, 0], [0, 0, 1, 0]],
    explained: [0.7, 0.2],
    coordinateRange: [[-1, 2], [-0.5, 0.5]],
    grid: { x: [-1, -0.5, 0, 0.5, 1], y: [-2, 0, 2] },
    instances: [
      { label: 'a', coordinates: [-1, 0], window: window(0.5) },
      { label: 'b', coordinates: [1, 0.3], window: window(1) },
      { label: 'c', coordinates: [2, -0.5], window: window(1.5) },
    ],
    stateLabels: ['q', 'p'],
  };
}
