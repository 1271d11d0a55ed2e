/**
 * The unlink guard: a bad deploy unlinks nobody.
 *
 * Some faults cannot be told from a bad token one request at a time: a wrong `JWT_SECRET` fails
 * every signature, an `INTROSPECTION_URL` pointing at another server answers `active: false` for
 * every token, a custom verifier with a bug says "invalid" for everybody. Each verdict looks like
 * proof; together they are evidence against us. The guard looks at them together, per gate (a gate
 * lives as long as its Lambda container), and holds rejections — answers "could not decide", the
 * family's transient reply — while the configuration is not shown to work.
 *
 * What it counts. A *rejection* is an `invalid` or `expired` verdict; `missing` (no token) and
 * `undecided` say nothing about the configuration and change nothing. An *acceptance* is a
 * `linked` decision: the only generic evidence that the verifier, its keys and its settings work.
 * (An `expired` verdict from a verifier that checked the signature first would also show the key
 * works, but that cannot be known of every verifier, so it counts as a rejection.) Rejections are
 * counted by distinct token ({@link fingerprint}): one user's retries count once.
 *
 * The verdict in every state:
 * - **No acceptance yet in this container** (a fresh container, the riskiest moment of a bad
 *   deploy, since a configuration change always starts fresh containers): every rejection is held,
 *   from the first. A wholly wrong configuration unlinks nobody. The container cannot tell a
 *   wrong configuration from a run of dead tokens, so it holds; the cost is a deferred unlink (the
 *   user hears "try again later", and is unlinked by the first container that has accepted a token),
 *   never a false one. (`holdWhileUnproven: false` counts here as below instead.)
 * - **After an acceptance**: the first `threshold - 1` distinct tokens rejected with no acceptance in
 *   between are answered as before (a forged token, a deleted account, an expired token among
 *   genuine ones); from the `threshold`-th on, rejections are held. A token once answered keeps its
 *   answer while the run lasts (its retries are neither held nor counted again).
 * - **An acceptance** ends a run: the rejected tokens are forgotten, a hold is released (one WARN
 *   says how many replies it held), and the next rejections are answered as before.
 * - **A cool-off** (`coolOffMs` since the hold began, with no acceptance): the run is forgotten, as if
 *   it had not happened; after an acceptance this lets `threshold - 1` further rejections through
 *   before holding again, so a quiet skill with a few dead tokens is not held for ever, and a wrong
 *   configuration that appeared in a warm container (a key or server changed outside it) unlinks at
 *   most `threshold - 1` users per cool-off and container. In a container that has accepted nothing,
 *   the cool-off does not release: there is still no evidence the configuration ever worked.
 *
 * What it cannot see: an acceptance from a verdict cache counts as an acceptance (it was one, in
 * this container, with this configuration), so a configuration broken outside a warm container
 * (a key rotated at the authorization server) while cached verdicts of other tokens are still served
 * is answered as before between those acceptances; the cache's TTL (300 s by default) bounds it.
 *
 * It is loud: the first held verdict of a run logs ONE ERROR, in an operator's words ("N distinct
 * tokens rejected for <reasons> and none accepted since <time>: configuration suspected, unlinking
 * replies held"), whether the run reached `threshold` or the container has accepted nothing yet;
 * later held verdicts are counted, with a WARN summary at 10, 100, 1000... held replies; and every
 * held verdict is counted in the metrics (`HeldByGuard`).
 */
import { ConfigurationError, UnlinkGuardHoldError } from './errors';
import type { GateDecision } from './gate';
import { fingerprint, loggableReason, type Logger } from './logging';
import type { SkillFamily } from './verification/verifier';

/**
 * How cautious the unlink guard is: the gate option `unlinkGuard` of every family
 * ({@link CommonGateOptions.unlinkGuard}). The defaults are what a skill should run with.
 */
export interface UnlinkGuardOptions {
  /**
   * After an acceptance, the distinct rejected tokens (with no acceptance in between) at which the
   * guard starts holding: the `threshold`-th is the first held. 1 to 3. Default: 2 — one rejection
   * after a genuine user is a forged or dead token as often as not and is answered as before; a
   * second distinct one with nobody accepted in between is enough doubt to hold (a held reply
   * costs a retry; a false unlink costs the user their link).
   */
  threshold?: number;
  /**
   * How long a hold lasts with no acceptance before the run is forgotten, in ms. Default: 600000
   * (10 minutes) — long enough that a wrong configuration unlinks at most `threshold - 1` users per
   * container in that time, short enough that a quiet skill's dead tokens are answered within it.
   */
  coolOffMs?: number;
  /**
   * Whether a container that has accepted no token yet holds every rejection. Default: true — a
   * configuration change starts fresh containers, so this is where a bad deploy shows, and holding
   * is what makes a wholly wrong configuration unlink nobody.
   */
  holdWhileUnproven?: boolean;
}

