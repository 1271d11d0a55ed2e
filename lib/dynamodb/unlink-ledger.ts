/**
 * The fleet's {@link UnlinkLedger} on DynamoDB: what every container of a skill knows about rejected
 * tokens, proven configurations and rejection counts. The table's items and the operator's
 * commands are in {@link DynamoDbUnlinkLedger}'s documentation; see `docs/unlinking.md`.
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../errors';
import type { FleetState, RecordedRejection, RejectionEntry, UnlinkLedger } from '../unlink-ledger';
import { isConditionalCheckFailure } from './conditional-check';
import {
  controlOf,
  countKey,
  epochSeconds,
  expired,
  numberOf,
  proofKey,
  rejectionKey,
  rejectionOf,
} from './ledger-items';

/** Where {@link DynamoDbUnlinkLedger} keeps the fleet's ledger. */
export interface DynamoDbUnlinkLedgerOptions {
  /**
   * The table's name: partition key `pk` (a string) and nothing else, TTL on `expiresAt` (template.yaml's
   * `UnlinkLedgerTable`, whose name the functions get as `UNLINK_LEDGER_TABLE`); required.
   */
  tableName: string;
  /**
   * The client the table is reached with.
   * @default a client for the Lambda's own region and credentials
   */
  client?: DynamoDBClient | undefined;
}

/** The most keys one BatchGetItem may ask for. */
const BATCH_GET_KEYS = 100;
/** How many times keys left unprocessed by a BatchGetItem are asked for again before {@link DynamoDbUnlinkLedger.readFleet} gives up. */
const BATCH_GET_RETRIES = 4;
/** The first wait before keys left unprocessed are asked for again, in ms; doubled at every retry. */
const BATCH_GET_BACKOFF_MS = 20;
/** The key of the operator's item. */
const CONTROL_KEY = 'control';
/** The item that says since when the fleet has run (`since`, ms since the epoch: the first proof of any configuration). */
const FLEET_KEY = 'fleet';

/**
 * An {@link UnlinkLedger} on a DynamoDB table: what every container of the skill knows about rejected
 * tokens, proven configurations and rejection counts, read consistently. Its semantics are those of
 * `MemoryUnlinkLedger` (`ask-sdk-account-linking`), for the whole fleet.
 *
 * The table has a partition key `pk` (a string) and nothing else, and its TTL on `expiresAt` (epoch
 * **seconds**: the ledger's `expiresAt`, in ms, rounded up). It holds:
 *
 * - `rejection#<configurationVersion>#<fingerprint>`: a token's first rejection under a
 *   configuration version — `fingerprint`, `configurationVersion`, `reasonClass`, `firstRejectedAt`
 *   (N, ms since the epoch) and `expiresAt`. Written once, conditionally (`attribute_not_exists(pk)`):
 *   of two containers racing, one wins and both return its entry. An item past its `expiresAt`
 *   that DynamoDB has not deleted yet is treated as absent (and overwritten, on condition of its old
 *   `firstRejectedAt`).
 * - `count#<bucketStart>`: one item per time bucket, `c_<reasonClass>` (N) the distinct tokens first
 *   rejected for that class in it, `open` (SS) the classes a container saw the breaker open for, and
 *   `expiresAt` (set by the bucket's first write, kept after: a bucket is forgotten at once).
 * - `proof#<configurationVersion>`: `provenAt` (N, ms), when a token was first accepted under that
 *   version. No TTL (one small item per configuration the skill ever ran with; those of configurations
 *   no longer deployed may be deleted by hand).
 * - `fleet`: `since` (N, ms), the first proof of any configuration version: where the fleet's
 *   history (and the breaker's usual level) begins.
 * - `control`: the operator's item, written by hand (the ledger never writes it): `paused` (BOOL),
 *   every confirmation held while `true`; `released` (M of reason class → N, ms since the epoch),
 *   the classes whose confirmations go on, although the breaker is open for them, until then. A
 *   `control` item of another shape makes {@link DynamoDbUnlinkLedger.readFleet} throw, so that every
 *   rejection is held until it is put right.
 *
 * The operator's commands, with `TABLE` the table's name (for template.yaml's stack: `TABLE=$(aws
 * cloudformation describe-stack-resource --stack-name <stack> --logical-resource-id UnlinkLedgerTable
 * --query StackResourceDetail.PhysicalResourceId --output text)`). Each `put-item` replaces the whole
 * item: write all that should hold now. To pause every confirmation:
 *
 * ```sh
 * aws dynamodb put-item --table-name "$TABLE" --item '{"pk":{"S":"control"},"paused":{"BOOL":true},"released":{"M":{}}}'
 * ```
 *
 * To resume:
 *
 * ```sh
 * aws dynamodb put-item --table-name "$TABLE" --item '{"pk":{"S":"control"},"paused":{"BOOL":false},"released":{"M":{}}}'
 * ```
 *
 * To let the confirmations of one reason class (here `signature`) go for an hour, although the breaker
 * is open for it (when its rejections are genuine: a mass revocation, say):
 *
 * ```sh
 * UNTIL=$(( ($(date +%s) + 3600) * 1000 ))
 * aws dynamodb put-item --table-name "$TABLE" --item '{"pk":{"S":"control"},"paused":{"BOOL":false},"released":{"M":{"signature":{"N":"'"$UNTIL"'"}}}}'
 * ```
 *
 * The functions need `dynamodb:GetItem`, `PutItem`, `UpdateItem` and `BatchGetItem` on the table, and
 * nothing more (template.yaml grants just that).
 */
