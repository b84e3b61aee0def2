/**
 * Atomic file writes: write to a temporary file in the same directory, fsync, then rename over the target.
 * rename(2) within one file system is atomic, so a reader (or a crashed run) sees either the old file or the
 * complete new one, never a half-written result.
 */
import * as fs from 'fs';
import * as path from 'path';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** JSON with a trailing newline; throws on values JSON cannot represent faithfully (NaN, Infinity). */
export function writeJsonAtomic(file: string, value: unknown): void {
  const text = JSON.stringify(
    value,
    (key, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new Error(`refusing to write non-finite number at key '${key}' to ${file}`);
      }
      return v;
    },
    2,
  );
  writeFileAtomic(file, `${text}\n`);
}
