/** lib/cli/http-probe.ts: check-server's HTTP calls, on loopback: no redirect followed, bounded bodies, errors that name no secret. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback, parseJson, probe, ProbeError } from '../../lib/cli/http-probe';
import { json, startLoopback, type Loopback } from '../support/loopback';

describe('probe', () => {
  let server: Loopback;
  beforeEach(async () => (server = await startLoopback((_req, res) => json(res, 200, { ok: true }))));
  afterEach(() => server.close());

  it('answers the status, headers and body, with the time it took', async () => {
    const answer = await probe(`${server.url}/token`, { requestTimeoutMs: 2000 });
    expect(answer).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json' }),
      body: '{"ok":true}',
      elapsedMs: expect.any(Number),
    });
    expect(server.requests[0]).toMatchObject({ method: 'GET', url: '/token' });
  });

  it('sends a POST with its headers, the body and its length', async () => {
    await probe(`${server.url}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&é=1',
      requestTimeoutMs: 2000,
    });
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', body: 'grant_type=refresh_token&é=1' });
    expect(request!.headers['content-length']).toBe(String(Buffer.byteLength('grant_type=refresh_token&é=1')));
  });

  it('does not follow a redirect', async () => {
    server.route = (_req, res) => void res.writeHead(302, { Location: '/elsewhere' }).end();
    const answer = await probe(`${server.url}/authorize`, { requestTimeoutMs: 2000 });
    expect([answer.status, answer.headers.location]).toEqual([302, '/elsewhere']);
    expect(server.requests).toHaveLength(1);
  });

  it('gives up with ETIMEDOUT after requestTimeoutMs, naming the URL without its query', async () => {
    server.route = () => undefined; // never answers
    const error = await probe(`${server.url}/token?code=secret-code`, { requestTimeoutMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProbeError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: `${server.url}/token did not answer within 100 ms` });
    expect((error as ProbeError).elapsedMs).toBeGreaterThanOrEqual(90);
  });

  it('refuses a body over a megabyte with ETOOBIG', async () => {
    server.route = (_req, res) => void res.writeHead(200).end(Buffer.alloc(1_048_577, 0x61));
    await expect(probe(`${server.url}/big`, { requestTimeoutMs: 5000 })).rejects.toMatchObject({
      name: 'ProbeError',
      code: 'ETOOBIG',
    });
  });

  it("says a refused connection is unreachable, with Node's code", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(probe(`http://127.0.0.1:${port}/token`, { requestTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: `http://127.0.0.1:${port}/token could not be reached (ECONNREFUSED)`,
    });
  });
});

describe('isLoopback', () => {
  it.each([
    'http://localhost:3000/t',
    'http://auth.localhost/t',
    'http://127.0.0.1/t',
    'http://127.1.2.3:8080/t',
    'http://[::1]:9000/t',
    'http://LOCALHOST/t',
  ])('is true for %s', (url) => {
    expect(isLoopback(url)).toBe(true);
  });

  it.each(['https://auth.example.com/t', 'http://128.0.0.1/t', 'http://localhost.example.com/t', 'http://[::2]/t'])(
    'is false for %s',
    (url) => {
      expect(isLoopback(url)).toBe(false);
    },
  );
});

describe('parseJson', () => {
  it('is the object of a JSON object, and undefined for anything else', () => {
    expect(parseJson('{"a":1}')).toEqual({ a: 1 });
    for (const text of ['[1]', 'null', '"s"', '3', '<html>', '']) expect(parseJson(text)).toBeUndefined();
  });
});
