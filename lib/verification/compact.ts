/**
 * The compact JWS serialization (RFC 7515 §7.1) as {@link JwtVerifier} reads it: the header before
 * any key is looked up, strict base64url, and strict UTF-8 JSON. See `docs/verifiers.md`.
 */
import { isUtf8 } from 'node:buffer';
import { CannotDecideError } from '../errors';
import { isObject } from '../json';

/** A parsed compact JWS, before its signature is checked. */
export interface Parsed {
  alg: string;
  kid?: string;
  /** The header names `crit` extensions: a JWS this verifier does not implement. */
  extended: boolean;
}

/**
 * The header of a compact JWS, read before any key is looked up: a verdict if it is not a signed
 * JWT. (The rest of the token is left to the signature check; see {@link wellFormed}.)
 */
export function parse(token: string): Parsed | { outcome: 'invalid'; reason: string } {
  const malformed = { outcome: 'invalid', reason: 'malformed' } as const;
  const dot = token.indexOf('.');
  if (dot <= 0) return malformed;
  const header = json(token.slice(0, dot));
  if (!isObject(header)) return malformed;
  if (typeof header.alg !== 'string') return { outcome: 'invalid', reason: 'algorithm not allowed' };
  if (header.kid !== undefined && typeof header.kid !== 'string') return malformed;
  if (token.endsWith('.')) return { outcome: 'invalid', reason: 'unsigned token' };
  // With b64: false the signature covers the raw payload: a genuine token of that form would fail the
  // check below, and a failed check is no proof about it, so it is "could not decide" before any check.
  if (header.b64 === false) {
    throw new CannotDecideError(
      'unsupported header',
      'an access token has a b64: false header (unencoded payload, RFC 7797), which JwtVerifier does not implement; issue plain JWS access tokens',
    );
  }
  return {
    alg: header.alg,
    ...(header.kid !== undefined ? { kid: header.kid } : {}),
    extended: header.crit !== undefined,
  };
}

/** Three base64url parts, the second a JSON object: checked before a JWKS refetch, so that garbage never costs one. */
export function wellFormed(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every(isBase64url) && isObject(json(parts[1]));
}

/**
 * Strict base64url (RFC 7515 §2): the URL-safe alphabet only, no padding, no white space, and a
 * length some bytes can have. (Node's own decoder skips what it does not know, so it is not asked
 * to judge.)
 */
export function isBase64url(part: string): boolean {
  return part.length % 4 !== 1 && /^[A-Za-z0-9_-]+$/.test(part);
}

/**
 * A base64url part as JSON; undefined if it is not strict base64url, not UTF-8, or not JSON. UTF-8 is
 * read strictly (bytes that are not UTF-8 are refused, as jose refuses them, never made U+FFFD), and
 * a leading byte order mark is skipped, as jose's decoder does. (`isUtf8` rather than a fatal
 * TextDecoder: the same judgement, without building a decoder at cold start.)
 */
export function json(part: string): unknown {
  if (!isBase64url(part)) return undefined;
  const bytes = Buffer.from(part, 'base64url');
  if (!isUtf8(bytes)) return undefined;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    return JSON.parse(bytes.toString('utf8', bom ? 3 : 0));
  } catch {
    return undefined;
  }
}
