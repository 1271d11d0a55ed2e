/**
 * The last check of `check-server`: the access token the server just issued, through the verifier
 * the skill's environment configures (TOKEN_VERIFIER, JWT_*, JWKS_URI, INTROSPECTION_*, LWA_*).
 * See `docs/check-server.md`.
 */
import { CannotDecideError } from '../errors';
import { verifierFromEnvironment, type Environment } from '../verification/environment';
import { printable, type Finding } from './findings';

/** How long the verifier may take on the token (its signal and its deadline). */
const VERIFIER_TIMEOUT_MS = 10_000;

/** The finding of a "could not decide", by its reason. */
const VERIFIER_FINDINGS: [RegExp, string][] = [
  [/issuer/, 'verifier-issuer'],
  [/audience/, 'verifier-audience'],
  [/algorithm/, 'verifier-algorithm'],
  [/key set|signing key/, 'verifier-jwks'],
  [/introspection (credentials|request)/, 'verifier-introspection-client'],
];

/** Verifies `accessToken` with the verifier the skill's environment configures, and reports its verdict. */
export async function checkVerifier(
  environment: Environment,
  accessToken: string | undefined,
  add: (finding: Finding) => void,
): Promise<void> {
  if (accessToken === undefined) {
    add({
      id: 'verifier',
      severity: 'not-checked',
      summary: "No access token was had, so the skill's verifier was not tried.",
      sources: [],
    });
    return;
  }
  let verifier;
  try {
    verifier = verifierFromEnvironment({ ...environment, VERIFY_CACHE_TTL_SECONDS: '0' });
  } catch (error) {
    add({
      id: 'verifier-configuration',
      severity: 'breaks-linking',
      summary: `The verifier's environment is wrong: ${printable((error as Error).message, 300)}.`,
      alexa: "The skill's Lambda fails at cold start: every request of every linked user fails.",
      change: "Fix the variable named (the same variables as the skill's Lambda).",
      sources: ['verifier'],
    });
    return;
  }
  const claims = describeJwt(accessToken);
  const deadline = new Date(Date.now() + VERIFIER_TIMEOUT_MS);
  try {
    const verdict = await verifier.verify(accessToken, {
      family: 'custom',
      signal: AbortSignal.timeout(VERIFIER_TIMEOUT_MS),
      deadline,
    });
    if (verdict.outcome === 'valid') {
      add({
        id: 'verifier',
        severity: 'ok',
        summary: `The skill's verifier (TOKEN_VERIFIER=${environment.TOKEN_VERIFIER?.trim() || 'jwt'}) accepts the access token.`,
        sources: ['verifier'],
      });
    } else {
      add({
        id: 'verifier-rejects',
        severity: 'unlinks-users',
        summary: `The skill's verifier calls a token just issued ${verdict.outcome}${verdict.outcome === 'invalid' ? ` (${printable(verdict.reason, 200)})` : ''}${claims ? `; the token says ${claims}` : ''}.`,
        alexa:
          'The skill answers an unlinking reply (a LinkAccount card, INVALID/EXPIRED_AUTHORIZATION_CREDENTIAL) to genuine tokens: Alexa unlinks users once the unlinking policy confirms it.',
        change:
          verdict.outcome === 'expired'
            ? 'Check the clocks of the server and the Lambda, and the access token lifetime.'
            : 'Point the verifier at the server that issued the token: JWKS_URI / JWT_PUBLIC_KEY / JWT_SECRET, or INTROSPECTION_URL.',
        sources: ['verifier', 'expiredReplyUnlinks'],
      });
    }
  } catch (error) {
    const reason = error instanceof CannotDecideError ? printable(error.reason, 200) : 'error';
    const id = VERIFIER_FINDINGS.find(([pattern]) => pattern.test(reason))?.[1] ?? 'verifier-could-not-decide';
    add({
      id,
      severity: 'breaks-linking',
      summary: `The skill's verifier could not decide on a token just issued (${reason})${claims ? `; the token says ${claims}` : ''}.`,
      alexa:
        'The skill answers every linked user\'s request with its transient reply ("try again later"): nobody is unlinked, and nobody is served, until the deploy is fixed. Caught here, before any user met it.',
      change:
        error instanceof CannotDecideError
          ? printable(error.check, 300)
          : `The verifier failed (${printable((error as Error)?.name ?? 'error', 40)}): check its settings.`,
      sources: ['verifier'],
    });
  }
}

/** `iss`, `aud`, `alg` and `kid` of a JWT access token (none is a secret), or undefined for an opaque token. */
function describeJwt(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const field = (value: unknown) =>
      typeof value === 'string' || Array.isArray(value) ? printable(JSON.stringify(value), 200) : 'nothing';
    return `iss ${field(payload.iss)}, aud ${field(payload.aud)}, alg ${field(header.alg)}, kid ${field(header.kid)}`;
  } catch {
    return undefined;
  }
}
