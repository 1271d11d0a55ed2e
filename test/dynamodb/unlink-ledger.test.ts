/**
 * The unlinking ledger on DynamoDB (dynalite, on 127.0.0.1), against the same behavioural
 * assertions as MemoryUnlinkLedger (the reference semantics), so that the two stay equivalent; then
 * what is DynamoDB's own: the items' layout, the operator's `control` item as documented, BatchGetItem
 * chunks and retries, and the requests counted.
 */
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { yamlParse } from 'yaml-cfn';
import { DynamoDbUnlinkLedger } from '../../lib/dynamodb';
import { ConfigurationError } from '../../lib/errors';
import { MemoryUnlinkLedger, type RejectionEntry, type UnlinkLedger } from '../../lib/unlink-ledger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

const ROOT = path.resolve(__dirname, '../..');
const HOUR = 3_600_000;
const VERSION = 'cfg-v1';

let dynamo: {
  listen(port: number, host: string, cb: () => void): void;
  close(cb: () => void): void;
  address(): AddressInfo;
};
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${dynamo.address().port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
});

/** A table with the key schema of template.yaml's UnlinkLedgerTable. */
async function createLedgerTable(): Promise<string> {
  const template = yamlParse(readFileSync(path.join(ROOT, 'template.yaml'), 'utf8')) as any;
  const { AttributeDefinitions, KeySchema, BillingMode } = template.Resources.UnlinkLedgerTable.Properties;
  const tableName = `unlink-ledger-${++tables}`;
  await client.send(new CreateTableCommand({ TableName: tableName, AttributeDefinitions, KeySchema, BillingMode }));
  return tableName;
}

/** One skill's fleet: `container()` is the ledger of one more container of it; pause and release are the operator's. */
interface Fleet {
  container(): UnlinkLedger;
  pause(paused: boolean): Promise<void>;
  release(reasonClass: string, until: number): Promise<void>;
}

function memoryFleet(): Fleet {
  const shared = new MemoryUnlinkLedger();
  return {
    container: () => shared,
    pause: async (paused) => shared.setPaused(paused),
    release: async (reasonClass, until) => shared.release(reasonClass, until),
  };
}

async function dynamoFleet(): Promise<Fleet & { tableName: string }> {
  const tableName = await createLedgerTable();
  const control = { paused: false, released: {} as Record<string, number> };
  // the operator's put-item: the whole item, in the shape DynamoDbUnlinkLedger documents
  const putControl = () =>
    client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: 'control' },
          paused: { BOOL: control.paused },
          released: {
            M: Object.fromEntries(
              Object.entries(control.released).map(([reasonClass, until]) => [reasonClass, { N: String(until) }]),
            ),
          },
        },
      }),
    );
  return {
    tableName,
    container: () => new DynamoDbUnlinkLedger({ tableName, client }),
    pause: async (paused) => {
      control.paused = paused;
      await putControl();
    },
    release: async (reasonClass, until) => {
      control.released[reasonClass] = until;
      await putControl();
    },
  };
}

function rejection(overrides: Partial<RejectionEntry> = {}): RejectionEntry {
  return {
    fingerprint: 'f'.repeat(64),
    configurationVersion: VERSION,
    reasonClass: 'signature',
    firstRejectedAt: Date.now(),
    ...overrides,
  };
}

