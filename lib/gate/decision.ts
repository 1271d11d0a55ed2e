/**
 * What the gate decides about one request's access token, in every family: the token's place
 * ({@link TokenResolution}), the decision ({@link GateDecision}), and the error that carries a
 * rejected one to the family's error handler ({@link GateShortCircuitError}). See docs/errors.md.
 */
import { AccountLinkingError } from '../errors';
import type { RejectionEvidence, SkillFamily } from '../verification/verifier';

/**
 * Where a family's resolver looked, and what it found there: the input of {@link decide}. Never
 * logged with the token (the log line names `path` and the token's {@link fingerprint}).
 */
export type TokenResolution =
  | {
      /** An access token is where Alexa puts it. */
      status: 'found';
      /** The access token, as Alexa sent it. A credential: never log it, log `fingerprint(accessToken)`. */
      accessToken: string;
      /** Where it was found in the envelope, e.g. `context.System.user.accessToken`; safe to log. */
      path: string;
    }
  | {
      /** No access token anywhere the family carries one: the user has not linked an account. */
      status: 'absent';
    }
  | {
      /** The envelope carries something at a token's place that is not a token (not a string, say). */
      status: 'malformed';
      /** What is wrong with it, without the value; becomes a {@link MalformedRequestError}'s `reason`. */
      reason: string;
    };

/**
 * The gate's verdict on one request: the reply table of every family in one type. Switch on `outcome`:
 * only `invalid` and `expired` may become an unlinking reply, and only on proof; `undecided` is
 * always the family's transient reply.
 */
export type GateDecision<P> =
  | {
      /** The verifier said the token identifies a user of the service. */
      outcome: 'linked';
      /** Who the token identifies: the verifier's `principal` (a {@link LinkedUser} for the shipped verifiers). */
      linkedUser: P;
      /** When the token expires, if the verifier knows (a JWT's `exp`, introspection's `exp`). */
      expiresAt?: Date;
    }
  | {
      /** No access token at all: the user has not linked an account. */
      outcome: 'missing';
    }
  | ({
      /** The verifier said, affirmatively, that the token does not identify a user. */
      outcome: 'invalid';
      /** The verifier's reason, a fixed short string (e.g. `bad signature`) without credentials; safe to log. */
      reason: string;
    } & RejectionEvidence)
  | ({
      /** The verifier said, affirmatively, that the token has expired. */
      outcome: 'expired';
    } & RejectionEvidence)
  | {
      /** The verifier could not decide (outage, timeout, configuration, bug), or the unlinking policy held its rejection. Never unlinks a user. */
      outcome: 'undecided';
      /**
       * Why: a {@link VerifierTimeoutError}, {@link VerifierFailedError}, {@link InvalidVerdictError},
       * {@link CannotDecideError} or {@link UnlinkingHeldError}; the verifier's own error, if any, is its `cause`.
       */
      cause: AccountLinkingError;
    };

/**
 * A {@link GateDecision} that keeps the request from the domain handlers: every outcome but
 * `linked`. What a {@link GateShortCircuitError} carries and a family's `respond` module renders.
 */
export type RejectedDecision = Exclude<
  GateDecision<unknown>,
  {
    /** The one outcome that lets the request through. */
    outcome: 'linked';
  }
>;

/**
 * Thrown by a gate's request interceptor when a request may not reach the domain handlers:
 * the access token is missing, invalid or expired, or the verifier could not decide.
 * The error handler installed with the gate renders it as the reply Alexa expects.
 */
export class GateShortCircuitError extends AccountLinkingError {
  override readonly name = 'GateShortCircuitError';
  readonly code = 'ERR_GATE_SHORT_CIRCUIT';

  constructor(
    /** The kind of skill whose gate stopped the request: it picks the reply. */
    readonly family: SkillFamily,
    /** The request's type, e.g. `IntentRequest` or `Alexa.PowerController.TurnOn`. */
    readonly requestType: string,
    /** Why it stopped the request: every {@link GateDecision} but `linked`. */
    readonly decision: RejectedDecision,
  ) {
    super(
      `Account linking gate stopped a ${family} ${requestType}: access token ${decision.outcome}`,
      decision.outcome === 'undecided' ? { cause: decision.cause } : undefined,
    );
  }
}
