/**
 * The first hour of a new user (issue 22), done in temp dirs the way docs/getting-started.md says:
 * the package packed (`npm pack`: it is not on the npm registry) and installed from the tarball
 * OFFLINE into a fresh CommonJS and a fresh ESM (`"type": "module"`) TypeScript skill project;
 * each project's files are the ones docs/getting-started.md shows, and its skill and test are the
 * README's five-minute guide (its code blocks, found by heading), so neither can drift from what
 * runs here. Then `npm test` (tsc, jest with ts-jest) passes, variants of the README's test that
 * must fail do fail, and `npm run bundle` (esbuild) writes a bundle that answers a launch request;
 * the ESM bundle without the `require` banner crashes as it loads, as the docs say.
 *
 * Offline: every package the projects need is in the npm cache after this repository's `npm ci`
 * (the docs' version ranges must be satisfied by this repository's own versions).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packedTarball } from './pack';
import { consumerLockfile } from './offline-lock';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const README = path.join(ROOT, 'README.md');
const DOCS = path.join(ROOT, 'docs/getting-started.md');
const FIXTURES = path.join(__dirname, 'first-hour');
const NPM_ENV = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
};
const JWT_ENV = {
  JWT_SECRET: 'a-test-secret-of-at-least-32-bytes!',
  JWT_ISSUER: 'https://auth.example.com/',
  JWT_AUDIENCE: 'my-skill',
};
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
const KINDS = ['cjs', 'esm'] as const;
type Kind = (typeof KINDS)[number];

jest.setTimeout(240_000);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = NPM_ENV): Promise<Result> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : 1, stdout: stdout ?? '', stderr: stderr ?? String(error) };
  }
}

async function sh(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Result> {
  const result = await exec(command, args, cwd, env);
  if (result.code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${result.code}) in ${cwd}:\n${result.stdout}\n${result.stderr}`,
    );
  return result;
}

/** The fenced blocks of `markdown` under the heading `heading` (up to the next heading of any level). */
function blocksUnder(markdown: string, heading: string, language: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const blocks: string[] = [];
  for (let index = start + 1; index < lines.length && !/^#{1,6} /.test(lines[index]!); index += 1) {
    if (lines[index] !== `\`\`\`${language}`) continue;
    const body: string[] = [];
    for (index += 1; index < lines.length && lines[index] !== '```'; index += 1) body.push(lines[index]!);
    blocks.push(`${body.join('\n')}\n`);
  }
  return blocks;
}

/** The docs' files: each fenced block right after a `<!-- first-hour: <name> -->` line. */
function docsFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const name = /^<!-- first-hour: (\S+) -->$/.exec(lines[index]!)?.[1];
    if (!name) continue;
    if (!/^```\w+$/.test(lines[index + 1] ?? ''))
      throw new Error(`docs/getting-started.md: no fence right after the marker of ${name}`);
    const body: string[] = [];
    for (index += 2; index < lines.length && lines[index] !== '```'; index += 1) body.push(lines[index]!);
    if (files.has(name)) throw new Error(`docs/getting-started.md: ${name} twice`);
    files.set(name, `${body.join('\n')}\n`);
  }
  return files;
}

const readme = readFileSync(README, 'utf8');
const [readmeHandler, readmeTest] = blocksUnder(readme, 'Five minutes to a linked custom skill', 'ts');
const docs = docsFiles(readFileSync(DOCS, 'utf8'));
const own = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

function docsFile(name: string): string {
  const text = docs.get(name);
  if (text === undefined) throw new Error(`docs/getting-started.md has no block marked <!-- first-hour: ${name} -->`);
  return text;
}

/** A README test that must fail: `from` replaced by `to`. */
function variant(from: string, to: string): string {
  if (!readmeTest!.includes(from))
    throw new Error(`the README's five-minute test no longer contains ${from}: update first-hour.test.ts`);
  return readmeTest!.replace(from, to);
}

/** README test variants, each with the failure it must end in (proof that the assertion ran). */
const VARIANTS = {
  // The linked user's speech is checked: another subject fails.
  'variant-speech.test.ts': {
    code: variant("ssml: '<speak>Hi user-1</speak>'", "ssml: '<speak>Hi user-2</speak>'"),
    failure: '<speak>Hi user-2</speak>',
  },
  // The test kit's matcher is installed by the jest config and passes on the unlinked answer: negated, it fails.
  'variant-matcher.test.ts': {
    code: variant('.toBeLinkAccountResponse()', '.not.toBeLinkAccountResponse()'),
    failure: 'expected not a LinkAccount card',
  },
};

