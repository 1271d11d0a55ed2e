/**
 * The layout of lib/ (issue 23): no import cycle (type-only imports included), the bottom layer
 * (the errors and the verifier contract) imports nothing but a types file, and no file is over
 * 300 lines but those listed below, each with its reason; and every module with runtime logic has
 * its mirrored test file (lib/X/Y.ts → test/X/Y.test.ts) but those listed below, each with its reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const LIB = path.join(ROOT, 'lib');
const MAX_LINES = 300;

/**
 * Files of lib/ allowed over MAX_LINES, relative to lib/, each with a one-line reason, e.g.
 * `'cli/server-checks.ts': 'being split (issue 23)'`. None today.
 */
const LONG_FILES: Record<string, string> = {};

/**
 * Modules of lib/ with runtime logic but no mirrored test file, relative to lib/, each with a
 * one-line reason.
 */
const UNMIRRORED: Record<string, string> = {
  'gate/unlinking-options.ts':
    "constants only (the policy's defaults), which test/gate/unlinking.test.ts and test/gate/breaker.test.ts run the policy on",
  'cli/discovery-checks.ts':
    'run end to end by test/cli/server-checks.test.ts (scripted loopback servers) and test/cli/check-server.test.ts (oidc-provider, TLS)',
  'cli/main.ts': 'the process entry point: three lines around runCommand, which test/cli/commands.test.ts tests',
  'cli/server-check-config.ts': 'the configuration type and one constant, read by every check test/cli tests',
  'cli/token-checks.ts':
    'run end to end by test/cli/server-checks.test.ts and test/cli/check-server.test.ts (exchange, refresh, reuse after rotation)',
  'dynamodb/conditional-check.ts':
    'one predicate, exercised by test/dynamodb/grant-store.test.ts (a refused condition is false, any other error thrown)',
  'verification/introspection-options.ts':
    'option types and their DEFAULT_* constants, which test/verification/introspection.test.ts runs the verifier on',
  'verification/jwks-options.ts':
    'option types and their DEFAULT_* constants, which test/verification/jwks.test.ts runs the key set on',
};

/** Modules that must import nothing, or only type declarations from a types file. */
const BOTTOM_LAYER = ['errors.ts', 'verification/verifier.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [file] : [];
  });
}

const files = sourceFiles(LIB).sort();
const rel = (file: string) => path.relative(LIB, file).split(path.sep).join('/');

/** The lib/ file a relative specifier names (`./x` is x.ts or x/index.ts); undefined for packages and node: modules. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  const found = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => files.includes(candidate));
  if (!found) throw new Error(`${rel(from)} imports ${specifier}, which is no file of lib/`);
  return found;
}

/** Every module a file imports or re-exports from, `import type`, `export type` and `import('...')` types included. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return [...new Set(importedFiles.flatMap(({ fileName }) => resolveSpecifier(file, fileName) ?? []))];
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** The import cycles of the graph: one path per strongly connected component of more than one file (or a file importing itself). */
function cycles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(cyclePath(new Set(component)));
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

/** One cycle through a strongly connected component, as `a.ts → b.ts → a.ts`, for the failure message. */
function cyclePath(component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const seen = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const target of graph.get(file)!) {
      if (!component.has(target)) continue;
      if (target === start) {
        const trail = [file];
        while (trail[0] !== start) trail.unshift(seen.get(trail[0]!)!);
        return [...trail, start].map(rel);
      }
      if (!seen.has(target)) {
        seen.set(target, file);
        queue.push(target);
      }
    }
  }
  return [...component].map(rel);
}

/** Whether a module declares types only: interfaces, type aliases, and type-only imports and exports. */
function isTypesFile(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  return source.statements.every(
    (statement) =>
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      (ts.isImportDeclaration(statement) && !!statement.importClause?.isTypeOnly) ||
      (ts.isExportDeclaration(statement) && statement.isTypeOnly),
  );
}

/**
 * Whether a module has runtime logic: any statement but imports, re-exports (`export … from`),
 * interfaces, type aliases and `declare` statements.
 */
function hasRuntimeLogic(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  return source.statements.some(
    (statement) =>
      !(
        ts.isImportDeclaration(statement) ||
        (ts.isExportDeclaration(statement) && (statement.moduleSpecifier !== undefined || statement.isTypeOnly)) ||
        ts.isInterfaceDeclaration(statement) ||
        ts.isTypeAliasDeclaration(statement) ||
        (ts.canHaveModifiers(statement) &&
          !!ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.DeclareKeyword))
      ),
  );
}

/** The test file that mirrors a lib/ module: lib/X/Y.ts → test/X/Y.test.ts. */
const mirroredTest = (file: string) => path.join(ROOT, 'test', rel(file).replace(/\.ts$/, '.test.ts'));

/** Lines as `wc -l` counts them, plus an unterminated last one. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe('the layout of lib/', () => {
  it('has no import cycle, type-only imports included', () => {
    expect(cycles().map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it.each(BOTTOM_LAYER)('%s imports nothing but type declarations from a types file', (name) => {
    const file = path.join(LIB, name);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const offending = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => {
        const target = resolveSpecifier(file, specifier);
        return target === undefined || !isTypesFile(target);
      });
    expect(offending).toEqual([]);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const valueImports = source.statements.filter(
      (statement) => ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly,
    );
    expect(valueImports.map((statement) => statement.getText())).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines but those listed, each with its reason`, () => {
    const long = files
      .map((file) => ({ name: rel(file), lines: lineCount(readFileSync(file, 'utf8')) }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(
      long.filter(({ name }) => !(name in LONG_FILES)).map(({ name, lines }) => `${name}: ${lines} lines`),
    ).toEqual([]);
    // An entry whose file is gone or short again is stale: take it off the list.
    const stale = Object.keys(LONG_FILES).filter((name) => !long.some((file) => file.name === name));
    expect(stale).toEqual([]);
  });

  it('has a mirrored test file for every module with runtime logic but those listed, each with its reason', () => {
    const logic = files.filter(hasRuntimeLogic);
    const unmirrored = logic.filter((file) => !existsSync(mirroredTest(file))).map(rel);
    expect(
      unmirrored
        .filter((name) => !(name in UNMIRRORED))
        .map((name) => `lib/${name} has no test/${name.replace(/\.ts$/, '.test.ts')}`),
    ).toEqual([]);
    // An entry whose module has its mirrored test now, or is gone or logic-free, is stale: take it off the list.
    expect(Object.keys(UNMIRRORED).filter((name) => !unmirrored.includes(name))).toEqual([]);
  });

  it('finds what it looks for (a check of the check)', () => {
    expect(importsOf(path.join(LIB, 'index.ts'))).toContain(path.join(LIB, 'errors.ts'));
    // `import type` counts: the gate's decision types are imported only as types by the families' respond modules.
    expect(importsOf(path.join(LIB, 'custom/respond.ts'))).toContain(path.join(LIB, 'gate/decision.ts'));
    // Logic is any statement but declarations of types and re-exports: a function is, an index of re-exports and a file of interfaces are not.
    expect(hasRuntimeLogic(path.join(LIB, 'json.ts'))).toBe(true);
    expect(hasRuntimeLogic(path.join(LIB, 'testing/jest.ts'))).toBe(true);
    expect(hasRuntimeLogic(path.join(LIB, 'index.ts'))).toBe(false);
    expect(hasRuntimeLogic(path.join(LIB, 'gate/options.ts'))).toBe(false);
    expect(mirroredTest(path.join(LIB, 'gate/budget.ts'))).toBe(path.join(ROOT, 'test/gate/budget.test.ts'));
  });
});
