import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AddressInfo } from 'node:net';
import {
  acceptGrantHandler,
  AlexaEventGatewayTokens,
  directiveSkillBuilder,
  MemoryAlexaGrantStore,
  NoAlexaGrantError,
  withAccountLinking,
  type AlexaEvent,
  type AlexaGrantStore,
} from '../../lib';
import { DynamoDbAlexaGrantStore } from '../../lib/dynamodb';
import { acceptGrantDirective } from '../../lib/testing';
import { jwtVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';
import { json, startLoopback } from '../support/loopback';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

const CLIENT_ID = 'amzn1.application-oa2-client.my-lights';
const CLIENT_SECRET = 'lwa-client-secret-never-logged';

/** A stand-in for LWA's token endpoint: grant codes are single-use, refresh tokens rotate. */
async function startLwa() {
  const used = new Set<string>();
  let mode: 'ok' | 'down' | 'hang' = 'ok';
  let issued = 0;
  const server = await startLoopback((req, res) => {
    const form = new URLSearchParams(req.body);
    if (mode === 'down') return json(res, 503, { error: 'ServiceUnavailable' });
    if (mode === 'hang') return;
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET)
      return json(res, 401, { error: 'invalid_client' });
    const grant = form.get('grant_type') === 'authorization_code' ? form.get('code') : form.get('refresh_token');
    if (!grant || used.has(grant) || grant.startsWith('bad'))
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: 'The request has an invalid grant parameter',
      });
    used.add(grant);
    issued++;
    json(res, 200, {
      access_token: `Atza|gateway-${issued}`,
      refresh_token: `Atzr|refresh-${issued}`,
      token_type: 'bearer',
      expires_in: 3600,
    });
  });
  return {
    server,
    get exchanges() {
      return server.requests.length;
    },
    set mode(next: 'ok' | 'down' | 'hang') {
      mode = next;
    },
  };
}

let lwa: Awaited<ReturnType<typeof startLwa>>;
let dynamo: { close(cb: () => void): void; address(): AddressInfo };
let client: DynamoDBClient;
let table = 0;

