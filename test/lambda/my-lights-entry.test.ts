/**
 * My Lights' Lambda entry point (lambda/my-lights/index.ts): the AWS SDK's DynamoDB client is
 * loaded when the grant store is first used, never at init; and the store, loaded so, works.
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { acceptGrantDirective, mintAccessToken } from '../../lib/testing';
import { json, startLoopback, type Loopback } from '../support/loopback';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const VERIFIER_ENV = {
  TOKEN_VERIFIER: 'jwt',
  JWT_SECRET: SECRET,
  JWT_ISSUER: 'https://auth.example.test/',
  JWT_AUDIENCE: 'my-lights',
  JWT_ALGORITHMS: 'HS256',
  LOG_LEVEL: 'silent',
};
const token = mintAccessToken({
  key: SECRET,
  algorithm: 'HS256',
  issuer: VERIFIER_ENV.JWT_ISSUER,
  audience: VERIFIER_ENV.JWT_AUDIENCE,
  subject: 'user-1',
});

/** Loads the entry point afresh with `env`, recording whether @aws-sdk/client-dynamodb is required. */
function loadEntryPoint(env: Record<string, string>) {
  const sdk = { loaded: false };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let handler!: (event: unknown, context?: unknown) => Promise<any>;
  try {
    jest.isolateModules(() => {
      jest.doMock('@aws-sdk/client-dynamodb', () => {
        sdk.loaded = true;
        return jest.requireActual('@aws-sdk/client-dynamodb');
      });
      handler = require('../../lambda/my-lights/index').handler;
    });
  } finally {
    process.env = saved;
  }
  return { handler, sdk };
}

afterEach(() => jest.dontMock('@aws-sdk/client-dynamodb'));

describe('My Lights entry point', () => {
  it('does not load the AWS SDK at init when AcceptGrant exchange is not configured', () => {
    const { sdk } = loadEntryPoint({ ...VERIFIER_ENV, ALEXA_CLIENT_ID: '' });
    expect(sdk.loaded).toBe(false);
  });

  describe('with AcceptGrant exchange configured (DynamoDB on dynalite, LWA on a loopback server)', () => {
    let lwa: Loopback;
    let dynamo: {
      listen(port: number, host: string, cb: () => void): void;
      close(cb: () => void): void;
      address(): AddressInfo;
    };
    let client: DynamoDBClient;
    let env: Record<string, string>;

    beforeAll(async () => {
      lwa = await startLoopback((_req, res) =>
        json(res, 200, {
          access_token: 'Atza|gateway',
          refresh_token: 'Atzr|refresh',
          token_type: 'bearer',
          expires_in: 3600,
        }),
      );
      dynamo = dynalite({ createTableMs: 0 });
      await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
      const endpoint = `http://127.0.0.1:${dynamo.address().port}`;
      const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
      await client.send(
        new CreateTableCommand({
          TableName: 'grants',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'userId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
        }),
      );
      env = {
        ...VERIFIER_ENV,
        ALEXA_CLIENT_ID: 'amzn1.application-oa2-client.my-lights',
        ALEXA_CLIENT_SECRET: 'lwa-secret',
        ALEXA_GRANTS_TABLE: 'grants',
        LWA_TOKEN_URL: `${lwa.url}/auth/o2/token`,
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      };
    });
    afterAll(async () => {
      client.destroy();
      await lwa.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    });

    it('does not load the AWS SDK at init, loads it for the first AcceptGrant, and stores the grant in the table', async () => {
      const { handler, sdk } = loadEntryPoint(env);
      expect(sdk.loaded).toBe(false);

      const saved = { ...process.env };
      Object.assign(process.env, env); // the SDK reads its endpoint, region and credentials when the client is made
      try {
        const reply = await handler(acceptGrantDirective(token), { getRemainingTimeInMillis: () => 7000 });
        expect(reply.event.header).toMatchObject({ namespace: 'Alexa.Authorization', name: 'AcceptGrant.Response' });
      } finally {
        process.env = saved;
      }
      expect(sdk.loaded).toBe(true);
      const { Items } = await client.send(new ScanCommand({ TableName: 'grants' }));
      expect(Items).toHaveLength(1);
      expect(Items?.[0].accessToken).toEqual({ S: 'Atza|gateway' });
      expect(Items?.[0].refreshToken).toEqual({ S: 'Atzr|refresh' });
    });
  });
});
