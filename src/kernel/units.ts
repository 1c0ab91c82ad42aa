// The units kernel files count in. Every conversion factor between a file's numbers and domstat's
// keys (and the store's scales) is one of these.

/** USER_HZ is 100 on every Linux ABI domstat runs on: a clock tick (/proc/<pid>/stat, /proc/stat, cpuacct.stat) in ns. */
export const NS_PER_TICK = 10_000_000;
export const NS_PER_US = 1000;
export const NS_PER_MS = 1_000_000;
/** The block layer counts 512-byte sectors whatever the device (/sys/block/<dev>/stat and size, blkback's *_sect). */
export const SECTOR_BYTES = 512;
/** /proc/<pid>/stat's rss is in pages of 4 KiB (the page size of the ABIs domstat runs on). */
export const PAGE_KIB = 4;
