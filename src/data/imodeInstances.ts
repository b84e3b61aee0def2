/**
 * An iMODE system instance as data (spec §1.2): the physical parameters φ it was simulated or recorded at, its role
 * in the protocol (a meta-training task, or an unseen instance inside or outside the training box), and its
 * adaptation trajectories, each [sample][state] in physical units. The authors' pendulum is the family whose
 * instances have one trajectory each (./imodePendulum.ts); a simulated family has `trajectories` of them and
 * held-out ones beside.
 */
export type Split = 'train' | 'interpolate' | 'extrapolate';

export interface ImodeInstance {
  label: string;
  params: number[];
  split: Split;
  /** [trajectory][sample] full states, physical units */
  trajectories: Float64Array[][];
}
