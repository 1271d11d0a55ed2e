import { ConfigurationError, jwtVerifierFromEnvironment } from '../../lib';
import { AUDIENCE, hsToken, ISSUER, rsaPublicPem, rsToken, SECRET } from '../support/fixtures';

const context = { family: 'custom' as const, signal: new AbortController().signal, deadline: new Date(Date.now() + 3000) };
const base = { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };

describe('jwtVerifierFromEnvironment', () => {
  it('builds an HS256 verifier from JWT_SECRET', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_SECRET: SECRET });
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it('builds an RS256 verifier from JWT_PUBLIC_KEY, with \\n escapes as newlines', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_PUBLIC_KEY: rsaPublicPem.replace(/\n/g, '\\n') });
    expect((await verifier.verify(rsToken(), context)).outcome).toBe('valid');
  });

  it('takes comma lists of audiences', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_AUDIENCE: `other, ${AUDIENCE}`, JWT_SECRET: SECRET });
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it('lets options in code override the environment', async () => {
    const verifier = jwtVerifierFromEnvironment({ ...base, JWT_AUDIENCE: 'not-this-one', JWT_SECRET: SECRET }, { audience: AUDIENCE });
    expect((await verifier.verify(hsToken(), context)).outcome).toBe('valid');
  });

  it.each([
    ['neither JWT_SECRET nor JWT_PUBLIC_KEY', { ...base }, /JWT_SECRET.*JWT_PUBLIC_KEY/],
    ['both JWT_SECRET and JWT_PUBLIC_KEY', { ...base, JWT_SECRET: SECRET, JWT_PUBLIC_KEY: rsaPublicPem }, /only one of JWT_SECRET/],
    ['no JWT_ISSUER', { JWT_AUDIENCE: AUDIENCE, JWT_SECRET: SECRET }, /JWT_ISSUER/],
    ['a blank JWT_AUDIENCE', { JWT_ISSUER: ISSUER, JWT_AUDIENCE: ' , ', JWT_SECRET: SECRET }, /JWT_AUDIENCE/],
    ['RS256 in JWT_ALGORITHMS with a secret', { ...base, JWT_SECRET: SECRET, JWT_ALGORITHMS: 'RS256' }, /JWT_ALGORITHMS has RS256/],
    ['none in JWT_ALGORITHMS', { ...base, JWT_PUBLIC_KEY: rsaPublicPem, JWT_ALGORITHMS: 'none' }, /JWT_ALGORITHMS has none/],
    ['a short JWT_SECRET', { ...base, JWT_SECRET: 'short' }, /JWT_SECRET: .*32 bytes/],
    ['a JWT_PUBLIC_KEY that is no key', { ...base, JWT_PUBLIC_KEY: 'abc' }, /JWT_PUBLIC_KEY: /],
  ])('fails with a ConfigurationError naming the variable for %s', (_name, env, message) => {
    const create = () => jwtVerifierFromEnvironment(env);
    expect(create).toThrow(ConfigurationError);
    expect(create).toThrow(message);
  });
});
