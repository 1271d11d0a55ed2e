/** What the unlinking policy makes of a rejection: held or answered, and why (the types of its review). */
import type { RejectedDecision } from './decision';
import type { ReasonClass } from './reason-class';

/** Why a rejection was held rather than answered with the unlinking reply. */
export type HoldReason =
  /** A suspected rejection waiting for its confirmation: the token's first rejection, or too soon after it, or on knowledge not fresher. */
  | 'pending'
  /** No token has been accepted anywhere in the fleet under this configuration version. */
  | 'unproven'
  /** The breaker is open for the rejection's reason class. */
  | 'breaker'
  /** An operator paused every confirmation. */
  | 'paused'
  /** The ledger could not be read or written in time: we cannot know. */
  | 'ledger';

/** What the policy made of one rejection: counted in the metrics and logged on the decision line. */
export interface RejectionReview {
  /** Whether no fault of ours could produce it (the verifier's word), or it is suspected. */
  kind: 'self-evident' | 'suspected';
  /** The rejection's reason class (`signature`, `inactive`, `expired`, ...). */
  reasonClass: ReasonClass;
  /** `unlinked`: answered with the unlinking reply; `held`: with the transient reply. */
  fate: 'unlinked' | 'held';
  /** Why it was held, when it was. */
  hold?: HoldReason;
  /** For a pending rejection: the earliest a rejection of the same token can confirm it (ms since the epoch). */
  confirmAt?: number;
}

/** What `UnlinkingPolicy.review` returns: the decision to act on, and what it made of the rejection. */
export interface UnlinkingReview {
  /** The rejection itself (answered), or `undecided` with an `UnlinkingHeldError` as cause (held). */
  decision: RejectedDecision;
  /** What the policy made of it. */
  rejection: RejectionReview;
}
