/**
 * The DynamoDB parts (AWS SDK v3), imported on their own (`ask-sdk-account-linking/dynamodb`) so
 * that skills without them never load the SDK: an {@link AlexaGrantStore}
 * ({@link DynamoDbAlexaGrantStore}) and the fleet's {@link UnlinkLedger} ({@link DynamoDbUnlinkLedger}).
 *
 * The grant store keeps one item per linked user: `userId` (the partition key, a string),
 * `accessToken`, `refreshToken`, `expiresAt` (epoch ms), `grantCodeHash`, `grantedAt` (epoch ms). Keep the table encrypted
 * at rest (template.yaml does).
 *
 * @module ask-sdk-account-linking/dynamodb
 */
import type { AlexaGrantStore } from './directive/accept-grant';
import type { UnlinkLedger } from './unlink-ledger';

export { DynamoDbAlexaGrantStore, type DynamoDbGrantStoreOptions } from './dynamodb/grant-store';
export { DynamoDbUnlinkLedger, type DynamoDbUnlinkLedgerOptions } from './dynamodb/unlink-ledger';
