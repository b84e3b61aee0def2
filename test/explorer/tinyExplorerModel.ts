/** A small explorer model for the tests: fresh energy-network weights, three instances on a harmonic orbit (no −0: JSON writes it as 0). */
import * as tf from '@tensorflow/tfjs';
import { tensorToJson } from '../../src/core/checkpoint';
import { createRng } from '../../src/core/rng';
import { etaRangeOf } from '../../src/explorer/modelExport';
import { EXPLORER_MODEL_FORMAT, EXPLORER_MODEL_VERSION, type ExplorerModel } from '../../src/explorer/pageRollout';
import { type ConservativeForceSpec, potentialMlpSpec } from '../../src/nn/conservativeForce';
import { initMlp, mlpTensors } from '../../src/nn/mlp';

export function tinyExplorerModel(steps = 200, seed = 7): ExplorerModel {
  const spec: ConservativeForceSpec = { positionDim: 1, etaDim: 1, width: 16, depth: 2, beta: 10, symmetry: 'reflection', etaTransform: 'identity', mass: 1 };
  const tensors = mlpTensors(initMlp(potentialMlpSpec(spec), createRng(seed)));
  const weights = tensors.map(tensorToJson);
  tf.dispose(tensors);
  const dt = 0.01;
  const window = (a: number) => Array.from({ length: steps }, (_, k) => [a * Math.cos(k * dt), 0 - a * Math.sin(k * dt)]);
  const instances = [
    { label: 'L=1', split: 'train', eta: [-1], window: window(0.5) },
    { label: 'L=2', split: 'interpolate', eta: [0.2], window: window(1) },
    { label: 'L=3', split: 'train', eta: [1.5], window: window(1.5) },
  ];
  return {
    format: EXPLORER_MODEL_FORMAT,
    version: EXPLORER_MODEL_VERSION,
    experiment: 'tiny',
    field: { kind: 'conservative', spec },
    weights,
    solver: { method: 'dopri5', rtol: 1e-4, atol: 1e-4 },
    dt,
    etaRange: etaRangeOf(instances),
    eta0: [0],
    instances,
    portrait: { x: 0, y: 1, xTitle: 'θ (rad)', yTitle: 'ω (rad/s)' },
  };
}
