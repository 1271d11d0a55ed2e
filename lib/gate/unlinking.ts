/**
 * The unlinking policy: which `invalid` and `expired` verdicts become unlinking replies, decided
 * across the fleet (a shared ledger) and over time; every other rejection gets the family's
 * transient reply. The rules, their states and their I/O: docs/unlinking.md.
 */
import { ConfigurationError, UnlinkingHeldError } from '../errors';
import { loggableReason, tokenDigest, type Logger } from '../logging';
import { MemoryUnlinkLedger, type FleetState, type RejectionEntry, type UnlinkLedger } from '../unlink-ledger';
import type { SkillFamily, TokenVerifier } from '../verification/verifier';
import { bucketStart, countMemoryMs, FleetBreaker } from './breaker';
import type { RejectedDecision } from './decision';
import { reasonClassOf, type ReasonClass } from './reason-class';
import { adviceFor } from './unlinking-advice';
import { DEFAULT_CONFIRM_AFTER_MS, type UnlinkingOptions } from './unlinking-options';
import type { HoldReason, UnlinkingReview } from './unlinking-review';

export type { HoldReason, RejectionReview, UnlinkingReview } from './unlinking-review';

/** How long a container trusts what it read of the fleet (proof, breaker, pause) before reading again: 1 minute. */
export const FLEET_REFRESH_MS = 60_000;
/** How long a first rejection is remembered beyond `confirmAfterMs`: 30 days. */
const REJECTION_MEMORY_MS = 30 * 86_400_000;
/** The most ledger I/O may take on one request, in ms, within the verification budget. */
const MAX_LEDGER_WAIT_MS = 2000;
/** The most first rejections one container keeps in memory (the ledger keeps them all). */
const MAX_CACHED_ENTRIES = 1000;

/**
 * The unlinking policy of one gate (a gate lives as long as its Lambda container), over a ledger
 * the whole fleet shares. The gate tells it of every acceptance ({@link UnlinkingPolicy.accepted})
 * and asks it about every `invalid` or `expired` verdict ({@link UnlinkingPolicy.review}).
 */
export class UnlinkingPolicy {
  /** {@link UnlinkingOptions.confirmAfterMs}, with its default applied. */
  readonly confirmAfterMs: number;
  /** The configuration version verdicts are proven and remembered under. */
  readonly configurationVersion: string;
  /** The ledger, given or this gate's own. */
  readonly ledger: UnlinkLedger;
  readonly #breaker: FleetBreaker | undefined;
  readonly #logger: Logger;
  readonly #family: SkillFamily;
  /** First rejections this container knows of: fingerprint → entry (the ledger's, never changed once written). */
  readonly #entries = new Map<string, RejectionEntry>();
  /** Whether a token was accepted under this version, by this container or (read) anywhere. */
  #proven = false;
  /** Whether this container's proof is written (or being written) to the ledger. */
  #proofWritten = false;
  #fleet: { state: FleetState; readAt: number } | undefined;
  #fleetRead: Promise<FleetState> | undefined;
  /** (hold, reason class) pairs this container has logged its ERROR for. */
  readonly #reported = new Set<string>();

  constructor(options: UnlinkingOptions & { logger: Logger; family: SkillFamily; verifier: TokenVerifier<unknown> }) {
    const confirmAfterMs = options.confirmAfterMs ?? DEFAULT_CONFIRM_AFTER_MS;
    if (typeof confirmAfterMs !== 'number' || !Number.isFinite(confirmAfterMs) || confirmAfterMs < 0) {
      throw new ConfigurationError('unlinking.confirmAfterMs must be a number of milliseconds, 0 or more');
    }
    this.confirmAfterMs = confirmAfterMs;
    const version = options.configurationVersion ?? options.verifier.configurationVersion ?? 'unversioned';
    if (typeof version !== 'string' || version === '' || version.length > 128) {
      throw new ConfigurationError('unlinking.configurationVersion must be a string of 1 to 128 characters');
    }
    this.configurationVersion = version;
    this.ledger = options.ledger ?? new MemoryUnlinkLedger();
    if (typeof this.ledger?.recordRejection !== 'function' || typeof this.ledger.readFleet !== 'function') {
      throw new ConfigurationError(
        'unlinking.ledger must be an UnlinkLedger (MemoryUnlinkLedger, DynamoDbUnlinkLedger or your own)',
      );
    }
    this.#breaker = options.breaker === false ? undefined : new FleetBreaker(options.breaker ?? {}, this.ledger);
    this.#logger = options.logger;
    this.#family = options.family;
  }

