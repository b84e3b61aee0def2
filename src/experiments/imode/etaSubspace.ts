/**
 * An affine subspace of the adapted η and a model confined to it: the leading p principal directions C (rows,
 * orthonormal) of the training instances' η through their mean μ, and field(θ, z) = field(θ, μ + z C), so that the
 * confined model's η has p entries (iMODE spec §4.3 step 3, the families' gauge model).
 */
import * as tf from '@tensorflow/tfjs';
import { pca } from '../../analysis/pca';
import { DataError } from '../../core/errors';
import type { ImodeModelFactory, InstanceResult } from '../../meta/imodeEvaluation';

/** An affine subspace of the first model's η: η = mean + z · components, components [p][d_η] orthonormal rows. */
export interface EtaSubspace {
  mean: readonly number[];
  components: readonly (readonly number[])[];
}

/** The leading p principal directions of the training instances' adapted η, through their mean. */
export function leadingEtaSubspace(results: readonly InstanceResult[], p: number): EtaSubspace {
  const decomposition = pca(results.filter((r) => r.split === 'train').map((r) => r.eta));
  if (decomposition.components.length < p) throw new DataError(`η spans ${decomposition.components.length} principal direction(s); the gauge model needs ${p}`);
  return { mean: decomposition.mean, components: decomposition.components.slice(0, p) };
}

/** The model with η confined to a subspace: field(θ, z) = field(θ, mean + z · components), so z has p entries. */
export function subspaceModel(model: ImodeModelFactory, subspace: EtaSubspace): ImodeModelFactory {
  return {
    initialParams: model.initialParams,
    makeField: (params, zRows) => {
      const eta = tf.add(tf.tensor2d([Array.from(subspace.mean)]), tf.matMul(zRows, tf.tensor2d(subspace.components.map((c) => Array.from(c))))) as tf.Tensor2D;
      return model.makeField(params, eta);
    },
  };
}
