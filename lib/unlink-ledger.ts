/**
 * The unlinking ledger, the fleet's memory shared by every container of a skill
 * ({@link UnlinkLedger}; token fingerprints, never tokens), and the in-memory one for tests
 * ({@link MemoryUnlinkLedger}). The DynamoDB one is `ask-sdk-account-linking/dynamodb`. See docs/unlinking.md.
 */

/** The first rejection of one token under one configuration version, as the fleet saw it first. */
export interface RejectionEntry {
  /** The token's fingerprint (a SHA-256 of the token, hex): never the token. */
  fingerprint: string;
  /** The configuration version the token was rejected under. */
  configurationVersion: string;
  /** The reason class of the rejection (`signature`, `inactive`, `expired`, ...). */
  reasonClass: string;
  /** When it was first rejected anywhere in the fleet, in ms since the epoch. */
  firstRejectedAt: number;
}

/** What {@link UnlinkLedger.recordRejection} answers. */
export interface RecordedRejection {
  /** The entry the fleet holds for the token now: the one given, or an earlier one. */
  entry: RejectionEntry;
  /** Whether the given entry was recorded: this was the token's first rejection in the fleet. */
  first: boolean;
}

/** The requests a ledger has made so far, as a table would charge them. */
export interface LedgerOperations {
  /** Reads (a batch read counts once per call). */
  reads: number;
  /** Writes (conditional or not). */
  writes: number;
}

/** What the fleet knows now, read in one go by {@link UnlinkLedger.readFleet}. */
export interface FleetState {
  /** When a token was first accepted under the configuration version asked about, if ever (ms since the epoch). */
  provenAt: number | undefined;
  /**
   * When the fleet first proved any configuration version (ms since the epoch), if it has: the
   * start of its history, before which an empty time bucket means "no data", not "no rejections".
   */
  since: number | undefined;
  /** Whether an operator paused every confirmation (the `control` item's `paused`). */
  paused: boolean;
  /** Reason classes an operator let go although the breaker is open for them: class → until when (ms since the epoch). */
  released: Record<string, number>;
  /**
   * First rejections counted per time bucket: bucket start (ms since the epoch) → reason class →
   * distinct tokens first rejected in it. Buckets with none may be absent.
   */
  counts: Record<number, Record<string, number>>;
  /** Bucket starts in which some container saw the breaker open, per reason class (left out of the usual level). */
  open: Record<number, string[]>;
}

/**
 * Where an {@link UnlinkingPolicy} keeps what the fleet knows. Every method may throw or reject
 * (the table is unreachable, say): the policy then holds the rejection, never unlinks for it.
 *
 * Implementations: {@link MemoryUnlinkLedger} (one process), `DynamoDbUnlinkLedger`
 * (`ask-sdk-account-linking/dynamodb`, the whole fleet).
 */
