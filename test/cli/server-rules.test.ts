/** lib/cli/server-rules.ts: the numbers check-server holds a server to, and the sources they come from. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALEXA_REDIRECT_HOSTS,
  MIN_ACCESS_TOKEN_LIFETIME_SECONDS,
  SOURCES,
  TOKEN_RESPONSE_LIMIT_MS,
  TOKEN_RESPONSE_WARNING_MS,
} from '../../lib/cli/server-rules';

const DOC = readFileSync(path.resolve(__dirname, '../../docs/check-server.md'), 'utf8');

describe('the rules check-server holds a server to', () => {
  it("are Alexa's numbers: 4.5 s for an answer, six minutes of token life, three regional redirect hosts", () => {
    expect(TOKEN_RESPONSE_LIMIT_MS).toBe(4500);
    expect(TOKEN_RESPONSE_WARNING_MS).toBeLessThan(TOKEN_RESPONSE_LIMIT_MS);
    expect(MIN_ACCESS_TOKEN_LIFETIME_SECONDS).toBe(360);
    expect([...ALEXA_REDIRECT_HOSTS]).toEqual(['pitangui.amazon.com', 'layla.amazon.com', 'alexa.amazon.co.jp']);
  });
});

describe('SOURCES', () => {
  it.each(Object.entries(SOURCES))(
    '%s is an HTTPS page of Amazon or the RFC editor, saying something',
    (_id, source) => {
      expect(new URL(source.url).protocol).toBe('https:');
      expect(new URL(source.url).hostname).toMatch(/^(developer\.amazon\.com|www\.rfc-editor\.org)$/);
      expect(source.says.length).toBeGreaterThan(40);
    },
  );

  it('says "not confirmed" in what a source says whenever it is marked unconfirmed', () => {
    for (const source of Object.values(SOURCES).filter((s) => !s.confirmed))
      expect(source.says).toMatch(/not confirmed/);
  });

  it('are each listed in docs/check-server.md', () => {
    for (const source of Object.values(SOURCES)) expect(DOC).toContain(source.url);
  });
});
