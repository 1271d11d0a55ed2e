/**
 * An {@link AlexaGrantStore} on DynamoDB (AWS SDK v3), imported on its own
 * (`ask-sdk-account-linking/dynamodb`) so that skills without it never load the SDK.
 *
 * One item per linked user: `userId` (the partition key, a string), `accessToken`, `refreshToken`,
 * `expiresAt` (epoch ms), `grantCodeHash`. Keep the table encrypted at rest (template.yaml does).
 *
 * @module ask-sdk-account-linking/dynamodb
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AlexaGrant, AlexaGrantStore, AlexaGrantVersion } from './directive/accept-grant';
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
    await this.#client.send(new PutItemCommand({ TableName: this.#table, Item: item(userId, grant) }));
  }

  /** A PutItem with a ConditionExpression on the stored refresh token and grant code hash. */
  async putIfUnchanged(userId: string, grant: AlexaGrant, expected: AlexaGrantVersion): Promise<boolean> {
    try {
      await this.#client.send(new PutItemCommand({
        TableName: this.#table,
        Item: item(userId, grant),
        ConditionExpression: 'refreshToken = :expectedRefreshToken AND grantCodeHash = :expectedGrantCodeHash',
        ExpressionAttributeValues: { ':expectedRefreshToken': { S: expected.refreshToken }, ':expectedGrantCodeHash': { S: expected.grantCodeHash } },
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function item(userId: string, grant: AlexaGrant): Record<string, AttributeValue> {
  return {
    userId: { S: userId },
    accessToken: { S: grant.accessToken },
    refreshToken: { S: grant.refreshToken },
    expiresAt: { N: String(grant.expiresAt) },
    grantCodeHash: { S: grant.grantCodeHash },
  };
}
