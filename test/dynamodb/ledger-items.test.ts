/** lib/dynamodb/ledger-items.ts: the items of the unlinking ledger's table: keys, TTLs, and how they read back. */
import {
  controlOf,
  countKey,
  epochSeconds,
  expired,
  numberOf,
  proofKey,
  rejectionKey,
  rejectionOf,
} from '../../lib/dynamodb/ledger-items';

describe("the keys of the ledger's items", () => {
  it('put the kind of item first, then the configuration version, then the fingerprint', () => {
    expect(rejectionKey('fp-1', 'cfg-v1')).toBe('rejection#cfg-v1#fp-1');
    expect(countKey(1_700_000_000_000)).toBe('count#1700000000000');
    expect(proofKey('cfg-v1')).toBe('proof#cfg-v1');
  });
});

describe('epochSeconds', () => {
  it('rounds up, so that an item is never forgotten before its time', () => {
    expect(epochSeconds(1_000)).toBe(1);
    expect(epochSeconds(1_001)).toBe(2);
    expect(epochSeconds(1_999)).toBe(2);
  });
});

describe('numberOf and expired', () => {
  it('reads an N attribute as a number, and nothing else', () => {
    expect(numberOf({ N: '42.5' })).toBe(42.5);
    expect(numberOf({ S: '42' })).toBeUndefined();
    expect(numberOf({ N: 'Infinity' })).toBeUndefined();
    expect(numberOf(undefined)).toBeUndefined();
  });

  it('calls an item expired from its expiresAt second on, and never one without expiresAt', () => {
    expect(expired({ expiresAt: { N: '100' } }, 99_999)).toBe(false);
    expect(expired({ expiresAt: { N: '100' } }, 100_000)).toBe(true);
    expect(expired({}, Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

describe('rejectionOf', () => {
  const item = {
    fingerprint: { S: 'fp' },
    configurationVersion: { S: 'cfg-v1' },
    reasonClass: { S: 'signature' },
    firstRejectedAt: { N: '1700000000000' },
  };

  it('reads a rejection item as its entry', () => {
    expect(rejectionOf(item, 'k')).toEqual({
      fingerprint: 'fp',
      configurationVersion: 'cfg-v1',
      reasonClass: 'signature',
      firstRejectedAt: 1_700_000_000_000,
    });
  });

  it.each(['fingerprint', 'configurationVersion', 'reasonClass', 'firstRejectedAt'])(
    'throws, naming the key, on an item without %s',
    (name) => {
      const { [name as keyof typeof item]: _left, ...rest } = item;
      expect(() => rejectionOf(rest, 'rejection#cfg-v1#fp')).toThrow(
        'DynamoDbUnlinkLedger: the item rejection#cfg-v1#fp is not a rejection entry',
      );
    },
  );
});

describe('controlOf', () => {
  it('is neither paused nor released without a control item', () => {
    expect(controlOf(undefined, 't')).toEqual({ paused: false, released: {} });
  });

  it('reads paused and the released reason classes with their ends', () => {
    expect(controlOf({ paused: { BOOL: true }, released: { M: { signature: { N: '1700000000000' } } } }, 't')).toEqual({
      paused: true,
      released: { signature: 1_700_000_000_000 },
    });
    expect(controlOf({}, 't')).toEqual({ paused: false, released: {} });
  });

  it.each([
    ['a paused that is not a BOOL', { paused: { S: 'true' } }],
    ['a released that is not an M', { released: { S: 'signature' } }],
    ['a released signature that is not an N', { released: { M: { signature: { S: 'soon' } } } }],
  ])('throws on %s, naming the table', (what, item) => {
    expect(() => controlOf(item, 'ledger-table')).toThrow(`the control item of table ledger-table has ${what}`);
  });
});
