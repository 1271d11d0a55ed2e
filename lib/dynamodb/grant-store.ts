/**
 * The {@link AlexaGrantStore} on DynamoDB: one item per linked user, `userId` (the partition key, a
 * string), `accessToken`, `refreshToken`, `expiresAt` (epoch ms), `grantCodeHash`, `grantedAt`
 * (epoch ms). Keep the table encrypted at rest (template.yaml does). See `docs/smart-home.md`.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AlexaGrant, AlexaGrantStore, AlexaGrantVersion } from '../directive/accept-grant';
import { ConfigurationError } from '../errors';
import { isConditionalCheckFailure } from './conditional-check';

/** Where {@link DynamoDbAlexaGrantStore} keeps the grants. */
export interface DynamoDbGrantStoreOptions {
  /** The table's name (partition key `userId`, a string); required. */
  tableName: string;
  /**
   * The client the table is reached with.
   * @default a client for the Lambda's own region and credentials
   */
  client?: DynamoDBClient | undefined;
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
    const { Item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { userId: { S: userId } }, ConsistentRead: true }),
    );
    if (!Item?.accessToken?.S || !Item.refreshToken?.S || !Item.expiresAt?.N || !Item.grantCodeHash?.S)
      return undefined;
    return {
      accessToken: Item.accessToken.S,
      refreshToken: Item.refreshToken.S,
      expiresAt: Number(Item.expiresAt.N),
      grantCodeHash: Item.grantCodeHash.S,
      grantedAt: Number(Item.grantedAt?.N ?? 0), // an item stored before grantedAt existed is older than any new grant
    };
  }

  /** A PutItem with a ConditionExpression: no grant stored, or one with a `grantedAt` not after this one's. */
  async putIfNewer(userId: string, grant: AlexaGrant): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item(userId, grant),
          ConditionExpression:
            'attribute_not_exists(userId) OR attribute_not_exists(grantedAt) OR grantedAt <= :grantedAt',
          ExpressionAttributeValues: { ':grantedAt': { N: String(grant.grantedAt) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  /** A PutItem with a ConditionExpression on the stored refresh token and grant code hash. */
  async putIfUnchanged(userId: string, grant: AlexaGrant, expected: AlexaGrantVersion): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item(userId, grant),
          ConditionExpression: 'refreshToken = :expectedRefreshToken AND grantCodeHash = :expectedGrantCodeHash',
          ExpressionAttributeValues: {
            ':expectedRefreshToken': { S: expected.refreshToken },
            ':expectedGrantCodeHash': { S: expected.grantCodeHash },
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
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
    grantedAt: { N: String(grant.grantedAt) },
  };
}
