/**
 * What the unlinking policy's hold ERRORs tell the operator to check, per reason class: the
 * settings a fault of that class most likely comes from. See docs/unlinking.md.
 */
import type { ReasonClass } from './reason-class';

/** What to check for a fault of one reason class, in an operator's words. */
export function adviceFor(reasonClass: ReasonClass): string {
  switch (reasonClass) {
    case 'signature':
      return 'the signing keys: JWT_SECRET or JWT_PUBLIC_KEY against what the authorization server signs with now (a key rotated or added there), or JWKS_URI (the right server, and one that publishes the key it signs with)';
    case 'inactive':
      return 'INTROSPECTION_URL (the server that issued the tokens, not a staging one) and its client credentials';
    case 'claims':
      return 'INTROSPECTION_CLIENT_IDS, LWA_CLIENT_ID / LWA_APP_IDS and the audience: every client the tokens are issued to';
    case 'expired':
      return "the authorization server's clock, and that it issues refresh tokens Alexa can use";
    case 'malformed':
      return 'that the verifier fits the tokens the server issues (JWT_* settings for JWTs, INTROSPECTION_URL for opaque tokens)';
    default:
      return "the verifier's settings (JWT_*, INTROSPECTION_*, LWA_*) or a custom verifier";
  }
}
