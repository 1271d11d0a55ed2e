/**
 * The unlinking policy: which rejections become unlinking replies, decided across the fleet and over time.
 *
 * An unlinking reply (a LinkAccount card, `INVALID_`/`EXPIRED_AUTHORIZATION_CREDENTIAL`) makes
 * Alexa drop the user's link. One request cannot tell a dead token from a fault of ours (a wrong
 * setting, a key rotated under us, a stale key set, a clock); the fleet and time can. So:
 *
 * - a **self-evident** rejection (the verifier says no fault of ours can produce it:
 *   `selfEvident: true`) is answered at once, once the configuration version is proven;
 * - a **suspected** rejection (every other) gets the family's transient reply until the same
 *   token is rejected again, on fresh knowledge, at least `confirmAfterMs` after its first
 *   rejection anywhere in the fleet;
 * - and neither is answered while the configuration version has accepted no token anywhere in the
 *   fleet (*unproven*), while the **breaker** is open for the rejection's reason class (the fleet's
 *   first rejections of that class out of line with their usual level), while an operator has
 *   paused confirmations, or while the ledger cannot be read (we cannot know).
 *
 * The verdict in every state, and the I/O it costs, are on the unlinking page of the docs; the
 * ledger is `./unlink-ledger`.
 */
import { ConfigurationError, UnlinkingHeldError } from './errors';
import type { RejectedDecision } from './gate';
import { loggableReason, tokenDigest, type Logger } from './logging';
import { reasonClassOf, type ReasonClass } from './metrics';
import { MemoryUnlinkLedger, type FleetState, type RejectionEntry, type UnlinkLedger } from './unlink-ledger';
import type { BreakerOptions, UnlinkingOptions } from './unlinking-options';
import type { SkillFamily, TokenVerifier } from './verification/verifier';

export type { BreakerOptions, UnlinkingOptions } from './unlinking-options';

/** Default of {@link UnlinkingOptions.confirmAfterMs}: 1 hour. */
export const DEFAULT_CONFIRM_AFTER_MS = 3_600_000;
/** Default of {@link BreakerOptions.windowMs}: 30 minutes. */
export const DEFAULT_BREAKER_WINDOW_MS = 1_800_000;
/** Default of {@link BreakerOptions.minTokens}. */
export const DEFAULT_BREAKER_MIN_TOKENS = 5;
/** Default of {@link BreakerOptions.factor}. */
export const DEFAULT_BREAKER_FACTOR = 3;
/** Default of {@link BreakerOptions.baselineMs}: 48 hours. */
export const DEFAULT_BREAKER_BASELINE_MS = 172_800_000;
/** The time buckets first rejections are counted in, fleet-wide: 10 minutes. */
export const LEDGER_BUCKET_MS = 600_000;
/** How long a container trusts what it read of the fleet (proof, breaker, pause) before reading again: 1 minute. */
export const FLEET_REFRESH_MS = 60_000;
/** How long a first rejection is remembered beyond `confirmAfterMs`: 30 days. */
const REJECTION_MEMORY_MS = 30 * 86_400_000;
/** The most ledger I/O may take on one request, in ms, within the verification budget. */
const MAX_LEDGER_WAIT_MS = 2000;
/** The most first rejections one container keeps in memory (the ledger keeps them all). */
const MAX_CACHED_ENTRIES = 1000;

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

