/**
 * The fleet's unlinking ledger for end-to-end tests: dynalite on 127.0.0.1, tables made as
 * template.yaml's UnlinkLedgerTable (partition key `pk`, a string), and a copy of a SAM template
 * whose functions the AWS SDK can point at it.
 *
 * Why a copy: scripts/local-invoke.ts, like `sam local invoke`, hands a function only the
 * variables its template declares, and Lambda's own (the role's credentials, an endpoint) are not
 * among them. The copy is the template itself, the same functions, entry points and build
 * properties, with three more variables declared in Globals (`AWS_ENDPOINT_URL_DYNAMODB`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, empty unless a test sets them: {@link LedgerServer.env})
 * and its CodeUri made absolute. It is written under `.aws-sam/`, so its functions build into a
 * directory of their own (no other test's build is overwritten) from which the bundles still find
 * node_modules (My Lights keeps `@aws-sdk/*` external, as Lambda's runtime provides it).
 */
import { CreateTableCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { yamlParse } from 'yaml-cfn';
import { ROOT } from './invoke-cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface LedgerServer {
  /** dynalite's URL. */
  endpoint: string;
  /** A client of it, for the test's own reads. */
  client: DynamoDBClient;
  /** A new, empty ledger table (as UnlinkLedgerTable: `pk` S), its name. One per scenario: a fleet of its own. */
  createTable(): Promise<string>;
  /** What a function needs to use `table` as its ledger: UNLINK_LEDGER_TABLE and the SDK's endpoint and credentials. */
  env(table: string): Record<string, string>;
  /** Every item of `table` (a consistent scan). */
  items(table: string): Promise<Array<Record<string, AttributeValue>>>;
  close(): Promise<void>;
}

export async function startLedgerServer(): Promise<LedgerServer> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  let tables = 0;
  return {
    endpoint,
    client,
    async createTable() {
      const TableName = `unlink-ledger-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      return TableName;
    },
    env: (table) => ({
      UNLINK_LEDGER_TABLE: table,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    }),
    async items(table) {
      const { Items } = await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return Items ?? [];
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until some container's proof of a configuration (`proof#...`) is in `table`: the proof is written after the accepted reply, not before. */
export async function waitForProof(ledger: LedgerServer, table: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await ledger.items(table)).some((item) => item.pk?.S?.startsWith('proof#'))) return;
    if (Date.now() > until) throw new Error(`no proof in the ledger table ${table} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The copy of the SAM template at `templatePath` described above, written as JSON (which the
 * template reader parses as YAML) to `.aws-sam/e2e-unlink-ledger/<name>.json`; its path.
 * `variables` are declared too (empty), for a test to set (e.g. `LWA_TOKEN_URL`).
 */
export function templateWithLedgerAccess(
  templatePath: string,
  name: string,
  variables: readonly string[] = [],
): string {
  const template = yamlParse(readFileSync(templatePath, 'utf8')) as Record<string, any>;
  const globals = ((template.Globals ??= {}).Function ??= {});
  globals.Environment = {
    ...globals.Environment,
    Variables: {
      ...globals.Environment?.Variables,
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      ...Object.fromEntries(variables.map((variable) => [variable, ''])),
    },
  };
  const codeUri = (uri: unknown) => (typeof uri === 'string' ? path.resolve(path.dirname(templatePath), uri) : uri);
  if (globals.CodeUri !== undefined) globals.CodeUri = codeUri(globals.CodeUri);
  for (const resource of Object.values<any>(template.Resources ?? {})) {
    if (resource.Type === 'AWS::Serverless::Function' && resource.Properties?.CodeUri !== undefined)
      resource.Properties.CodeUri = codeUri(resource.Properties.CodeUri);
  }
  const dir = path.join(ROOT, '.aws-sam', 'e2e-unlink-ledger');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(template, null, 2));
  return file;
}
