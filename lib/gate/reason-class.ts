/**
 * Why a decision went the way it did, in a small fixed set: the class a rejection is held and
 * counted by (unlinking policy), and a metric dimension. See docs/metrics.md.
 */
import {
  AuthorizationServerError,
  CannotDecideError,
  InvalidVerdictError,
  UnlinkingHeldError,
  VerifierFailedError,
  VerifierTimeoutError,
} from '../errors';
import { findCause } from '../logging';
import type { GateDecision } from './decision';

/**
 * Why a decision went the way it did, in a small fixed set (a metric dimension):
 * - `none`: linked;
 * - `missing`: no access token;
 * - `expired`: the verifier said the token expired;
 * - `signature`, `malformed`, `claims`, `inactive`: the verifier's `invalid` reason, classed
 *   (a bad or unknown signing key; not a well-formed token; a claim such as the audience or issuer;
 *   the authorization server says it is not active);
 * - `configuration`, `outage`, `timeout`, `verifier`: why the verifier could not decide
 *   ({@link CannotDecideError}; the authorization server failed; the deadline passed; the
 *   verifier threw or answered nonsense;
 * - `other`: anything else (an `invalid` reason or an error not known here).
 *
 * A rejection the unlinking policy held is `undecided` with the rejection's own class
 * (`signature`, `inactive`, ...), so that held, suspected and confirmed rejections are counted
 * per class.
 */
export type ReasonClass =
  | 'none'
  | 'missing'
  | 'expired'
  | 'signature'
  | 'malformed'
  | 'claims'
  | 'inactive'
  | 'configuration'
  | 'outage'
  | 'timeout'
  | 'verifier'
  | 'other';

/** The reason class of a decision; a held rejection keeps its own. Unknown reasons fall into `other`. */
export function reasonClassOf(decision: GateDecision<unknown>): ReasonClass {
  switch (decision.outcome) {
    case 'linked':
      return 'none';
    case 'missing':
      return 'missing';
    case 'expired':
      return 'expired';
    case 'invalid':
      return invalidReasonClass(decision.reason);
    case 'undecided': {
      const cause = decision.cause;
      const held = findCause(cause, UnlinkingHeldError);
      if (held) return held.reasonClass as ReasonClass;
      const cannotDecide = findCause(cause, CannotDecideError);
      // A key set that cannot be had (the JWKS is down, nothing fresh enough held) is an outage; the rest is ours to check.
      if (cannotDecide)
        return findCause(cause, AuthorizationServerError) && /unavailable/.test(cannotDecide.reason)
          ? 'outage'
          : 'configuration';
      if (findCause(cause, VerifierTimeoutError)) return 'timeout';
      if (findCause(cause, AuthorizationServerError)) return 'outage';
      if (findCause(cause, InvalidVerdictError) || findCause(cause, VerifierFailedError)) return 'verifier';
      return 'other';
    }
    default:
      return 'other';
  }
}

/**
 * Classes the `reason` of an `invalid` verdict by the words the shipped verifiers use
 * (`bad signature`, `unknown signing key`, `wrong audience`, `inactive`, ...). Matched by keyword
 * so that a reworded reason still lands in its class, and anything else in `other`.
 */
export function invalidReasonClass(reason: string): ReasonClass {
  const r = reason.toLowerCase();
  if (/malformed|too long|not a json|not a jwt|unsigned|unparsable|format/.test(r)) return 'malformed';
  if (/signature|signing key|\bkey\b|algorithm|\bkid\b/.test(r)) return 'signature';
  if (/inactive|not active|revoked|rejected by/.test(r)) return 'inactive';
  if (/audience|issuer|client|not yet valid|linked user|user in|subject|claim|scope|token type/.test(r))
    return 'claims';
  return 'other';
}
