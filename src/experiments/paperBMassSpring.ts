/**
 * Paper B, mass-spring (spec §2.1): H(q, p) = p²/(2m) + k q²/2, μ = (m, k) ∈ [1, 5]², initial states on rings of
 * radius U[0.1, 1] (../systems/massSpring.ts); ε_field on (q, p) ∈ [−2, 2]². The protocol is ./paperBHamiltonian.ts.
 */
import { fieldGrid, hamiltonian, massSpring, type MassSpringParams } from '../systems/massSpring';
import { PAPER_B_SCALES } from './paperB/config';
import { type PaperBSystem, withParamBox } from './paperB/system';

export const paperBMassSpring: PaperBSystem<MassSpringParams> = {
  info: {
    id: 'spd-mass-spring',
    paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205)',
    section: 'mass-spring (spec §2.1, §6, §7.1, §7.3)',
    title: 'Mass-spring: latent modulations (Shift, FW, RO, MR, SVD, MR-v1) against Scratch, MAML, ANIL and Reptile',
  },
  system: withParamBox(massSpring),
  hamiltonian,
  fieldGrid,
  paramLabels: ['m (mass)', 'k (stiffness)'],
  scales: PAPER_B_SCALES,
};
