/** lib/cli/findings.ts: findings, the exit code they make, redaction of every secret, and text fit for a terminal. */
import {
  echoable,
  exitCodeOf,
  oauthErrorCode,
  printable,
  renderJson,
  renderText,
  reportOf,
  Secrets,
  type Finding,
  type Severity,
} from '../../lib/cli/findings';
import { SOURCES } from '../../lib/cli/server-rules';

const finding = (severity: Severity, extra: Partial<Finding> = {}): Finding => ({
  id: `id-${severity}`,
  severity,
  summary: `a ${severity} finding`,
  sources: ['faq'],
  ...extra,
});

describe('exitCodeOf', () => {
  it.each(['unlinks-users', 'breaks-linking'] as const)('is 1 when a finding is %s', (severity) => {
    expect(exitCodeOf([finding('ok'), finding(severity), finding('warning')])).toBe(1);
  });

  it('is 0 for warnings, oks and findings not checked, and for none', () => {
    expect(exitCodeOf([finding('warning'), finding('ok'), finding('not-checked')])).toBe(0);
    expect(exitCodeOf([])).toBe(0);
  });
});

describe('Secrets', () => {
  it('redacts every secret added, in its plain, URL-encoded and base64 forms', () => {
    const secrets = new Secrets();
    secrets.add('s3cr&t value');
    const text = `plain s3cr&t value, url ${encodeURIComponent('s3cr&t value')}, base64 ${Buffer.from('s3cr&t value').toString('base64')}`;
    expect(secrets.redact(text)).toBe('plain [redacted], url [redacted], base64 [redacted]');
  });

  it('redacts the longer of two overlapping secrets whole', () => {
    const secrets = new Secrets();
    secrets.add('token');
    secrets.add('token-and-more');
    expect(secrets.redact('token-and-more')).toBe('[redacted]');
  });

  it('keeps no value shorter than 4 characters, nor one that is not a string (it would redact ordinary words)', () => {
    const secrets = new Secrets();
    secrets.add('abc');
    secrets.add(12345);
    expect(secrets.redact('abc 12345')).toBe('abc 12345');
  });
});

describe('printable', () => {
  it('turns control characters and bidirectional overrides into spaces', () => {
    expect(printable('a\u001b[31mred\nb\u202ec\u0085d\u007f')).toBe('a [31mred b c d ');
  });

  it('cuts text longer than max, with an ellipsis', () => {
    expect(printable('x'.repeat(10), 4)).toBe('xxxx…');
    expect(printable('x'.repeat(120))).toBe('x'.repeat(120));
    expect(printable('x'.repeat(121))).toHaveLength(121);
  });

  it('takes any value', () => {
    expect(printable(undefined)).toBe('undefined');
  });
});

describe('oauthErrorCode', () => {
  it('is the code when RFC 6749 allows it', () => {
    expect(oauthErrorCode('invalid_grant')).toBe('invalid_grant');
  });

  it.each([
    ['a quote', 'bad"code'],
    ['a backslash', 'bad\\code'],
    ['a control character', 'bad\ncode'],
    ['65 characters', 'x'.repeat(65)],
    ['nothing', ''],
    ['a number', 400],
  ])('is undefined with %s', (_name, value) => {
    expect(oauthErrorCode(value)).toBeUndefined();
  });
});

describe('echoable', () => {
  it('repeats option names and short command-like words', () => {
    for (const word of ['--json', '-h', 'check-sever', 'verdict']) expect(echoable(word)).toBe(true);
  });

  it('never repeats what could be a value: a token, a path, a value with =', () => {
    for (const word of [
      'rt_0123456789',
      'eyJhbGciOi',
      './token.txt',
      '--refresh-token=abc',
      'Check',
      `a${'b'.repeat(31)}`,
    ])
      expect(echoable(word)).toBe(false);
  });
});

describe('reportOf, renderText and renderJson', () => {
  const findings = [
    finding('unlinks-users', {
      subject: 'refresh',
      alexa: 'Alexa drops the link.',
      change: 'Fix it.',
      sources: ['refreshFailureUnlinks', 'prematureInvalidation'],
    }),
    finding('ok'),
    finding('not-checked'),
    finding('warning', { summary: 'the server said \u001b[2Jsecret-token-1234' }),
  ];

  it('counts the findings by severity, with the exit code', () => {
    expect(reportOf('https://auth.example.test/token', findings)).toEqual({
      tokenUrl: 'https://auth.example.test/token',
      exitCode: 1,
      findings,
      counts: { 'unlinks-users': 1, 'breaks-linking': 0, warning: 1, ok: 1, 'not-checked': 1 },
    });
  });

  it('prints each finding with its mark, what Alexa does, what to change, and its sources, saying which are not confirmed', () => {
    const secrets = new Secrets();
    secrets.add('secret-token-1234');
    const text = renderText(reportOf('https://auth.example.test/token', findings), secrets);
    expect(text).toContain(
      'FAIL id-unlinks-users (refresh) [unlinks-users]: a unlinks-users finding\n     Alexa: Alexa drops the link.\n     Change: Fix it.',
    );
    expect(text).toContain(`Source: ${SOURCES.refreshFailureUnlinks.url}\n`);
    expect(text).toContain(
      `Source: ${SOURCES.prematureInvalidation.url} (not all confirmed: see docs/check-server.md)`,
    );
    expect(text).toMatch(/^ ok  id-ok \[ok\]: a ok finding$/m);
    expect(text).toMatch(/^SKIP id-not-checked/m);
    expect(text).toContain('WARN id-warning [warning]: the server said  [2J[redacted]');
    expect(text).toContain(
      'Findings that unlink users: 1; that break linking: 0; warnings: 1; ok: 1; not checked: 1. Exit 1.',
    );
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((line) => line.includes('Source:'))).toHaveLength(3); // two for the failure, one for the warning, none for ok and not-checked
  });

  it('writes JSON with the sources spelled out, and the secrets redacted', () => {
    const secrets = new Secrets();
    secrets.add('secret-token-1234');
    const json = renderJson(reportOf('https://auth.example.test/token', findings), secrets);
    expect(json).not.toContain('secret-token-1234');
    const parsed = JSON.parse(json);
    expect(parsed.exitCode).toBe(1);
    expect(parsed.findings[0].sources).toEqual([
      { id: 'refreshFailureUnlinks', url: SOURCES.refreshFailureUnlinks.url, confirmed: true },
      { id: 'prematureInvalidation', url: SOURCES.prematureInvalidation.url, confirmed: false },
    ]);
  });
});
