/**
 * The package as a consumer gets it: `npm pack` (which builds), the tarball installed OFFLINE from
 * the npm cache into three fresh skill projects in a temp dir — CommonJS TypeScript (`module:
 * commonjs`, node10 resolution), ESM TypeScript (`nodenext`) and plain ESM JavaScript — each
 * type-checked with `skipLibCheck: false` by this repository's TypeScript and run: a custom, a
 * smart home and a music skill and the test kit. publint and @arethetypeswrong/cli check the tarball.
 *
 * Offline: every package the projects need is in the npm cache after this repository's `npm ci`
 * (the versions are this repository's own, read from its node_modules).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { consumerLockfile } from './offline-lock';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(__dirname, 'fixtures');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };
const SUBPATHS = ['', '/custom', '/directive', '/music', '/verification', '/testing', '/testing/jest', '/dynamodb', '/package.json'];

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

function createProject(kind: Project['kind']): Project {
  const dir = path.join(temp, kind);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  const typescript = kind !== 'esm-js';
  // The CommonJS project also installs the optional peer @aws-sdk/client-dynamodb and compiles a use of
  // the /dynamodb store (its declarations are large: one project type-checks them).
  const names = ['ask-sdk-core', 'ask-sdk-model', 'ask-sdk-runtime', ...(typescript ? ['@types/node'] : []), ...(kind === 'cjs-ts' ? ['@aws-sdk/client-dynamodb'] : [])];
  const dependencies = Object.fromEntries(names.map((name) => [name, versionOf(name)]));
  const tarballSpec = path.relative(dir, tarball);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: `consumer-${kind}`,
    private: true,
    type: kind === 'cjs-ts' ? 'commonjs' : 'module',
    dependencies: { 'ask-sdk-account-linking': `file:${tarballSpec}`, ...dependencies },
  }, null, 2));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(
    consumerLockfile({ root: ROOT, projectName: `consumer-${kind}`, tarball: tarballSpec, tarballPath: tarball, dependencies }), null, 2));
  if (kind === 'esm-js') {
    copyFileSync(path.join(FIXTURES, 'skills.mjs'), path.join(dir, 'src/index.mjs'));
  } else {
    copyFileSync(path.join(FIXTURES, 'skills.ts'), path.join(dir, 'src/index.ts'));
    if (kind === 'cjs-ts') copyFileSync(path.join(FIXTURES, 'dynamodb.ts'), path.join(dir, 'src/dynamodb.ts'));
    const compilerOptions = kind === 'cjs-ts'
      ? { module: 'commonjs', target: 'ES2022', esModuleInterop: true } // moduleResolution: the default for commonjs, node10
      : { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022' };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { ...compilerOptions, strict: true, skipLibCheck: false, types: ['node'], outDir: 'dist', rootDir: 'src' },
      include: ['src'],
    }, null, 2));
  }
  return { name: kind, kind, dir };
}

beforeAll(async () => {
  temp = mkdtempSync(path.join(os.tmpdir(), 'ask-sdk-account-linking-consumer-'));
  const packed = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', temp], ROOT));
  tarball = path.join(temp, packed[0].filename);
  packedFiles = packed[0].files.map((file: { path: string }) => file.path);
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
    const output = await sh(process.execPath, [path.join(ROOT, 'node_modules/publint/src/cli.js'), 'run', tarball, '--strict'], temp);
    expect(output).toContain('All good!');
  });

  it('passes @arethetypeswrong/cli for node10, node16 (CJS and ESM) and bundler resolution', async () => {
    const output = await sh(process.execPath, [path.join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball, '--format', 'ascii'], temp);
    expect(output).toContain('No problems found');
  });
});

describe.each(['cjs-ts', 'esm-ts', 'esm-js'] as const)('a fresh %s skill project with the tarball installed offline', (kind) => {
  const project = () => projects.find((candidate) => candidate.kind === kind)!;

  it('got only run-time dependencies: no install scripts, no aws-lambda-ric, no dev tools', () => {
    const lock = JSON.parse(readFileSync(path.join(project().dir, 'package-lock.json'), 'utf8'));
    const packages = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>);
    expect(packages.filter(([, entry]) => entry.hasInstallScript).map(([name]) => name)).toEqual([]);
    const names = packages.map(([name]) => name.replace(/^.*node_modules\//, ''));
    // jsonwebtoken too: JWTs are checked with node:crypto, and the package has no runtime dependency beyond its peers.
    for (const absent of ['aws-lambda-ric', 'typescript', 'jest', 'ts-jest', 'jsonwebtoken', '@types/jsonwebtoken', '@types/aws-lambda', 'oidc-provider', 'esbuild', 'tsx']) {
      expect(names).not.toContain(absent);
    }
    const installed = JSON.parse(readFileSync(path.join(project().dir, 'node_modules/ask-sdk-account-linking/package.json'), 'utf8'));
    expect(installed.dependencies ?? {}).toEqual({});
    expect(Object.keys(installed.scripts ?? {}).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
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
    it('type-checks and compiles with skipLibCheck: false', async () => {
      await sh(process.execPath, [TSC, '-p', 'tsconfig.json'], project().dir);
    });
  }

  it('runs a custom, a smart home and a music skill, and the test kit', async () => {
    const entry = kind === 'esm-js' ? 'src/index.mjs' : 'dist/index.js';
    expectSkillAnswers(await sh(process.execPath, [entry], project().dir));
  });

  if (kind === 'esm-js') {
    it('bundles with esbuild (as sam build does) into one file that runs with no node_modules', async () => {
      const bundled = path.join(temp, 'bundled');
      mkdirSync(bundled, { recursive: true });
      await sh(path.join(ROOT, 'node_modules/.bin/esbuild'), [
        'src/index.mjs', '--bundle', '--platform=node', '--format=esm', `--outfile=${path.join(bundled, 'index.mjs')}`, '--log-level=warning',
        // CommonJS dependencies bundled into ESM call require for Node's built-ins.
        "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      ], project().dir);
      expectSkillAnswers(await sh(process.execPath, ['index.mjs'], bundled));
    });
  }
});

/** What the fixture skills print: log lines, then one JSON line of their answers. */
function expectSkillAnswers(stdout: string): void {
  const output = JSON.parse(stdout.trim().split('\n').pop()!);
  expect(output.custom).toEqual({ linked: { type: 'SSML', ssml: '<speak>Hello rider-42</speak>' }, unlinkedCard: 'LinkAccount', type: 'LaunchRequest' });
  expect(output.smartHome.turnOn).toBe('Response');
  expect(JSON.parse(output.smartHome.discover).event).toMatchObject({ header: { name: 'Discover.Response' }, payload: { endpoints: [] } });
  expect(output.smartHome.type).toBe('Alexa.PowerController.TurnOn');
  expect(output.music).toEqual({ name: 'GetPlayableContent.Response', content: 'for-rider-42', unlinked: 'INVALID_AUTHORIZATION_CREDENTIAL', type: 'Alexa.Media.Search.GetPlayableContent' });
  expect(output.testKit).toEqual({ linkAccount: true, double: 2 });
}
