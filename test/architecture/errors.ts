// domstat's errors are a closed set: every error class in src/ extends DomstatError (directly or
// through another of domstat's errors) and names a literal code of ErrorCode; nothing in src/
// throws a bare Error, TypeError or RangeError. Read from the source with TypeScript's parser, so
// a new class or a stray `throw new Error` fails here with its file and line.

import t from 'tap';
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface ErrorClass {
  name: string;
  base: string;
  code: string | null;
  where: string;
}

const BUILT_IN = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'EvalError', 'ReferenceError', 'URIError', 'AggregateError']);

const files = sources(SRC).map((path) => ({ path, file: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true) }));
const where = (f: ts.SourceFile, n: ts.Node) => `${relative(SRC, f.fileName)}:${f.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;

const classes: ErrorClass[] = [];
const bareThrows: string[] = [];
for (const { file } of files) {
  const visit = (n: ts.Node): void => {
    if (ts.isClassDeclaration(n) && n.name) {
      const ext = n.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      const base = ext ? ext.expression.getText(file) : '';
      if (base.endsWith('Error') || n.name.text.endsWith('Error')) {
        const code = n.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && m.name.getText(file) === 'code');
        const literal = code?.initializer?.getText(file).match(/^'([A-Z_]+)' as const$/)?.[1] ?? null;
        classes.push({ name: n.name.text, base, code: literal, where: where(file, n) });
      }
    }
    if (ts.isNewExpression(n) && BUILT_IN.has(n.expression.getText(file))) bareThrows.push(`${where(file, n)}: new ${n.expression.getText(file)}(…)`);
    ts.forEachChild(n, visit);
  };
  visit(file);
}

const codes = (() => {
  const text = readFileSync(join(SRC, 'common/errors.ts'), 'utf8');
  const union = text.match(/export type ErrorCode =([^;]+);/)?.[1] ?? '';
  return new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!));
})();

t.test('ErrorCode is read from common/errors.ts', async (t) => {
  t.ok(codes.has('VIR') && codes.has('INTERNAL'), `codes: ${[...codes].join(' ')}`);
});

t.test('every error class descends from DomstatError', async (t) => {
  t.ok(classes.length >= 10, `${classes.length} error classes`);
  const byName = new Map(classes.map((c) => [c.name, c]));
  for (const c of classes) {
    if (c.name === 'DomstatError') continue;
    const chain = [c.name];
    let base = c.base;
    while (base !== 'DomstatError' && byName.has(base) && !chain.includes(base)) {
      chain.push(base);
      base = byName.get(base)!.base;
    }
    t.equal(base, 'DomstatError', `${c.name} (${c.where}) extends ${chain.slice(1).concat(base).join(' → ')}`);
  }
});

t.test('every concrete error names one literal code of ErrorCode', async (t) => {
  const byName = new Map(classes.map((c) => [c.name, c]));
  const codeOf = (c: ErrorClass): string | null => c.code ?? (byName.has(c.base) ? codeOf(byName.get(c.base)!) : null);
  for (const c of classes) {
    if (c.name === 'DomstatError') continue;
    const code = codeOf(c);
    t.ok(code !== null && codes.has(code), `${c.name} (${c.where}) has code ${code}`);
  }
});

t.test('nothing in src throws a bare built-in error', async (t) => {
  t.same(bareThrows, [], 'no new Error / TypeError / RangeError in src');
});
