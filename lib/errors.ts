/**
 * The errors of ask-sdk-account-linking, each an {@link AccountLinkingError} with a stable `code`;
 * no message holds a token, a grant code or a claim. Imports nothing: every module may use it.
 * (The gate's own {@link GateShortCircuitError} is in `gate/decision.ts`.) See docs/errors.md.
 */

/**
 * The base class of every error ask-sdk-account-linking throws. Catch it to tell the toolkit's
 * errors from others, then match on {@link AccountLinkingError.code}, which stays the same across
 * versions (messages may be reworded).
 *
 * @example An error handler for handlers that read the linked user on a request the gate does not guard
 * ```ts
 * const noLinkedUser: ErrorHandler = {
 *   canHandle: (_input, error) => error instanceof AccountLinkingError && error.code === 'ERR_NO_LINKED_USER',
 *   handle: (input) => input.responseBuilder.speak('Please link your account in the Alexa app first.').getResponse(),
 * };
 * ```
 */
export abstract class AccountLinkingError extends Error {
  /** The class name, spelled out: minifiers rename classes. */
  abstract override readonly name: string;
  /** A stable identifier of the kind of error; match on this, not on `message`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Options or environment variables that are missing, malformed or contradict each other. */
export class ConfigurationError extends AccountLinkingError {
  override readonly name = 'ConfigurationError';
  readonly code = 'ERR_CONFIGURATION';
}

/** The verifier did not answer before the verification deadline: "could not decide". */
export class VerifierTimeoutError extends AccountLinkingError {
  override readonly name = 'VerifierTimeoutError';
  readonly code = 'ERR_VERIFIER_TIMEOUT';

  constructor(
    /** The time the verifier had, in ms (the gate's {@link verificationBudget} for the request). */
    readonly budgetMs: number,
  ) {
    super(`The token verifier did not answer within ${budgetMs} ms`);
  }
}

/** The verifier threw or rejected: "could not decide". The verifier's error is the `cause`. */
export class VerifierFailedError extends AccountLinkingError {
  override readonly name = 'VerifierFailedError';
  readonly code = 'ERR_VERIFIER_FAILED';
}

/** The verifier answered something that is not a {@link TokenVerdict}: "could not decide". */
export class InvalidVerdictError extends AccountLinkingError {
  override readonly name = 'InvalidVerdictError';
  readonly code = 'ERR_INVALID_VERDICT';
}

/** The request envelope does not have the shape Alexa sends; `reason` says what is wrong. */
export class MalformedRequestError extends AccountLinkingError {
  override readonly name = 'MalformedRequestError';
  readonly code = 'ERR_MALFORMED_REQUEST';

  constructor(
    /** What is wrong, e.g. `the directive has no "header" object`; names a place, never quotes a value. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Malformed Alexa request: ${reason}`, options);
  }
}

/**
 * An authorization server (its JWKS, introspection or tokeninfo endpoint) did not give a usable
 * answer: unreachable, slow, a 5xx, a 401 about the skill's own credentials, a malformed body.
 * A verifier throws it; the gate makes it "could not decide", never an unlinking reply.
 */
export class AuthorizationServerError extends AccountLinkingError {
  override readonly name = 'AuthorizationServerError';
  readonly code = 'ERR_AUTHORIZATION_SERVER';

  constructor(message: string, options?: { cause?: unknown; status?: number | undefined }) {
    super(message, options);
    this.status = options?.status;
  }

  /** The HTTP status it answered, if it answered. */
  readonly status?: number | undefined;
}

/**
 * A verifier could not decide, and knows why: the cause is about us, not about the user's token —
 * our configuration (a token signed by the right key but for another audience or issuer), a
 * clock (a token not yet valid by ours), stale knowledge (a key set that cannot be refreshed right
 * now), an answer that affirms a token without naming its user, a policy limit. Never an
 * unlinking reply: the gate answers "could not decide", and logs one ERROR per container and
 * `reason` with `check`, what the operator should look at.
 */
export class CannotDecideError extends AccountLinkingError {
  override readonly name = 'CannotDecideError';
  readonly code = 'ERR_CANNOT_DECIDE';

  constructor(
    /** A fixed, short reason, the same for every token it applies to (e.g. `audience mismatch`); safe for logs and metrics. */
    readonly reason: string,
    /** What the operator should check, in an operator's words (e.g. `JWT_AUDIENCE`); never quotes a token. */
    readonly check: string,
    options?: { cause?: unknown },
  ) {
    super(`The token verifier could not decide (${reason}): ${check}`, options);
  }
}

/** `getLinkedUser` was called on a request that has no linked user (a public intent, say). */
export class NoLinkedUserError extends AccountLinkingError {
  override readonly name = 'NoLinkedUserError';
  readonly code = 'ERR_NO_LINKED_USER';
}

/**
 * The unlinking policy held a rejection: the verifier said "invalid" or "expired", but the
 * rejection is not (yet) proof enough to unlink a user — a suspected rejection waiting for its
 * confirmation, a configuration no token has been accepted under, the breaker open for its reason
 * class, confirmations paused by an operator, or a ledger that could not be read. The gate answers
 * the family's transient reply with it as the cause. Carries the held verdict, never a token.
 */
export class UnlinkingHeldError extends AccountLinkingError {
  override readonly name = 'UnlinkingHeldError';
  readonly code = 'ERR_UNLINKING_HELD';

  constructor(
    /** The verdict that was held. */
    readonly heldOutcome: 'invalid' | 'expired',
    /** The verifier's reason for an `invalid` verdict (a fixed short string), or `expired`. */
    readonly reason: string,
    /** Why it was held: `pending`, `unproven`, `breaker`, `paused` or `ledger` (see `HoldReason`). */
    readonly hold: 'pending' | 'unproven' | 'breaker' | 'paused' | 'ledger',
    /** The rejection's reason class (`signature`, `inactive`, `expired`, ...). */
    readonly reasonClass: string,
    /** For a pending rejection: the earliest a rejection of the same token can confirm it (ms since the epoch). */
    readonly confirmAt?: number,
  ) {
    super(`The unlinking policy held an "${heldOutcome}" verdict (${reason}; ${hold}): no user is unlinked for it`);
  }
}

/** LWA refused the grant or the refresh (`invalid_grant`, `invalid_client`, ...): not a passing fault. */
export class GrantRefusedError extends AccountLinkingError {
  override readonly name = 'GrantRefusedError';
  readonly code = 'ERR_GRANT_REFUSED';
  constructor(
    /** LWA's `error` code (`invalid_grant`, `invalid_client`, ...), or `refused` when it sent none fit to log. */
    readonly lwaError: string,
  ) {
    super(`Login with Amazon refused the grant: ${lwaError}`);
  }
}

/** There is no grant stored for the user: AcceptGrant never succeeded for them. */
export class NoAlexaGrantError extends AccountLinkingError {
  override readonly name = 'NoAlexaGrantError';
  readonly code = 'ERR_NO_ALEXA_GRANT';
}
