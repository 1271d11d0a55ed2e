/**
 * The README's ```ts blocks, type-checked against the package (its sources, through the
 * `ask-sdk-account-linking` paths of tsconfig.json), each as a module of its own, as a skill
 * developer would paste it into an ESM project bundled by esbuild (`module: esnext`, bundler
 * resolution, top-level await allowed).
 *
 * Snippets are fragments of a skill: the names they use without defining (your handlers, your
 * helpers) are declared in PRELUDE below, with real types. A snippet that cannot be checked at all
 * is marked with `<!-- not-checked -->` on the line before its fence; use it sparingly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const README = path.join(ROOT, 'README.md');

/** What README snippets may use without defining: a skill's own parts, typed as the package expects them. */
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
  /** A music skill's resource server client and catalogue. */
  const subscriptions: { tierOf(accessToken: string): Promise<'free' | 'premium'> };
  function contentFor(tier: 'free' | 'premium', selectionCriteria: unknown): { id: string; actions: { playable: boolean; browsable: boolean }; metadata: Record<string, unknown> };
  type VerificationContext = PackageVerificationContext;
}
export {};
`;

interface Snippet {
  /** The README line of the opening fence. */
  line: number;
  heading: string;
  code: string;
  file: string;
}

function readmeSnippets(): Snippet[] {
  const lines = readFileSync(README, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let heading = '(top)';
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    if (!/^```(ts|typescript)\s*$/.test(line)) continue;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !/^```\s*$/.test(lines[index]!); index += 1) body.push(lines[index]!);
    if (lines[start - 1]?.trim() === '<!-- not-checked -->') continue;
    snippets.push({ line: start + 1, heading, code: `${body.join('\n')}\nexport {};\n`, file: path.join(ROOT, 'test/readme', `README.md-line-${start + 1}.ts`) });
  }
  return snippets;
}

const snippets = readmeSnippets();
let diagnosticsByFile: Map<string, string[]>;

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
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
  const virtual = new Map<string, string>([[prelude, PRELUDE], ...snippets.map((snippet) => [snippet.file, snippet.code] as [string, string])]);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = virtual.get(path.resolve(fileName));
    return text !== undefined ? ts.createSourceFile(fileName, text, languageVersion, true) : getSourceFile(fileName, languageVersion, ...rest);
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
    const where = snippet && diagnostic.file && diagnostic.start !== undefined
      ? `README.md:${snippet.line + 1 + diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line}`
      : file;
    const message = `${where}: error TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    diagnosticsByFile.set(file, [...(diagnosticsByFile.get(file) ?? []), message]);
  }
}, 120_000);

describe('the README snippets', () => {
  it('are there to check', () => {
    expect(snippets.length).toBeGreaterThan(0);
  });

  it('leave the prelude of free names without errors', () => {
    expect(diagnosticsByFile.get(path.join(ROOT, 'test/readme', 'README.md-prelude.ts')) ?? []).toEqual([]);
  });

  it.each(snippets.map((snippet) => [`README.md:${snippet.line} (under "${snippet.heading}")`, snippet] as const))(
    'type-check: the ```ts block at %s',
    (_name, snippet) => {
      expect(diagnosticsByFile.get(snippet.file) ?? []).toEqual([]);
    },
  );
});
