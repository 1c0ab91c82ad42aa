// Writes schema.sql from the column list (src/store/columns.ts, through the built dist/). Run by
// `npm run schema`; test/store/schema.ts fails when schema.sql and the column list disagree.
import * as fs from 'node:fs';
import { schemaSql } from '../dist/store/layout.js';

fs.writeFileSync(new URL('../schema.sql', import.meta.url), schemaSql());