  /**
   * A token was accepted: the configuration version is proven. The first acceptance in a
   * container writes the proof to the ledger (not awaited: the accepted request does not wait for
   * it); every later one costs nothing.
   */
  accepted(): void {
    this.#proven = true;
    if (this.#proofWritten) return;
    this.#proofWritten = true;
    let writing: Promise<void>;
    try {
      writing = Promise.resolve(this.ledger.prove(this.configurationVersion, Date.now()));
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing.catch((error: unknown) => {
      this.#proofWritten = false; // the next acceptance tries again
      this.#reportOnce('ledger', 'proof', () => this.#logLedgerFailure(error));
    });
  }

  /**
   * The reply to a rejection: `decision` itself (the unlinking reply) or `undecided` (held), with
   * what the policy made of it. Never throws; whatever the ledger does that is not an answer in
   * `waitMs` holds the rejection.
   */
  async review(
    decision: RejectedDecision & { outcome: 'invalid' | 'expired' },
    accessToken: string,
    waitMs: number,
  ): Promise<UnlinkingReview> {
    const now = Date.now();
    const kind = decision.selfEvident === true ? 'self-evident' : 'suspected';
    const reasonClass = reasonClassOf(decision);
    const held = (hold: HoldReason, confirmAt?: number): UnlinkingReview => ({
      decision: {
        outcome: 'undecided',
        cause: new UnlinkingHeldError(
          decision.outcome,
          decision.outcome === 'invalid' ? loggableReason(decision.reason) : 'expired',
          hold,
          reasonClass,
          confirmAt,
        ),
      },
      rejection: { kind, reasonClass, fate: 'held', hold, ...(confirmAt !== undefined ? { confirmAt } : {}) },
    });

    let entry: RejectionEntry;
    let firstNow: boolean;
    let fleet: FleetState;
    try {
      fleet = await withinDeadline(this.#readFleet(now), waitMs);
      if (fleet.provenAt !== undefined) this.#proven = true;
      // The fleet's rates count suspected rejections under a proven configuration only: a
      // configuration nothing was accepted under is a fault of its own (counting its rejections would
      // open the breaker, or raise the usual level, for the configuration after it), and a
      // self-evident rejection is no sign of a fault.
      const counted = this.#proven && kind === 'suspected';
      ({ entry, firstNow } = await withinDeadline(
        this.#firstRejection(accessToken, reasonClass, now, counted),
        Math.max(0, waitMs - (Date.now() - now)),
      ));
    } catch (error) {
      this.#reportOnce('ledger', reasonClass, () => this.#logLedgerFailure(error));
      return held('ledger');
    }

    if (!this.#proven) {
      this.#reportOnce('unproven', '', () =>
        this.#logger.error(
          `account linking: unlinking held: configuration ${this.configurationVersion} has accepted no token anywhere in the fleet yet, ` +
            `and tokens are rejected for ${reasonClass}: every unlinking reply is held (the family's transient reply instead) until a token is accepted. ` +
            `Check: ${adviceFor(reasonClass)}`,
          { family: this.#family, hold: 'unproven', reasonClass, configurationVersion: this.configurationVersion },
        ),
      );
      return held('unproven');
    }
    if (fleet.paused) {
      this.#reportOnce('paused', '', () =>
        this.#logger.error(
          "account linking: unlinking held: an operator paused every confirmation (the ledger's control item): rejections get the transient reply until it is resumed",
          { family: this.#family, hold: 'paused' },
        ),
      );
      return held('paused');
    }
    // No fault of ours produces a self-evident rejection: the breaker, which looks for faults, neither counts nor holds it.
    if (kind === 'self-evident') return { decision, rejection: { kind, reasonClass, fate: 'unlinked' } };
    const breaker = this.#breaker?.open(fleet, reasonClass, now);
    if (breaker) {
      this.#reportOnce('breaker', reasonClass, () =>
        this.#logger.error(
          `account linking: unlinking held: ${breaker.recent} distinct tokens first rejected for ${reasonClass} across the fleet in the last ` +
            `${minutes(this.#breaker!.options.windowMs)} min, against a usual ${round(breaker.usual)}: a fault is suspected, and confirmations of ${reasonClass} ` +
            `rejections are held (the transient reply instead). They resume when the rate is back under ${round(breaker.threshold)} per ` +
            `${minutes(this.#breaker!.options.windowMs)} min, or when an operator releases the class in the ledger's control item. Check: ${adviceFor(reasonClass)}`,
          {
            family: this.#family,
            hold: 'breaker',
            reasonClass,
            recentTokens: breaker.recent,
            usualTokens: round(breaker.usual),
            configurationVersion: this.configurationVersion,
          },
        ),
      );
      return held('breaker');
    }

