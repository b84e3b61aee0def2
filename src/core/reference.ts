/**
 * The papers' and the peer code's reported numbers, read from the one file where they are typed in by hand:
 * results/reference/papers.json. Experiments show them beside their own numbers, never in place of them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from './errors';
import { repoRoot } from './paths';

export interface PaperReference {
  paper: string;
  /** where the numbers were read */
  source: string;
  /** reported values keyed as the experiment's metrics are, or null where the paper reports none */
  values: Record<string, unknown> | null;
  /** qualitative claims that can be checked against our numbers */
  claims?: string[];
}

export function referenceFile(): string {
  return path.join(repoRoot(), 'results', 'reference', 'papers.json');
}

/** The reference entry of an experiment; DataError when the file is malformed or the entry is missing. */
export function paperReference(experimentId: string, file = referenceFile()): PaperReference {
  let parsed: { experiments?: Record<string, PaperReference> };
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(`cannot read the reference numbers (${(e as Error).message})`, { file });
  }
  const entry = parsed.experiments?.[experimentId];
  if (!entry || typeof entry.paper !== 'string' || typeof entry.source !== 'string' || !('values' in entry)) {
    throw new DataError(`no valid entry for '${experimentId}' (needs paper, source, values)`, { file });
  }
  return entry;
}

/** The paper's side of a results table: the reported values, or that none were reported and where we looked. */
export function reportedNumbers(reference: PaperReference): string {
  return reference.values === null ? `no numbers reported (${reference.source})` : JSON.stringify(reference.values);
}
