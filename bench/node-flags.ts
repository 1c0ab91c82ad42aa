// The installed command's node flags, through the build's own reader (scripts/node-flags.cjs).
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'); // dist-bench/bench
export const { nodeFlags } = createRequire(import.meta.url)(path.join(REPO, 'scripts/node-flags.cjs')) as { nodeFlags: (binFile?: string) => string[] };
