/**
 * A verifier configured from environment variables, as a Lambda function is. Options passed in
 * code override the environment. Anything missing or contradictory throws a
 * {@link ConfigurationError} naming the variable, at cold start rather than on the first request.
 *
 * | variable          | meaning                                                    | default                          |
 * |-------------------|------------------------------------------------------------|----------------------------------|
 * | `JWT_SECRET`      | shared secret for HS* tokens (at least 32 bytes)           | one of the two is required       |
 * | `JWT_PUBLIC_KEY`  | PEM public key for RS, PS and ES tokens (`\n` escapes work)  |                                  |
 * | `JWT_ISSUER`      | required `iss` (comma list for several)                    | required                         |
 * | `JWT_AUDIENCE`    | required `aud` (comma list for several)                    | required                         |
 * | `JWT_ALGORITHMS`  | algorithm allowlist, comma list                            | `HS256` with a secret, `RS256` with a key |
 */
import { ConfigurationError } from '../errors';
import {
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
  JwtVerifier,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
  type JwtLinkedUser,
  type JwtVerifierOptions,
} from './jwt';

export type Environment = Record<string, string | undefined>;

export function jwtVerifierFromEnvironment(
  env: Environment = process.env,
  overrides: Partial<JwtVerifierOptions<JwtLinkedUser>> = {},
): JwtVerifier<JwtLinkedUser> {
  const secret = overrides.secret ?? nonEmpty(env.JWT_SECRET);
  const publicKey = overrides.publicKey ?? nonEmpty(env.JWT_PUBLIC_KEY)?.replace(/\\n/g, '\n');
  if (secret !== undefined && publicKey !== undefined) {
    throw new ConfigurationError('Set only one of JWT_SECRET (HS256) and JWT_PUBLIC_KEY (RS256/ES256), not both');
  }
  if (secret === undefined && publicKey === undefined) {
    throw new ConfigurationError('Set JWT_SECRET (shared secret, HS256) or JWT_PUBLIC_KEY (PEM public key, RS256/ES256)');
  }
  const issuer = overrides.issuer ?? list(env.JWT_ISSUER);
  if (issuer === undefined) throw new ConfigurationError('Set JWT_ISSUER: the issuer (iss) of the access tokens');
  const audience = overrides.audience ?? list(env.JWT_AUDIENCE);
  if (audience === undefined) throw new ConfigurationError('Set JWT_AUDIENCE: the audience (aud) of the access tokens');

  const algorithms = overrides.algorithms ?? list(env.JWT_ALGORITHMS) ?? [secret !== undefined ? 'HS256' : 'RS256'];
  const allowed: readonly string[] = secret !== undefined ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const refused = algorithms.filter((algorithm) => !allowed.includes(algorithm));
  if (refused.length > 0) {
    throw new ConfigurationError(
      `JWT_ALGORITHMS has ${refused.join(', ')}, which ${secret !== undefined ? 'JWT_SECRET' : 'JWT_PUBLIC_KEY'} cannot verify; allowed: ${allowed.join(', ')}`,
    );
  }

  try {
    return secret !== undefined
      ? new JwtVerifier({ ...overrides, secret, publicKey: undefined, issuer, audience, algorithms: algorithms as [HmacAlgorithm, ...HmacAlgorithm[]] })
      : new JwtVerifier({ ...overrides, publicKey: publicKey!, secret: undefined, issuer, audience, algorithms: algorithms as [AsymmetricAlgorithm, ...AsymmetricAlgorithm[]] });
  } catch (error) {
    if (error instanceof ConfigurationError && /secret/.test(error.message)) {
      throw new ConfigurationError(`JWT_SECRET: ${error.message}`, { cause: error });
    }
    if (error instanceof ConfigurationError && /publicKey/.test(error.message)) {
      throw new ConfigurationError(`JWT_PUBLIC_KEY: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function list(value: string | undefined): [string, ...string[]] | undefined {
  const items = (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  return items.length > 0 ? (items as [string, ...string[]]) : undefined;
}
