/**
 * A demo resource server for the Jukebox example: `GET /subscription` with `Authorization: Bearer
 * <access token>` answers the linked user's tier, `{"tier":"free"|"premium"}`. It verifies the
 * token as a real resource server would (with a verifier configured like the skill's), and knows
 * one rule: subjects that start with `premium` have a premium subscription.
 *
 *   npm run resource-server            listens on http://127.0.0.1:4555/subscription
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { verifierFromEnvironment, type Environment, type LinkedUser, type TokenVerifier } from '../lib';

export const DEFAULT_PORT = 4555;

export interface ResourceServer {
  /** The subscription endpoint, e.g. `http://127.0.0.1:4555/subscription`. */
  url: string;
  /** How many subscription look-ups it answered (for tests). */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startResourceServer(verifier: TokenVerifier<LinkedUser>, port = 0): Promise<ResourceServer> {
  let requests = 0;
  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' || req.url !== '/subscription') return reply(404, { error: 'not_found' });
    requests++;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return reply(401, { error: 'invalid_token' });
    const verdict = await verifier
      .verify(token, { family: 'music', signal: AbortSignal.timeout(3000), deadline: new Date(Date.now() + 3000) })
      .catch(() => undefined);
    if (!verdict) return reply(503, { error: 'temporarily_unavailable' });
    if (verdict.outcome !== 'valid') return reply(401, { error: 'invalid_token' });
    reply(200, { tier: verdict.principal.subject.startsWith('premium') ? 'premium' : 'free' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/subscription`,
    get requests() {
      return requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (require.main === module) {
  const env = JSON.parse(readFileSync(path.resolve(__dirname, '../events/env.local.json'), 'utf8'))
    .JukeboxFunction as Environment;
  startResourceServer(verifierFromEnvironment(env), DEFAULT_PORT).then((server) => {
    console.log(`Jukebox resource server on ${server.url} (Ctrl-C stops it)`);
  });
}
