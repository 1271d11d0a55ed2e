/**
 * An {@link AlexaGrantStore} on DynamoDB (AWS SDK v3), imported on its own
 * (`ask-sdk-account-linking/dynamodb`) so that skills without it never load the SDK.
 *
 * One item per linked user: `userId` (the partition key, a string), `accessToken`, `refreshToken`,
 * `expiresAt` (epoch ms), `grantCodeHash`. Keep the table encrypted at rest (template.yaml does).
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { AlexaGrant, AlexaGrantStore } from './directive/accept-grant';
import { ConfigurationError } from './errors';

/** Where {@link DynamoDbAlexaGrantStore} keeps the grants. */
export interface DynamoDbGrantStoreOptions {
  /** The table's name (partition key `userId`, a string); required. */
  tableName: string;
  /** Default: a client for the Lambda's own region and credentials. */
  client?: DynamoDBClient;
}

/** An {@link AlexaGrantStore} on a DynamoDB table: one item per linked user, read consistently. */
export class DynamoDbAlexaGrantStore implements AlexaGrantStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoDbGrantStoreOptions) {
    if (!options.tableName) throw new ConfigurationError('DynamoDbAlexaGrantStore needs a tableName');
    this.#table = options.tableName;
    this.#client = options.client ?? new DynamoDBClient({});
  }

  /** The grant stored for `userId`, or `undefined` when there is none (or the item is incomplete). */
  async get(userId: string): Promise<AlexaGrant | undefined> {
    const { Item } = await this.#client.send(new GetItemCommand({ TableName: this.#table, Key: { userId: { S: userId } }, ConsistentRead: true }));
    if (!Item?.accessToken?.S || !Item.refreshToken?.S || !Item.expiresAt?.N || !Item.grantCodeHash?.S) return undefined;
    return { accessToken: Item.accessToken.S, refreshToken: Item.refreshToken.S, expiresAt: Number(Item.expiresAt.N), grantCodeHash: Item.grantCodeHash.S };
  }

  /** Stores `grant` for `userId`, replacing what was there. */
  async put(userId: string, grant: AlexaGrant): Promise<void> {
    await this.#client.send(new PutItemCommand({
      TableName: this.#table,
      Item: {
        userId: { S: userId },
        accessToken: { S: grant.accessToken },
        refreshToken: { S: grant.refreshToken },
        expiresAt: { N: String(grant.expiresAt) },
        grantCodeHash: { S: grant.grantCodeHash },
      },
    }));
  }
}
