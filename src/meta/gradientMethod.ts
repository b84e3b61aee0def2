/**
 * The optimisation-based baselines of Paper B (spec §4; ./gradientBaselines.ts) as a method (./paperBMethod.ts):
 *   scratch  θ_meta = the random initialisation; adapt = Adam(scratchLr) on all of θ.
 *   maml     meta-training of θ through `gradientInnerSteps` inner SGD steps (second order or first order);
 *            adapt = SGD(gradientInnerLr) on all of θ.
 *   anil     maml with the inner steps and the adaptation on the model's head only (a flag of gradientBaselines.ts).
 *   reptile  θ ← θ + ε (mean_k θ̃_k − θ); adapt = SGD(gradientInnerLr) on all of θ.
 */
import * as tf from '@tensorflow/tfjs';
import { progress } from '../core/progress';
import type { PlainFieldModel } from '../models/fieldModel';
import type { TensorVectorField } from '../nn/odeint';
import { type SavedOuterLoop, stopIteration } from './fieldTasks';
import {
  DEFAULT_GRADIENT_META_OPTIONS,
  type GradientMethod,
  disposeGradientMetaState,
  gradientAdapt,
  gradientMetaTrain,
  initGradientMetaState,
  restoreGradientMetaState,
} from './gradientBaselines';
import type { PaperBMethod } from './paperBMethod';

/** A meta-trained (or, for scratch, initialised) plain model and its θ_meta. */
export interface GradientTrained {
  plain: PlainFieldModel;
  params: tf.Tensor[];
}

export function gradientMethod(method: GradientMethod): PaperBMethod<GradientTrained> {
  return {
    family: method === 'scratch' ? 'scratch' : 'optimisation',
    metaTrain({ cfg, tasks, base, models, rng, store: storeOf, label, stopAfter }) {
      const plain = models.plainModel(base);
      const init = plain.init(rng('init'));
      if (method === 'scratch') return { model: { plain, params: init }, lossHistory: [], iterationsRun: 0 };
      const store = storeOf<SavedOuterLoop>();
      const saved = store.load();
      let start: ReturnType<typeof restoreGradientMetaState>;
      if (saved) {
        tf.dispose(init);
        start = restoreGradientMetaState(saved);
      } else {
        start = { state: initGradientMetaState(plain, init), rng: rng('train') };
      }
      const before = start.state.iteration;
      const options = {
        ...DEFAULT_GRADIENT_META_OPTIONS,
        method,
        outerIterations: cfg.gradientIterations,
        metaBatch: cfg.metaBatch,
        innerSteps: cfg.gradientInnerSteps,
        innerLr: cfg.gradientInnerLr,
        innerMaxStep: cfg.gradientInnerMaxStep,
        outerLr: cfg.gradientOuterLr,
        outerLrFinal: cfg.outerLrFinalFraction === undefined ? undefined : cfg.gradientOuterLr * cfg.outerLrFinalFraction,
        reptileStepSize: cfg.reptileStepSize,
        secondOrder: cfg.secondOrder,
      };
      const s = gradientMetaTrain(plain, start.state, tasks, options, start.rng, {
        progress: progress(stopIteration(cfg.gradientIterations, stopAfter), label),
        store,
        checkpointEvery: cfg.checkpointEvery,
        stopAfter,
      });
      const params = s.params.map((t) => tf.clone(t));
      const { lossHistory, iteration } = s;
      disposeGradientMetaState(s);
      return { model: { plain, params }, lossHistory, iterationsRun: iteration - before };
    },
    adapt({ plain, params: metaParams }, support, cfg) {
      const { params, losses } = gradientAdapt(plain, metaParams, support, { method, adaptSteps: cfg.adaptSteps, lr: method === 'scratch' ? cfg.scratchLr : cfg.gradientInnerLr, maxStep: cfg.gradientInnerMaxStep });
      // built at each call, so that their constant tensors live in the caller's tf.tidy
      const field: TensorVectorField = (t, x) => plain.field(params)(t, x);
      const energy = (x: tf.Tensor2D) => plain.energy(params)(x);
      const parts = plain.parts && ((x: tf.Tensor2D) => plain.parts!(params)(x));
      return { field, energy, parts, code: null, losses, dispose: () => tf.dispose(params) };
    },
    tensors: ({ params }) => params,
    codes: () => null,
  };
}
