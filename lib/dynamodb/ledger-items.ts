/**
 * The items of {@link DynamoDbUnlinkLedger}'s table: their keys, their TTL (epoch seconds), and how
 * they read back (a rejection entry, the operator's `control` item).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { FleetState, RejectionEntry } from '../unlink-ledger';

/** The key of a token's first rejection under a configuration version. */
export function rejectionKey(fingerprint: string, configurationVersion: string): string {
  return `rejection#${configurationVersion}#${fingerprint}`;
}

/** The key of a time bucket's counts. */
export function countKey(bucketStart: number): string {
  return `count#${bucketStart}`;
}

/** The key of a configuration version's proof. */
export function proofKey(configurationVersion: string): string {
  return `proof#${configurationVersion}`;
}

/** A TTL attribute's value: epoch seconds, rounded up (an item is never forgotten before its time). */
export function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/** Whether an item is past its `expiresAt` (epoch seconds), although DynamoDB may not have deleted it yet. */
export function expired(item: Record<string, AttributeValue>, now = Date.now()): boolean {
  const seconds = numberOf(item.expiresAt);
  return seconds !== undefined && seconds * 1000 <= now;
}

/** An N attribute as a number; undefined when absent or not finite. */
export function numberOf(value: AttributeValue | undefined): number | undefined {
  if (value?.N === undefined) return undefined;
  const number = Number(value.N);
  return Number.isFinite(number) ? number : undefined;
}

/** A rejection item as its entry; throws on an item of another shape. */
export function rejectionOf(item: Record<string, AttributeValue>, key: string): RejectionEntry {
  const firstRejectedAt = numberOf(item.firstRejectedAt);
  const { fingerprint, configurationVersion, reasonClass } = item;
  if (
    fingerprint?.S === undefined ||
    configurationVersion?.S === undefined ||
    reasonClass?.S === undefined ||
    firstRejectedAt === undefined
  ) {
    throw new Error(`DynamoDbUnlinkLedger: the item ${key} is not a rejection entry`);
  }
  return {
    fingerprint: fingerprint.S,
    configurationVersion: configurationVersion.S,
    reasonClass: reasonClass.S,
    firstRejectedAt,
  };
}

/** The operator's `control` item: absent is neither paused nor released; a wrong shape throws (every rejection is then held). */
export function controlOf(
  item: Record<string, AttributeValue> | undefined,
  table: string,
): Pick<FleetState, 'paused' | 'released'> {
  const wrong = (what: string) =>
    new Error(
      `DynamoDbUnlinkLedger: the control item of table ${table} has ${what} (see DynamoDbUnlinkLedger's documentation for its shape)`,
    );
  if (!item) return { paused: false, released: {} };
  let paused = false;
  if (item.paused !== undefined) {
    if (typeof item.paused.BOOL !== 'boolean') throw wrong('a paused that is not a BOOL');
    paused = item.paused.BOOL;
  }
  const released: Record<string, number> = {};
  if (item.released !== undefined) {
    if (!item.released.M) throw wrong('a released that is not an M');
    for (const [reasonClass, until] of Object.entries(item.released.M)) {
      const ms = numberOf(until);
      if (ms === undefined) throw wrong(`a released ${reasonClass} that is not an N`);
      released[reasonClass] = ms;
    }
  }
  return { paused, released };
}
