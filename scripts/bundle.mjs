// Bundles the one-shot commands (dist/cli/oneshot.js, tsc's output) with commander and everything
// they import into one CommonJS file, dist/cli/oneshot.cjs, which bin/domstat.cjs loads for
// `domstat list`, `domstats` and the other one-shot commands. One file compiled at once instead of
// ~50 ES modules resolved, read and linked one by one, and CommonJS because node starts an ES
// module graph (its loader, its resolution) more slowly than one require(). README, "One-shot
// speed", has the figures. Run by `npm run build` after tsc.
//
// The bundle sits beside the module it is built from, so every path that code builds from
// import.meta.url (package.json two levels up, fast-xml-parser through createRequire) is the same
// from either. fast-xml-parser stays outside: it is loaded with createRequire, as in dist/.
// Commander requires node:child_process at load time (which loads ~30 of node's modules) for
// executable subcommands, which domstat has none of: here it gets child_process when it calls it.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(REPO, 'dist/cli/oneshot.js');
const OUT = path.join(REPO, 'dist/cli/oneshot.cjs');
/** The only packages the bundle may hold; anything else (the store, chokidar, Vega) means a one-shot command imports what it should not. */
const PACKAGES = ['commander'];

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "exports.spawn = (...args) => require('node:child_process').spawn(...args);",
      loader: 'js',
    }));
  },
};

const result = await esbuild.build({
  entryPoints: [ENTRY],
  outfile: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  logLevel: 'silent',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyChildProcess],
});
const problems = result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`);
for (const input of Object.keys(result.metafile.inputs)) {
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
  if (pkg !== undefined && !PACKAGES.includes(pkg)) problems.push(`${input}: package ${pkg} in the one-shot bundle`);
}
if (problems.length > 0) {
  fs.rmSync(OUT, { force: true });
  throw new Error(`scripts/bundle.mjs:\n${problems.join('\n')}`);
}
const bytes = fs.statSync(OUT).size;
console.log(`dist/cli/oneshot.cjs: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1024).toFixed(0)} KiB`);
