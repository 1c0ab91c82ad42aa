// Runs the domstat CLI in-process and captures exactly what it printed.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { main } from '../../src/cli/main.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixture = (...parts: string[]) => path.join(REPO, 'fixtures', ...parts);
export const SHARED = path.resolve(REPO, '..', 'shared');

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: readonly string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/**
 * Compares output with a golden file under fixtures/<tree>/golden/. UPDATE_GOLDEN=1 rewrites it
 * (review the git diff afterwards); otherwise a missing golden file is a failure.
 */
export function matchGolden(t: Test, tree: string, name: string, actual: string): void {
  const file = fixture(tree, 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
  }
  if (!fs.existsSync(file)) {
    t.fail(`golden file ${path.relative(REPO, file)} is missing (run npm run golden)`);
    return;
  }
  t.equal(actual, fs.readFileSync(file, 'utf8'), `output matches ${path.relative(REPO, file)}`);
}
