// JSON output of a command.

import type { Io } from '../common/io.js';
import { toJson, type Json } from '../export/json.js';

export function printJson(io: Io, value: Json): void {
  io.out(toJson(value) + '\n');
}
