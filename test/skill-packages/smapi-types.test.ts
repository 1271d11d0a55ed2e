/**
 * Every JSON file of the examples' skill packages (skill-packages/<example>/), and the copies
 * `npm run skill-package` fills from them, type-check against Amazon's SMAPI model
 * (`ask-smapi-model`): each is compiled as `export const x = <the JSON> satisfies <SMAPI type>`, so
 * an unknown field, a missing required one or a value outside an enum is a compile error.
 */
import path from 'node:path';
import ts from 'typescript';
import { examples, fillPackage, readPackage } from '../../scripts/skill-package';
import { SAMPLE_ENV, SAMPLE_OUTPUTS } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
const VIRTUAL_DIR = path.join(ROOT, 'test/skill-packages/.typecheck');

/** The SMAPI type of each kind of file in a package; ask-resources.json is the ASK CLI's, not SMAPI's (checked in packages.test.ts). */
function smapiTypeOf(file: string): string | undefined {
  if (file === 'skill-package/skill.json') return 'v1.skill.Manifest.SkillManifestEnvelope';
  if (/^skill-package\/interactionModels\/custom\/[a-z]{2}-[A-Z]{2}\.json$/.test(file))
    return 'v1.skill.interactionModel.InteractionModelData';
  if (file === 'account-linking.json') return 'v1.skill.accountLinking.AccountLinkingRequest';
  return undefined;
}

interface Checked {
  name: string;
  file: string;
  type: string;
  source: string;
}

function moduleFor(name: string, file: string, json: unknown, type: string): Checked {
  const source = `import type { v1 } from 'ask-smapi-model';\n\nexport const checked = ${JSON.stringify(json, null, 2)} satisfies ${type};\n`;
  return { name, file, type, source };
}

const checked: Checked[] = [];
const unknownFiles: string[] = [];
for (const example of examples()) {
  const sources = readPackage(example);
  const variants: Array<[string, Map<string, unknown>]> = [
    ['source', new Map(sources)],
    ['filled for create', fillPackage(sources, { mode: 'create' })],
    ['filled for deploy', fillPackage(sources, { mode: 'deploy', outputs: SAMPLE_OUTPUTS, env: SAMPLE_ENV })],
  ];
  for (const [variant, files] of variants) {
    for (const [file, json] of files) {
      if (file === 'ask-resources.json') continue;
      const type = smapiTypeOf(file);
      if (!type) {
        unknownFiles.push(`${example}/${file}`);
        continue;
      }
      const virtual = path.join(VIRTUAL_DIR, example, variant.replace(/ /g, '-'), `${file.replace(/[/.]/g, '_')}.ts`);
      checked.push(moduleFor(`${example}/${file} (${variant})`, virtual, json, type));
    }
  }
}

/** A manifest, an interaction model and account-linking settings each with one mistake SMAPI would refuse, and the error it must give. */
const MISTAKES: Array<Checked & { error: RegExp }> = [
  {
    ...moduleFor(
      'smart home protocol 4',
      path.join(VIRTUAL_DIR, 'mistakes/protocol.ts'),
      { manifest: { apis: { smartHome: { protocolVersion: '4' } } } },
      'v1.skill.Manifest.SkillManifestEnvelope',
    ),
    error: /TS2322: Type '"4"' is not assignable to type 'SmartHomeProtocol'/,
  },
  {
    ...moduleFor(
      'a misspelled endpoint',
      path.join(VIRTUAL_DIR, 'mistakes/endpoint.ts'),
      { manifest: { apis: { custom: { endpont: { uri: 'arn' } } } } },
      'v1.skill.Manifest.SkillManifestEnvelope',
    ),
    error: /TS2353: .*'"endpont"' does not exist in type 'CustomApis'/,
  },
  {
    ...moduleFor(
      'a slot value without synonyms',
      path.join(VIRTUAL_DIR, 'mistakes/model.ts'),
      {
        interactionModel: {
          languageModel: {
            invocationName: 'x',
            intents: [],
            types: [{ name: 'T', values: [{ name: { value: 'v' } }] }],
          },
        },
      },
      'v1.skill.interactionModel.InteractionModelData',
    ),
    error: /TS2741: Property ''synonyms'' is missing/,
  },
  {
    ...moduleFor(
      'a BASIC token scheme',
      path.join(VIRTUAL_DIR, 'mistakes/linking.ts'),
      { accountLinkingRequest: { type: 'AUTH_CODE', accessTokenScheme: 'BASIC' } },
      'v1.skill.accountLinking.AccountLinkingRequest',
    ),
    error: /TS2322: Type '"BASIC"' is not assignable to type 'AccessTokenSchemeType/,
  },
  {
    ...moduleFor(
      'the payload without its accountLinkingRequest wrapper',
      path.join(VIRTUAL_DIR, 'mistakes/unwrapped.ts'),
      { type: 'AUTH_CODE', clientId: 'x' },
      'v1.skill.accountLinking.AccountLinkingRequest',
    ),
    error: /TS2353: .*'"type"' does not exist in type 'AccountLinkingRequest'/,
  },
];

let diagnostics: Map<string, string[]>;

beforeAll(() => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
  };
  const virtual = new Map([...checked, ...MISTAKES].map((item) => [item.file, item.source]));
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
  diagnostics = new Map();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file ? path.resolve(diagnostic.file.fileName) : '(global)';
    const message = `error TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    diagnostics.set(file, [...(diagnostics.get(file) ?? []), message]);
  }
}, 120_000);

describe('the skill packages, against ask-smapi-model', () => {
  it('are all there: a manifest per example, interaction models, account-linking settings, each with its SMAPI type', () => {
    expect(unknownFiles).toEqual([]);
    expect(examples()).toEqual(['jukebox', 'my-lights', 'ride-hailer']);
    for (const example of examples()) {
      expect(checked.map((item) => item.name)).toContain(`${example}/skill-package/skill.json (source)`);
      expect(checked.map((item) => item.name)).toContain(`${example}/account-linking.json (source)`);
    }
  });

  it('compile with ask-smapi-model itself (its declarations included) without any error of their own', () => {
    const own = new Set([...checked, ...MISTAKES].map((item) => item.file));
    expect([...diagnostics].filter(([file]) => !own.has(file))).toEqual([]);
  });

  it.each(checked.map((item) => [item.name, item.type, item] as const))(
    '%s type-checks as %s',
    (_name, _type, item) => {
      expect(diagnostics.get(item.file) ?? []).toEqual([]);
    },
  );

  it.each(MISTAKES.map((item) => [item.name, item] as const))(
    'and the check has teeth: %s does not type-check',
    (_name, item) => {
      expect(diagnostics.get(item.file)).toEqual([expect.stringMatching(item.error)]);
    },
  );
});
