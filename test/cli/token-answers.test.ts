/** lib/cli/token-answers.ts: token requests sent as Alexa sends them, and how their answers are judged. */
import type { Finding } from '../../lib/cli/findings';
import { ProbeError } from '../../lib/cli/http-probe';
import type { ServerCheckConfig } from '../../lib/cli/server-check-config';
import {
  basicCredential,
  describeFailure,
  judgeTimes,
  judgeTokenAnswer,
  judgeTokenShape,
  requestToken,
  type TokenAnswer,
} from '../../lib/cli/token-answers';
import { json, startLoopback, type Loopback } from '../support/loopback';

const config = (clientAuthMethod: 'client_secret_basic' | 'client_secret_post') =>
  ({ clientId: 'alexa client', clientSecret: 's3cr&t', clientAuthMethod }) as unknown as ServerCheckConfig;
function collect(): { add: (finding: Finding) => void; findings: Finding[] } {
  const findings: Finding[] = [];
  return { add: (finding) => void findings.push(finding), findings };
}
const answer = (status: number, body: Record<string, unknown> | undefined): TokenAnswer => ({
  status,
  elapsedMs: 10,
  body,
});

describe('requestToken', () => {
  let server: Loopback;
  beforeEach(
    async () =>
      (server = await startLoopback((_req, res) => json(res, 200, { access_token: 'at', token_type: 'Bearer' }))),
  );
  afterEach(() => server.close());

  it('sends the form with HTTP Basic credentials for client_secret_basic, and reads the JSON answer', async () => {
    const got = await requestToken(
      `${server.url}/token`,
      config('client_secret_basic'),
      { grant_type: 'refresh_token', refresh_token: 'rt' },
      2000,
    );
    expect(got).toEqual({
      status: 200,
      elapsedMs: expect.any(Number),
      body: { access_token: 'at', token_type: 'Bearer' },
    });
    const [request] = server.requests;
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('alexa client:s3cr&t').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt',
    });
  });

  it('puts the credentials in the form for client_secret_post, with no Authorization header', async () => {
    await requestToken(`${server.url}/token`, config('client_secret_post'), { grant_type: 'refresh_token' }, 2000);
    const [request] = server.requests;
    expect(request!.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'alexa client',
      client_secret: 's3cr&t',
    });
  });

  it('answers a ProbeError, not a throw, when the endpoint does not answer', async () => {
    server.route = () => undefined;
    expect(await requestToken(`${server.url}/token`, config('client_secret_basic'), {}, 100)).toBeInstanceOf(
      ProbeError,
    );
  });
});

describe('basicCredential', () => {
  it('is client ID and secret joined by a colon, in base64', () => {
    expect(Buffer.from(basicCredential(config('client_secret_basic')), 'base64').toString()).toBe(
      'alexa client:s3cr&t',
    );
  });
});

describe('judgeTokenAnswer', () => {
  it('takes a 200 with an access token, adding no finding', () => {
    const { add, findings } = collect();
    expect(judgeTokenAnswer('refresh', answer(200, { access_token: 'at' }), add)).toBe(true);
    expect(findings).toEqual([]);
  });

  it('says a failed refresh unlinks users, and a failed code exchange breaks linking', () => {
    const refresh = collect();
    expect(judgeTokenAnswer('refresh', answer(400, { error: 'invalid_grant' }), refresh.add)).toBe(false);
    expect(refresh.findings).toEqual([
      expect.objectContaining({
        id: 'refresh',
        severity: 'unlinks-users',
        summary: 'The refresh fails: status 400 invalid_grant.',
      }),
    ]);
    const exchange = collect();
    expect(judgeTokenAnswer('code exchange', answer(200, { access_token: '' }), exchange.add)).toBe(false);
    expect(exchange.findings).toEqual([expect.objectContaining({ id: 'token-exchange', severity: 'breaks-linking' })]);
  });

  it.each([
    ['a 401', answer(401, {})],
    ['invalid_client', answer(400, { error: 'invalid_client' })],
  ])('says client authentication breaks linking on %s', (_name, refused) => {
    const { add, findings } = collect();
    judgeTokenAnswer('refresh', refused, add);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'client-authentication',
        severity: 'breaks-linking',
        change: expect.stringMatching(/ALEXA_CLIENT_ID, ALEXA_CLIENT_SECRET and ALEXA_CLIENT_AUTH_METHOD/),
      }),
    ]);
  });

  it('reports an endpoint that did not answer under the check that asked', () => {
    const { add, findings } = collect();
    judgeTokenAnswer(
      'refresh',
      new ProbeError('https://auth.example.test/token could not be reached (ECONNREFUSED)', 'ECONNREFUSED', 3),
      add,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'refresh',
        summary: 'The refresh fails: https://auth.example.test/token could not be reached (ECONNREFUSED).',
      }),
    ]);
  });
});

