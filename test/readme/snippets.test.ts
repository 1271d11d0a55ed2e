/**
 * The ```ts blocks of the README and of every docs/*.md page, type-checked against the package (its
 * sources, through the `ask-sdk-account-linking` paths of tsconfig.json), each as a module of its
 * own, as a skill developer would paste it into an ESM project bundled by esbuild (`module: esnext`,
 * bundler resolution, top-level await allowed).
 *
 * Snippets are fragments of a skill: the names they use without defining (your handlers, your
 * helpers) are declared in PRELUDE below, with real types. A snippet that cannot be checked at all
 * is marked with `<!-- not-checked -->` on the line before its fence; use it sparingly. A block of
 * docs/getting-started.md marked `<!-- first-hour: <file> -->` is a file of a fresh skill project,
 * compiled there by test/consumer/first-hour.test.ts (it imports that project's own modules), so it
 * is left to that test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
/** The Markdown files whose blocks are checked, relative to the root: README.md and docs/*.md. */
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** What snippets may use without defining: a skill's own parts, typed as the package expects them. */
const PRELUDE = `
import type { ErrorHandler, HandlerInput, RequestHandler } from 'ask-sdk-core';
import type {
  ContextProperty, DirectiveHandlerInput, DirectiveSkillBuilder, DiscoveredEndpoint, LinkedUser, TokenVerifier,
  VerificationContext as PackageVerificationContext,
} from 'ask-sdk-account-linking';

declare global {
  /** Custom skill handlers of the skill. */
  const LaunchHandler: RequestHandler;
  const OrderRideHandler: RequestHandler;
  const HelpHandler: RequestHandler;
  const CatchAllHandler: ErrorHandler;
  /** The handler input inside a custom skill's handler. */
  const handlerInput: HandlerInput;
  /** A smart home skill's own helpers. */
  function lightsOf(user: LinkedUser): DiscoveredEndpoint[];
  function powerState(value: 'ON' | 'OFF'): ContextProperty;
  function stateOf(input: DirectiveHandlerInput): 'ON' | 'OFF';
  const builder: DirectiveSkillBuilder;
  const userId: string;
  /** A verifier built elsewhere in the skill. */
  const verifier: TokenVerifier<LinkedUser>;
  /** An access token past its exp, minted by a test. */
  const expiredToken: string;
  /** A music skill's resource server client and catalogue. */
  const subscriptions: { tierOf(accessToken: string): Promise<'free' | 'premium'> };
  function contentFor(tier: 'free' | 'premium', selectionCriteria: unknown): { id: string; actions: { playable: boolean; browsable: boolean }; metadata: Record<string, unknown> };
  type VerificationContext = PackageVerificationContext;
}
export {};
`;

interface Snippet {
  /** The Markdown file, relative to the root. */
  document: string;
  /** The line of the opening fence. */
  line: number;
  heading: string;
  code: string;
  file: string;
}

function snippetsOf(document: string): Snippet[] {
  const lines = readFileSync(path.join(ROOT, document), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let heading = '(top)';
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    if (/^```/.test(line) && !/^```(ts|typescript)\s*$/.test(line)) {
      // Another language's block: skip to its closing fence, so that nothing inside reads as a heading.
      for (index += 1; index < lines.length && !/^```\s*$/.test(lines[index]!); index += 1);
      continue;
    }
    if (!/^```(ts|typescript)\s*$/.test(line)) continue;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !/^```\s*$/.test(lines[index]!); index += 1) body.push(lines[index]!);
    const marker = lines[start - 1]?.trim() ?? '';
    if (marker === '<!-- not-checked -->' || /^<!-- first-hour: \S+ -->$/.test(marker)) continue;
    const name = `${document.replace(/\//g, '-')}-line-${start + 1}.ts`;
    snippets.push({
      document,
      line: start + 1,
      heading,
      code: `${body.join('\n')}\nexport {};\n`,
      file: path.join(ROOT, 'test/readme', name),
    });
  }
  return snippets;
}

const snippets = DOCUMENTS.flatMap(snippetsOf);
let diagnosticsByFile: Map<string, string[]>;

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const options: ts.CompilerOptions = {
    ...config.options,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: ['node', 'jest'],
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    skipLibCheck: true,
  };
  const prelude = path.join(ROOT, 'test/readme', 'README.md-prelude.ts');
  const virtual = new Map<string, string>([
    [prelude, PRELUDE],
    ...snippets.map((snippet) => [snippet.file, snippet.code] as [string, string]),
  ]);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtual.get(path.resolve(fileName));
    return text !== undefined
      ? ts.createSourceFile(fileName, text, languageVersion, true)
      : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(path.resolve(fileName)) || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(path.resolve(fileName)) ?? readFile(fileName);
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  diagnosticsByFile = new Map();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file ? path.resolve(diagnostic.file.fileName) : '(global)';
    const snippet = snippets.find((candidate) => candidate.file === file);
    const where =
      snippet && diagnostic.file && diagnostic.start !== undefined
        ? `${snippet.document}:${snippet.line + 1 + diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line}`
        : file;
    const message = `${where}: error TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    diagnosticsByFile.set(file, [...(diagnosticsByFile.get(file) ?? []), message]);
  }
}, 120_000);

describe('the README and docs snippets', () => {
  it('are there to check, in the README and in the docs', () => {
    expect(snippets.some((snippet) => snippet.document === 'README.md')).toBe(true);
    expect(snippets.some((snippet) => snippet.document.startsWith('docs/'))).toBe(true);
  });

  it('leave the prelude of free names without errors', () => {
    expect(diagnosticsByFile.get(path.join(ROOT, 'test/readme', 'README.md-prelude.ts')) ?? []).toEqual([]);
  });

  it.each(
    snippets.map((snippet) => [`${snippet.document}:${snippet.line} (under "${snippet.heading}")`, snippet] as const),
  )('type-check: the ```ts block at %s', (_name, snippet) => {
    expect(diagnosticsByFile.get(snippet.file) ?? []).toEqual([]);
  });
});
