/**
 * How verifiers read an authorization server's answer: at most 1 MiB, whatever the server sends,
 * and a larger answer is "could not decide" (an AuthorizationServerError), read no further.
 */
import { AuthorizationServerError } from '../../lib';
import { fetchJson, MAX_ANSWER_BYTES } from '../../lib/verification/http';
import { startLoopback, type Loopback } from '../support/loopback';

let server: Loopback;
afterEach(async () => server?.close());

describe('fetchJson', () => {
  it('reads an answer up to MAX_ANSWER_BYTES', async () => {
    const keys = [{ kid: 'k'.repeat(1000) }];
    server = await startLoopback(
      (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys })),
    );
    expect((await fetchJson('JWKS', server.url, {})).body).toEqual({ keys });
  });

  it.each([
    ['says so in its content-length', true],
    ['is sent in chunks with no length', false],
  ])('refuses an answer of more than 1 MiB that %s, as an AuthorizationServerError', async (_name, withLength) => {
    const big = Buffer.alloc(MAX_ANSWER_BYTES + 10, 'a');
    server = await startLoopback((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(withLength ? { 'content-length': String(big.length) } : {}),
      });
      if (withLength) return void res.end(big);
      for (let offset = 0; offset < big.length; offset += 65536) res.write(big.subarray(offset, offset + 65536));
      res.end();
    });
    const answer = fetchJson('JWKS', server.url, {});
    await expect(answer).rejects.toBeInstanceOf(AuthorizationServerError);
    await expect(answer).rejects.toThrow(/more than 1048576 bytes/);
  });
});