/** What {@link UnlinkingPolicy.review} returns: the decision to act on, and what it made of the rejection. */
export interface UnlinkingReview {
  /** The rejection itself (answered), or `undecided` with an {@link UnlinkingHeldError} as cause (held). */
  decision: RejectedDecision;
  /** What the policy made of it. */
  rejection: RejectionReview;
}

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
  readonly #breaker: ResolvedBreakerOptions | undefined;
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
  /** Buckets this container has marked open, per reason class. */
  readonly #marked = new Set<string>();

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
      throw new ConfigurationError('unlinking.ledger must be an UnlinkLedger (MemoryUnlinkLedger, DynamoDbUnlinkLedger or your own)');
    }
    this.#breaker = options.breaker === false ? undefined : breakerOptions(options.breaker ?? {});
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
  async review(decision: RejectedDecision & { outcome: 'invalid' | 'expired' }, accessToken: string, waitMs: number): Promise<UnlinkingReview> {
    const now = Date.now();
    const kind = decision.selfEvident === true ? 'self-evident' : 'suspected';
    const reasonClass = reasonClassOf(decision);
    const held = (hold: HoldReason, confirmAt?: number): UnlinkingReview => ({
      decision: {
        outcome: 'undecided',
        cause: new UnlinkingHeldError(decision.outcome, decision.outcome === 'invalid' ? loggableReason(decision.reason) : 'expired', hold, reasonClass, confirmAt),
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
      ({ entry, firstNow } = await withinDeadline(this.#firstRejection(accessToken, reasonClass, now, counted), Math.max(0, waitMs - (Date.now() - now))));
    } catch (error) {
      this.#reportOnce('ledger', reasonClass, () => this.#logLedgerFailure(error));
      return held('ledger');
    }

    if (!this.#proven) {
      this.#reportOnce('unproven', '', () => this.#logger.error(
        `account linking: unlinking held: configuration ${this.configurationVersion} has accepted no token anywhere in the fleet yet, ` +
          `and tokens are rejected for ${reasonClass}: every unlinking reply is held (the family's transient reply instead) until a token is accepted. ` +
          `Check: ${advice(reasonClass)}`,
        { family: this.#family, hold: 'unproven', reasonClass, configurationVersion: this.configurationVersion },
      ));
      return held('unproven');
    }
    if (fleet.paused) {
      this.#reportOnce('paused', '', () => this.#logger.error(
        'account linking: unlinking held: an operator paused every confirmation (the ledger\'s control item): rejections get the transient reply until it is resumed',
        { family: this.#family, hold: 'paused' },
      ));
      return held('paused');
    }
    // No fault of ours produces a self-evident rejection: the breaker, which looks for faults, neither counts nor holds it.
    if (kind === 'self-evident') return { decision, rejection: { kind, reasonClass, fate: 'unlinked' } };
    const breaker = this.#breakerOpen(fleet, reasonClass, now);
    if (breaker) {
      this.#reportOnce('breaker', reasonClass, () => this.#logger.error(
        `account linking: unlinking held: ${breaker.recent} distinct tokens first rejected for ${reasonClass} across the fleet in the last ` +
          `${minutes(this.#breaker!.windowMs)} min, against a usual ${round(breaker.usual)}: a fault is suspected, and confirmations of ${reasonClass} ` +
          `rejections are held (the transient reply instead). They resume when the rate is back under ${round(breaker.threshold)} per ` +
          `${minutes(this.#breaker!.windowMs)} min, or when an operator releases the class in the ledger's control item. Check: ${advice(reasonClass)}`,
        { family: this.#family, hold: 'breaker', reasonClass, recentTokens: breaker.recent, usualTokens: round(breaker.usual), configurationVersion: this.configurationVersion },
      ));
      return held('breaker');
    }

    // A token first rejected while the breaker was open for its class was rejected during a fault:
    // its wait starts when the breaker closed (and it is held while the breaker stays open).
    const waitFrom = this.#afterOpenRun(fleet, reasonClass, entry.firstRejectedAt, now);
    if (waitFrom === undefined) return held('breaker');
    const confirmAt = waitFrom + this.confirmAfterMs;
    // Fresh knowledge: a verdict that names none was just taken for this request, a later one than
    // the first rejection; one that names it (a key set's fetch, a cached verdict) must be newer.
    const fresh = !firstNow && (decision.knowledgeAt === undefined || decision.knowledgeAt.getTime() > entry.firstRejectedAt);
    if (firstNow || now < confirmAt || !fresh) return held('pending', Math.max(confirmAt, now));
    return { decision, rejection: { kind, reasonClass, fate: 'unlinked' } };
  }

  /** The token's first rejection, as the fleet knows it; recorded (and, if `counted`, counted) if this is it. */
  async #firstRejection(accessToken: string, reasonClass: ReasonClass, now: number, counted: boolean): Promise<{ entry: RejectionEntry; firstNow: boolean }> {
    const fingerprint = tokenDigest(accessToken).toString('hex');
    const known = this.#entries.get(fingerprint);
    if (known && known.firstRejectedAt + this.confirmAfterMs + REJECTION_MEMORY_MS > now) return { entry: known, firstNow: false };
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
        await this.ledger.countRejection(reasonClass, bucket, bucket + this.#countMemoryMs());
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
      const reading = Promise.resolve(this.ledger.readFleet(this.configurationVersion, this.#bucketsToRead(now)));
      this.#fleetRead = reading;
      reading.then(
        (state) => (this.#fleet = { state, readAt: now }),
        () => undefined,
      ).finally(() => {
        if (this.#fleetRead === reading) this.#fleetRead = undefined;
      });
    }
    return this.#fleetRead;
  }

  #bucketsToRead(now: number): number[] {
    if (!this.#breaker) return [];
    const last = bucketStart(now);
    const first = bucketStart(now - this.#breaker.windowMs - this.#breaker.baselineMs);
    const starts: number[] = [];
    for (let start = first; start <= last; start += LEDGER_BUCKET_MS) starts.push(start);
    return starts;
  }

  #countMemoryMs(): number {
    return (this.#breaker ? this.#breaker.windowMs + this.#breaker.baselineMs : 0) + 86_400_000;
  }

  /**
   * Whether the breaker is open for `reasonClass`: the first rejections of the last window are at
   * least `minTokens` and `factor` times the class's usual count per window, and no operator
   * released the class. The usual count is the mean over the baseline since the fleet's history
   * began (`since`, else the first bucket with data), leaving out buckets in which a container saw
   * the breaker open, so that a fault does not become the usual level — unless they are more than
   * three quarters of the history, when the mean is over all of it (a breaker that opened while a
   * new fleet's traffic grew, or a fault older than most of the baseline, is not held open for
   * ever). Once open, it stays open until the window holds less than half the threshold. An open
   * breaker marks the window's buckets that are above the usual level (once per container), except
   * while the fleet has less than a window of history (it is learning).
   */
  #breakerOpen(fleet: FleetState, reasonClass: ReasonClass, now: number): { recent: number; usual: number; threshold: number } | undefined {
    const options = this.#breaker;
    if (!options) return undefined;
    if ((fleet.released[reasonClass] ?? 0) > now) return undefined;
    const windowStart = bucketStart(now - options.windowMs) + LEDGER_BUCKET_MS;
    const rangeStart = bucketStart(windowStart - options.baselineMs);
    let firstWithData = Infinity;
    for (const key in fleet.counts) {
      const start = Number(key);
      if (start >= rangeStart && start < firstWithData) firstWithData = start;
    }
    const historyStart = Math.max(rangeStart, bucketStart(Math.min(fleet.since ?? Infinity, firstWithData, windowStart)));
    let recent = 0;
    let unmarked = 0;
    let unmarkedBuckets = 0;
    let all = 0;
    let allBuckets = 0;
    for (let start = historyStart; start < windowStart; start += LEDGER_BUCKET_MS) {
      const count = fleet.counts[start]?.[reasonClass] ?? 0;
      all += count;
      allBuckets++;
      if (!fleet.open[start]?.includes(reasonClass)) {
        unmarked += count;
        unmarkedBuckets++;
      }
    }
    for (let start = windowStart; start <= now; start += LEDGER_BUCKET_MS) recent += fleet.counts[start]?.[reasonClass] ?? 0;
    const [baseline, buckets] = unmarkedBuckets * 4 >= allBuckets ? [unmarked, unmarkedBuckets] : [all, allBuckets];
    const bucketsPerWindow = options.windowMs / LEDGER_BUCKET_MS;
    const usual = buckets === 0 ? 0 : (baseline / buckets) * bucketsPerWindow;
    const threshold = Math.max(options.minTokens, options.factor * usual);
    // Once open, it stays open until the window falls under half the threshold (no flapping on noise).
    let wasOpen = false;
    for (let start = windowStart - LEDGER_BUCKET_MS; start <= now && !wasOpen; start += LEDGER_BUCKET_MS) wasOpen = !!fleet.open[start]?.includes(reasonClass);
    if (recent < (wasOpen ? threshold / 2 : threshold)) return undefined;
    const learning = windowStart - historyStart < options.windowMs;
    if (!learning) {
      const aboveUsual = usual / bucketsPerWindow;
      for (let start = windowStart; start <= now; start += LEDGER_BUCKET_MS) {
        if ((fleet.counts[start]?.[reasonClass] ?? 0) <= aboveUsual) continue;
        const key = `${reasonClass}#${start}`;
        if (this.#marked.has(key)) continue;
        this.#marked.add(key);
        const marked = (fleet.open[start] ??= []);
        if (!marked.includes(reasonClass)) marked.push(reasonClass);
        Promise.resolve(this.ledger.markOpen(reasonClass, start, start + this.#countMemoryMs())).catch(() => this.#marked.delete(key));
      }
    }
    return { recent, usual, threshold };
  }

  /**
   * When the fault that `firstRejectedAt` fell in ended: the end of the first whole window of
   * (complete) buckets after it that no container marked open for `reasonClass`; `firstRejectedAt`
   * itself when its bucket was not marked; undefined while no such window has passed.
   */
  #afterOpenRun(fleet: FleetState, reasonClass: ReasonClass, firstRejectedAt: number, now: number): number | undefined {
    if (!this.#breaker) return firstRejectedAt;
    const first = bucketStart(firstRejectedAt);
    if (!fleet.open[first]?.includes(reasonClass)) return firstRejectedAt;
    // The fault is over once a whole window of buckets after it was not marked open.
    const quietNeeded = this.#breaker.windowMs / LEDGER_BUCKET_MS;
    let quiet = 0;
    for (let start = first + LEDGER_BUCKET_MS; start + LEDGER_BUCKET_MS <= now; start += LEDGER_BUCKET_MS) {
      quiet = fleet.open[start]?.includes(reasonClass) ? 0 : quiet + 1;
      if (quiet === quietNeeded) return start + LEDGER_BUCKET_MS;
    }
    return undefined;
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
        'rejections get the transient reply. Check UNLINK_LEDGER_TABLE, the function\'s permissions on it, and DynamoDB\'s health',
      { family: this.#family, hold: 'ledger', errorName: (error as { name?: unknown })?.name ?? typeof error },
    );
  }
}

/** Breaker options with every default filled in. */
type ResolvedBreakerOptions = { [K in keyof BreakerOptions]-?: Exclude<BreakerOptions[K], undefined> };

function breakerOptions(options: BreakerOptions): ResolvedBreakerOptions {
  const resolved = {
    windowMs: options.windowMs ?? DEFAULT_BREAKER_WINDOW_MS,
    minTokens: options.minTokens ?? DEFAULT_BREAKER_MIN_TOKENS,
    factor: options.factor ?? DEFAULT_BREAKER_FACTOR,
    baselineMs: options.baselineMs ?? DEFAULT_BREAKER_BASELINE_MS,
  };
  if (!(Number.isInteger(resolved.windowMs / LEDGER_BUCKET_MS) && resolved.windowMs > 0)) {
    throw new ConfigurationError(`unlinking.breaker.windowMs must be a positive multiple of ${LEDGER_BUCKET_MS} ms (the ledger's buckets)`);
  }
  if (!(Number.isInteger(resolved.baselineMs / LEDGER_BUCKET_MS) && resolved.baselineMs > 0 && resolved.baselineMs <= 7 * 86_400_000)) {
    throw new ConfigurationError(`unlinking.breaker.baselineMs must be a positive multiple of ${LEDGER_BUCKET_MS} ms, at most 7 days`);
  }
  if (!(Number.isInteger(resolved.minTokens) && resolved.minTokens >= 1)) throw new ConfigurationError('unlinking.breaker.minTokens must be a whole number, 1 or more');
  if (!(Number.isFinite(resolved.factor) && resolved.factor >= 1)) throw new ConfigurationError('unlinking.breaker.factor must be a number, 1 or more');
  return resolved;
}

/** The start of the ledger bucket `at` falls in. */
function bucketStart(at: number): number {
  return Math.floor(at / LEDGER_BUCKET_MS) * LEDGER_BUCKET_MS;
}

/** `work`, or a rejection once `ms` have passed (the work goes on, unawaited). */
function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  const wait = Math.min(ms, MAX_LEDGER_WAIT_MS);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the unlinking ledger did not answer within ${wait} ms`)), Math.max(0, wait));
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** What to check for a fault of one reason class, in an operator's words. */
function advice(reasonClass: ReasonClass): string {
  switch (reasonClass) {
    case 'signature':
      return 'the signing keys: JWT_SECRET or JWT_PUBLIC_KEY against what the authorization server signs with now (a key rotated or added there), or JWKS_URI (the right server, and one that publishes the key it signs with)';
    case 'inactive':
      return 'INTROSPECTION_URL (the server that issued the tokens, not a staging one) and its client credentials';
    case 'claims':
      return 'INTROSPECTION_CLIENT_IDS, LWA_CLIENT_ID / LWA_APP_IDS and the audience: every client the tokens are issued to';
    case 'expired':
      return 'the authorization server\'s clock, and that it issues refresh tokens Alexa can use';
    case 'malformed':
      return 'that the verifier fits the tokens the server issues (JWT_* settings for JWTs, INTROSPECTION_URL for opaque tokens)';
    default:
      return 'the verifier\'s settings (JWT_*, INTROSPECTION_*, LWA_*) or a custom verifier';
  }
}

function minutes(ms: number): number {
  return Math.round(ms / 60_000);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

