/**
 * `npm run skill-package`: an example's package filled from SAM's stack outputs and the OAuth
 * settings in the environment, written where `ask deploy` and `ask smapi update-account-linking-info`
 * take it; or, with --create, the package to create the skill from before its function exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { v1 } from 'ask-smapi-model';
import {
  fill,
  fillPackage,
  main,
  placeholdersIn,
  readPackage,
  SkillPackageError,
  stackOutputs,
} from '../../scripts/skill-package';
import { SAMPLE_ENV, SAMPLE_OUTPUTS, SAMPLE_OUTPUTS_FILE } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');
type Envelope = v1.skill.Manifest.SkillManifestEnvelope;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'skill-package-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const quietly = <T>(run: () => T): T => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    return run();
  } finally {
    log.mockRestore();
  }
};

describe('the stack outputs', () => {
  const sam = readJson(SAMPLE_OUTPUTS_FILE) as Array<{ OutputKey: string; OutputValue: string }>;

  it('are read from `sam list stack-outputs --output json`, `describe-stacks --query "Stacks[0].Outputs"` and plain `describe-stacks` alike', () => {
    const expected = Object.fromEntries(sam.map((item) => [item.OutputKey, item.OutputValue]));
    expect(stackOutputs(sam)).toEqual(expected);
    expect(stackOutputs({ Stacks: [{ StackName: 'ask-account-linking', Outputs: sam }] })).toEqual(expected);
    expect(stackOutputs(expected)).toEqual(expected);
  });

  it('refuse anything else, saying what they expected', () => {
    expect(() => stackOutputs([{ OutputKey: 'RideHailerFunctionArn' }])).toThrow(SkillPackageError);
    expect(() => stackOutputs('arn:aws:lambda:...')).toThrow(/sam list stack-outputs/);
  });
});

describe('filling', () => {
  it('replaces placeholders inside strings, and a placeholder alone in an array with its comma list', () => {
    const values = { A: 'x', LIST: ' one, two ,,three', EMPTY: '' };
    expect(fill({ s: 'a-${A}-b', list: ['${LIST}'], empty: ['${EMPTY}'], n: 3, keep: '${NOPE}' }, values)).toEqual({
      s: 'a-x-b',
      list: ['one', 'two', 'three'],
      empty: [],
      n: 3,
      keep: '${NOPE}',
    });
  });

  it.each([
    ['ride-hailer', 'RideHailerFunctionArn'],
    ['my-lights', 'MyLightsFunctionArn'],
    ['jukebox', 'JukeboxFunctionArn'],
  ])(
    '%s: the manifest gets the ARN of the sample outputs file, and no placeholder is left anywhere',
    (example, output) => {
      const filled = fillPackage(readPackage(example), { mode: 'deploy', outputs: SAMPLE_OUTPUTS, env: SAMPLE_ENV });
      const manifest = filled.get('skill-package/skill.json') as Envelope;
      const arn = SAMPLE_OUTPUTS[output]!;
      expect(arn).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);
      const endpoint = Object.values(manifest.manifest!.apis!)[0] as { endpoint: { uri: string } };
      expect(endpoint.endpoint.uri).toBe(arn);
      if (manifest.manifest!.events) expect(manifest.manifest!.events.endpoint.uri).toBe(arn);
      for (const [, json] of filled) expect(placeholdersIn(json)).toEqual([]);
      expect(
        (filled.get('account-linking.json') as v1.skill.accountLinking.AccountLinkingRequest).accountLinkingRequest,
      ).toMatchObject({
        authorizationUrl: SAMPLE_ENV.ACCOUNT_LINKING_AUTHORIZATION_URL,
        accessTokenUrl: SAMPLE_ENV.ACCOUNT_LINKING_ACCESS_TOKEN_URL,
        clientId: SAMPLE_ENV.ACCOUNT_LINKING_CLIENT_ID,
        clientSecret: SAMPLE_ENV.ACCOUNT_LINKING_CLIENT_SECRET,
        scopes: ['openid', 'offline_access', 'rides'],
        domains: ['cdn.auth.example.com'],
      });
    },
  );

  it('names every placeholder nothing filled, and where it comes from', () => {
    const run = () =>
      fillPackage(readPackage('ride-hailer'), { mode: 'deploy', outputs: {}, env: { ACCOUNT_LINKING_CLIENT_ID: 'x' } });
    expect(run).toThrow(SkillPackageError);
    expect(run).toThrow(
      /\$\{RideHailerFunctionArn\} in skill-package\/skill\.json: a stack output of that key \(--stack <outputs\.json>\)/,
    );
    expect(run).toThrow(
      /\$\{ACCOUNT_LINKING_CLIENT_SECRET\} in account-linking\.json: set the environment variable ACCOUNT_LINKING_CLIENT_SECRET/,
    );
    expect(run).not.toThrow(/ACCOUNT_LINKING_CLIENT_ID/);
  });

  it.each(['ride-hailer', 'my-lights', 'jukebox'])(
    '%s --create: the manifest without endpoints or skill events, no account-linking settings, nothing to fill',
    (example) => {
      const filled = fillPackage(readPackage(example), { mode: 'create', env: {} });
      const manifest = (filled.get('skill-package/skill.json') as Envelope).manifest!;
      expect(JSON.stringify(manifest)).not.toContain('endpoint');
      expect(manifest.events).toBeUndefined();
      expect(Object.keys(manifest.apis!)).toEqual(
        Object.keys((readPackage(example).get('skill-package/skill.json') as Envelope).manifest!.apis!),
      );
      expect(filled.has('account-linking.json')).toBe(false);
      expect(
        [...filled.keys()].every((file) => file === 'ask-resources.json' || file.startsWith('skill-package/')),
      ).toBe(true);
    },
  );

  it('keys ask-resources.json by the ASK CLI profile asked for', () => {
    const filled = fillPackage(readPackage('jukebox'), { mode: 'create', profile: 'work' });
    expect(filled.get('ask-resources.json')).toEqual({
      askcliResourcesVersion: '2020-03-31',
      profiles: { work: { skillMetadata: { src: './skill-package' } } },
    });
  });
});

describe('npm run skill-package', () => {
  it('writes the filled project: the secret readable by its owner only, the skill ID of `ask deploy` (.ask/) kept, a stale model dropped', () => {
    const out = path.join(dir, 'ride-hailer');
    mkdirSync(path.join(out, '.ask'), { recursive: true });
    writeFileSync(path.join(out, '.ask/ask-states.json'), '{"profiles":{"default":{"skillId":"amzn1.ask.skill.1"}}}');
    mkdirSync(path.join(out, 'skill-package/interactionModels/custom'), { recursive: true });
    writeFileSync(path.join(out, 'skill-package/interactionModels/custom/de-DE.json'), '{}');

    expect(quietly(() => main(['ride-hailer', '--stack', SAMPLE_OUTPUTS_FILE, '--out', out], SAMPLE_ENV))).toBe(0);

    expect(readJson(path.join(out, 'skill-package/skill.json')).manifest.apis.custom.endpoint.uri).toBe(
      SAMPLE_OUTPUTS.RideHailerFunctionArn,
    );
    expect(readJson(path.join(out, 'account-linking.json')).accountLinkingRequest.clientSecret).toBe(
      SAMPLE_ENV.ACCOUNT_LINKING_CLIENT_SECRET,
    );
    expect(statSync(path.join(out, 'account-linking.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(out, '.ask/ask-states.json'), 'utf8')).toContain('amzn1.ask.skill.1');
    expect(existsSync(path.join(out, 'skill-package/interactionModels/custom/de-DE.json'))).toBe(false);
    expect(existsSync(path.join(out, 'skill-package/interactionModels/custom/en-US.json'))).toBe(true);
    expect(readFileSync(path.join(out, 'skill-package/skill.json'), 'utf8')).not.toContain('${');

    // A later --create run (a fresh skill) leaves no secret behind.
    expect(quietly(() => main(['ride-hailer', '--create', '--out', out], {}))).toBe(0);
    expect(existsSync(path.join(out, 'account-linking.json'))).toBe(false);
  });

  it('wants one of --create and --stack', () => {
    expect(() => main(['jukebox'], {})).toThrow(/one of --create and --stack/);
    expect(() => main(['jukebox', '--create', '--stack', SAMPLE_OUTPUTS_FILE], {})).toThrow(
      /one of --create and --stack/,
    );
    expect(() => main(['karaoke', '--create', '--out', dir], {})).toThrow(
      /no skill package for "karaoke": one of jukebox, my-lights, ride-hailer/,
    );
  });

  it('runs as the npm script, and exits 2 with the missing settings named', () => {
    const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
    const out = path.join(dir, 'jukebox');
    const { ACCOUNT_LINKING_CLIENT_SECRET: _secret, ...env } = { ...process.env, ...SAMPLE_ENV };
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(tsx, ['scripts/skill-package.ts', 'jukebox', '--stack', SAMPLE_OUTPUTS_FILE, '--out', out], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(2);
    expect(failure?.stderr).toContain(
      '${ACCOUNT_LINKING_CLIENT_SECRET} in account-linking.json: set the environment variable ACCOUNT_LINKING_CLIENT_SECRET',
    );
    expect(existsSync(out)).toBe(false);

    const stdout = execFileSync(
      tsx,
      ['scripts/skill-package.ts', 'jukebox', '--stack', SAMPLE_OUTPUTS_FILE, '--out', out],
      {
        cwd: ROOT,
        env: { ...process.env, ...SAMPLE_ENV },
        encoding: 'utf8',
      },
    );
    expect(stdout).toContain('jukebox (endpoints filled)');
    expect(readJson(path.join(out, 'skill-package/skill.json')).manifest.apis.music.endpoint.uri).toBe(
      SAMPLE_OUTPUTS.JukeboxFunctionArn,
    );
  }, 60_000);
});