/** Default of {@link UnlinkGuardOptions.threshold}. */
export const DEFAULT_UNLINK_GUARD_THRESHOLD = 2;
/** Default of {@link UnlinkGuardOptions.coolOffMs}. */
export const DEFAULT_UNLINK_GUARD_COOL_OFF_MS = 600_000;

/** The most distinct rejected tokens remembered in one run; beyond it, a token counts as new (memory stays bounded). */
const MAX_REMEMBERED = 1000;
/** The most distinct reasons counted apart in one run (memory stays bounded). */
const MAX_KEPT_REASONS = 20;
/** The most distinct reasons named in the ERROR line. */
const MAX_REASONS = 5;

/** The guard's answer on one decision. */
export interface GuardReview<P> {
  /** The decision to act on: the one reviewed, or an `undecided` one whose cause is an {@link UnlinkGuardHoldError}. */
  decision: GateDecision<P>;
  /** Whether the guard held a rejection (counted as `HeldByGuard` in the metrics). */
  heldByGuard: boolean;
}

/**
 * The guard of one gate. {@link UnlinkGuard.review} takes each decision with the token it was about
 * and returns it unchanged, or, for a held rejection, an `undecided` decision whose cause is an
 * {@link UnlinkGuardHoldError}.
 */
export class UnlinkGuard {
  /** {@link UnlinkGuardOptions.threshold}, with its default applied. */
  readonly threshold: number;
  /** {@link UnlinkGuardOptions.coolOffMs}, with its default applied. */
  readonly coolOffMs: number;
  /** {@link UnlinkGuardOptions.holdWhileUnproven}, with its default applied. */
  readonly holdWhileUnproven: boolean;
  readonly #logger: Logger;
  readonly #family: SkillFamily;
  readonly #startedAt = Date.now();
  #lastAcceptedAt: number | undefined;
  /** Tokens rejected since the last acceptance (or cool-off): fingerprint → held or answered. */
  #run = new Map<string, boolean>();
  #distinct = 0;
  #reasons = new Map<string, number>();
  #holdingSince: number | undefined;
  #held = 0;
  /** Whether this run has held a verdict (and its one ERROR was logged). */
  #reported = false;

  constructor(options: UnlinkGuardOptions & { logger: Logger; family: SkillFamily }) {
    const threshold = options.threshold ?? DEFAULT_UNLINK_GUARD_THRESHOLD;
    const coolOffMs = options.coolOffMs ?? DEFAULT_UNLINK_GUARD_COOL_OFF_MS;
    if (!Number.isInteger(threshold) || threshold < 1 || threshold > 3) {
      throw new ConfigurationError('unlinkGuard.threshold must be a whole number from 1 to 3');
    }
    if (!Number.isFinite(coolOffMs) || coolOffMs <= 0) throw new ConfigurationError('unlinkGuard.coolOffMs must be a positive number');
    this.threshold = threshold;
    this.coolOffMs = coolOffMs;
    this.holdWhileUnproven = options.holdWhileUnproven ?? true;
    this.#logger = options.logger;
    this.#family = options.family;
  }

  /** Whether the guard is holding rejections now. */
  get holding(): boolean {
    this.#coolOff(Date.now());
    return this.#holdingSince !== undefined;
  }

