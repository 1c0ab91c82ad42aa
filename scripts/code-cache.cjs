// Writes dist/cli/oneshot.cache, V8's code cache for the one-shot bundle (bin/oneshot-loader.cjs
// reads it). Run by scripts/bundle.mjs, in a node started with the installed command's flags
// (V8 refuses a cache made under other flags). The cache holds the bytecode of every function
// compiled so far, so it is taken after one-shot commands have run: on a KVM and a Xen fixture
// tree, their output thrown away. A command that runs other functions still works; those are
// compiled when first called, as without a cache.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { CACHE, cacheFile, loadOneShot } = require('../bin/oneshot-loader.cjs');

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TRAINING = [
  ['domstats', '--root', path.join(FIXTURES, 'libvirt9-qemu7-hybrid-cgroup')],
  ['list', '--all', '--root', path.join(FIXTURES, 'libvirt9-qemu7-hybrid-cgroup')],
  ['domstats', '--root', path.join(FIXTURES, 'xen-4.x-pv-libxl')],
];

async function main() {
  const { exports, script, bundle } = loadOneShot(false);
  const quiet = { out() {}, err() {} };
  for (const argv of TRAINING) {
    const code = await exports.runOneShot(argv, quiet);
    if (code !== 0) throw new Error(`scripts/code-cache.cjs: domstat ${argv.join(' ')} exited ${code}`);
  }
  fs.writeFileSync(CACHE, cacheFile(bundle, script.createCachedData()));
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exitCode = 1;
});
