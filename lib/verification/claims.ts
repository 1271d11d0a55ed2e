/**
 * The claims of a JWT whose signature is verified, checked in order (time claims readable, the
 * algorithm allowed, `iss`, `aud`, `exp`, `nbf`, `iat`, the user), and what to check when `iss` or
 * `aud` differ from the settings. See `docs/verifiers.md`.
 */
import { CannotDecideError } from '../errors';
import type { JwtClaims, JwtLinkedUser } from './jwt-options';
import type { TokenVerdict } from './verifier';

/** The latest instant a Date can hold, in seconds since the epoch (ECMA-262 §21.4.1.1). */
const LAST_DATE_SECONDS = 8.64e12;

/** What the claims of a verified token are checked against: a {@link JwtVerifier}'s settings. */
export interface ClaimRules<P> {
  readonly algorithms: readonly string[];
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly selfEvidentExpirySeconds: number;
  readonly toLinkedUser: (claims: JwtClaims) => P | undefined;
}

/**
 * The verdict on a token whose signature a key of ours verified, signed with `alg`: valid or
 * expired, else "could not decide" (a thrown {@link CannotDecideError}); never invalid.
 */
export function checkClaims<P>(claims: JwtClaims, alg: string, rules: ClaimRules<P>): TokenVerdict<P> {
  const clockTolerance = rules.clockToleranceSeconds;
  for (const name of ['exp', 'nbf', 'iat'] as const) {
    if (claims[name] !== undefined && (typeof claims[name] !== 'number' || Number.isNaN(claims[name]))) {
      // Signed by a key we trust: the server's token, with a claim we cannot read. About us or the server, not the token.
      throw new CannotDecideError(
        'unreadable claims',
        `the authorization server signs access tokens whose ${name} is not a number (RFC 7519 §2 NumericDate): fix the tokens it issues`,
      );
    }
  }
  if (!rules.algorithms.includes(alg)) {
    throw new CannotDecideError(
      'algorithm not allowed',
      `JWT_ALGORITHMS (the algorithms option) is ${rules.algorithms.join(',')}, but the authorization server signs its tokens with ${alg}`,
    );
  }
  if (typeof claims.iss !== 'string' || !rules.issuers.includes(claims.iss)) {
    throw new CannotDecideError('issuer mismatch', issuerMismatch(rules.issuers, claims.iss));
  }
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!audiences.some((audience) => rules.audiences.includes(audience as string))) {
    throw new CannotDecideError('audience mismatch', audienceMismatch(rules.audiences, audiences));
  }
  // The clock in whole seconds, and the comparisons written as jose writes them: a fractional `nbf`
  // less than a second beyond the tolerance is "could not decide" here too, never valid where jose refuses it.
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp !== undefined && claims.exp <= now - clockTolerance) {
    // Self-evident only an hour (selfEvidentExpirySeconds) past exp, on a token our own key signed: see docs/verifiers.md.
    return claims.exp <= now - rules.selfEvidentExpirySeconds
      ? { outcome: 'expired', selfEvident: true }
      : { outcome: 'expired' };
  }
  // nbf, and iat, ahead of our clock beyond the tolerance: the issuer's clock and ours disagree. That
  // is no proof about the token (the server just signed it), so "could not decide", never invalid.
  if (claims.nbf !== undefined && claims.nbf > now + clockTolerance) {
    throw new CannotDecideError(
      'token not yet valid',
      `a token's nbf is ahead of this Lambda's clock by more than JWT_CLOCK_TOLERANCE_SECONDS (${clockTolerance} s): check the authorization server's clock, or raise the tolerance`,
    );
  }
  if (claims.iat !== undefined && claims.iat > now + clockTolerance) {
    throw new CannotDecideError(
      'token issued in the future',
      `a token's iat is ahead of this Lambda's clock by more than JWT_CLOCK_TOLERANCE_SECONDS (${clockTolerance} s): check the authorization server's clock, or raise the tolerance`,
    );
  }
  const linkedUser = rules.toLinkedUser(claims);
  if (linkedUser === undefined || linkedUser === null) {
    throw new CannotDecideError(
      'no user in token',
      'a verified token names no user: check that the authorization server puts a sub claim in its access tokens (or what toLinkedUser looks for)',
    );
  }
  return {
    outcome: 'valid',
    principal: linkedUser,
    // An exp beyond the Date range is a token without a known end: no expiresAt (the cache's own TTL caps it).
    ...(claims.exp !== undefined && claims.exp <= LAST_DATE_SECONDS ? { expiresAt: new Date(claims.exp * 1000) } : {}),
  };
}

/** The default `toLinkedUser`: `{ subject: claims.sub, claims }`, none without a `sub`. */
export function defaultLinkedUser(claims: JwtClaims): JwtLinkedUser | undefined {
  return typeof claims.sub === 'string' && claims.sub !== '' ? { subject: claims.sub, claims } : undefined;
}

/** What to check when `iss` differs: the configured issuer, and how the tokens' differs when it is a near miss. */
function issuerMismatch(configured: readonly string[], actual: unknown): string {
  const setting = `JWT_ISSUER (the issuer option) is ${configured.join(',')}`;
  if (typeof actual !== 'string') return `${setting}, but the tokens carry no iss claim`;
  for (const issuer of configured) {
    // Only near misses are named: the difference is then derived from the setting, and no claim of a token is quoted.
    if (`${issuer}/` === actual) return `${setting} but tokens say ${issuer}/ (trailing slash)`;
    if (issuer === `${actual}/`) return `${setting} but tokens say ${actual} (without the trailing slash)`;
    if (issuer.toLowerCase() === actual.toLowerCase())
      return `${setting} but the tokens' iss differs from it in letter case only`;
    if (issuer.trim() !== issuer) return `${setting}, with white space around it`;
  }
  return `${setting}, but the tokens' iss is another: set it to the authorization server's issuer exactly as its tokens carry it`;
}

/** What to check when no `aud` of the tokens is the configured audience. */
function audienceMismatch(configured: readonly string[], actual: readonly unknown[]): string {
  const setting = `JWT_AUDIENCE (the audience option) is ${configured.join(',')}`;
  if (actual.length === 0) return `${setting}, but the tokens carry no aud claim`;
  const near = configured.some((audience) =>
    actual.some(
      (a) => typeof a === 'string' && a.toLowerCase().replace(/\/$/, '') === audience.toLowerCase().replace(/\/$/, ''),
    ),
  );
  if (near) return `${setting}, and the tokens' aud differs from it only in letter case or a trailing slash`;
  return `${setting}, which none of the tokens' aud values is: set it to the audience the authorization server puts in the skill's access tokens`;
}