describe('judgeTokenShape', () => {
  const shape = (what: 'refresh' | 'code exchange', body: Record<string, unknown>) => {
    const { add, findings } = collect();
    judgeTokenShape(what, body, add);
    return Object.fromEntries(findings.map((finding) => [finding.id, finding.severity]));
  };

  it('is ok for token_type Bearer (any case) and an expires_in of six minutes or more, as a number or digits', () => {
    expect(shape('refresh', { token_type: 'bearer', expires_in: 360 })).toEqual({
      'token-response': 'ok',
      'token-lifetime': 'ok',
    });
    expect(shape('refresh', { token_type: 'Bearer', expires_in: '3600' })).toEqual({
      'token-response': 'ok',
      'token-lifetime': 'ok',
    });
  });

  it('fails a missing token_type as the step would fail: unlinking on refresh, breaking linking on code exchange', () => {
    expect(shape('refresh', { expires_in: 3600 })['token-response']).toBe('unlinks-users');
    expect(shape('code exchange', { expires_in: 3600 })['token-response']).toBe('breaks-linking');
  });

  it('warns on another token_type, and on no (or an unreadable) expires_in', () => {
    expect(shape('refresh', { token_type: 'DPoP', expires_in: 3600 })['token-response']).toBe('warning');
    expect(shape('refresh', { token_type: 'Bearer' })['token-lifetime']).toBe('warning');
    expect(shape('refresh', { token_type: 'Bearer', expires_in: '1h' })['token-lifetime']).toBe('warning');
  });

  it('says access tokens under six minutes unlink users', () => {
    expect(shape('code exchange', { token_type: 'Bearer', expires_in: 359 })['token-lifetime']).toBe('unlinks-users');
  });
});

describe('judgeTimes', () => {
  const timed = (...ms: number[]) => {
    const { add, findings } = collect();
    judgeTimes(
      ms.map((value, i) => ({ what: `call ${i}`, ms: value })),
      add,
    );
    return findings;
  };

  it("judges the slowest answer against Alexa's 4.5 s, warning over 3 s", () => {
    expect(timed(100, 4501)).toEqual([
      expect.objectContaining({
        id: 'token-time',
        severity: 'breaks-linking',
        summary: expect.stringContaining('up to 4501 ms (call 0 100 ms, call 1 4501 ms)'),
      }),
    ]);
    expect(timed(4500, 10)[0]!.severity).toBe('warning');
    expect(timed(3001)[0]!.severity).toBe('warning');
    expect(timed(3000, 200)[0]!.severity).toBe('ok');
  });

  it('adds nothing when nothing was timed', () => {
    expect(timed()).toEqual([]);
  });
});

describe('describeFailure', () => {
  it('says the status, an RFC 6749 error code, and the description fit for a terminal', () => {
    expect(describeFailure(answer(400, { error: 'invalid_grant', error_description: 'grant\u001b[2J revoked' }))).toBe(
      'status 400 invalid_grant: "grant [2J revoked"',
    );
    expect(describeFailure(answer(500, undefined))).toBe('status 500');
    expect(describeFailure(answer(200, {}))).toBe('status 200 without an access_token');
  });

  it('does not repeat an error that is not an RFC 6749 error code', () => {
    expect(describeFailure(answer(400, { error: 'bad "quoted" \n code' }))).toBe(
      'status 400 (an error that is not an RFC 6749 error code)',
    );
  });
});
