// Loads the one-shot bundle (dist/cli/oneshot.cjs) with V8's code cache for it
// (dist/cli/oneshot.cache, written by the build: scripts/code-cache.cjs). With the cache, V8
// neither parses nor compiles the bundle's functions that a one-shot command runs: it reads their
// bytecode. ARCHITECTURE.md, "The one-shot bundle's code cache", has the figures.
//
// The cache file holds a copy of the bundle it was made from, and is used only when that copy is
// the bundle byte for byte (a memcmp; hashing costs more): V8's own check compares a source's
// length only, so a bundle edited or rebuilt beside an old cache would otherwise run old bytecode
// for some functions and new source for others. A garbled cache is refused by V8 itself under
// --verify-snapshot-checksum (bin/domstat.cjs's first line; without it, V8 would deserialize
// garbage and abort). V8 refuses a cache from another V8 version or made under other V8 flags:
// then, or with no cache at all, the bundle is compiled as a require() would compile it. Same
// module, same code, either way.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { Module, createRequire } = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli', 'oneshot.cjs');
const CACHE = path.join(__dirname, '..', 'dist', 'cli', 'oneshot.cache');
/** The cache file: this, the bundle's length in bytes and a newline, the bundle, then V8's data. */
const MAGIC = 'domstat-code-cache ';

/**
 * A file's bytes; opened without blocking and read only if it is a regular file, so that a FIFO
 * or a device in its place neither hangs the command nor fills its memory.
 */
function readRegularFile(file) {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`${file}: not a regular file`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The cache file's bytes for V8's data of this bundle. */
function cacheFile(bundle, data) {
  return Buffer.concat([Buffer.from(`${MAGIC}${bundle.length}\n`, 'latin1'), bundle, data]);
}

/** The cache's V8 data if it was made from exactly this bundle; undefined if not, or if there is none. */
function cacheFor(bundle) {
  let file;
  try {
    file = readRegularFile(CACHE);
  } catch {
    return undefined;
  }
  const header = `${MAGIC}${bundle.length}\n`;
  if (file.length < header.length + bundle.length || file.toString('latin1', 0, header.length) !== header) return undefined;
  const start = header.length + bundle.length;
  return file.subarray(header.length, start).equals(bundle) ? file.subarray(start) : undefined;
}

/**
 * Runs the bundle as a CommonJS module and returns its exports and its compiled script (the
 * build asks the script for its cache). useCache false compiles it afresh.
 */
function loadOneShot(useCache = true) {
  const bundle = readRegularFile(BUNDLE);
  const cachedData = useCache ? cacheFor(bundle) : undefined;
  const script = new vm.Script(Module.wrap(bundle.toString('utf8')), { filename: BUNDLE, ...(cachedData === undefined ? {} : { cachedData }) });
  const module = { exports: {}, filename: BUNDLE, id: BUNDLE, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  module.loaded = true;
  return { exports: module.exports, script, bundle, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { CACHE, cacheFile, loadOneShot };
