/** lib/verification/compact.ts: the header of a compact JWS read before any key, strict base64url, strict UTF-8 JSON. */
import { CannotDecideError } from '../../lib';
import { isBase64url, json, parse, wellFormed } from '../../lib/verification/compact';

const part = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const token = (header: unknown, payload: unknown = { sub: 's' }, signature = 'c2ln') =>
  `${part(header)}.${part(payload)}.${signature}`;

describe('isBase64url', () => {
  it('accepts the URL-safe alphabet without padding, in a length some bytes can have', () => {
    expect(isBase64url('AZaz09-_')).toBe(true);
    expect(isBase64url('YQ')).toBe(true); // one byte
  });

  it.each([
    ['padding', 'YQ=='],
    ["the standard alphabet's +", 'a+b'],
    ["the standard alphabet's /", 'a/b'],
    ['white space', 'YW Jj'],
    ['a length no bytes have (4n + 1)', 'YWJjZ'],
    ['nothing at all', ''],
  ])('refuses %s', (_name, text) => {
    expect(isBase64url(text)).toBe(false);
  });
});

describe('json', () => {
  it('reads a base64url part as JSON', () => {
    expect(json(part({ alg: 'HS256' }))).toEqual({ alg: 'HS256' });
  });

  it('skips a leading byte order mark, as jose does', () => {
    expect(
      json(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]).toString('base64url')),
    ).toEqual({ a: 1 });
  });

  it('is undefined for bytes that are not UTF-8, never reading them as U+FFFD', () => {
    expect(json(Buffer.from([0x22, 0xff, 0x22]).toString('base64url'))).toBeUndefined(); // "\xff"
  });

  it("judges UTF-8 as a fatal TextDecoder does (jose's decoder), for any bytes: overlong forms, surrogates, truncated sequences, byte order marks", () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const reference = (bytes: Buffer) => {
      try {
        return JSON.parse(decoder.decode(bytes));
      } catch {
        return undefined;
      }
    };
    const pieces = [
      [0xef, 0xbb, 0xbf], // a byte order mark
      [0xc0, 0xaf], // an overlong '/'
      [0xed, 0xa0, 0x80], // a surrogate, encoded
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // truncated
      [0xc3, 0xa9], // é
      [0xf0, 0x9f, 0x98, 0x80], // an emoji
      [0xff],
      [...Buffer.from('"')],
      [...Buffer.from('{"a":')],
      [...Buffer.from('}')],
      [...Buffer.from('1')],
    ];
    let seed = 24;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3000; i++) {
      const parts = Array.from(
        { length: 1 + Math.floor(random() * 5) },
        () => pieces[Math.floor(random() * pieces.length)]!,
      );
      const bytes = Buffer.from(
        i % 3 === 0 ? [...Buffer.from('"'), ...parts.flat(), ...Buffer.from('"')] : parts.flat(),
      );
      expect(json(bytes.toString('base64url'))).toEqual(reference(bytes));
    }
  });

  it('is undefined for a part that is not strict base64url, or not JSON', () => {
    expect(json(`${part({ a: 1 })}=`)).toBeUndefined();
    expect(json(Buffer.from('{"a":1}').toString('base64').replace(/=+$/, '') + '+')).toBeUndefined();
    expect(json(part('not json'))).toBeUndefined();
  });
});

describe('parse', () => {
  it('reads alg and kid from the header, and whether it names crit extensions', () => {
    expect(parse(token({ alg: 'RS256', kid: 'k1' }))).toEqual({ alg: 'RS256', kid: 'k1', extended: false });
    expect(parse(token({ alg: 'RS256' }))).toEqual({ alg: 'RS256', extended: false });
    expect(parse(token({ alg: 'RS256', crit: ['exp'] }))).toEqual({ alg: 'RS256', extended: true });
  });

  it.each([
    ['no dot', 'abc'],
    ['an empty header', '.e30.c2ln'],
    ['a header that is not an object', token([1, 2])],
    ['a header not in strict base64url', `${part({ alg: 'RS256' })}=.e30.c2ln`],
    ['a kid that is not a string', token({ alg: 'RS256', kid: 7 })],
  ])('says malformed for %s', (_name, text) => {
    expect(parse(text)).toEqual({ outcome: 'invalid', reason: 'malformed' });
  });

  it('says "algorithm not allowed" for a header without a string alg', () => {
    expect(parse(token({ typ: 'JWT' }))).toEqual({ outcome: 'invalid', reason: 'algorithm not allowed' });
  });

  it('says "unsigned token" for a token ending in a dot', () => {
    expect(parse(`${part({ alg: 'none' })}.${part({ sub: 's' })}.`)).toEqual({
      outcome: 'invalid',
      reason: 'unsigned token',
    });
  });

  it('could not decide (throws) on b64: false, an unencoded payload it does not implement', () => {
    expect(() => parse(token({ alg: 'HS256', b64: false, crit: ['b64'] }))).toThrow(CannotDecideError);
    expect(() => parse(token({ alg: 'HS256', b64: false, crit: ['b64'] }))).toThrow(
      expect.objectContaining({ reason: 'unsupported header' }),
    );
  });
});

describe('wellFormed', () => {
  it('is true for three base64url parts whose second is a JSON object', () => {
    expect(wellFormed(token({ alg: 'RS256' }))).toBe(true);
  });

  it.each([
    ['two parts', `${part({ alg: 'RS256' })}.${part({ sub: 's' })}`],
    ['four parts', `${token({ alg: 'RS256' })}.x`],
    ['a payload that is not an object', token({ alg: 'RS256' }, [1])],
    ['a payload that is not JSON', token({ alg: 'RS256' }, 'garbage')],
    ['a signature not in base64url', token({ alg: 'RS256' }, { sub: 's' }, 'c2ln=')],
  ])('is false for %s', (_name, text) => {
    expect(wellFormed(text)).toBe(false);
  });
});
