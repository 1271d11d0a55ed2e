/** lib/verification/jwt-options.ts: the two checks of JwtVerifier's options that live with them (the rest is types and defaults). */
import { ConfigurationError } from '../../lib';
import { ASYMMETRIC_ALGORITHMS, requireAlgorithms, requireIssuerAndAudience } from '../../lib/verification/jwt-options';

describe('requireAlgorithms', () => {
  it('takes a non-empty list of algorithms allowed', () => {
    expect(() => requireAlgorithms({ algorithms: ['RS256', 'ES256'] }, ASYMMETRIC_ALGORITHMS, 'A JWKS')).not.toThrow();
  });

  it('refuses an empty list, or none at all', () => {
    expect(() => requireAlgorithms({ algorithms: [] }, ASYMMETRIC_ALGORITHMS, 'A JWKS')).toThrow(
      'JwtVerifier needs a non-empty algorithm allowlist',
    );
    expect(() => requireAlgorithms({} as never, ASYMMETRIC_ALGORITHMS, 'A JWKS')).toThrow(ConfigurationError);
  });

  it('names every algorithm that is not allowed, and what refuses it', () => {
    expect(() =>
      requireAlgorithms({ algorithms: ['RS256', 'HS256', 'EdDSA'] }, ASYMMETRIC_ALGORITHMS, 'A public key'),
    ).toThrow('A public key works only with RS*, PS* and ES* algorithms, not HS256, EdDSA');
  });
});

describe('requireIssuerAndAudience', () => {
  it('takes strings, or non-empty lists of them', () => {
    expect(() =>
      requireIssuerAndAudience({ issuer: 'https://auth.example.test/', audience: ['a', 'b'] } as never),
    ).not.toThrow();
  });

  it.each([
    ['an empty issuer', { issuer: '', audience: 'a' }, 'JwtVerifier needs an issuer'],
    ['a blank issuer', { issuer: '  ', audience: 'a' }, 'JwtVerifier needs an issuer'],
    ['no issuer', { audience: 'a' }, 'JwtVerifier needs an issuer'],
    ['an empty list of audiences', { issuer: 'i', audience: [] }, 'JwtVerifier needs an audience'],
    ['a list with a blank audience', { issuer: 'i', audience: ['a', ' '] }, 'JwtVerifier needs an audience'],
    ['an audience that is not a string', { issuer: 'i', audience: 42 }, 'JwtVerifier needs an audience'],
  ])('refuses %s', (_name, options, message) => {
    expect(() => requireIssuerAndAudience(options as never)).toThrow(message);
  });
});
