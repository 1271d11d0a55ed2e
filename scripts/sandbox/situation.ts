/**
 * What one situation of the sandbox is: how the skills verify tokens, what the request carries, how
 * the authorization server behaves, and how the skills are deployed; the confirmation delay; and
 * what the console can send (one request, or one of the unlinking policy's demonstrations).
 */
import { DEFAULT_CONFIRM_AFTER_MS } from '../../lib';

/** How the skills verify access tokens, each with the kind of token the server issues for it. */
export const VERIFICATIONS = {
  jwt: "JWT access tokens, with the server's JWKS",
  introspection: 'opaque access tokens, by introspection',
} as const;
export type Verification = keyof typeof VERIFICATIONS;

/** What the request carries. */
export const TOKEN_SITUATIONS = {
  linked: "the linked user's token",
  expired: 'a token past its expiry',
  revoked: 'a token revoked at the authorization server',
  forged: "a forged token (signed with somebody else's key)",
  none: 'no token (a user who never linked)',
  rotated: 'the signing key rotated, then the token refreshed',
} as const;
export type TokenSituation = keyof typeof TOKEN_SITUATIONS;

/** How the embedded authorization server behaves. */
export const SERVER_SITUATIONS = {
  up: 'up',
  down: 'down (connections refused)',
  hang: 'hanging (accepts, never answers)',
} as const;
export type ServerSituation = keyof typeof SERVER_SITUATIONS;

/** How the skills are deployed: correctly, or with one setting wrong (what exactly: {@link describeDeploy}). */
export const DEPLOYS = {
  correct: 'configured correctly',
  'wrong-audience': 'a wrong audience',
  'wrong-secret': 'a wrong secret',
  'wrong-server': 'a wrong server (staging)',
} as const;
export type Deploy = keyof typeof DEPLOYS;

/** What a deploy means for one verification, in a few words. */
export function describeDeploy(verification: Verification, deploy: Deploy): string {
  const jwt = verification === 'jwt';
  switch (deploy) {
    case 'correct':
      return DEPLOYS.correct;
    case 'wrong-audience':
      return jwt ? 'a wrong JWT_AUDIENCE' : 'a wrong INTROSPECTION_AUDIENCE';
    case 'wrong-secret':
      return jwt
        ? 'a JWT_SECRET (HS256) while the server signs with RS256 keys'
        : 'a wrong INTROSPECTION_CLIENT_SECRET';
    case 'wrong-server':
      return jwt
        ? 'the JWKS_URI of a staging server (other keys)'
        : 'the INTROSPECTION_URL of a staging server (knows no token)';
  }
}

export interface Situation {
  verification: Verification;
  token: TokenSituation;
  server: ServerSituation;
  deploy: Deploy;
}

export const DEFAULT_SITUATION: Situation = {
  verification: 'introspection',
  token: 'linked',
  server: 'up',
  deploy: 'correct',
};

/**
 * The sandbox's confirmation delay, `UNLINK_CONFIRM_AFTER_SECONDS`: a suspected rejection becomes
 * the unlinking reply when the same token is rejected again at least this long after its first
 * rejection. Short, so that a demonstration can wait for it; a deployed skill waits
 * {@link DEPLOYED_CONFIRM_AFTER_SECONDS} by default.
 */
export const CONFIRM_AFTER_SECONDS = 2;
/** What a deployed skill waits by default (`UNLINK_CONFIRM_AFTER_SECONDS` unset): 1 hour. */
export const DEPLOYED_CONFIRM_AFTER_SECONDS = DEFAULT_CONFIRM_AFTER_MS / 1000;

/** What the console can send: one request in the situation, or one of the policy's demonstrations. */
export const POLICY_SCENARIOS = {
  single: 'one request, in the situation above',
  confirm: `a dead token, sent twice ${CONFIRM_AFTER_SECONDS} s apart: held, then confirmed`,
  breaker: "a fault rejects five users' tokens: the breaker holds their confirmations (JWT)",
} as const;
export type PolicyScenario = Exclude<keyof typeof POLICY_SCENARIOS, 'single'>;