let temp: string;
let tarballName: string;
const dirs = {} as Record<Kind, string>;

function createProject(kind: Kind, tarballPath: string): string {
  const dir = path.join(temp, kind);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  mkdirSync(path.join(dir, 'test'), { recursive: true });
  // As the docs say: the tarball next to package.json, recorded as file:<tarball>.
  copyFileSync(tarballPath, path.join(dir, tarballName));
  const pkg = JSON.parse(docsFile(`${kind}/package.json`)) as {
    name: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  expect(pkg.dependencies[own.name]).toBe(`file:${tarballName}`);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const { [own.name]: _own, ...dependencies } = pkg.dependencies;
  const lock = consumerLockfile({
    root: ROOT,
    projectName: pkg.name,
    tarball: tarballName,
    tarballPath,
    dependencies: { ...dependencies, ...pkg.devDependencies },
  }) as { packages: Record<string, unknown> };
  lock.packages[''] = { name: pkg.name, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies };
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  for (const name of ['tsconfig.json', 'jest.config.js', 'bundle.mjs'])
    writeFileSync(path.join(dir, name), docsFile(`${kind}/${name}`));
  writeFileSync(path.join(dir, 'src/index.ts'), readmeHandler!);
  writeFileSync(path.join(dir, 'test/skill.test.ts'), readmeTest!);
  writeFileSync(path.join(dir, 'test/handler.test.ts'), docsFile('test/handler.test.ts'));
  copyFileSync(path.join(FIXTURES, 'invoke.mjs'), path.join(dir, 'invoke.mjs'));
  return dir;
}

/** Runs a bundle through invoke.mjs in a fresh process; the parsed last line of its output. */
async function invoke(
  kind: Kind,
  bundle: string,
): Promise<Result & { answers?: { linked: unknown; unlinked: unknown } }> {
  const result = await exec(process.execPath, ['invoke.mjs', bundle], dirs[kind], { ...process.env, ...JWT_ENV });
  if (result.code !== 0) return result;
  return { ...result, answers: JSON.parse(result.stdout.trim().split('\n').pop()!) };
}

beforeAll(async () => {
  temp = mkdtempSync(path.join(os.tmpdir(), 'ask-sdk-account-linking-first-hour-'));
  const packed = await packedTarball();
  tarballName = packed.filename;
  copyFileSync(packed.tarball, path.join(temp, tarballName));
  expect(tarballName).toBe(`${own.name}-${own.version}.tgz`);
  for (const kind of KINDS) dirs[kind] = createProject(kind, path.join(temp, tarballName));
  // --offline: from the npm cache only; a package missing from it fails the install, and says which.
  await Promise.all(KINDS.map((kind) => sh('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dirs[kind])));
});

afterAll(() => {
  if (temp && !process.env.KEEP_CONSUMER_PROJECTS) rmSync(temp, { recursive: true, force: true });
});

describe('the README and docs/getting-started.md', () => {
  it('the five-minute guide has its handler (step 1) and its test (step 2)', () => {
    expect(readmeHandler).toContain('export const handler = customSkillHandler(skill);');
    expect(readmeTest).toContain("from 'ask-sdk-account-linking/testing'");
  });

  it("the README's Install section says the package is not on the registry, and links this page", () => {
    const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('### Five minutes'));
    // Until the package is published, `npm install ask-sdk-account-linking` is a 404.
    expect(install).toMatch(/not (yet )?(published|on the npm registry)/);
    expect(install).toContain('(docs/getting-started.md)');
  });

  it("give both projects every file, the ESM Banner of SAM is bundle.mjs's, and TypeScript is pinned below 7 for ts-jest", () => {
    for (const kind of KINDS) {
      for (const name of ['package.json', 'tsconfig.json', 'jest.config.js', 'bundle.mjs'])
        expect(docs.has(`${kind}/${name}`)).toBe(true);
    }
    expect(docsFile('esm/bundle.mjs')).toContain(`banner: { js: ${JSON.stringify(BANNER)} }`);
    expect(docsFile('sam-esm.yaml')).toContain(`- js=${BANNER}`);
    expect(docsFile('sam-esm.yaml')).toMatch(/Format: esm\n\s+OutExtension:\n\s+- \.js=\.mjs\n/);
    // ts-jest's peer range stops below TypeScript 7, which does not ship the compiler API it uses.
    const tsJest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/ts-jest/package.json'), 'utf8'));
    expect(tsJest.peerDependencies.typescript).toMatch(/<\s*7$/);
    for (const kind of KINDS)
      expect(JSON.parse(docsFile(`${kind}/package.json`)).devDependencies.typescript).toMatch(/^~5\./);
  });
});

describe.each(KINDS)('a fresh %s skill project, set up as docs/getting-started.md says', (kind) => {
  it('has the package from the tarball: its CommonJS build for require, its ESM build for import', async () => {
    const dir = dirs[kind];
    const installed = JSON.parse(readFileSync(path.join(dir, 'node_modules', own.name, 'package.json'), 'utf8'));
    expect(installed.version).toBe(own.version);
    const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
    expect(lock.packages[`node_modules/${own.name}`].resolved).toBe(`file:${tarballName}`);
    const script = `import { createRequire } from 'node:module';
      console.log(JSON.stringify([createRequire(import.meta.url).resolve('${own.name}/testing'), import.meta.resolve('${own.name}/testing')]));`;
    const [required, imported] = JSON.parse(
      (await sh(process.execPath, ['--input-type=module', '-e', script], dir)).stdout,
    );
    expect(required).toContain(`${path.sep}dist${path.sep}cjs${path.sep}testing${path.sep}`);
    expect(imported).toContain('/dist/esm/testing/');
  });

  it("passes `npm test`: tsc --noEmit, then jest runs the README's test and the handler test", async () => {
    const { stdout, stderr } = await sh('npm', ['test'], dirs[kind]);
    const output = `${stdout}\n${stderr}`;
    expect(output).toContain('PASS test/skill.test.ts');
    expect(output).toContain('PASS test/handler.test.ts');
    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  });

  it("fails variants of the README's test that must fail: its assertions and the matchers ran", async () => {
    const dir = dirs[kind];
    for (const [name, { code }] of Object.entries(VARIANTS)) writeFileSync(path.join(dir, 'test', name), code);
    const report = path.join(temp, `${kind}-variants.json`);
    // The docs' `npm test`, arguments passed on to jest (the script's last command).
    const result = await exec('npm', ['test', '--', '--json', `--outputFile=${report}`, 'variant-'], dir);
    expect(result.code).not.toBe(0);
    expect(existsSync(report)).toBe(true);
    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      numTotalTests: number;
      numFailedTests: number;
      testResults: { name: string; status: string; message: string }[];
    };
    expect(results.numTotalTests).toBe(2);
    expect(results.numFailedTests).toBe(2);
    for (const [name, { failure }] of Object.entries(VARIANTS)) {
      const suite = results.testResults.find((candidate) => candidate.name.endsWith(`${path.sep}${name}`));
      expect(suite?.status).toBe('failed');
      expect(suite?.message).toContain(failure);
      expect(suite?.message).not.toContain('is not a function');
    }
  });

  it('bundles with `npm run bundle` into one file that answers a launch request', async () => {
    await sh('npm', ['run', 'bundle'], dirs[kind]);
    const bundle = kind === 'esm' ? 'dist/index.mjs' : 'dist/index.js';
    const result = await invoke(kind, bundle);
    expect(result.code).toBe(0);
    expect(result.answers).toEqual({
      linked: { type: 'SSML', ssml: '<speak>Welcome back, user-1.</speak>' },
      unlinked: { type: 'LinkAccount' },
    });
  });

  if (kind === 'esm') {
    it('bundled as ESM without the require banner, crashes as it loads (Dynamic require of "url")', async () => {
      const dir = dirs[kind];
      const script = docsFile('esm/bundle.mjs');
      const withoutBanner = script
        .split('\n')
        .filter((line) => !line.includes('banner:'))
        .join('\n')
        .replace("outfile: 'dist/index.mjs'", "outfile: 'dist/no-banner.mjs'");
      expect(withoutBanner).not.toContain('createRequire');
      expect(withoutBanner).toContain('dist/no-banner.mjs');
      writeFileSync(path.join(dir, 'bundle-no-banner.mjs'), withoutBanner);
      await sh(process.execPath, ['bundle-no-banner.mjs'], dir);
      const result = await invoke(kind, 'dist/no-banner.mjs');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Error: Dynamic require of "url" is not supported');
      expect(result.stderr).toContain('ask-sdk-core/dist/service/DefaultApiClient.js');
    });
  }
});
