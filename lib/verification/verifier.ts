/**
 * The verifier contract: the one thing a gate asks of the service a user linked to.
 *
 * A verifier answers, for one access token, one of three verdicts. Anything else it does — throw,
 * reject, answer after the deadline, answer something that is not a verdict — means
 * "could not decide", and a gate never unlinks a user for that.
 */

/** The kinds of Alexa skill that carry an access token, each with its own envelopes and replies. */
export type SkillFamily = 'custom' | 'directive' | 'music';

/** What a gate tells a verifier about the request it verifies for, with the deadline it has. */
export interface VerificationContext {
  /** Which kind of skill asks; verifiers rarely need it, loggers and metrics do. */
  readonly family: SkillFamily;
  /** Aborted when the deadline passes; hand it to `fetch` and friends. */
  readonly signal: AbortSignal;
  /** When the gate stops waiting and answers "could not decide". */
  readonly deadline: Date;
}

/**
 * A verifier's answer about one access token. `invalid` and `expired` are proof about *this
 * token* and can unlink the user (Alexa deletes the link on the reply they become), so answer them
 * only on fresh knowledge; when the fault may be ours (configuration, stale keys, an outage),
 * throw instead ({@link CannotDecideError} to say why), and the gate answers "could not decide".
 */
export type TokenVerdict<P> =
  | {
      /** The token identifies a user of the service: the linked user. */
      outcome: 'valid';
      /** Who it identifies, handed to the domain handlers as the linked user (a {@link LinkedUser} for the shipped verifiers). */
      principal: P;
      /** When the token expires, if known: logged, and a verdict cache keeps the verdict no longer. */
      expiresAt?: Date | undefined;
    }
  | ({
      /** Affirmative: the token does not identify a user (a bad signature, revoked, unknown to the server). */
      outcome: 'invalid';
      /** Why, as a fixed short string (e.g. `bad signature`) the same for every token it applies to; never a credential or a claim. Logged and counted. */
      reason: string;
    } & RejectionEvidence)
  | ({
      /** Affirmative: the token did identify a user, and has expired (by the server's clock or its `exp`, past any tolerance). */
      outcome: 'expired';
    } & RejectionEvidence);

/**
 * What a rejection rests on, for the unlinking policy: whether a fault of ours could have produced
 * it, and how fresh the knowledge behind it is. Both optional: a verdict that says neither is
 * *suspected* and taken on knowledge had just now.
 */
export interface RejectionEvidence {
  /**
   * `true` when no configuration, key or clock fault of ours can produce this verdict (for
   * instance an `exp` long past on a token our own key verified): the gate answers it with the
   * unlinking reply at once, once the configuration has been proven by an acceptance. Anything
   * else is *suspected*, and answered only once the same token is rejected again, on fresh
   * knowledge, after the policy's `confirmAfterMs`. Default: suspected. Say it only with the
   * argument why no fault of ours could produce the verdict.
   */
  selfEvident?: boolean | undefined;
  /**
   * When the knowledge this verdict rests on was had: the fetch of the key set it was checked
   * against, the original verification of a cached verdict. A rejection confirms an earlier one
   * only on knowledge had after that earlier one. Default: now (the verification just ran).
   */
  knowledgeAt?: Date | undefined;
}

/**
 * Decides whether an access token identifies a user of the service the user linked to: the one
 * thing a gate asks. The shipped verifiers ({@link JwtVerifier}, {@link IntrospectionVerifier},
 * {@link LoginWithAmazonVerifier}, {@link CachingVerifier}) implement it; so can your own.
 *
 * @typeParam P - The linked user it hands to the domain handlers.
 *
 * @example A verifier that asks the service's own API
 * ```ts
 * const verifier: TokenVerifier<{ userId: string }> = {
 *   async verify(accessToken, { signal }) {
 *     const res = await fetch('https://api.example.com/me', { headers: { authorization: `Bearer ${accessToken}` }, signal });
 *     if (res.status === 401) return { outcome: 'invalid', reason: 'rejected by the service' };
 *     if (!res.ok) throw new AuthorizationServerError(`The service answered ${res.status}`, { status: res.status });
 *     const me = (await res.json()) as { id: string };
 *     return { outcome: 'valid', principal: { userId: me.id } };
 *   },
 * };
 * ```
 */
export interface TokenVerifier<P> {
  /**
   * The verdict on `accessToken`. Throwing or rejecting (for any reason about us: an outage, the
   * configuration, a bug) and answering after `context.deadline` all mean "could not decide":
   * the gate answers the family's transient reply and never unlinks for it.
   */
  verify(accessToken: string, context: VerificationContext): Promise<TokenVerdict<P>>;
  /**
   * Optional. A number that changes whenever the knowledge this verifier's verdicts rest on is
   * refreshed (a JWKS key set refetched, say). A cache keeps a verdict only while this is what it
   * was when the verification began, so no verdict outlives the knowledge it was taken on.
   */
  readonly knowledgeVersion?: number | undefined;
  /**
   * Optional. A short hash of the settings this verifier's verdicts rest on (issuer, audience,
   * keys, endpoints, client IDs), never a setting in clear. A change of it is a new configuration,
   * which the unlinking policy holds unproven until a token is accepted under it somewhere in the
   * fleet. A verifier without it is versioned by the gate's `unlinking.configurationVersion`.
   */
  readonly configurationVersion?: string | undefined;
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
