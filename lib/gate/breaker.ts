/**
 * The unlinking policy's breaker: confirmations of a reason class stop while the fleet's first
 * rejections of that class are out of line with their usual level. See docs/unlinking.md.
 */
import { ConfigurationError } from '../errors';
import type { FleetState, UnlinkLedger } from '../unlink-ledger';
import type { ReasonClass } from './reason-class';
import {
  DEFAULT_BREAKER_BASELINE_MS,
  DEFAULT_BREAKER_FACTOR,
  DEFAULT_BREAKER_MIN_TOKENS,
  DEFAULT_BREAKER_WINDOW_MS,
  type BreakerOptions,
} from './unlinking-options';

/** The time buckets first rejections are counted in, fleet-wide: 10 minutes. */
export const LEDGER_BUCKET_MS = 600_000;
/** How long a count outlives the breaker's window and baseline in the ledger: 1 day. */
const COUNT_MEMORY_MARGIN_MS = 86_400_000;

/** The start of the ledger bucket `at` falls in. */
export function bucketStart(at: number): number {
  return Math.floor(at / LEDGER_BUCKET_MS) * LEDGER_BUCKET_MS;
}

/** How long the ledger keeps a rejection count or an open mark, in ms, with the breaker on or off. */
export function countMemoryMs(breaker: FleetBreaker | undefined): number {
  return (breaker ? breaker.options.windowMs + breaker.options.baselineMs : 0) + COUNT_MEMORY_MARGIN_MS;
}

/** Breaker options with every default filled in. */
type ResolvedBreakerOptions = { [K in keyof BreakerOptions]-?: Exclude<BreakerOptions[K], undefined> };

/** The breaker of one gate's unlinking policy, over the fleet's counts in the ledger. */
export class FleetBreaker {
  /** The options, with their defaults; checked. */
  readonly options: ResolvedBreakerOptions;
  /** Buckets this container has marked open, per reason class. */
  readonly #marked = new Set<string>();
  readonly #ledger: UnlinkLedger;

  constructor(options: BreakerOptions, ledger: UnlinkLedger) {
    this.options = resolveBreakerOptions(options);
    this.#ledger = ledger;
  }

  /** The ledger buckets {@link FleetBreaker.open} reads: the window and the baseline before it. */
  bucketsToRead(now: number): number[] {
    const last = bucketStart(now);
    const first = bucketStart(now - this.options.windowMs - this.options.baselineMs);
    const starts: number[] = [];
    for (let start = first; start <= last; start += LEDGER_BUCKET_MS) starts.push(start);
    return starts;
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
  open(
    fleet: FleetState,
    reasonClass: ReasonClass,
    now: number,
  ): { recent: number; usual: number; threshold: number } | undefined {
    const options = this.options;
    if ((fleet.released[reasonClass] ?? 0) > now) return undefined;
    const windowStart = bucketStart(now - options.windowMs) + LEDGER_BUCKET_MS;
    const rangeStart = bucketStart(windowStart - options.baselineMs);
    let firstWithData = Infinity;
    for (const key in fleet.counts) {
      const start = Number(key);
      if (start >= rangeStart && start < firstWithData) firstWithData = start;
    }
    const historyStart = Math.max(
      rangeStart,
      bucketStart(Math.min(fleet.since ?? Infinity, firstWithData, windowStart)),
    );
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
    for (let start = windowStart; start <= now; start += LEDGER_BUCKET_MS)
      recent += fleet.counts[start]?.[reasonClass] ?? 0;
    const [baseline, buckets] = unmarkedBuckets * 4 >= allBuckets ? [unmarked, unmarkedBuckets] : [all, allBuckets];
    const bucketsPerWindow = options.windowMs / LEDGER_BUCKET_MS;
    const usual = buckets === 0 ? 0 : (baseline / buckets) * bucketsPerWindow;
    const threshold = Math.max(options.minTokens, options.factor * usual);
    // Once open, it stays open until the window falls under half the threshold (no flapping on noise).
    let wasOpen = false;
    for (let start = windowStart - LEDGER_BUCKET_MS; start <= now && !wasOpen; start += LEDGER_BUCKET_MS)
      wasOpen = !!fleet.open[start]?.includes(reasonClass);
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
        Promise.resolve(this.#ledger.markOpen(reasonClass, start, start + countMemoryMs(this))).catch(() =>
          this.#marked.delete(key),
        );
      }
    }
    return { recent, usual, threshold };
  }

  /**
   * When the fault that `firstRejectedAt` fell in ended: the end of the first whole window of
   * (complete) buckets after it that no container marked open for `reasonClass`; `firstRejectedAt`
   * itself when its bucket was not marked; undefined while no such window has passed.
   */
  afterOpenRun(fleet: FleetState, reasonClass: ReasonClass, firstRejectedAt: number, now: number): number | undefined {
    const first = bucketStart(firstRejectedAt);
    if (!fleet.open[first]?.includes(reasonClass)) return firstRejectedAt;
    // The fault is over once a whole window of buckets after it was not marked open.
    const quietNeeded = this.options.windowMs / LEDGER_BUCKET_MS;
    let quiet = 0;
    for (let start = first + LEDGER_BUCKET_MS; start + LEDGER_BUCKET_MS <= now; start += LEDGER_BUCKET_MS) {
      quiet = fleet.open[start]?.includes(reasonClass) ? 0 : quiet + 1;
      if (quiet === quietNeeded) return start + LEDGER_BUCKET_MS;
    }
    return undefined;
  }
}

function resolveBreakerOptions(options: BreakerOptions): ResolvedBreakerOptions {
  const resolved = {
    windowMs: options.windowMs ?? DEFAULT_BREAKER_WINDOW_MS,
    minTokens: options.minTokens ?? DEFAULT_BREAKER_MIN_TOKENS,
    factor: options.factor ?? DEFAULT_BREAKER_FACTOR,
    baselineMs: options.baselineMs ?? DEFAULT_BREAKER_BASELINE_MS,
  };
  if (!(Number.isInteger(resolved.windowMs / LEDGER_BUCKET_MS) && resolved.windowMs > 0)) {
    throw new ConfigurationError(
      `unlinking.breaker.windowMs must be a positive multiple of ${LEDGER_BUCKET_MS} ms (the ledger's buckets)`,
    );
  }
  if (!(
    Number.isInteger(resolved.baselineMs / LEDGER_BUCKET_MS) &&
    resolved.baselineMs > 0 &&
    resolved.baselineMs <= 7 * 86_400_000
  )) {
    throw new ConfigurationError(
      `unlinking.breaker.baselineMs must be a positive multiple of ${LEDGER_BUCKET_MS} ms, at most 7 days`,
    );
  }
  if (!(Number.isInteger(resolved.minTokens) && resolved.minTokens >= 1))
    throw new ConfigurationError('unlinking.breaker.minTokens must be a whole number, 1 or more');
  if (!(Number.isFinite(resolved.factor) && resolved.factor >= 1))
    throw new ConfigurationError('unlinking.breaker.factor must be a number, 1 or more');
  return resolved;
}
