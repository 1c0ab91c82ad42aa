// Loads the one-shot bundle (dist/cli/oneshot.cjs) with V8's code cache for it
// (dist/cli/oneshot.cache, written by the build: scripts/code-cache.cjs). With the cache, V8
// neither parses nor compiles the bundle's functions that a one-shot command runs: it reads their
// bytecode. README, "One-shot speed", has the figures.
//
// The cache is used only when it was made from this very bundle: the build ends the bundle with
// a line naming its SHA-256, and the cache starts with the same name. V8's own check compares a
// source's length only, so a bundle rebuilt without its cache could otherwise run another
// bundle's bytecode. A garbled cache is refused by V8 itself under --verify-snapshot-checksum
// (bin/domstat.cjs's first line; without it, V8 would deserialize garbage and abort). V8 refuses a cache from another V8 version or made under other V8 flags
// (bin/domstat.cjs's first line): then, or with no cache at all, the bundle is compiled as a
// require() would compile it. Same module, same code, either way.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { Module, createRequire } = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli', 'oneshot.cjs');
const CACHE = path.join(__dirname, '..', 'dist', 'cli', 'oneshot.cache');
/** The bundle's last line, after the build: this, then the SHA-256 of everything before it, in hex. */
const ID_LINE = '\n//# domstat-bundle-sha256=';
const ID_LENGTH = 64;

/** The SHA-256 the bundle's last line names, or undefined. */
function bundleId(source) {
  const at = source.lastIndexOf(ID_LINE);
  return at < 0 ? undefined : source.slice(at + ID_LINE.length, at + ID_LINE.length + ID_LENGTH);
}

/** The cache file's bytes: a first line naming the bundle (its id), then V8's data. */
function cacheFile(id, data) {
  return Buffer.concat([Buffer.from(`${id}\n`, 'latin1'), data]);
}

/** The cache's V8 data if its first line names the bundle with this id; undefined if not, or if there is none. */
function cacheFor(id) {
  let file;
  let fd;
  try {
    // Opened without blocking and read only if a regular file: a FIFO in its place is no cache.
    fd = fs.openSync(CACHE, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return undefined;
    file = fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return id !== undefined && file.toString('latin1', 0, ID_LENGTH + 1) === `${id}\n` ? file.subarray(ID_LENGTH + 1) : undefined;
}

/**
 * Runs the bundle as a CommonJS module and returns its exports and its compiled script (the
 * build asks the script for its cache). useCache false compiles it afresh.
 */
function loadOneShot(useCache = true) {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const id = bundleId(source);
  const cachedData = useCache ? cacheFor(id) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, ...(cachedData === undefined ? {} : { cachedData }) });
  const module = { exports: {}, filename: BUNDLE, id: BUNDLE, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  module.loaded = true;
  return { exports: module.exports, script, id, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

module.exports = { CACHE, ID_LINE, cacheFile, loadOneShot };
