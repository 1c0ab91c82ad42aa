// The CLI's durations, times and sizes: the pure parsing lives in src/time.ts (a ground module the
// exporter uses too); re-exported here so commands keep one import.

export { parseDuration, parseSize, parseTime, timeRange } from '../time.js';
