/** A DynamoDB stand-in (dynalite) on 127.0.0.1 for the tests of this folder (not a test file). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

export interface Dynalite {
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** Starts dynalite (tables created at once) and a client for it. */
export async function startDynalite(): Promise<Dynalite> {
  const server: {
    listen(port: number, host: string, cb: () => void): void;
    close(cb: () => void): void;
    address(): AddressInfo;
  } = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
