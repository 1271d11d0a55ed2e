/**
 * MemoryUnlinkLedger, the ledger of one container: bounded whatever comes. The behaviour it shares
 * with DynamoDbUnlinkLedger (the reference semantics, asserted of both): test/dynamodb/unlink-ledger.test.ts.
 */
import { MemoryUnlinkLedger } from '../lib/unlink-ledger';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('MemoryUnlinkLedger', () => {
  // Its entries age by Date.now(): the flood happens at T0, as the rejections it records say.
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(T0));
  afterEach(() => jest.restoreAllMocks());

  it('keeps a memory ledger bounded under a flood of distinct tokens: 100,000 first rejections at most, the oldest forgotten first', async () => {
    const ledger = new MemoryUnlinkLedger();
    const entry = (i: number) => ({
      fingerprint: `fp-${i}`,
      configurationVersion: 'v1',
      reasonClass: 'signature',
      firstRejectedAt: T0,
    });
    for (let i = 0; i <= 100_000; i++) await ledger.recordRejection(entry(i), T0 + HOUR);
    expect(await ledger.getRejection('fp-0', 'v1')).toBeUndefined();
    expect(await ledger.getRejection('fp-1', 'v1')).toMatchObject({ fingerprint: 'fp-1' });
    expect(await ledger.getRejection('fp-100000', 'v1')).toMatchObject({ fingerprint: 'fp-100000' });
  });
});
