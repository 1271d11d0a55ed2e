/**
 * The built My Lights Lambda exchanges AcceptGrant codes at a stand-in for Login with Amazon and
 * keeps the grants in DynamoDB (dynalite): of two deliveries in two containers, the newer grant
 * stays stored even when the older one's exchange ends last.
 */
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { acceptGrantDirective, mintAccessToken } from '../../lib/testing';
import { describeRuntimeChoice } from '../../scripts/local-invoke/runtime';
import { startWarmFunction, type WarmFunction } from '../../scripts/local-invoke/warm-function';
import { ROOT } from '../support/invoke-cli';
import { json, startLoopback, type Loopback } from '../support/loopback';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';
import { startLedgerServer, templateWithLedgerAccess, type LedgerServer } from '../support/unlink-ledger';

const LOCAL = JSON.parse(readFileSync(path.join(ROOT, 'events/env.local.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
const ENV = LOCAL.MyLightsFunction;
const CLIENT_ID = 'amzn1.application-oa2-client.my-lights-e2e';
const CLIENT_SECRET = 'lwa-client-secret-for-the-e2e-test';
const runtime = describeRuntimeChoice('auto').runtime === 'aws-lambda-ric' ? 'ric' : 'node';
const token = mintAccessToken({
  key: ENV.JWT_SECRET,
  algorithm: 'HS256',
  issuer: ENV.JWT_ISSUER,
  audience: ENV.JWT_AUDIENCE,
  subject: 'home-owner-1',
});

let dynamo: LedgerServer;
let lwa: Loopback;
/** Exchanges of codes starting with `slow-` wait for this. */
let releaseSlow: () => void = () => {};
let slow: Promise<void> = Promise.resolve();
const containers: WarmFunction[] = [];

beforeAll(async () => {
  dynamo = await startLedgerServer();
  lwa = await startLoopback(async (req, res) => {
    const form = new URLSearchParams(req.body);
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET)
      return json(res, 401, { error: 'invalid_client' });
    const code = form.get('code') ?? '';
    if (code.startsWith('slow-')) await slow;
    json(res, 200, {
      access_token: `Atza|from-${code}`,
      refresh_token: `Atzr|from-${code}`,
      token_type: 'bearer',
      expires_in: 3600,
    });
  });
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: 'my-lights-grants',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
    }),
  );
  const template = templateWithLedgerAccess(path.join(ROOT, 'template.yaml'), 'accept-grant', ['LWA_TOKEN_URL']);
  const { UNLINK_LEDGER_TABLE: _none, ...sdk } = dynamo.env('');
  const env = {
    ...ENV,
    ...sdk,
    SKILL_ID: '',
    ALEXA_CLIENT_ID: CLIENT_ID,
    ALEXA_CLIENT_SECRET: CLIENT_SECRET,
    ALEXA_GRANTS_TABLE: 'my-lights-grants',
    LWA_TOKEN_URL: `${lwa.url}/auth/o2/token`,
  };
  // two containers of one function: Alexa's two deliveries may reach different ones
  containers.push(
    await startWarmFunction({
      templatePath: template,
      logicalId: 'MyLightsFunction',
      runtime,
      envVars: { MyLightsFunction: env },
    }),
  );
  containers.push(
    await startWarmFunction({
      templatePath: template,
      logicalId: 'MyLightsFunction',
      runtime,
      envVars: { MyLightsFunction: env },
      build: false,
    }),
  );
});
afterAll(async () => {
  releaseSlow();
  await Promise.all(containers.map((fn) => fn.stop()));
  await lwa?.close();
  await dynamo?.close();
});

const stored = async () =>
  (
    await dynamo.client.send(
      new GetItemCommand({
        TableName: 'my-lights-grants',
        Key: { userId: { S: 'home-owner-1' } },
        ConsistentRead: true,
      }),
    )
  ).Item;
const reply = async (fn: WarmFunction, event: unknown) => {
  const result = await fn.invoke(event);
  if (!result.ok) throw new Error(`the function failed: ${JSON.stringify(result.error)}`);
  return result.response as any;
};

describeWithSmartHomeSchema('AcceptGrant on the built My Lights Lambda, two containers, one DynamoDB table', () => {
  it('stores the grant of one delivery, exchanged at LWA, and answers AcceptGrant.Response', async () => {
    const answer = await reply(containers[0], acceptGrantDirective(token, 'first-grant'));
    expect(answer.event.header).toMatchObject({ namespace: 'Alexa.Authorization', name: 'AcceptGrant.Response' });
    expect(answer).toMatchSmartHomeSchema();
    expect((await stored())?.accessToken?.S).toBe('Atza|from-first-grant');
    expect(containers.map((fn) => fn.logs()).join('')).not.toContain('first-grant');
  });

  it("keeps the newer grant when the older delivery's exchange ends after the newer one's", async () => {
    slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const older = reply(containers[0], acceptGrantDirective(token, 'slow-older-grant'));
    while (!lwa.requests.some((request) => request.body.includes('slow-older-grant')))
      await new Promise((resolve) => setTimeout(resolve, 10));
    const newer = await reply(containers[1], acceptGrantDirective(token, 'newer-grant'));
    expect(newer.event.header.name).toBe('AcceptGrant.Response');
    expect((await stored())?.accessToken?.S).toBe('Atza|from-newer-grant');
    releaseSlow();
    const olderAnswer = await older;
    expect(olderAnswer.event.header.name).toBe('AcceptGrant.Response'); // the user is linked, with the newer grant
    expect(olderAnswer).toMatchSmartHomeSchema();
    expect((await stored())?.accessToken?.S).toBe('Atza|from-newer-grant');
  });
});
