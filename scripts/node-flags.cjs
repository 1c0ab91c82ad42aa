// The node flags of the installed command: what bin/domstat.cjs's first line
// (`#!/usr/bin/env -S node …`) passes to node. One reader for the build (the code cache must be
// made under them), the benchmarks (which run the agent and one-shot commands as installed) and
// the tests (an installed copy's first line too).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The flags on `binFile`'s first line (bin/domstat.cjs by default). */
function nodeFlags(binFile = path.join(__dirname, '..', 'bin', 'domstat.cjs')) {
  const m = /^#!\/usr\/bin\/env -S node(.*)$/m.exec(fs.readFileSync(binFile, 'utf8'));
  if (m === null) throw new Error(`${binFile}: its first line does not run node through env -S`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

module.exports = { nodeFlags };
