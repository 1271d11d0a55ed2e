/**
 * The verifier contract: the one thing a gate asks of the service a user linked to.
 *
 * A verifier answers, for one access token, one of three verdicts. Anything else it does — throw,
 * reject, answer after the deadline, answer something that is not a verdict — means
 * "could not decide", and a gate never unlinks a user for that.
 */

/** The kinds of Alexa skill that carry an access token, each with its own envelopes and replies. */
export type SkillFamily = 'custom' | 'directive' | 'music';

export interface VerificationContext {
  /** Which kind of skill asks; verifiers rarely need it, loggers and metrics do. */
  readonly family: SkillFamily;
  /** Aborted when the deadline passes; hand it to `fetch` and friends. */
  readonly signal: AbortSignal;
  /** When the gate stops waiting and answers "could not decide". */
  readonly deadline: Date;
}

export type TokenVerdict<P> =
  /** The token identifies a user of the service: the linked user. */
  | { outcome: 'valid'; principal: P; expiresAt?: Date }
  /** Affirmative: the token does not identify a user. `reason` is a fixed string without credentials. */
  | { outcome: 'invalid'; reason: string }
  /** Affirmative: the token did identify a user, and has expired. */
  | { outcome: 'expired' };

export interface TokenVerifier<P> {
  verify(accessToken: string, context: VerificationContext): Promise<TokenVerdict<P>>;
  /**
   * Optional. A number that changes whenever the knowledge this verifier's verdicts rest on is
   * refreshed (a JWKS key set refetched, say). A cache keeps a verdict only while this is what it
   * was when the verification began, so no verdict outlives the knowledge it was taken on.
   */
  readonly knowledgeVersion?: number;
}

/** What the shipped verifiers hand to domain handlers: who the token identifies, and what was said of them. */
export interface LinkedUser {
  /** The user's ID in the service: `sub` of a JWT or introspection, `user_id` of Login with Amazon. */
  subject: string;
  /** Every verified claim (JWT), introspection field, or tokeninfo and profile field (LWA). */
  claims: Record<string, unknown>;
}

/** The linked user type a verifier hands to domain handlers. */
export type LinkedUserOf<V> = V extends TokenVerifier<infer P> ? P : never;
