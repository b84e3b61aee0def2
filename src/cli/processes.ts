/**
 * Child processes of the entry points: run one command to completion (its stdout inherited, captured or sent to a
 * log file), map a function over items a few at a time (each call typically waiting on a child), and strip the ANSI
 * colours from what a child printed.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import { ConfigError } from '../core/errors';
import { REPO_ROOT } from './commandLine';

export interface ProcessResult {
  code: number;
  /** captured stdout when `captureStdout` was set, else '' */
  stdout: string;
}

/**
 * Run a command to completion. stderr always goes to ours; stdout is either inherited or captured (and then
 * also echoed when `echo` is set, so a long mocha run still shows progress). With `outputFile`, stdout and stderr
 * are appended to that file instead (one log per child of a pool, whose outputs would interleave). Never rejects: a
 * command that cannot start yields code 127 and a message on stderr.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; captureStdout?: boolean; echo?: boolean; outputFile?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const log = opts.outputFile === undefined ? null : fs.openSync(opts.outputFile, 'a');
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: log !== null ? ['ignore', log, log] : ['ignore', opts.captureStdout ? 'pipe' : 'inherit', 'inherit'],
    });
    if (log !== null) fs.closeSync(log); // the child holds its own copy
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (opts.echo) process.stdout.write(chunk);
    });
    child.on('error', (e) => {
      process.stderr.write(`cannot run ${command}: ${e.message}\n`);
      resolve({ code: 127, stdout: '' });
    });
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * `fn` over `items`, at most `jobs` at a time (each call typically waits on a child process), taking the items in
 * order as workers free up; the results come back in the order of `items`.
 */
export async function mapPool<T, R>(items: readonly T[], jobs: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(jobs) || jobs < 1) throw new ConfigError(`jobs must be a positive integer, got ${jobs}`);
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return results;
}

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
