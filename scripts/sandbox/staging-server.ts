/**
 * A stand-in for the wrong authorization server of a bad deploy (a staging server's URL pasted
 * into production): its JWKS holds a key that signed none of the sandbox's tokens, and its
 * introspection endpoint knows none of them (`active: false` for every token).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signingKey } from './authorization-server';

export interface StagingServer {
  jwksUri: string;
  introspectionUrl: string;
  close(): Promise<void>;
}

export async function startStagingServer(): Promise<StagingServer> {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...publicKey
  } = signingKey('staging-key-1') as Record<string, unknown>;
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(req.url === '/jwks' || req.url === '/introspect' ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify(
        req.url === '/jwks'
          ? { keys: [publicKey] }
          : req.url === '/introspect'
            ? { active: false }
            : { error: 'not_found' },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    jwksUri: `${url}/jwks`,
    introspectionUrl: `${url}/introspect`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
