/**
 * The options of the unlinking policy (the gate option `unlinking` of every family) and their
 * defaults, each in one exported constant. See docs/unlinking.md.
 */
import type { UnlinkLedger } from '../unlink-ledger';

/**
 * Default of {@link UnlinkingOptions.confirmAfterMs}: 1 hour, longer than the wait of a stale
 * key-set copy, a JWKS cache, or an issuer clock a few minutes off, and about the life of an
 * access token, which Alexa refreshes before it sends it — so a genuine user's token is seldom
 * seen rejected twice that far apart.
 */
export const DEFAULT_CONFIRM_AFTER_MS = 3_600_000;
/** Default of {@link BreakerOptions.windowMs}: 30 minutes. */
export const DEFAULT_BREAKER_WINDOW_MS = 1_800_000;
/** Default of {@link BreakerOptions.minTokens}. */
export const DEFAULT_BREAKER_MIN_TOKENS = 5;
/** Default of {@link BreakerOptions.factor}. */
export const DEFAULT_BREAKER_FACTOR = 3;
/** Default of {@link BreakerOptions.baselineMs}: 48 hours, so that a fault left alone for a day does not become the usual level. */
export const DEFAULT_BREAKER_BASELINE_MS = 172_800_000;

/**
 * How a gate turns a verifier's rejection into an unlinking reply ({@link UnlinkingPolicy}): the
 * gate option `unlinking` of every family. The defaults are what a deployed skill should run with,
 * given a shared `ledger`.
 */
export interface UnlinkingOptions {
  /**
   * Where the fleet's first rejections, proven configurations and rejection counts are kept.
   * @defaultValue a {@link MemoryUnlinkLedger} of this gate alone (what it loses is said there: give a
   * deployed skill a `DynamoDbUnlinkLedger` from `ask-sdk-account-linking/dynamodb`)
   */
  ledger?: UnlinkLedger | undefined;
  /**
   * A suspected rejection becomes an unlinking reply only when the same token is rejected again,
   * on fresh knowledge, at least this long after its first rejection anywhere in the fleet, in ms.
   * `0` confirms at the same token's second rejection with no wait (tests; operators who choose it).
   * @defaultValue {@link DEFAULT_CONFIRM_AFTER_MS} (1 hour)
   */
  confirmAfterMs?: number | undefined;
  /**
   * The version of the configuration the verdicts rest on; a new one is unproven until a token is
   * accepted under it somewhere in the fleet.
   * @defaultValue the verifier's `configurationVersion`, else `unversioned`
   */
  configurationVersion?: string | undefined;
  /**
   * The breaker: confirmations of a reason class stop while the fleet's first rejections of that
   * class are out of line with their usual level. `false` turns it off.
   * @defaultValue on, with {@link BreakerOptions}' defaults
   */
  breaker?: BreakerOptions | false | undefined;
}

/** When the breaker opens for a reason class (the gate option `unlinking.breaker`). */
export interface BreakerOptions {
  /**
   * The window the fleet's recent first rejections are counted over, in ms.
   * @defaultValue {@link DEFAULT_BREAKER_WINDOW_MS} (30 minutes)
   */
  windowMs?: number | undefined;
  /**
   * The breaker opens when the window holds at least this many distinct tokens first rejected
   * for one reason class...
   * @defaultValue {@link DEFAULT_BREAKER_MIN_TOKENS} (5)
   */
  minTokens?: number | undefined;
  /**
   * ...and at least this many times the class's usual count for a window (its mean over the
   * previous `baselineMs`, leaving out buckets in which the breaker was open while they are at
   * most three quarters of it).
   * @defaultValue {@link DEFAULT_BREAKER_FACTOR} (3)
   */
  factor?: number | undefined;
  /**
   * How far back the usual level is taken from, in ms (a multiple of 10 minutes, at most 7 days).
   * A fault that has lasted three quarters of it becomes part of the usual level.
   * @defaultValue {@link DEFAULT_BREAKER_BASELINE_MS} (48 hours)
   */
  baselineMs?: number | undefined;
}