describe.each<[string, () => Fleet | Promise<Fleet>]>([
  ['MemoryUnlinkLedger', memoryFleet],
  ['DynamoDbUnlinkLedger (dynalite)', dynamoFleet],
])('%s', (_name, makeFleet) => {
  let fleet: Fleet;
  beforeEach(async () => {
    fleet = await makeFleet();
  });

  describe('rejections', () => {
    it('records the first rejection of a token, and returns it to every later one (first: false), whatever they say', async () => {
      const ledger = fleet.container();
      const entry = rejection({ firstRejectedAt: 1_000 });
      await expect(ledger.recordRejection(entry, Date.now() + HOUR)).resolves.toEqual({ entry, first: true });
      const later = rejection({ firstRejectedAt: 2_000, reasonClass: 'expired' });
      await expect(ledger.recordRejection(later, Date.now() + 2 * HOUR)).resolves.toEqual({ entry, first: false });
      await expect(ledger.getRejection(entry.fingerprint, VERSION)).resolves.toEqual(entry);
    });

    it("keeps a token's rejections apart per configuration version, and tokens apart", async () => {
      const ledger = fleet.container();
      const entry = rejection({ firstRejectedAt: 1_000 });
      await ledger.recordRejection(entry, Date.now() + HOUR);
      await expect(ledger.getRejection(entry.fingerprint, 'cfg-v2')).resolves.toBeUndefined();
      await expect(ledger.getRejection('0'.repeat(64), VERSION)).resolves.toBeUndefined();
      const underV2 = rejection({ configurationVersion: 'cfg-v2', firstRejectedAt: 5_000 });
      await expect(ledger.recordRejection(underV2, Date.now() + HOUR)).resolves.toEqual({
        entry: underV2,
        first: true,
      });
      await expect(ledger.getRejection(entry.fingerprint, VERSION)).resolves.toEqual(entry);
    });

    it('does not hand out its own entry to be changed', async () => {
      const ledger = fleet.container();
      const entry = rejection({ firstRejectedAt: 1_000 });
      const { entry: returned } = await ledger.recordRejection(entry, Date.now() + HOUR);
      returned.firstRejectedAt = 9_999;
      entry.reasonClass = 'changed';
      await expect(ledger.getRejection(entry.fingerprint, VERSION)).resolves.toMatchObject({
        firstRejectedAt: 1_000,
        reasonClass: 'signature',
      });
    });

    it('lets exactly one of two containers racing for the same token be first, and gives both the same firstRejectedAt', async () => {
      for (let round = 0; round < 5; round++) {
        const fingerprint = String(round).repeat(64);
        const [a, b] = [fleet.container(), fleet.container()];
        const results = await Promise.all([
          a.recordRejection(rejection({ fingerprint, firstRejectedAt: 1_000 + round }), Date.now() + HOUR),
          b.recordRejection(
            rejection({ fingerprint, firstRejectedAt: 2_000 + round, reasonClass: 'inactive' }),
            Date.now() + HOUR,
          ),
        ]);
        expect(results.filter((r) => r.first)).toHaveLength(1);
        expect(results[0].entry).toEqual(results[1].entry);
        expect(results.find((r) => r.first)!.entry.firstRejectedAt).toBe(results[0].entry.firstRejectedAt);
        await expect(a.getRejection(fingerprint, VERSION)).resolves.toEqual(results[0].entry);
      }
    });

    it('lets exactly one of many containers be first', async () => {
      const containers = Array.from({ length: 8 }, () => fleet.container());
      const results = await Promise.all(
        containers.map((ledger, i) =>
          ledger.recordRejection(rejection({ firstRejectedAt: 1_000 + i }), Date.now() + HOUR),
        ),
      );
      expect(results.filter((r) => r.first)).toHaveLength(1);
      expect(new Set(results.map((r) => r.entry.firstRejectedAt)).size).toBe(1);
    });

    it("treats an entry past its expiresAt as absent: the token's next rejection is first again", async () => {
      const ledger = fleet.container();
      const old = rejection({ firstRejectedAt: 1_000 });
      await expect(ledger.recordRejection(old, Date.now() - 1_000)).resolves.toMatchObject({ first: true });
      await expect(ledger.getRejection(old.fingerprint, VERSION)).resolves.toBeUndefined();
      const fresh = rejection({ firstRejectedAt: 5_000, reasonClass: 'expired' });
      await expect(ledger.recordRejection(fresh, Date.now() + HOUR)).resolves.toEqual({ entry: fresh, first: true });
      await expect(fleet.container().getRejection(old.fingerprint, VERSION)).resolves.toEqual(fresh);
      await expect(ledger.recordRejection(rejection({ firstRejectedAt: 9_000 }), Date.now() + HOUR)).resolves.toEqual({
        entry: fresh,
        first: false,
      });
    });

    it('lets exactly one of two containers be first over an expired entry', async () => {
      await fleet.container().recordRejection(rejection({ firstRejectedAt: 1_000 }), Date.now() - 1_000);
      const results = await Promise.all([
        fleet.container().recordRejection(rejection({ firstRejectedAt: 2_000 }), Date.now() + HOUR),
        fleet.container().recordRejection(rejection({ firstRejectedAt: 3_000 }), Date.now() + HOUR),
      ]);
      expect(results.filter((r) => r.first)).toHaveLength(1);
      expect(results[0].entry).toEqual(results[1].entry);
      expect([2_000, 3_000]).toContain(results[0].entry.firstRejectedAt);
    });
  });

  describe("the fleet's state", () => {
    it('knows nothing at first', async () => {
      await expect(fleet.container().readFleet(VERSION, [0, 300_000])).resolves.toEqual({
        provenAt: undefined,
        paused: false,
        released: {},
        counts: {},
        open: {},
      });
    });

    it('counts first rejections per bucket and reason class, from every container, and the classes the breaker was open for', async () => {
      const [a, b] = [fleet.container(), fleet.container()];
      const exp = Date.now() + 24 * HOUR;
      await Promise.all([
        ...Array.from({ length: 10 }, () => a.countRejection('signature', 300_000, exp)),
        ...Array.from({ length: 10 }, () => b.countRejection('signature', 300_000, exp)),
        a.countRejection('expired', 300_000, exp),
        b.countRejection('not-before', 600_000, exp),
        a.markOpen('signature', 600_000, exp),
        b.markOpen('signature', 600_000, exp),
        b.markOpen('inactive', 900_000, exp),
      ]);
      const state = await fleet.container().readFleet(VERSION, [0, 300_000, 600_000, 900_000]);
      expect(state.counts).toEqual({
        300_000: { signature: 20, expired: 1 },
        600_000: { 'not-before': 1 },
        900_000: {},
      });
      expect(state.open).toEqual({ 600_000: ['signature'], 900_000: ['inactive'] });
    });

    it('reads only the buckets asked for, and copes with one asked twice', async () => {
      const ledger = fleet.container();
      await ledger.countRejection('signature', 300_000, Date.now() + HOUR);
      await ledger.countRejection('signature', 600_000, Date.now() + HOUR);
      await expect(ledger.readFleet(VERSION, [600_000, 600_000])).resolves.toMatchObject({
        counts: { 600_000: { signature: 1 } },
        open: {},
      });
    });

    it('treats a bucket past its expiresAt as absent', async () => {
      const ledger = fleet.container();
      await ledger.countRejection('signature', 300_000, Date.now() - 1_000);
      await ledger.markOpen('signature', 300_000, Date.now() - 1_000);
      await ledger.countRejection('signature', 600_000, Date.now() + HOUR);
      await expect(ledger.readFleet(VERSION, [300_000, 600_000])).resolves.toMatchObject({
        counts: { 600_000: { signature: 1 } },
        open: {},
      });
    });

    it('reads more than 100 buckets at once', async () => {
      const ledger = fleet.container();
      const starts = Array.from({ length: 288 }, (_, i) => 1_700_000_000_000 + i * 300_000);
      const expected: Record<number, Record<string, number>> = {};
      await Promise.all(
        starts
          .filter((_, i) => i % 7 === 0)
          .map((start, j) => {
            expected[start] = { signature: 1 };
            return ledger.countRejection('signature', start, Date.now() + HOUR + j);
          }),
      );
      await ledger.markOpen('expired', starts[286], Date.now() + HOUR);
      expected[starts[286]] = {};
      await ledger.prove(VERSION, 1_234);
      const state = await ledger.readFleet(VERSION, starts);
      expect(state.counts).toEqual(expected);
      expect(state.open).toEqual({ [starts[286]]: ['expired'] });
      expect(state.provenAt).toBe(1_234);
    });

    it('keeps the first proof of a configuration version, and none of another', async () => {
      const [a, b] = [fleet.container(), fleet.container()];
      await a.prove(VERSION, 1_000);
      await b.prove(VERSION, 2_000);
      await expect(b.readFleet(VERSION, [])).resolves.toMatchObject({ provenAt: 1_000 });
      await expect(a.readFleet('cfg-v2', [])).resolves.toMatchObject({ provenAt: undefined });
    });

    it('says since when the fleet has run: its first proof of any configuration version', async () => {
      const [a, b] = [fleet.container(), fleet.container()];
      await expect(a.readFleet(VERSION, [])).resolves.toMatchObject({ since: undefined });
      await a.prove(VERSION, 1_000);
      await b.prove('cfg-v2', 5_000);
      await expect(b.readFleet('cfg-v2', [])).resolves.toMatchObject({ since: 1_000, provenAt: 5_000 });
    });

    it("reads the operator's pause and releases", async () => {
      const ledger = fleet.container();
      const until = Date.now() + HOUR;
      await fleet.pause(true);
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({ paused: true, released: {} });
      await fleet.pause(false);
      await fleet.release('signature', until);
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({
        paused: false,
        released: { signature: until },
      });
    });
  });
});

