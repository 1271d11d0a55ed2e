/** check-server's arguments: both option forms, usage errors that never repeat a value, --env-file over the environment. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { environmentOf, parseArguments, UsageError } from '../../lib/cli/check-server-options';

describe('parseArguments', () => {
  it('reads --option value and --option=value alike, with the defaults for the rest', () => {
    expect(parseArguments(['--refresh-token-file', 'rt.txt', '--reuse-after=5', '--json'])).toMatchObject({
      refreshTokenFile: 'rt.txt',
      reuseAfterSeconds: 5,
      json: true,
      help: false,
    });
    expect(parseArguments([])).toMatchObject({ json: false, reuseAfterSeconds: 2, help: false });
  });

  it.each([
    [['--refresh-token-file'], /needs a value/],
    [['--json=yes'], /takes no value/],
    [['--reuse-after', '601'], /0 to 600/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseArguments(args)).toThrow(UsageError);
    expect(() => parseArguments(args)).toThrow(message);
  });

  it('names an unknown option without repeating a value given with it', () => {
    expect(() => parseArguments(['--refresh-token=rt_secret_value'])).toThrow(/--refresh-token/);
    expect(() => parseArguments(['--refresh-token=rt_secret_value'])).not.toThrow(/rt_secret_value/);
  });
});

describe('environmentOf', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'check-server-options-'));
  const file = (name: string, content: unknown) => {
    const at = path.join(dir, name);
    writeFileSync(at, JSON.stringify(content));
    return at;
  };

  it('is the process environment without --env-file, and refuses --function alone', () => {
    const env = { OAUTH_ISSUER: 'https://auth.example.test' };
    expect(environmentOf(parseArguments([]), env)).toBe(env);
    expect(() => environmentOf(parseArguments(['--function', 'RideHailerFunction']), env)).toThrow(
      /--function goes with --env-file/,
    );
  });

  it('puts a flat env file over the environment, and takes one function of a SAM env-vars file', () => {
    const flat = file('flat.json', { OAUTH_ISSUER: 'https://from-the-file.test' });
    expect(environmentOf(parseArguments(['--env-file', flat]), { OAUTH_ISSUER: 'x', KEPT: 'y' })).toMatchObject({
      OAUTH_ISSUER: 'https://from-the-file.test',
      KEPT: 'y',
    });
    const sam = file('sam.json', { Parameters: {}, RideHailerFunction: { JWT_ISSUER: 'https://issuer.test/' } });
    expect(environmentOf(parseArguments(['--env-file', sam, '--function', 'RideHailerFunction']), {})).toMatchObject({
      JWT_ISSUER: 'https://issuer.test/',
    });
  });
});