export class DynamoDbUnlinkLedger implements UnlinkLedger {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  /** The requests sent so far (what the table is charged for, roughly). */
  readonly operations: {
    /** GetItem requests and BatchGetItem calls (one each, whatever the keys asked for). */
    reads: number;
    /** PutItem and UpdateItem requests. */
    writes: number;
  } = { reads: 0, writes: 0 };

  constructor(options: DynamoDbUnlinkLedgerOptions) {
    if (!options.tableName) throw new ConfigurationError('DynamoDbUnlinkLedger needs a tableName');
    this.#table = options.tableName;
    this.#client = options.client ?? new DynamoDBClient({});
  }

  /**
   * A PutItem on condition that the fleet has no entry for the token yet; when it has one, a
   * consistent GetItem returns it (`first: false`). An entry past its `expiresAt` is overwritten as
   * if absent.
   */
  async recordRejection(entry: RejectionEntry, expiresAt: number): Promise<RecordedRejection> {
    const key = rejectionKey(entry.fingerprint, entry.configurationVersion);
    const item: Record<string, AttributeValue> = {
      pk: { S: key },
      fingerprint: { S: entry.fingerprint },
      configurationVersion: { S: entry.configurationVersion },
      reasonClass: { S: entry.reasonClass },
      firstRejectedAt: { N: String(entry.firstRejectedAt) },
      expiresAt: { N: String(epochSeconds(expiresAt)) },
    };
    let previous: AttributeValue | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        this.operations.writes++;
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: item,
            ...(previous
              ? {
                  ConditionExpression: 'attribute_not_exists(pk) OR firstRejectedAt = :previous',
                  ExpressionAttributeValues: { ':previous': previous },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return { entry: { ...entry }, first: true };
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
      const stored = await this.#getItem(key);
      if (!stored) {
        previous = undefined; // deleted (by TTL) since: try again as the first
        continue;
      }
      const storedEntry = rejectionOf(stored, key);
      if (!expired(stored)) return { entry: storedEntry, first: false };
      previous = stored.firstRejectedAt;
    }
    throw new Error(
      `DynamoDbUnlinkLedger: the rejection item ${key} of table ${this.#table} kept changing while it was written`,
    );
  }

  /** A consistent GetItem; an item past its `expiresAt` is none. */
  async getRejection(fingerprint: string, configurationVersion: string): Promise<RejectionEntry | undefined> {
    const key = rejectionKey(fingerprint, configurationVersion);
    const stored = await this.#getItem(key);
    if (!stored || expired(stored)) return undefined;
    return rejectionOf(stored, key);
  }

  /** An UpdateItem of the bucket's item: `ADD c_<reasonClass> 1`, and its `expiresAt` if it has none. */
  async countRejection(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void> {
    this.operations.writes++;
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: { S: countKey(bucketStart) } },
        UpdateExpression: 'ADD #c :one SET expiresAt = if_not_exists(expiresAt, :exp)',
        ExpressionAttributeNames: { '#c': `c_${reasonClass}` },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':exp': { N: String(epochSeconds(expiresAt)) } },
      }),
    );
  }

  /** An UpdateItem of the bucket's item: `reasonClass` added to its string set `open`, and its `expiresAt` if it has none. */
  async markOpen(reasonClass: string, bucketStart: number, expiresAt: number): Promise<void> {
    this.operations.writes++;
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: { S: countKey(bucketStart) } },
        UpdateExpression: 'ADD #open :class SET expiresAt = if_not_exists(expiresAt, :exp)',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':class': { SS: [reasonClass] }, ':exp': { N: String(epochSeconds(expiresAt)) } },
      }),
    );
  }

  /** An UpdateItem of `proof#<configurationVersion>` that sets `provenAt` if it has none. */
  async prove(configurationVersion: string, at: number): Promise<void> {
    this.operations.writes++;
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: { S: proofKey(configurationVersion) } },
        UpdateExpression: 'SET provenAt = if_not_exists(provenAt, :at)',
        ExpressionAttributeValues: { ':at': { N: String(at) } },
      }),
    );
    // When the fleet's history begins (for the breaker's usual level): the first proof of any version.
    this.operations.writes++;
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { pk: { S: FLEET_KEY } },
        UpdateExpression: 'SET since = if_not_exists(since, :at)',
        ExpressionAttributeValues: { ':at': { N: String(at) } },
      }),
    );
  }

  /**
   * Consistent BatchGetItems (100 keys each, sent together) of the proof, the `control` item and the
   * buckets. Keys left unprocessed are asked for again a few times, with a short backoff; if some
   * still are, it throws (the policy then holds: it cannot know).
   */
  async readFleet(configurationVersion: string, bucketStarts: readonly number[]): Promise<FleetState> {
    const now = Date.now();
    const proof = proofKey(configurationVersion);
    const buckets = new Map<string, number>();
    for (const start of bucketStarts) buckets.set(countKey(start), start);
    const keys = [proof, CONTROL_KEY, FLEET_KEY, ...buckets.keys()];
    const items = new Map<string, Record<string, AttributeValue>>();
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) chunks.push(keys.slice(i, i + BATCH_GET_KEYS));
    await Promise.all(chunks.map((chunk) => this.#batchGet(chunk, items)));

    const provenAt = numberOf(items.get(proof)?.provenAt);
    const { paused, released } = controlOf(items.get(CONTROL_KEY), this.#table);
    const counts: FleetState['counts'] = {};
    const open: FleetState['open'] = {};
    for (const [key, start] of buckets) {
      const item = items.get(key);
      if (!item || expired(item, now)) continue;
      const classes: Record<string, number> = {};
      for (const [name, value] of Object.entries(item)) {
        const count = name.startsWith('c_') ? numberOf(value) : undefined;
        if (count !== undefined) classes[name.slice(2)] = count;
      }
      counts[start] = classes;
      if (item.open?.SS?.length) open[start] = [...item.open.SS];
    }
    return { provenAt, since: numberOf(items.get(FLEET_KEY)?.since), paused, released, counts, open };
  }

  async #getItem(key: string): Promise<Record<string, AttributeValue> | undefined> {
    this.operations.reads++;
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { pk: { S: key } }, ConsistentRead: true }),
    );
    return Item;
  }

  async #batchGet(keys: readonly string[], into: Map<string, Record<string, AttributeValue>>): Promise<void> {
    let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ pk: { S: key } }));
    for (let attempt = 0; ; attempt++) {
      this.operations.reads++;
      const { Responses, UnprocessedKeys } = await this.#client.send(
        new BatchGetItemCommand({
          RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of Responses?.[this.#table] ?? []) if (item.pk?.S !== undefined) into.set(item.pk.S, item);
      pending = UnprocessedKeys?.[this.#table]?.Keys ?? [];
      if (pending.length === 0) return;
      if (attempt >= BATCH_GET_RETRIES) {
        throw new Error(
          `DynamoDbUnlinkLedger: ${pending.length} keys of table ${this.#table} stayed unprocessed after ${attempt + 1} BatchGetItem calls`,
        );
      }
      const wait = BATCH_GET_BACKOFF_MS * 2 ** attempt;
      await new Promise((resolve) => setTimeout(resolve, wait / 2 + Math.random() * (wait / 2)));
    }
  }
}