export interface UnlinkLedger {
  /**
   * Records `entry` if the fleet has no entry for its fingerprint and configuration version yet
   * (a conditional write: of two containers racing, the first wins), and returns the entry stored
   * — `entry` itself, or the earlier one. `expiresAt` (ms since the epoch) is when the entry may
   * be forgotten.
   */
  recordRejection(entry: RejectionEntry, expiresAt: number): Promise<RecordedRejection>;
  /** The entry stored for this token fingerprint and configuration version, if any. */
  getRejection(fingerprint: string, configurationVersion: string): Promise<RejectionEntry | undefined>;
  /** Adds 1 to the count of first rejections of `reasonClass` in the bucket starting at `bucketStart`. */
  countRejection(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void>;
  /** Marks that a container saw the breaker open for `reasonClass` in the bucket starting at `bucketStart`. */
  markOpen(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void>;
  /**
   * Records that a token was accepted under `configurationVersion` (kept if one is already
   * recorded), and that the fleet has been running since `at` (kept if earlier).
   */
  prove(configurationVersion: string, at: number): Promise<void>;
  /** The proof of `configurationVersion`, the operator's controls, and the counts of the buckets starting at `bucketStarts`. */
  readFleet(configurationVersion: string, bucketStarts: readonly number[]): Promise<FleetState>;
}

/** The most first rejections a {@link MemoryUnlinkLedger} keeps (about 20 MB at most). */
const MAX_MEMORY_REJECTIONS = 100_000;

/**
 * An {@link UnlinkLedger} in this process's memory: the ledger of one container. What it loses,
 * against a shared table: a token first rejected in another container starts its wait again here;
 * a new container knows no proven configuration and no usual rejection rate, so it holds every
 * rejection until a token is accepted in it; and a container's recycling forgets everything. No
 * user is unlinked by a fault for that — answers to dead tokens come later, and in a skill so
 * quiet that each request meets a fresh container, never. Use it for tests, the sandbox and
 * `npm run invoke`; give a deployed skill a table (`UNLINK_LEDGER_TABLE`).
 *
 * Share one instance between several gates (or simulated containers) to make them one fleet.
 */
export class MemoryUnlinkLedger implements UnlinkLedger {
  readonly #rejections = new Map<string, { entry: RejectionEntry; expiresAt: number }>();
  readonly #counts = new Map<number, { classes: Record<string, number>; open: Set<string>; expiresAt: number }>();
  readonly #proofs = new Map<string, number>();
  #since: number | undefined;
  #paused = false;
  readonly #released = new Map<string, number>();
  /** The reads and writes made so far (what a table would be charged for). */
  readonly operations: LedgerOperations = { reads: 0, writes: 0 };

  async recordRejection(entry: RejectionEntry, expiresAt: number): Promise<RecordedRejection> {
    this.operations.writes++;
    const key = rejectionKey(entry.fingerprint, entry.configurationVersion);
    const stored = this.#live(key);
    if (stored) return { entry: stored, first: false };
    this.#rejections.set(key, { entry: { ...entry }, expiresAt });
    // Bounded, whatever a flood of distinct forged tokens does: the oldest first rejections go first
    // (a token forgotten here starts its wait again: a later answer, never a false one).
    if (this.#rejections.size > MAX_MEMORY_REJECTIONS)
      this.#rejections.delete(this.#rejections.keys().next().value as string);
    return { entry: { ...entry }, first: true };
  }

  async getRejection(fingerprint: string, configurationVersion: string): Promise<RejectionEntry | undefined> {
    this.operations.reads++;
    const stored = this.#live(rejectionKey(fingerprint, configurationVersion));
    return stored && { ...stored };
  }

  async countRejection(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void> {
    this.operations.writes++;
    const bucket = this.#bucket(bucketStart, expiresAt);
    bucket.classes[reasonClass] = (bucket.classes[reasonClass] ?? 0) + 1;
  }

  async markOpen(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void> {
    this.operations.writes++;
    this.#bucket(bucketStart, expiresAt).open.add(reasonClass);
  }

  async prove(configurationVersion: string, at: number): Promise<void> {
    this.operations.writes++;
    if (!this.#proofs.has(configurationVersion)) this.#proofs.set(configurationVersion, at);
    this.#since ??= at;
  }

  async readFleet(configurationVersion: string, bucketStarts: readonly number[]): Promise<FleetState> {
    this.operations.reads++;
    const now = Date.now();
    const counts: FleetState['counts'] = {};
    const open: FleetState['open'] = {};
    for (const start of bucketStarts) {
      const bucket = this.#counts.get(start);
      if (!bucket || bucket.expiresAt <= now) continue;
      counts[start] = { ...bucket.classes };
      if (bucket.open.size > 0) open[start] = [...bucket.open];
    }
    return {
      provenAt: this.#proofs.get(configurationVersion),
      since: this.#since,
      paused: this.#paused,
      released: Object.fromEntries(this.#released),
      counts,
      open,
    };
  }

  /** Pauses every confirmation (`true`) or lets them resume (`false`): what an operator does to the table's `control` item. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  /** Lets confirmations of `reasonClass` go, although the breaker is open for it, until `until` (ms since the epoch). */
  release(reasonClass: string, until: number): void {
    this.#released.set(reasonClass, until);
  }

  #live(key: string): RejectionEntry | undefined {
    const stored = this.#rejections.get(key);
    if (!stored) return undefined;
    if (stored.expiresAt > Date.now()) return stored.entry;
    this.#rejections.delete(key);
    return undefined;
  }

  #bucket(start: number, expiresAt: number) {
    let bucket = this.#counts.get(start);
    if (!bucket || bucket.expiresAt <= Date.now()) {
      bucket = { classes: {}, open: new Set(), expiresAt };
      this.#counts.set(start, bucket);
      if (this.#counts.size > 1000) {
        const now = Date.now();
        for (const [key, value] of this.#counts) if (value.expiresAt <= now) this.#counts.delete(key);
      }
    }
    return bucket;
  }
}

function rejectionKey(fingerprint: string, configurationVersion: string): string {
  return `${configurationVersion}#${fingerprint}`;
}
