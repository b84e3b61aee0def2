/**
 * Paper B v2, Duffing (spec §2.1): H(q, p) = p²/2 + α q²/2 + β q⁴/4, μ = (α, β) ∈ [0.5, 2] × [0.1, 1] (single
 * well), initial states (q0, p0) ~ U[−1, 1]² (../systems/duffing.ts); ε_field on (q, p) ∈ [−2, 2]². The protocol
 * is ./paperBHamiltonian.ts.
 */
import { duffing, type DuffingParams, fieldGrid, hamiltonian } from '../systems/duffing';
import { PAPER_B_SCALES } from './paperB/config';
import { type PaperBSystem, withParamBox } from './paperB/system';

export const paperBDuffing: PaperBSystem<DuffingParams> = {
  info: {
    id: 'spd-duffing',
    paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205)',
    section: 'Duffing (spec §2.1, §6, §7.1)',
    title: 'Duffing: latent modulations (Shift, FW, RO, MR, SVD, MR-v1) against Scratch, MAML, ANIL and Reptile',
  },
  system: withParamBox(duffing),
  hamiltonian,
  fieldGrid,
  paramLabels: ['α (linear stiffness)', 'β (cubic stiffness)'],
  scales: PAPER_B_SCALES,
};
