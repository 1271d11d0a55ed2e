/**
 * The package as a consumer gets it: `npm pack` (which builds), the tarball installed OFFLINE from
 * the npm cache into three fresh skill projects in a temp dir — CommonJS TypeScript, ESM
 * TypeScript and plain ESM JavaScript — and run: a custom, a smart home and a music skill, the
 * README's shapes and the test kit. publint and @arethetypeswrong/cli check the tarball.
 *
 * The TypeScript projects compile with what `tsc --init` writes, the strictest a user starts with
 * (`strict`, `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`, `verbatimModuleSyntax`,
 * `module: nodenext`, ...), written by each TypeScript a user may have: 5.9 (this repository's
 * `typescript`) and 7 (`typescript-7`), each compiling with its own. To it they add only what a
 * project must: `types: ["node"]` (init writes `[]`), `rootDir`/`outDir`, and in the CommonJS
 * project `verbatimModuleSyntax: false` (under it a CommonJS file cannot be written with
 * import/export, TS1295); and `skipLibCheck: false`, so the package's declarations are checked too.
 * The CommonJS project is also checked by TypeScript 5.9 with `module: commonjs` and node10
 * resolution (what older projects have; TypeScript 7 removed node10).
 *
 * Offline: every package the projects need is in the npm cache after this repository's `npm ci`
 * (the versions are this repository's own, read from its node_modules). The compilers are this
 * repository's: where tsc is installed makes no difference to what it reads of a project.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { consumerLockfile } from './offline-lock';
import { packedTarball } from './pack';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'fixtures');
/** The TypeScripts a consumer may compile with, each writing its own `tsc --init`. */
const COMPILERS = [
  {
    label: 'TypeScript 5.9',
    tag: 'ts5',
    tsc: path.join(ROOT, 'node_modules/typescript/bin/tsc'),
    version: versionOf('typescript'),
  },
  {
    label: 'TypeScript 7',
    tag: 'ts7',
    tsc: path.join(ROOT, 'node_modules/typescript-7/bin/tsc'),
    version: versionOf('typescript-7'),
  },
] as const;
type Compiler = (typeof COMPILERS)[number];
const NPM_ENV = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
};
const SUBPATHS = [
  '',
  '/custom',
  '/directive',
  '/music',
  '/verification',
  '/testing',
  '/testing/jest',
  '/dynamodb',
  '/package.json',
];

jest.setTimeout(180_000);

function versionOf(name: string): string {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
}

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env: NPM_ENV, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

interface Project {
  name: string;
  kind: 'cjs-ts' | 'esm-ts' | 'esm-js';
  dir: string;
}

let temp: string;
let tarball: string;
let packedFiles: string[];
const projects: Project[] = [];

/**
 * `tsconfig.<tag>.json` of a TypeScript project: what `tsc --init` of that TypeScript wrote (in
 * `tsconfig.init-<tag>.json`, comments and all), and only what a project must add to it.
 */
function writeTsconfig(dir: string, kind: Project['kind'], compiler: Compiler): void {
  copyFileSync(
    path.join(temp, `init-${compiler.tag}`, 'tsconfig.json'),
    path.join(dir, `tsconfig.init-${compiler.tag}.json`),
  );
  const compilerOptions = {
    // A CommonJS package's files are CommonJS under nodenext; they can be written with import/export only without it (TS1295).
    ...(kind === 'cjs-ts' ? { verbatimModuleSyntax: false } : {}),
    types: ['node'], // init writes types: [] and, in a comment, "For nodejs: types: ["node"]"
    rootDir: 'src',
    outDir: compiler.tag === 'ts5' ? 'dist' : `dist-${compiler.tag}`,
    skipLibCheck: false, // init writes true; the package's declarations must pass the same checks
  };
  writeFileSync(
    path.join(dir, `tsconfig.${compiler.tag}.json`),
    JSON.stringify(
      {
        extends: `./tsconfig.init-${compiler.tag}.json`,
        compilerOptions,
        include: ['src'],
      },
      null,
      2,
    ),
  );
}

