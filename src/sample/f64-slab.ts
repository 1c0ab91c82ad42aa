// Small Float64Arrays carved out of shared slabs. A typed array of its own costs an ArrayBuffer
// and a native backing store, ~250 bytes beyond its data; the agent holds several per device (the
// plan's readings, the writer's last readings and changes, the rollup minute and hour), ~20 000
// at 1000 domains, which cost ~4 MB before they were carved from slabs. A slab lives as long as
// any array carved from it; arrays start zeroed, as new ones do.

const SLAB_DOUBLES = 8192; // 64 KiB
/** Larger arrays get their own buffer (the overhead no longer matters, the slab would be wasted). */
const OWN_FROM = SLAB_DOUBLES / 8;

let slab = new Float64Array(SLAB_DOUBLES);
let used = 0;

export function f64(n: number): Float64Array {
  if (n >= OWN_FROM) return new Float64Array(n);
  if (used + n > SLAB_DOUBLES) {
    slab = new Float64Array(SLAB_DOUBLES);
    used = 0;
  }
  const a = slab.subarray(used, used + n);
  used += n;
  return a;
}