describe('DynamoDbUnlinkLedger (dynalite): its own', () => {
  let tableName: string;
  let ledger: DynamoDbUnlinkLedger;
  beforeEach(async () => {
    tableName = await createLedgerTable();
    ledger = new DynamoDbUnlinkLedger({ tableName, client });
  });
  const raw = async (pk: string) =>
    (await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk } }, ConsistentRead: true })))
      .Item;

  it('needs a tableName', () => {
    expect(() => new DynamoDbUnlinkLedger({ tableName: '' })).toThrow(ConfigurationError);
  });

  it('lays its items out as documented, with expiresAt in epoch seconds rounded up', async () => {
    const fingerprint = 'a'.repeat(64);
    await ledger.recordRejection(rejection({ fingerprint, firstRejectedAt: 1_700_000_000_123 }), 1_700_000_360_001);
    expect(await raw(`rejection#${VERSION}#${fingerprint}`)).toEqual({
      pk: { S: `rejection#${VERSION}#${fingerprint}` },
      fingerprint: { S: fingerprint },
      configurationVersion: { S: VERSION },
      reasonClass: { S: 'signature' },
      firstRejectedAt: { N: '1700000000123' },
      expiresAt: { N: '1700000361' },
    });

    const exp = Date.now() + HOUR;
    await ledger.countRejection('signature', 1_700_000_100_000, exp);
    await ledger.countRejection('signature', 1_700_000_100_000, exp + 10 * HOUR); // the bucket keeps its first expiresAt
    await ledger.markOpen('signature', 1_700_000_100_000, exp);
    expect(await raw('count#1700000100000')).toEqual({
      pk: { S: 'count#1700000100000' },
      c_signature: { N: '2' },
      open: { SS: ['signature'] },
      expiresAt: { N: String(Math.ceil(exp / 1000)) },
    });

    await ledger.prove(VERSION, 1_700_000_000_000);
    expect(await raw(`proof#${VERSION}`)).toEqual({ pk: { S: `proof#${VERSION}` }, provenAt: { N: '1700000000000' } });
  });

  it('overwrites an expired rejection item DynamoDB has not deleted yet, and only that one', async () => {
    const fingerprint = 'b'.repeat(64);
    await ledger.recordRejection(rejection({ fingerprint, firstRejectedAt: 1_000 }), Date.now() - 1_000);
    const fresh = rejection({ fingerprint, firstRejectedAt: 2_000 });
    await expect(ledger.recordRejection(fresh, Date.now() + HOUR)).resolves.toEqual({ entry: fresh, first: true });
    expect(await raw(`rejection#${VERSION}#${fingerprint}`)).toMatchObject({
      firstRejectedAt: { N: '2000' },
      expiresAt: { N: String(Math.ceil((Date.now() + HOUR) / 1000)) },
    });
  });

  it('treats a rejection item without expiresAt (written by hand) as live', async () => {
    const fingerprint = 'c'.repeat(64);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `rejection#${VERSION}#${fingerprint}` },
          fingerprint: { S: fingerprint },
          configurationVersion: { S: VERSION },
          reasonClass: { S: 'inactive' },
          firstRejectedAt: { N: '42' },
        },
      }),
    );
    await expect(ledger.getRejection(fingerprint, VERSION)).resolves.toEqual({
      fingerprint,
      configurationVersion: VERSION,
      reasonClass: 'inactive',
      firstRejectedAt: 42,
    });
    await expect(ledger.recordRejection(rejection({ fingerprint }), Date.now() + HOUR)).resolves.toMatchObject({
      first: false,
      entry: { firstRejectedAt: 42 },
    });
  });

  it('throws on a rejection item that is no rejection entry (the policy then holds)', async () => {
    const fingerprint = 'd'.repeat(64);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: `rejection#${VERSION}#${fingerprint}` }, firstRejectedAt: { S: 'yesterday' } },
      }),
    );
    await expect(ledger.getRejection(fingerprint, VERSION)).rejects.toThrow(/is not a rejection entry/);
    await expect(ledger.recordRejection(rejection({ fingerprint }), Date.now() + HOUR)).rejects.toThrow(
      /is not a rejection entry/,
    );
  });

  describe('the control item, written with the documented commands', () => {
    /** The ```sh blocks of DynamoDbUnlinkLedger's TSDoc, in order. */
    function documentedCommands(): string[] {
      const source = readFileSync(path.join(ROOT, 'lib/dynamodb/unlink-ledger.ts'), 'utf8');
      const end = source.indexOf('export class DynamoDbUnlinkLedger');
      const doc = source
        .slice(source.lastIndexOf('/**', end), end)
        .split('\n')
        .map((line) => line.replace(/^ \* ?/, ''))
        .join('\n');
      return [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
    }

    /** Runs a documented block in bash with a stand-in `aws` that checks it is `dynamodb put-item` on $TABLE and prints its --item. */
    function itemOf(command: string): Record<string, AttributeValue> {
      const fakeAws = [
        'aws() {',
        '  [ "$1 $2" = "dynamodb put-item" ] || { echo "not put-item: $*" >&2; return 1; }',
        '  shift 2',
        '  while [ "$#" -gt 0 ]; do',
        '    case "$1" in',
        '      --table-name) [ "$2" = "$TABLE" ] || { echo "table $2" >&2; return 1; }; shift 2 ;;',
        '      --item) printf "%s" "$2"; shift 2 ;;',
        '      *) echo "unknown $1" >&2; return 1 ;;',
        '    esac',
        '  done',
        '}',
      ].join('\n');
      const output = execFileSync('bash', ['-euc', `${fakeAws}\n${command}`], {
        env: { ...process.env, TABLE: tableName },
        encoding: 'utf8',
      });
      return JSON.parse(output);
    }

    it('documents three commands: pause, resume, release one class for an hour', () => {
      const commands = documentedCommands();
      expect(commands).toHaveLength(3);
      for (const command of commands) expect(command).toContain('aws dynamodb put-item --table-name "$TABLE" --item ');
    });

    it('reads the documented pause as paused, resume as not, and the release as the class released for an hour', async () => {
      const [pause, resume, release] = documentedCommands().map(itemOf);
      await client.send(new PutItemCommand({ TableName: tableName, Item: pause }));
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({ paused: true, released: {} });

      await client.send(new PutItemCommand({ TableName: tableName, Item: resume }));
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({ paused: false, released: {} });

      const before = Date.now();
      await client.send(new PutItemCommand({ TableName: tableName, Item: release }));
      const { paused, released } = await ledger.readFleet(VERSION, []);
      expect(paused).toBe(false);
      expect(Object.keys(released)).toEqual(['signature']);
      expect(released.signature).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + HOUR - 1000);
      expect(released.signature).toBeLessThanOrEqual(Date.now() + HOUR + 1000);
    });

    it('takes a control item without paused or released as neither', async () => {
      await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'control' } } }));
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({ paused: false, released: {} });
    });

    it.each<[string, Record<string, AttributeValue>]>([
      ['paused as a string', { paused: { S: 'true' } }],
      ['released as a list', { released: { L: [{ S: 'signature' }] } }],
      ['a released class without a number', { released: { M: { signature: { S: 'tomorrow' } } } }],
    ])(
      'throws on a control item with %s, so that every rejection is held until it is put right',
      async (_what, attributes) => {
        await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'control' }, ...attributes } }));
        await expect(ledger.readFleet(VERSION, [])).rejects.toThrow(/control item/);
      },
    );
  });

  describe('BatchGetItem', () => {
    /** A client that sends everything to dynalite, but may meddle with BatchGetItem. */
    function meddling(
      onBatchGet: (
        keys: Record<string, AttributeValue>[],
        real: () => Promise<BatchGetItemCommandOutput>,
      ) => Promise<BatchGetItemCommandOutput>,
    ) {
      const calls: number[] = [];
      const fake = {
        send: async (command: any) => {
          if (!(command instanceof BatchGetItemCommand)) return client.send(command);
          const request = command.input.RequestItems![tableName];
          expect(request.ConsistentRead).toBe(true);
          calls.push(request.Keys!.length);
          return onBatchGet(request.Keys!, () => client.send(command));
        },
      };
      return { ledger: new DynamoDbUnlinkLedger({ tableName, client: fake as unknown as DynamoDBClient }), calls };
    }

    it('asks for at most 100 keys a call, consistently, and counts one read per call', async () => {
      const { ledger: counted, calls } = meddling((_keys, real) => real());
      const starts = Array.from({ length: 250 }, (_, i) => i * 300_000);
      await counted.readFleet(VERSION, starts);
      expect(calls.sort((a, b) => b - a)).toEqual([100, 100, 53]); // 250 buckets, the proof, control and fleet
      expect(counted.operations).toEqual({ reads: 3, writes: 0 });
    });

    it('asks again for the keys left unprocessed, and returns what they hold', async () => {
      await ledger.countRejection('signature', 300_000, Date.now() + HOUR);
      await ledger.prove(VERSION, 7);
      let meddled = 0;
      const { ledger: retrying, calls } = meddling(async (keys, real) => {
        if (meddled++ >= 2) return real();
        const [first, ...rest] = keys;
        const answer = await client.send(
          new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: [first], ConsistentRead: true } } }),
        );
        return { ...answer, UnprocessedKeys: rest.length ? { [tableName]: { Keys: rest, ConsistentRead: true } } : {} };
      });
      await expect(retrying.readFleet(VERSION, [0, 300_000])).resolves.toMatchObject({
        provenAt: 7,
        counts: { 300_000: { signature: 1 } },
      });
      expect(calls).toEqual([5, 4, 3]);
      expect(retrying.operations.reads).toBe(3);
    });

    it('throws when keys stay unprocessed (the policy then holds: it cannot know)', async () => {
      const { ledger: starved, calls } = meddling(async (keys) => ({
        $metadata: {},
        Responses: { [tableName]: [] },
        UnprocessedKeys: { [tableName]: { Keys: keys, ConsistentRead: true } },
      }));
      await expect(starved.readFleet(VERSION, [0])).rejects.toThrow(/stayed unprocessed/);
      expect(calls).toEqual([4, 4, 4, 4, 4]);
    });
  });

  it('counts its requests: a write per PutItem or UpdateItem, a read per GetItem or BatchGetItem call', async () => {
    const entry = rejection();
    await ledger.recordRejection(entry, Date.now() + HOUR);
    expect(ledger.operations).toEqual({ reads: 0, writes: 1 });
    await ledger.recordRejection(entry, Date.now() + HOUR); // the conditional PutItem fails, a GetItem reads the entry
    expect(ledger.operations).toEqual({ reads: 1, writes: 2 });
    await ledger.getRejection(entry.fingerprint, VERSION);
    await ledger.countRejection('signature', 0, Date.now() + HOUR);
    await ledger.markOpen('signature', 0, Date.now() + HOUR);
    await ledger.prove(VERSION, 1);
    await ledger.readFleet(VERSION, [0, 300_000]);
    expect(ledger.operations).toEqual({ reads: 3, writes: 6 }); // prove writes the proof and the fleet's `since`
  });

  it('reaches DynamoDB where AWS_ENDPOINT_URL_DYNAMODB says when given no client', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamo.address().port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    try {
      const own = new DynamoDbUnlinkLedger({ tableName });
      await own.prove(VERSION, 99);
      await expect(ledger.readFleet(VERSION, [])).resolves.toMatchObject({ provenAt: 99 });
    } finally {
      for (const key of ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
