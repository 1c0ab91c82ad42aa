// Bundles the one-shot commands (dist/cli/oneshot.js, tsc's output) with commander and everything
// they import into one CommonJS file, dist/cli/oneshot.cjs, which bin/domstat.cjs loads for
// `domstat list`, `domstats` and the other one-shot commands. One file compiled at once instead of
// ~50 ES modules resolved, read and linked one by one, and CommonJS because node starts an ES
// module graph (its loader, its resolution) more slowly than one require(). README, "One-shot
// speed", has the figures. Run by `npm run build` after tsc.
//
// The bundle sits beside the module it is built from, so every path that code builds from
// import.meta.url (package.json two levels up) is the same from either. Two packages go in with
// domstat's code: commander, and fast-xml-parser's one-file CommonJS build, which
// src/domains/xml.ts loads through createRequire (its ES module build is 36 files): that one call
// becomes a plain require here, so the bundle holds the very file dist/ loads, and node need not
// resolve the package at run time (~4 ms). Commander requires node:child_process when it loads
// (~30 of node's own modules) for executable subcommands, which domstat has none of: here it gets
// child_process when it calls it.
//
// Then scripts/code-cache.cjs writes V8's code cache for it (dist/cli/oneshot.cache), in a node
// with bin/domstat.cjs's flags: bin/oneshot-loader.cjs loads the bundle with it.
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(REPO, 'dist/cli/oneshot.js');
const OUT = path.join(REPO, 'dist/cli/oneshot.cjs');
/** The only packages the bundle may hold; anything else (the store, chokidar, Vega) means a one-shot command imports what it should not. */
const PACKAGES = ['commander', 'fast-xml-parser'];
/** src/domains/xml.ts's load of fast-xml-parser, as tsc writes it, and what it becomes in the bundle. */
const FXP_LOAD = "createRequire(import.meta.url)('fast-xml-parser')";
const FXP_REQUIRE = "require('fast-xml-parser')";
const { CACHE } = createRequire(import.meta.url)('../bin/oneshot-loader.cjs');
/** The installed command's node flags: V8 uses a code cache only under the flags it was made with. */
const NODE_FLAGS = createRequire(import.meta.url)('./node-flags.cjs').nodeFlags();

const inlineFastXmlParser = {
  name: 'inline-fast-xml-parser',
  setup(build) {
    build.onLoad({ filter: /[\\/]dist[\\/]domains[\\/]xml\.js$/ }, (args) => {
      const js = fs.readFileSync(args.path, 'utf8');
      if (js.split(FXP_LOAD).length !== 2) throw new Error(`${args.path}: expected ${FXP_LOAD} once (update scripts/bundle.mjs)`);
      return { contents: js.replace(FXP_LOAD, FXP_REQUIRE), loader: 'js' };
    });
  },
};

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

fs.rmSync(CACHE, { force: true });
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
  plugins: [lazyChildProcess, inlineFastXmlParser],
});
const problems = result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`);
if (!Object.keys(result.metafile.inputs).some((f) => f.endsWith('node_modules/fast-xml-parser/lib/fxp.cjs')))
  problems.push('fast-xml-parser is not in the bundle');
for (const input of Object.keys(result.metafile.inputs)) {
  const pkg = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
  if (pkg !== undefined && !PACKAGES.includes(pkg)) problems.push(`${input}: package ${pkg} in the one-shot bundle`);
}
// bin/oneshot-loader.cjs runs the bundle in a vm.Script, which has no loader for import().
if (/\bimport\(/.test(fs.readFileSync(OUT, 'utf8'))) problems.push('the bundle has a dynamic import()');
if (problems.length > 0) {
  fs.rmSync(OUT, { force: true });
  throw new Error(`scripts/bundle.mjs:\n${problems.join('\n')}`);
}
const made = spawnSync(process.execPath, [...NODE_FLAGS, path.join(REPO, 'scripts/code-cache.cjs')], { stdio: 'inherit' });
if (made.status !== 0) throw new Error(`scripts/code-cache.cjs exited ${made.status ?? made.signal}`);
const kib = (f) => (fs.statSync(f).size / 1024).toFixed(0);
console.log(`dist/cli/oneshot.cjs: ${Object.keys(result.metafile.inputs).length} modules, ${kib(OUT)} KiB; its code cache ${kib(CACHE)} KiB`);
