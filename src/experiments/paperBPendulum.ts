/**
 * Paper B, pendulum (spec §2.1): H(q, p) = p²/(2 m l²) + m g l (1 − cos q), g = 9.81, μ = (m, l) ∈ [0.5, 2]²,
 * librating initial states q0 ~ U[−π/2, π/2], p0 ~ U[−1, 1] (../systems/hamiltonianPendulum.ts); ε_field on
 * (q, p) ∈ [−π/2, π/2] × [−2, 2]. The protocol is ./paperBHamiltonian.ts.
 */
import { fieldGrid, hamiltonian, hamiltonianPendulum, type HamiltonianPendulumParams } from '../systems/hamiltonianPendulum';
import { PAPER_B_SCALES } from './paperB/config';
import { type PaperBSystem, withParamBox } from './paperB/system';

export const paperBPendulum: PaperBSystem<HamiltonianPendulumParams> = {
  info: {
    id: 'spd-pendulum',
    paper: 'Meta-learning Structure-Preserving Dynamics (arXiv 2508.11205)',
    section: 'pendulum (spec §2.1, §6, §7.1, §7.3)',
    title: 'Pendulum: latent modulations (Shift, FW, RO, MR, SVD, MR-v1) against Scratch, MAML, ANIL and Reptile',
  },
  system: withParamBox(hamiltonianPendulum),
  hamiltonian,
  fieldGrid,
  paramLabels: ['m (mass)', 'l (length)'],
  scales: PAPER_B_SCALES,
};
