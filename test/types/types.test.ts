/**
 * Should-not-compile tests, as aws-jwt-verify has: test/types/fixtures/*.ts hold uses that must
 * compile and misuses marked `// @ts-expect-error`. The fixtures compile without a diagnostic (an
 * unused `@ts-expect-error` would be one), and without the markers, each marked line is an error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(__dirname, 'fixtures');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(FIXTURES, name));
const MARKER = /^\s*\/\/ @ts-expect-error\b.*$/;

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
}

/** Type-checks `files`, some of them replaced by `sources`; the diagnostics of the fixtures. */
function check(sources: Map<string, string> = new Map()): ts.Diagnostic[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => sources.get(resolve(file)) ?? readFile(file);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) => {
    const text = sources.get(resolve(file));
    return text !== undefined ? ts.createSourceFile(file, text, language) : getSourceFile(file, language, onError);
  };
  const program = ts.createProgram(fixtures, options, host);
  return ts.getPreEmitDiagnostics(program).filter((d) => d.file && fixtures.includes(resolve(d.file.fileName)));
}

const describeDiagnostic = (d: ts.Diagnostic) =>
  `${d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;

describe('the type tests', () => {
  it('find fixtures with misuses marked', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    const marked = fixtures.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => MARKER.test(line)),
    );
    expect(marked.length).toBeGreaterThanOrEqual(10);
  });

  it('compile with the strictness of a project tsc --init made: strict, exactOptionalPropertyTypes', () => {
    expect(compilerOptions()).toMatchObject({ strict: true, exactOptionalPropertyTypes: true });
  });

  it('compile the fixtures without a diagnostic: the right uses compile, every marked misuse is an error', () => {
    expect(check().map(describeDiagnostic)).toEqual([]);
  });

  it('see each marked line fail on its own once its marker is gone', () => {
    const sources = new Map<string, string>();
    const expected = new Map<string, number[]>(); // file -> 1-based lines that must fail
    for (const file of fixtures) {
      const lines = readFileSync(file, 'utf8').split('\n');
      const failing: number[] = [];
      // Keep the line count: a marker becomes an empty line, and the line after it must fail.
      const stripped = lines.map((line, index) => {
        if (!MARKER.test(line)) return line;
        failing.push(index + 2);
        return '';
      });
      sources.set(resolve(file), stripped.join('\n'));
      expected.set(resolve(file), failing);
    }
    const diagnostics = check(sources);
    for (const [file, lines] of expected) {
      const failed = new Set(
        diagnostics
          .filter((d) => resolve(d.file!.fileName) === file)
          .map((d) => d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1),
      );
      const notFailing = lines.filter((line) => !failed.has(line));
      expect({ file, notFailing }).toEqual({ file, notFailing: [] });
    }
  });
});
