/**
 * Paper B v1, two gas containers (TGC, spec §2.4): x = (q, p, S1, S2), E = p²/(2m) + E1 + E2 with
 * E_i = (e^{S_i}/V_i)^{2/3} (V1 = q, V2 = 2 − q), S = S1 + S2, heat conductivity α; μ = (α, m) ∈ [5, 15] × [0.5, 2],
 * x0 = (1, 0, 2, 2) + U(−1, 1)·(0.8, 1, 1, 1) (../systems/twoGasContainers.ts); ε_field on (q, p) ∈ [0.2, 1.8] ×
 * [−2, 2] at S1 = S2 = 2 (spec §2.4). The protocol is ./paperBHamiltonian.ts with the GENERIC network of
 * ./paperBGeneric.ts. The paper reports no number for TGC (spec §2.4, §7): only that the learned E and M do not match
 * the true ones even where the total field does.
 *
 * Scales: rank 5 (the paper's default r); paper scale samples GFINNs' t ∈ [0, 8] with 401 points at dt 0.02
 * [REF]; default and smoke keep the Hamiltonian benchmark's 30 points at dt 0.1 (t ∈ [0, 3)). Algorithm 1's inner
 * SGD step on z is 2e-4 instead of the spec's 1e-2 [INF]: TGC's field-matching loss is ~40× the other systems' (ṗ
 * reaches ~70 near the walls), and at 1e-2 the latents of FW, RO, MR and MR-v1 ran away (|z| ~ 1e6–1e7) until the
 * energy network saturated and their field was identically 0 (ε_field = 1, default scale, measured); at 2e-4 FW's
 * latents stay below 0.4 and its training loss ends ≈ 5 instead of ≈ 20.
 */
import { type TwoGasContainersParams, energy, fieldGrid, genericParts, twoGasContainers } from '../systems/twoGasContainers';
import { genericScales, genericStructure } from './paperBGeneric';
import { type PaperBSystem, withParamBox } from './paperB/system';

export const paperBTgc: PaperBSystem<TwoGasContainersParams> = {
  info: {
    id: 'spd-tgc',
    paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205)',
    section: 'two gas containers, GENERIC (spec §2.2, §2.4, §3.1, §6; v1 only)',
    title: 'Two gas containers (GENERIC): latent modulations (Shift, FW, RO, MR, SVD, MR-v1) against Scratch, MAML, ANIL and Reptile',
  },
  system: withParamBox(twoGasContainers),
  hamiltonian: energy,
  fieldGrid,
  paramLabels: ['α (heat conductivity)', 'm (piston mass)'],
  // converged: without a limit on the inner SGD step, MAML's meta-loss went NaN on every seed (within 520 of 2000
  // outer iterations at the spec's α = 1e-3; at α = 2e-4 seed 2510 still at iteration 81): MAML moved θ to where the
  // support loss is ~1e4 and one inner step of norm ~15 lands at ~30, until a step landed nowhere. Capping each inner
  // step at norm 1 (the latent methods' cap) keeps the spec's α and trains all 2000 (docs/decisions/spd-tgc.md)
  scales: genericScales({
    all: { latentInnerLr: 2e-4, latentInnerMaxStep: 1 },
    paper: { trajectoryPoints: 401, dt: 0.02 },
    converged: { gradientInnerMaxStep: 1 },
  }),
  structure: genericStructure({ stateDim: 4, entropyVariables: 2 }, genericParts),
};
