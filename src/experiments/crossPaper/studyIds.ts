/**
 * Where the cross-paper runs write, by name: results/[<scale>/]cross-paper/<study>/. A module of its own, importing
 * nothing, because the runs (./imodeOnPaperB.ts, ./paperBOnImodePendulum.ts) write there and the table (./table.ts),
 * which reaches the runs' systems through the registry, reads there: importing the ids from the table would close the
 * cycle table → registry → run → table, which Node resolves but tslab's module loader does not (stack overflow).
 */
export const CROSS_PAPER_STUDY = 'cross-paper';
/** the study folder of iMODE on a Paper B system */
export const imodeOnPaperBStudyId = (id: string): string => `imode-on-${id}`;
/** the study folder of Paper B's methods on the iMODE pendulum */
export const PAPER_B_ON_IMODE_PENDULUM = 'paperB-on-imode-pendulum';