function createProject(kind: Project['kind']): Project {
  const dir = path.join(temp, kind);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const typescript = kind !== 'esm-js';
  // The CommonJS project also installs the optional peer @aws-sdk/client-dynamodb and compiles a use of
  // the /dynamodb store (its declarations are large: one project type-checks them).
  const names = [
    'ask-sdk-core',
    'ask-sdk-model',
    'ask-sdk-runtime',
    ...(typescript ? ['@types/node'] : []),
    ...(kind === 'cjs-ts' ? ['@aws-sdk/client-dynamodb'] : []),
  ];
  const dependencies = Object.fromEntries(names.map((name) => [name, versionOf(name)]));
  const tarballSpec = path.relative(dir, tarball);
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: `consumer-${kind}`,
        private: true,
        type: kind === 'cjs-ts' ? 'commonjs' : 'module',
        dependencies: { 'ask-sdk-account-linking': `file:${tarballSpec}`, ...dependencies },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify(
      consumerLockfile({
        root: ROOT,
        projectName: `consumer-${kind}`,
        tarball: tarballSpec,
        tarballPath: tarball,
        dependencies,
      }),
      null,
      2,
    ),
  );
  if (kind === 'esm-js') {
    copyFileSync(path.join(FIXTURES, 'skills.mjs'), path.join(dir, 'src/index.mjs'));
  } else {
    copyFileSync(path.join(FIXTURES, 'skills.ts'), path.join(dir, 'src/index.ts'));
    if (kind === 'cjs-ts') copyFileSync(path.join(FIXTURES, 'dynamodb.ts'), path.join(dir, 'src/dynamodb.ts'));
    for (const compiler of COMPILERS) writeTsconfig(dir, kind, compiler);
    if (kind === 'cjs-ts') {
      // An older project's settings: module commonjs, node10 resolution (typesVersions), no emit.
      writeFileSync(
        path.join(dir, 'tsconfig.node10.json'),
        JSON.stringify(
          {
            extends: './tsconfig.ts5.json',
            compilerOptions: { module: 'commonjs', moduleResolution: 'node10', noEmit: true },
          },
          null,
          2,
        ),
      );
    }
  }
  return { name: kind, kind, dir };
}

beforeAll(async () => {
  temp = mkdtempSync(path.join(os.tmpdir(), 'ask-sdk-account-linking-consumer-'));
  const packed = await packedTarball();
  tarball = path.join(temp, packed.filename);
  copyFileSync(packed.tarball, tarball);
  packedFiles = packed.files;
  for (const compiler of COMPILERS) {
    mkdirSync(path.join(temp, `init-${compiler.tag}`));
    await sh(process.execPath, [compiler.tsc, '--init'], path.join(temp, `init-${compiler.tag}`));
  }
  for (const kind of ['cjs-ts', 'esm-ts', 'esm-js'] as const) projects.push(createProject(kind));
  // --offline: from the npm cache only; a package missing from it fails the install, and says which.
  await Promise.all(projects.map((project) => sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project.dir)));
});

