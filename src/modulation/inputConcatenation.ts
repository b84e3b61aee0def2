/**
 * iMODE's conditioning (Li et al. 2023, arXiv 2301.00957) as a modulation kind: the adaptation code η is concatenated
 * to the network's input, H(x; η) = MLP([x, η]). Splitting the first layer's weight into the rows that meet x and
 * those that meet η, [x, η] W = x W_x + η W_η, so the concatenation is a linear map of η added to the FIRST hidden
 * layer's pre-activation only:
 *   h_1 = σ(x W_1 + b_1 + s_1(η)),   s_1(η) = η Φ + φ₀,   h_ℓ = σ(h_{ℓ−1} W_ℓ + b_ℓ) for ℓ ≥ 2,
 * i.e. a shift (ΔW = 0, as ./shift.ts) on layer 1 alone; Φ is W_η and φ₀ adds to b_1 (a redundant bias, kept so that
 * the kind reuses the hypernetwork of ./modulatedMlp.ts unchanged). Paper B's Shift shifts every hidden layer.
 * Since η does not depend on x, ∂H/∂x is the base network's backward pass (./modulatedInputGradient.ts, no ΔW term).
 *
 * Initialisation [INF]: Paper B's (Φ ~ U(±0.01/√d_z), φ₀ = 0, ./modulatedMlp.ts), not the base's U(±1/√fan_in) on
 * the η rows, so that the comparison with Paper B's kinds starts every kind from the same near-unmodulated network.
 * Not one of Paper B's methods: MODULATION_KINDS (Paper B's six) leaves it out (../meta/imodeFieldMethod.ts uses it).
 */
import type { ModulationMethod } from './modulation';

export const inputConcatenation: ModulationMethod = {
  modulatedLayers: 1,
  weightOutputs: () => 0,
  sharedShapes: () => [],
  initShared: () => [],
  weightModulation: () => null,
};
