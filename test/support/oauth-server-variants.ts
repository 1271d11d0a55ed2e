/**
 * The authorization server of the `check-server` tests (oauth-variants-provider.mjs: oidc-provider in
 * a child process, one Alexa client per good or bad configuration), served over HTTPS with a
 * certificate from a loopback test certificate authority made here with openssl, and over plain
 * HTTP. The test CA lives in a temp dir; processes that should trust it get NODE_EXTRA_CA_CERTS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ALEXA_REDIRECT_URIS = [
  'https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA',
  'https://alexa.amazon.co.jp/api/skill/link/M2AAAAAAAAAAAA',
];
export const AUDIENCE = 'ride-hailer-alexa-skill';

export type Variant =
  'alexa-good' | 'alexa-no-refresh' | 'alexa-short' | 'alexa-rotating' | 'alexa-slow' | 'alexa-one-region';

export const secretOf = (clientId: string) => `${clientId}-secret-${'x'.repeat(8)}`;

export interface TestCertificateAuthority {
  dir: string;
  /** The CA's certificate (PEM): what NODE_EXTRA_CA_CERTS names. */
  caFile: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA, and its key. */
  certFile: string;
  keyFile: string;
  remove(): void;
}

/** A certificate authority of its own and a server certificate from it, for loopback TLS. P-256 keys: quick to make. */
export function makeTestCertificateAuthority(): TestCertificateAuthority {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'check-server-ca-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=check-server loopback test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(
    file('server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('server.ext'),
  );
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface VariantServer {
  /** https://127.0.0.1:<port>: the issuer. */
  issuer: string;
  /** http://127.0.0.1:<port>: the same server over plain HTTP. */
  plainOrigin: string;
  /** An unused grant code of a fresh link for `client`, issued for `redirectUri` (default: the North American one). */
  code(client: Variant, redirectUri?: string): Promise<{ code: string; redirectUri: string }>;
  /** The token response of a fresh link for `client`. */
  tokens(client: Variant): Promise<{ access_token: string; refresh_token?: string; expires_in: number }>;
  stop(): Promise<void>;
}

export async function startVariantServer(
  ca: TestCertificateAuthority,
  options: { slowMs?: number } = {},
): Promise<VariantServer> {
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'check-server-key',
    alg: 'RS256',
    use: 'sig',
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(__dirname, 'oauth-variants-provider.mjs'),
      JSON.stringify({ certFile: ca.certFile, keyFile: ca.keyFile, signingKey, slowMs: options.slowMs }),
    ],
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile } },
  );
  const [issuer, plainOrigin] = await new Promise<[string, string]>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the variant server did not start: ${output}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /READY (\S+) (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve([ready[1], ready[2]]);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the variant server exited (${code}): ${output}`)));
  });
  let commands = 0;
  const command = <T>(name: string, args: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = ++commands;
      const onMessage = (message: { id: number; ok: boolean; error?: string }) => {
        if (message.id !== id) return;
        child.off('message', onMessage);
        if (message.ok) resolve(message as unknown as T);
        else reject(new Error(`the variant server refused "${name}": ${message.error}`));
      };
      child.on('message', onMessage);
      child.send({ id, command: name, ...args });
    });
  return {
    issuer,
    plainOrigin,
    code: (client, redirectUri) => command('code', { client, ...(redirectUri ? { redirectUri } : {}) }),
    tokens: async (client) =>
      (
        await command<{ tokens: { access_token: string; refresh_token?: string; expires_in: number } }>('tokens', {
          client,
        })
      ).tokens,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