beforeAll(async () => {
  lwa = await startLwa();
  dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => (dynamo as any).listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${dynamo.address().port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await lwa.server.close();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
});

async function dynamoStore(): Promise<DynamoDbAlexaGrantStore> {
  const tableName = `alexa-grants-${++table}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
    }),
  );
  return new DynamoDbAlexaGrantStore({ tableName, client });
}

function skill(store: AlexaGrantStore, timeoutMs = 2000) {
  const logger = recordingLogger();
  const created = withAccountLinking(directiveSkillBuilder().withLogger(logger), {
    verifier: jwtVerifier,
    unlinking: false,
  })
    .addDirectiveHandler(
      'Alexa.Authorization',
      'AcceptGrant',
      acceptGrantHandler({
        credentials: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: `${lwa.server.url}/auth/o2/token` },
        store,
        timeoutMs,
        logger,
      }),
    )
    .create();
  return { logger, invoke: (event: unknown) => created.invoke(event) as Promise<AlexaEvent<any>> };
}

beforeEach(() => {
  lwa.mode = 'ok';
});

describeWithSmartHomeSchema('AcceptGrant with the grant code exchanged and stored in DynamoDB (dynalite)', () => {
  it('exchanges the code, stores the tokens for the linked user, then answers AcceptGrant.Response', async () => {
    const store = await dynamoStore();
    const before = lwa.exchanges;
    const reply = await skill(store).invoke(acceptGrantDirective(hsToken(), 'code-1'));
    expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Authorization', name: 'AcceptGrant.Response' });
    expect(reply).toMatchSmartHomeSchema();
    expect(lwa.exchanges).toBe(before + 1);
    expect(await store.get('rider-42')).toMatchObject({
      accessToken: expect.stringMatching(/^Atza\|gateway-/),
      refreshToken: expect.stringMatching(/^Atzr\|/),
    });
  });

  it.each([
    ['LWA says invalid_grant', 'bad-code', 'ok'],
    ['LWA answers 5xx', 'code-5xx', 'down'],
    ['LWA hangs past the deadline', 'code-hang', 'hang'],
  ] as const)('answers ACCEPT_GRANT_FAILED, and stores nothing, when %s', async (_name, code, mode) => {
    const store = await dynamoStore();
    lwa.mode = mode;
    const { invoke, logger } = skill(store, 300);
    const reply = await invoke(acceptGrantDirective(hsToken(), code));
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(reply).toMatchSmartHomeSchema();
    expect(await store.get('rider-42')).toBeUndefined();
    expect(logger.text()).not.toContain(code);
    expect(logger.text()).not.toContain(CLIENT_SECRET);
  });

  it('answers ACCEPT_GRANT_FAILED when the store cannot write', async () => {
    const failing: AlexaGrantStore = {
      get: async () => undefined,
      putIfNewer: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      putIfUnchanged: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    const reply = await skill(failing).invoke(acceptGrantDirective(hsToken(), 'code-store'));
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
  });

  it('exchanges a grant delivered twice only once, and keeps the stored tokens', async () => {
    const store = await dynamoStore();
    const { invoke } = skill(store);
    const before = lwa.exchanges;
    const directive = acceptGrantDirective(hsToken(), 'code-dup');
    expect((await invoke(directive)).event.header.name).toBe('AcceptGrant.Response');
    const stored = await store.get('rider-42');
    expect((await invoke(directive)).event.header.name).toBe('AcceptGrant.Response');
    expect(lwa.exchanges).toBe(before + 1);
    expect(await store.get('rider-42')).toEqual(stored);
  });

  it('exchanges a grant delivered twice at once only once', async () => {
    const store = await dynamoStore();
    const { invoke } = skill(store);
    const before = lwa.exchanges;
    const directive = acceptGrantDirective(hsToken(), 'code-concurrent');
    const replies = await Promise.all([invoke(directive), invoke(directive)]);
    expect(replies.map((r) => r.event.header.name)).toEqual(['AcceptGrant.Response', 'AcceptGrant.Response']);
    expect(lwa.exchanges).toBe(before + 1);
  });

  it("keeps the newest grant when an older AcceptGrant's exchange ends after a newer one's", async () => {
    for (const store of [await dynamoStore(), new MemoryAlexaGrantStore()]) {
      const { invoke } = skill(store);
      let releaseOlder = () => {};
      const olderHeld = new Promise<void>((resolve) => {
        releaseOlder = resolve;
      });
      const fast = lwa.server.route;
      // the older grant's exchange answers only after the newer one is stored
      lwa.server.route = async (req, res) => {
        if (new URLSearchParams(req.body).get('code')?.startsWith('code-older')) await olderHeld;
        await fast(req, res);
      };
      try {
        const suffix = store instanceof MemoryAlexaGrantStore ? 'memory' : 'dynamodb';
        const older = invoke(acceptGrantDirective(hsToken(), `code-older-${suffix}`));
        await new Promise((resolve) => setTimeout(resolve, 20)); // Alexa sends the newer grant later
        const newer = await invoke(acceptGrantDirective(hsToken(), `code-newer-${suffix}`));
        expect(newer.event.header.name).toBe('AcceptGrant.Response');
        const storedNewer = await store.get('rider-42');
        releaseOlder();
        expect((await older).event.header.name).toBe('AcceptGrant.Response'); // accepted: the user is linked, with the newer grant
        expect(await store.get('rider-42')).toEqual(storedNewer);
      } finally {
        releaseOlder();
        lwa.server.route = fast;
      }
    }
  });

  it('stores a grant only if no later one is stored (DynamoDB and memory stores), and takes the place of one stored before grantedAt existed', async () => {
    const grant = (grantedAt: number, name: string) => ({
      accessToken: `Atza|${name}`,
      refreshToken: `Atzr|${name}`,
      expiresAt: 1,
      grantCodeHash: name,
      grantedAt,
    });
    for (const store of [await dynamoStore(), new MemoryAlexaGrantStore()]) {
      expect(await store.putIfNewer('u5', grant(200, 'newer'))).toBe(true);
      expect(await store.putIfNewer('u5', grant(100, 'older'))).toBe(false);
      expect(await store.get('u5')).toEqual(grant(200, 'newer'));
      expect(await store.putIfNewer('u5', grant(300, 'newest'))).toBe(true);
      expect(await store.get('u5')).toEqual(grant(300, 'newest'));
    }
    const store = await dynamoStore();
    await client.send(
      new PutItemCommand({
        TableName: `alexa-grants-${table}`,
        Item: {
          userId: { S: 'u6' },
          accessToken: { S: 'Atza|v1' },
          refreshToken: { S: 'Atzr|v1' },
          expiresAt: { N: '1' },
          grantCodeHash: { S: 'v1' },
        },
      }),
    );
    expect(await store.get('u6')).toMatchObject({ grantCodeHash: 'v1', grantedAt: 0 });
    expect(await store.putIfNewer('u6', grant(1, 'now'))).toBe(true);
  });

  it('answers ACCEPT_GRANT_FAILED for a directive without a grant code, without asking LWA', async () => {
    const before = lwa.exchanges;
    const directive = acceptGrantDirective(hsToken()) as any;
    delete directive.directive.payload.grant;
    expect((await skill(new MemoryAlexaGrantStore()).invoke(directive)).event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(lwa.exchanges).toBe(before);
  });
});

describe('AlexaEventGatewayTokens', () => {
  const credentials = () => ({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenUrl: `${lwa.server.url}/auth/o2/token`,
  });

  it('refuses, at construction, a grant store without putIfUnchanged (a refresh could overwrite a newer AcceptGrant)', () => {
    const store = { get: async () => undefined, putIfNewer: async () => true } as unknown as MemoryAlexaGrantStore;
    expect(() => new AlexaEventGatewayTokens({ credentials: credentials(), store })).toThrow(/putIfUnchanged/);
  });

  it('hands out the stored token while it is valid, without asking LWA', async () => {
    const store = await dynamoStore();
    await store.putIfNewer('u1', {
      accessToken: 'Atza|still-good',
      refreshToken: 'Atzr|r0',
      expiresAt: Date.now() + 600_000,
      grantCodeHash: 'h',
      grantedAt: 1,
    });
    const before = lwa.exchanges;
    expect(await new AlexaEventGatewayTokens({ credentials: credentials(), store }).accessTokenFor('u1')).toBe(
      'Atza|still-good',
    );
    expect(lwa.exchanges).toBe(before);
  });

  it('refreshes an expired token once for concurrent callers, and stores the new refresh token', async () => {
    const store = await dynamoStore();
    await store.putIfNewer('u2', {
      accessToken: 'Atza|old',
      refreshToken: 'Atzr|refresh-to-use',
      expiresAt: Date.now() - 1000,
      grantCodeHash: 'h',
      grantedAt: 1,
    });
    const tokens = new AlexaEventGatewayTokens({ credentials: credentials(), store });
    const before = lwa.exchanges;
    const handedOut = await Promise.all(Array.from({ length: 5 }, () => tokens.accessTokenFor('u2')));
    expect(new Set(handedOut).size).toBe(1);
    expect(handedOut[0]).toMatch(/^Atza\|gateway-/);
    expect(lwa.exchanges).toBe(before + 1);
    expect(await store.get('u2')).toMatchObject({
      accessToken: handedOut[0],
      refreshToken: expect.stringMatching(/^Atzr\|refresh-\d+$/),
      grantCodeHash: 'h',
      grantedAt: 1,
    });
  });

  it("never overwrites a newer AcceptGrant that landed while it was refreshing, and hands out the newer grant's token", async () => {
    const store = await dynamoStore();
    await store.putIfNewer('u3', {
      accessToken: 'Atza|old',
      refreshToken: 'Atzr|refresh-before-regrant',
      expiresAt: Date.now() - 1000,
      grantCodeHash: 'old-grant',
      grantedAt: 1,
    });
    const newer = {
      accessToken: 'Atza|from-the-new-grant',
      refreshToken: 'Atzr|new-grant',
      expiresAt: Date.now() + 3_600_000,
      grantCodeHash: 'new-grant',
      grantedAt: 2,
    };
    // the new AcceptGrant is stored while LWA answers the refresh of the old grant
    const racing: AlexaGrantStore = {
      get: (userId) => store.get(userId),
      putIfNewer: (userId, grant) => store.putIfNewer(userId, grant),
      putIfUnchanged: async (userId, grant, expected) => {
        await store.putIfNewer('u3', newer);
        return store.putIfUnchanged(userId, grant, expected);
      },
    };
    const token = await new AlexaEventGatewayTokens({ credentials: credentials(), store: racing }).accessTokenFor('u3');
    expect(token).toBe('Atza|from-the-new-grant');
    expect(await store.get('u3')).toEqual(newer);
  });

  it('writes a refreshed grant only over the grant it came from (DynamoDB and memory stores)', async () => {
    const grant = { accessToken: 'Atza|a', refreshToken: 'Atzr|a', expiresAt: 1, grantCodeHash: 'h', grantedAt: 1 };
    const next = { ...grant, accessToken: 'Atza|b', refreshToken: 'Atzr|b' };
    for (const store of [await dynamoStore(), new MemoryAlexaGrantStore()]) {
      expect(await store.putIfUnchanged('u4', next, grant)).toBe(false); // nothing stored yet
      await store.putIfNewer('u4', grant);
      expect(await store.putIfUnchanged('u4', next, { ...grant, grantCodeHash: 'other' })).toBe(false);
      expect(await store.get('u4')).toEqual(grant);
      expect(await store.putIfUnchanged('u4', next, grant)).toBe(true);
      expect(await store.get('u4')).toEqual(next);
    }
  });

  it('says so when no grant is stored', async () => {
    await expect(
      new AlexaEventGatewayTokens({ credentials: credentials(), store: new MemoryAlexaGrantStore() }).accessTokenFor(
        'nobody',
      ),
    ).rejects.toBeInstanceOf(NoAlexaGrantError);
  });
});