    // A token first rejected while the breaker was open for its class was rejected during a fault:
    // its wait starts when the breaker closed (and it is held while the breaker stays open).
    const waitFrom = this.#breaker
      ? this.#breaker.afterOpenRun(fleet, reasonClass, entry.firstRejectedAt, now)
      : entry.firstRejectedAt;
    if (waitFrom === undefined) return held('breaker');
    const confirmAt = waitFrom + this.confirmAfterMs;
    // Fresh knowledge: a verdict that names none was just taken for this request, a later one than
    // the first rejection; one that names it (a key set's fetch, a cached verdict) must be newer.
    const fresh =
      !firstNow && (decision.knowledgeAt === undefined || decision.knowledgeAt.getTime() > entry.firstRejectedAt);
    if (firstNow || now < confirmAt || !fresh) return held('pending', Math.max(confirmAt, now));
    return { decision, rejection: { kind, reasonClass, fate: 'unlinked' } };
  }

  /** The token's first rejection, as the fleet knows it; recorded (and, if `counted`, counted) if this is it. */
  async #firstRejection(
    accessToken: string,
    reasonClass: ReasonClass,
    now: number,
    counted: boolean,
  ): Promise<{ entry: RejectionEntry; firstNow: boolean }> {
    const fingerprint = tokenDigest(accessToken).toString('hex');
    const known = this.#entries.get(fingerprint);
    if (known && known.firstRejectedAt + this.confirmAfterMs + REJECTION_MEMORY_MS > now)
      return { entry: known, firstNow: false };
    const stored = await this.ledger.getRejection(fingerprint, this.configurationVersion);
    let entry = stored;
    let firstNow = false;
    if (!entry) {
      const recorded = await this.ledger.recordRejection(
        { fingerprint, configurationVersion: this.configurationVersion, reasonClass, firstRejectedAt: now },
        now + this.confirmAfterMs + REJECTION_MEMORY_MS,
      );
      entry = recorded.entry;
      firstNow = recorded.first;
      if (recorded.first && counted) {
        const bucket = bucketStart(now);
        await this.ledger.countRejection(reasonClass, bucket, bucket + countMemoryMs(this.#breaker));
        // What this container counted is part of what it knows of the fleet at once, not a minute later.
        const known = this.#fleet?.state.counts;
        if (known) (known[bucket] ??= {})[reasonClass] = (known[bucket][reasonClass] ?? 0) + 1;
      }
    }
    this.#entries.delete(fingerprint);
    this.#entries.set(fingerprint, entry);
    if (this.#entries.size > MAX_CACHED_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as string);
    return { entry, firstNow };
  }

  /** What the fleet knows, read at most once per {@link FLEET_REFRESH_MS} per container (one read shared by concurrent requests). */
  async #readFleet(now: number): Promise<FleetState> {
    if (this.#fleet && now - this.#fleet.readAt < FLEET_REFRESH_MS) return this.#fleet.state;
    if (!this.#fleetRead) {
      const reading = Promise.resolve(
        this.ledger.readFleet(this.configurationVersion, this.#breaker?.bucketsToRead(now) ?? []),
      );
      this.#fleetRead = reading;
      reading
        .then(
          (state) => (this.#fleet = { state, readAt: now }),
          () => undefined,
        )
        .finally(() => {
          if (this.#fleetRead === reading) this.#fleetRead = undefined;
        });
    }
    return this.#fleetRead;
  }

  #reportOnce(hold: HoldReason, reasonClass: string, log: () => void): void {
    const key = `${hold}#${reasonClass}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    log();
  }

  #logLedgerFailure(error: unknown): void {
    this.#logger.error(
      'account linking: unlinking held: the unlinking ledger could not be read or written in time, so no rejection can be confirmed: ' +
        "rejections get the transient reply. Check UNLINK_LEDGER_TABLE, the function's permissions on it, and DynamoDB's health",
      { family: this.#family, hold: 'ledger', errorName: (error as { name?: unknown })?.name ?? typeof error },
    );
  }
}

/** `work`, or a rejection once `ms` have passed (the work goes on, unawaited). */
function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  const wait = Math.min(ms, MAX_LEDGER_WAIT_MS);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the unlinking ledger did not answer within ${wait} ms`)),
      Math.max(0, wait),
    );
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function minutes(ms: number): number {
  return Math.round(ms / 60_000);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
