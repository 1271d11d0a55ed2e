/** lib/dynamodb/grant-store.ts: DynamoDbAlexaGrantStore on dynalite: one item per user, conditional writes answered, not thrown. */
import { CreateTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigurationError } from '../../lib';
import type { AlexaGrant } from '../../lib/directive/accept-grant';
import { DynamoDbAlexaGrantStore } from '../../lib/dynamodb';
import { startDynalite, type Dynalite } from './dynalite';

let dynamo: Dynalite;
let tables = 0;
beforeAll(async () => (dynamo = await startDynalite()));
afterAll(() => dynamo.close());

async function store(): Promise<{ store: DynamoDbAlexaGrantStore; tableName: string; client: DynamoDBClient }> {
  const tableName = `alexa-grants-${++tables}`;
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
    }),
  );
  return { store: new DynamoDbAlexaGrantStore({ tableName, client: dynamo.client }), tableName, client: dynamo.client };
}
const grant = (n: number, grantedAt = n * 1000): AlexaGrant => ({
  accessToken: `Atza|${n}`,
  refreshToken: `Atzr|${n}`,
  expiresAt: 1_800_000_000_000 + n,
  grantCodeHash: `hash-${n}`,
  grantedAt,
});

describe('DynamoDbAlexaGrantStore', () => {
  it('needs a tableName', () => {
    expect(() => new DynamoDbAlexaGrantStore({ tableName: '' })).toThrow(ConfigurationError);
  });

  it('stores one item per user, with every field, and reads it back', async () => {
    const { store: grants, tableName, client } = await store();
    expect(await grants.putIfNewer('user-1', grant(1))).toBe(true);
    expect(await grants.get('user-1')).toEqual(grant(1));
    expect(await grants.get('user-2')).toBeUndefined();
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { userId: { S: 'user-1' } } }));
    expect(Item).toEqual({
      userId: { S: 'user-1' },
      accessToken: { S: 'Atza|1' },
      refreshToken: { S: 'Atzr|1' },
      expiresAt: { N: String(grant(1).expiresAt) },
      grantCodeHash: { S: 'hash-1' },
      grantedAt: { N: '1000' },
    });
  });

  it('reads an incomplete item as no grant, and an item stored before grantedAt existed as granted at 0', async () => {
    const { store: grants, tableName, client } = await store();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          userId: { S: 'partial' },
          accessToken: { S: 'Atza|x' },
          refreshToken: { S: 'Atzr|x' },
          expiresAt: { N: '1' },
        },
      }),
    );
    expect(await grants.get('partial')).toBeUndefined();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          userId: { S: 'old' },
          accessToken: { S: 'Atza|o' },
          refreshToken: { S: 'Atzr|o' },
          expiresAt: { N: '5' },
          grantCodeHash: { S: 'h' },
        },
      }),
    );
    expect(await grants.get('old')).toEqual({
      accessToken: 'Atza|o',
      refreshToken: 'Atzr|o',
      expiresAt: 5,
      grantCodeHash: 'h',
      grantedAt: 0,
    });
    expect(await grants.putIfNewer('old', grant(1))).toBe(true); // any new grant takes its place
  });

  it('putIfNewer writes a grant not older than the stored one, and answers false (no throw) for an older one', async () => {
    const { store: grants } = await store();
    await grants.putIfNewer('u', grant(2));
    expect(await grants.putIfNewer('u', grant(1))).toBe(false);
    expect((await grants.get('u'))?.accessToken).toBe('Atza|2');
    expect(await grants.putIfNewer('u', grant(3, 2000))).toBe(true); // the same grantedAt
    expect(await grants.putIfNewer('u', grant(4))).toBe(true);
    expect((await grants.get('u'))?.accessToken).toBe('Atza|4');
  });

  it('putIfUnchanged writes only over the grant it came from', async () => {
    const { store: grants } = await store();
    await grants.putIfNewer('u', grant(1));
    expect(await grants.putIfUnchanged('u', grant(5), { refreshToken: 'Atzr|other', grantCodeHash: 'hash-1' })).toBe(
      false,
    );
    expect(await grants.putIfUnchanged('u', grant(5), { refreshToken: 'Atzr|1', grantCodeHash: 'hash-other' })).toBe(
      false,
    );
    expect((await grants.get('u'))?.accessToken).toBe('Atza|1');
    expect(await grants.putIfUnchanged('u', grant(5), { refreshToken: 'Atzr|1', grantCodeHash: 'hash-1' })).toBe(true);
    expect((await grants.get('u'))?.accessToken).toBe('Atza|5');
    expect(await grants.putIfUnchanged('nobody', grant(6), { refreshToken: 'Atzr|1', grantCodeHash: 'hash-1' })).toBe(
      false,
    );
  });

  it('throws any failure other than a refused condition', async () => {
    const missing = new DynamoDbAlexaGrantStore({ tableName: 'no-such-table', client: dynamo.client });
    await expect(missing.putIfNewer('u', grant(1))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(
      missing.putIfUnchanged('u', grant(1), { refreshToken: 'r', grantCodeHash: 'h' }),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
