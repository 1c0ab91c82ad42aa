// The real command line, built from the same sources as the benchmark (dist-bench), so the agent
// measured as a child process is exactly the code measured in-process. Its stdout is a pipe, so
// it is declared a terminal: the agent prints its per-tick status line only to people, and the
// benchmark reads the tick count and times from those lines.
import { main } from '../src/cli/main.js';
import { processIo } from '../src/common/io.js';

process.exitCode = await main(process.argv.slice(2), { ...processIo, isTTY: true });
