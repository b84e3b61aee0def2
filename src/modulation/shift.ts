/**
 * Shift modulation (Dupont et al. 2022, "functa"; FiLM without the scale): layer ℓ of task k is
 *   h_ℓ = σ(h_{ℓ−1} W_ℓ + b_ℓ + s_ℓ,k),
 * so the weights are untouched (ΔW = 0) and the task lives in the per-layer bias shifts s_ℓ,k that every kind carries
 * (they are added by modulatedMlp.ts). Hypernetwork outputs: Σ_ℓ out_ℓ.
 */
import type { ModulationMethod } from './modulation';

export const shiftModulation: ModulationMethod = {
  weightOutputs: () => 0,
  sharedShapes: () => [],
  initShared: () => [],
  weightModulation: () => null,
};