  /** The guard's answer on `decision`, the gate's verdict on `accessToken` (undefined when there was none). */
  review<P>(decision: GateDecision<P>, accessToken: string | undefined): GuardReview<P> {
    const now = Date.now();
    this.#coolOff(now);
    if (decision.outcome === 'linked') {
      this.#accept(now);
      return { decision, heldByGuard: false };
    }
    if ((decision.outcome !== 'invalid' && decision.outcome !== 'expired') || accessToken === undefined) {
      return { decision, heldByGuard: false };
    }
    const reason = decision.outcome === 'invalid' ? loggableReason(decision.reason) : 'expired';
    const id = fingerprint(accessToken);
    let held = this.#run.get(id);
    if (held === undefined) {
      this.#distinct++;
      // A custom verifier may word every reason differently: at most MAX_KEPT_REASONS are kept apart.
      const key = this.#reasons.has(reason) || this.#reasons.size < MAX_KEPT_REASONS ? reason : 'other reasons';
      this.#reasons.set(key, (this.#reasons.get(key) ?? 0) + 1);
      const unproven = this.#lastAcceptedAt === undefined && this.holdWhileUnproven;
      held = unproven || this.#distinct >= this.threshold;
      if (this.#run.size < MAX_REMEMBERED) this.#run.set(id, held);
    }
    if (!held) return { decision, heldByGuard: false };

    this.#held++;
    if (this.#holdingSince === undefined) this.#holdingSince = now;
    if (!this.#reported) {
      // The first held verdict of a run: ONE ERROR, whether the run reached the threshold or the
      // container has accepted nothing yet. Later held verdicts are counted, not logged one by one.
      this.#reported = true;
      this.#reportHold();
    } else if (isPowerOfTen(this.#held)) {
      this.#logger.warn(`account linking: unlink guard: still holding: ${this.#held} replies held, ${this.#distinct} distinct tokens rejected and none accepted since ${this.#since()}`, {
        family: this.#family,
        heldReplies: this.#held,
        distinctTokens: this.#distinct,
      });
    }
    return { decision: { outcome: 'undecided', cause: new UnlinkGuardHoldError(decision.outcome, reason) }, heldByGuard: true };
  }

  #accept(now: number): void {
    if (this.#holdingSince !== undefined) {
      this.#logger.warn(`account linking: unlink guard: released: a token was accepted; ${this.#held} replies were held (${this.#distinct} distinct tokens)`, {
        family: this.#family,
        heldReplies: this.#held,
        distinctTokens: this.#distinct,
      });
    }
    this.#lastAcceptedAt = now;
    if (this.#distinct > 0) this.#forgetRun(); // the warm path (linked after linked) allocates nothing
  }

  #coolOff(now: number): void {
    if (this.#holdingSince === undefined || now - this.#holdingSince < this.coolOffMs) return;
    this.#logger.warn(`account linking: unlink guard: cool-off: ${this.#held} replies held in ${Math.round(this.coolOffMs / 1000)} s with no token accepted; counting starts over`, {
      family: this.#family,
      heldReplies: this.#held,
      distinctTokens: this.#distinct,
    });
    this.#forgetRun();
  }

  #forgetRun(): void {
    this.#run = new Map();
    this.#distinct = 0;
    this.#reasons = new Map();
    this.#holdingSince = undefined;
    this.#held = 0;
    this.#reported = false;
  }

  #since(): string {
    return this.#lastAcceptedAt === undefined
      ? `this container started (${new Date(this.#startedAt).toISOString()})`
      : new Date(this.#lastAcceptedAt).toISOString();
  }

  #reportHold(): void {
    const reasons = [...this.#reasons.entries()].sort((a, b) => b[1] - a[1]);
    const named = reasons.slice(0, MAX_REASONS).map(([reason]) => reason);
    if (reasons.length > MAX_REASONS) named.push(`${reasons.length - MAX_REASONS} more`);
    // The words: "N distinct tokens rejected for <reason> and none accepted since <time>: ...";
    // how many tokens each reason had goes in the fields.
    this.#logger.error(
      `account linking: unlink guard: ${this.#distinct} distinct tokens rejected for ${named.join(', ')} and none accepted since ${this.#since()}: ` +
        'configuration suspected, unlinking replies held. Check the verifier\'s settings (JWT_SECRET, JWT_PUBLIC_KEY, JWKS_URI, INTROSPECTION_URL and its client, or a custom verifier); ' +
        'the guard releases when a token is accepted.',
      {
        family: this.#family,
        distinctTokens: this.#distinct,
        reasons: Object.fromEntries(reasons.slice(0, MAX_REASONS)),
        lastAcceptedAt: this.#lastAcceptedAt === undefined ? null : new Date(this.#lastAcceptedAt).toISOString(),
        threshold: this.threshold,
      },
    );
  }
}


function isPowerOfTen(n: number): boolean {
  return n >= 10 && /^10*$/.test(String(n));
}
