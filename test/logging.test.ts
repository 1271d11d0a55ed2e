import { createHash } from 'node:crypto';
import { CREDENTIAL_PATHS, describeError, createJsonLogger, fingerprint, redact, withAccountLinking } from '../lib';
import { tokenDigest } from '../lib/logging';
import {
  acceptGrantDirective,
  customEnvelope,
  launchRequest,
  musicRequest,
  skillAccountLinkedEvent,
} from '../lib/testing';
import { SkillBuilders } from 'ask-sdk-core';
import { jwtVerifier } from './custom/harness';
import { hsToken } from './support/fixtures';

describe('redact', () => {
  it('replaces the credential at every known path with a fingerprint', () => {
    const launch = launchRequest({ accessToken: 'TOKEN-A', personAccessToken: 'TOKEN-P' }) as any;
    launch.context.System.user.permissions = { consentToken: 'TOKEN-C' };
    const grant = acceptGrantDirective('TOKEN-G', 'GRANT-CODE');
    const music = musicRequest('Alexa.Media.Playback', 'Initiate', {}, { accessToken: 'TOKEN-M' });
    const linked = skillAccountLinkedEvent('TOKEN-L');
    const headers = { headers: { authorization: 'Bearer TOKEN-H', 'x-amz-access-token': 'TOKEN-X' } };
    const text = JSON.stringify([launch, grant, music, linked, headers].map((value) => redact(value)));
    for (const secret of [
      'TOKEN-A',
      'TOKEN-P',
      'TOKEN-C',
      'TOKEN-G',
      'GRANT-CODE',
      'TOKEN-M',
      'TOKEN-L',
      'TOKEN-H',
      'TOKEN-X',
      'test-api-access-token',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(`[redacted sha256:${fingerprint('TOKEN-A')}]`);
  });

  it('leaves the original alone, and everything that is not a credential', () => {
    const launch = launchRequest({ accessToken: 'TOKEN-A' });
    const redacted = redact(launch) as any;
    expect((launch as any).context.System.user.accessToken).toBe('TOKEN-A');
    expect(redacted.request).toEqual(launch.request);
  });

  it('covers every path the issue names', () => {
    expect(CREDENTIAL_PATHS).toEqual(
      expect.arrayContaining([
        'context.System.user.accessToken',
        'session.user.accessToken',
        'context.System.person.accessToken',
        'context.System.apiAccessToken',
        'directive.endpoint.scope.token',
        'directive.payload.scope.token',
        'directive.payload.grantee.token',
        'directive.payload.grant.code',
        'payload.requestContext.user.accessToken',
        'request.body.accessToken',
        'request.body.grant.code',
        'request.body.grantee.token',
      ]),
    );
  });
});

describe('the JSON logger', () => {
  it('writes one JSON object a line at or above its level, and says whether debug is on', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info('quiet');
    logger.warn('loud', { a: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'WARN', message: 'loud', a: 1 });
    expect(logger.debugEnabled).toBe(false);
    expect(createJsonLogger({ level: 'debug', write: () => undefined }).debugEnabled).toBe(true);
  });

  it('writes, for any fields, the JSON an object spread would: level, message and timestamp first, a field of their name replacing them', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (line) => lines.push(line) });
    const cases: Array<Record<string, unknown> | undefined> = [
      undefined,
      {},
      { family: 'custom', tokenPath: null, latencyMs: 3, nested: { a: [1, 'two'] } },
      { text: 'quotes " and \\ and ü and \u2028' },
      { level: 'OVERRIDDEN', extra: 1 },
      { message: 42 },
      { timestamp: 'then' },
      { skipped: undefined, kept: 0 },
    ];
    for (const fields of cases) {
      lines.length = 0;
      logger.warn('a "message" é', fields);
      const written = lines[0]!;
      expect(written.endsWith('\n')).toBe(true);
      const { timestamp, ...rest } = JSON.parse(written) as Record<string, unknown>;
      const expected = JSON.parse(JSON.stringify({ level: 'WARN', message: 'a "message" é', timestamp, ...fields }));
      expect(Object.keys({ timestamp, ...rest }).sort()).toEqual(Object.keys(expected).sort());
      expect(written).toBe(
        `${JSON.stringify({ level: 'WARN', message: 'a "message" é', timestamp: expected.timestamp, ...fields })}\n`,
      );
    }
  });

  it('takes its level from LOG_LEVEL', () => {
    const previous = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'ERROR';
    try {
      const lines: string[] = [];
      const logger = createJsonLogger({ write: (line) => lines.push(line) });
      logger.warn('no');
      logger.error('yes');
      expect(lines).toHaveLength(1);
    } finally {
      process.env.LOG_LEVEL = previous;
    }
  });

  it("at debug level, shows the gate's requests redacted, and never the token", async () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (line) => lines.push(line) });
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
      .create();
    const token = hsToken();
    await skill.invoke(launchRequest({ accessToken: token }));
    const text = lines.join('');
    expect(text).toContain('"message":"account linking: request"');
    expect(text).toContain(`[redacted sha256:${fingerprint(token)}]`);
    expect(text).not.toContain(token);
  });

  it('at debug level, shows a gated Alexa.Authorization.Grant redacted: no grant code, no grantee token', async () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ level: 'debug', write: (line) => lines.push(line) });
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, publicRequestTypes: [] })
      .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
      .create();
    const token = hsToken();
    const grant = customEnvelope(
      {
        type: 'Alexa.Authorization.Grant',
        body: {
          grant: { type: 'OAuth2.AuthorizationCode', code: 'GRANT-CODE-NEVER-LOGGED' },
          grantee: { type: 'BearerToken', token: 'GRANTEE-TOKEN-NEVER-LOGGED' },
        },
      },
      { accessToken: token },
    );
    await skill.invoke(grant);
    const text = lines.join('');
    expect(text).toContain('"requestType":"Alexa.Authorization.Grant"');
    expect(text).toContain('"message":"account linking: request"');
    expect(text).toContain(`[redacted sha256:${fingerprint('GRANT-CODE-NEVER-LOGGED')}]`);
    for (const secret of ['GRANT-CODE-NEVER-LOGGED', 'GRANTEE-TOKEN-NEVER-LOGGED', token])
      expect(text).not.toContain(secret);
  });
});

describe('describeError', () => {
  it('describes a cause chain that loops, once per error, without running away', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const described = describeError(a);
    expect(JSON.stringify(described)).toContain('truncated');
  });
});

describe('fingerprint and tokenDigest', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest();

  it('name each token by its own SHA-256, whichever token was hashed just before (the last one is remembered)', () => {
    const tokens = ['TOKEN-A', 'TOKEN-B', 'TOKEN-A', 'TOKEN-A', 'ツ-token', 'TOKEN-B'];
    for (const token of tokens) {
      expect(tokenDigest(token)).toEqual(sha256(token));
      expect(fingerprint(token)).toBe(sha256(token).toString('hex').slice(0, 12));
    }
  });

  it('gives a token built anew (an equal string, not the same one) the same digest', () => {
    const token = ['eyJ', 'hbGc', 'iOi'].join('');
    expect(fingerprint(token)).toBe(fingerprint(`${'eyJhb'}${'GciOi'}`));
  });
});