afterAll(() => {
  if (temp && !process.env.KEEP_CONSUMER_PROJECTS) rmSync(temp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the builds, LICENSE, README, CHANGELOG and package.json, and nothing of the repository', () => {
    const top = new Set(packedFiles.map((file) => file.split('/')[0]));
    expect([...top].sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
    expect(packedFiles).toContain('dist/cjs/index.js');
    expect(packedFiles).toContain('dist/esm/index.js');
    expect(packedFiles.filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('passes publint with nothing to report', async () => {
    const output = await sh(
      process.execPath,
      [path.join(ROOT, 'node_modules/publint/src/cli.js'), 'run', tarball, '--strict'],
      temp,
    );
    expect(output).toContain('All good!');
  });

  it('passes @arethetypeswrong/cli for node10, node16 (CJS and ESM) and bundler resolution', async () => {
    const output = await sh(
      process.execPath,
      [path.join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball, '--format', 'ascii'],
      temp,
    );
    expect(output).toContain('No problems found');
  });
});

describe.each(['cjs-ts', 'esm-ts', 'esm-js'] as const)(
  'a fresh %s skill project with the tarball installed offline',
  (kind) => {
    const project = () => projects.find((candidate) => candidate.kind === kind)!;

    it('got only run-time dependencies: no install scripts, no aws-lambda-ric, no dev tools', () => {
      const lock = JSON.parse(readFileSync(path.join(project().dir, 'package-lock.json'), 'utf8'));
      const packages = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>);
      expect(packages.filter(([, entry]) => entry.hasInstallScript).map(([name]) => name)).toEqual([]);
      const names = packages.map(([name]) => name.replace(/^.*node_modules\//, ''));
      // jsonwebtoken too: JWTs are checked with node:crypto, and the package has no runtime dependency beyond its peers.
      for (const absent of [
        'aws-lambda-ric',
        'typescript',
        'jest',
        'ts-jest',
        'jsonwebtoken',
        '@types/jsonwebtoken',
        '@types/aws-lambda',
        'oidc-provider',
        'esbuild',
        'tsx',
      ]) {
        expect(names).not.toContain(absent);
      }
      const installed = JSON.parse(
        readFileSync(path.join(project().dir, 'node_modules/ask-sdk-account-linking/package.json'), 'utf8'),
      );
      expect(installed.dependencies ?? {}).toEqual({});
      expect(
        Object.keys(installed.scripts ?? {}).filter((name) => /^(pre|post)?install$|^prepare$/.test(name)),
      ).toEqual([]);
    });

    it('resolves every subpath, with require() and with import', async () => {
      const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const out = {};
      for (const subpath of ${JSON.stringify(SUBPATHS)}) {
        const name = 'ask-sdk-account-linking' + subpath;
        out[subpath || '.'] = [require.resolve(name), import.meta.resolve(name)];
      }
      console.log(JSON.stringify(out));`;
      const resolved = JSON.parse(await sh(process.execPath, ['--input-type=module', '-e', script], project().dir));
      for (const subpath of SUBPATHS) {
        const [required, imported] = resolved[subpath || '.'];
        if (subpath === '/package.json') continue;
        expect(required).toContain(`${path.sep}dist${path.sep}cjs${path.sep}`);
        expect(imported).toContain('/dist/esm/');
      }
    });

    if (kind !== 'esm-js') {
      describe.each(COMPILERS)('with $label', (compiler) => {
        it('compiles with the options its tsc --init writes, the strictest, and skipLibCheck: false', async () => {
          const { dir } = project();
          expect(await sh(process.execPath, [compiler.tsc, '-v'], dir)).toContain(`Version ${compiler.version}`);
          const { compilerOptions } = JSON.parse(
            await sh(process.execPath, [compiler.tsc, '-p', `tsconfig.${compiler.tag}.json`, '--showConfig'], dir),
          );
          expect(compilerOptions).toMatchObject({
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            isolatedModules: true,
            module: 'nodenext',
            skipLibCheck: false,
            verbatimModuleSyntax: kind === 'esm-ts',
          });
          await sh(process.execPath, [compiler.tsc, '-p', `tsconfig.${compiler.tag}.json`], dir);
        });

        it("runs what it compiled: a custom, a smart home and a music skill, the README's shapes, and the test kit", async () => {
          const outDir = compiler.tag === 'ts5' ? 'dist' : `dist-${compiler.tag}`;
          expectSkillAnswers(await sh(process.execPath, [`${outDir}/index.js`], project().dir), { readme: true });
        });
      });
    }

    if (kind === 'cjs-ts') {
      it('type-checks with TypeScript 5.9 with module: commonjs and node10 resolution, as older projects have', async () => {
        await sh(process.execPath, [COMPILERS[0].tsc, '-p', 'tsconfig.node10.json'], project().dir);
      });
    }

    if (kind === 'esm-js') {
      it('runs a custom, a smart home and a music skill, and the test kit', async () => {
        expectSkillAnswers(await sh(process.execPath, ['src/index.mjs'], project().dir), { readme: false });
      });
    }

    if (kind === 'esm-js') {
      it('bundles with esbuild (as sam build does) into one file that runs with no node_modules', async () => {
        const bundled = path.join(temp, 'bundled');
        mkdirSync(bundled, { recursive: true });
        await sh(
          path.join(ROOT, 'node_modules/.bin/esbuild'),
          [
            'src/index.mjs',
            '--bundle',
            '--platform=node',
            '--format=esm',
            `--outfile=${path.join(bundled, 'index.mjs')}`,
            '--log-level=warning',
            // CommonJS dependencies bundled into ESM call require for Node's built-ins.
            "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
          ],
          project().dir,
        );
        expectSkillAnswers(await sh(process.execPath, ['index.mjs'], bundled), { readme: false });
      });
    }
  },
);

/** What the fixture skills print: log lines, then one JSON line of their answers (the TypeScript ones, the README's shapes' too). */
function expectSkillAnswers(stdout: string, { readme }: { readme: boolean }): void {
  const output = JSON.parse(stdout.trim().split('\n').pop()!);
  expect(output.custom).toEqual({
    linked: { type: 'SSML', ssml: '<speak>Hello rider-42</speak>' },
    unlinkedCard: 'LinkAccount',
    type: 'LaunchRequest',
  });
  expect(output.smartHome.turnOn).toBe('Response');
  expect(JSON.parse(output.smartHome.discover).event).toMatchObject({
    header: { name: 'Discover.Response' },
    payload: { endpoints: [] },
  });
  expect(output.smartHome.type).toBe('Alexa.PowerController.TurnOn');
  expect(output.music).toEqual({
    name: 'GetPlayableContent.Response',
    content: 'for-rider-42',
    unlinked: 'INVALID_AUTHORIZATION_CREDENTIAL',
    type: 'Alexa.Media.Search.GetPlayableContent',
  });
  expect(output.testKit).toEqual({ linkAccount: true, double: 2 });
  // Verifier from the environment, JwtVerifier inline, on a public key, jwtVerifierFromEnvironment() cached, a verifier of one's own.
  if (readme)
    expect(output.readme).toEqual([...Array(4).fill('<speak>Hi rider-42</speak>'), '<speak>Hi rider-42, 1</speak>']);
}
