/**
 * Access tokens for tests and local runs: minting JWTs the way an authorization server would,
 * and putting a token where Alexa puts it for each skill family.
 */
import {
  constants,
  createHmac,
  createPrivateKey,
  createSecretKey,
  generateKeyPairSync,
  KeyObject,
  sign,
} from 'node:crypto';
import { MalformedRequestError } from '../errors';
import { isObject } from '../json';
import type { AsymmetricAlgorithm, HmacAlgorithm } from '../verification/jwt';

/** The JWS algorithms {@link mintAccessToken} signs with (`HS*` take a secret; the others a private key). */
export type MintAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/** What {@link mintAccessToken} puts in the token, and the key it signs it with. */
export interface MintOptions {
  /** HS* secret, or a PEM / KeyObject private key for RS*, PS*, ES*. */
  key: string | Buffer | KeyObject;
  /** The signing algorithm. Default: `HS256` (matching a secret, the usual test key). */
  algorithm?: HmacAlgorithm | AsymmetricAlgorithm | undefined;
  /** The `iss` claim. */
  issuer: string;
  /** The `aud` claim. */
  audience: string | string[];
  /** The `sub` claim: the user the token is about. */
  subject: string;
  /** Seconds from now; negative mints an expired token. Default: 3600. */
  expiresInSeconds?: number | undefined;
  /** Seconds from now before which the token is not valid. */
  notBeforeSeconds?: number | undefined;
  /** More claims, e.g. `{ name: 'Ada' }`. */
  claims?: Record<string, unknown> | undefined;
  /** The `kid` header, for verifiers that pick the key from a JWKS. */
  keyId?: string | undefined;
}

/** A JSON Web Key Set, as a JWKS URL serves it. */
export interface JsonWebKeySet {
  /** The public keys (JWKs), each with its `kid`. */
  keys: Array<Record<string, unknown>>;
}

/** An RS256 key pair with its public JWKS, for tests of skills whose verifier reads a JWKS URL. */
export interface LocalSigningKey {
  /** The key's ID, set as `kid` in its JWK and in the tokens it mints. */
  kid: string;
  /** `{ keys: [...] }`, to serve at a JWKS URL. */
  jwks: JsonWebKeySet;
  /** Mints a token signed with this key, `kid` set. */
  mint(options: Omit<MintOptions, 'key' | 'algorithm' | 'keyId'>): string;
}

/** A fresh RS256 key pair (2048-bit RSA) named `kid`, with its JWKS and a minter. Default `kid`: `test-key-1`. */
export function localSigningKey(kid = 'test-key-1'): LocalSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] },
    mint: (options) => mintAccessToken({ ...options, key: privateKey, algorithm: 'RS256', keyId: kid }),
  };
}

/**
 * Mints a signed JWT access token (a compact JWS, header `{ alg, typ: 'JWT', kid? }`), as an
 * authorization server would: `iat` now, `exp` and `nbf` relative to it, and `iss`, `aud`, `sub`
 * from the options (over any of the same name in `claims`). Signed with node:crypto: HMAC for
 * HS*, RSASSA-PKCS1-v1_5 for RS*, RSASSA-PSS with a salt as long as the hash for PS*, and ECDSA
 * in the JWS form (r‖s) for ES*.
 *
 * @throws what node:crypto throws for a key that cannot sign with the algorithm (an RSA key for
 * ES256, a public key, a secret for RS256).
 */
export function mintAccessToken(options: MintOptions): string {
  const algorithm = options.algorithm ?? 'HS256';
  const key =
    options.key instanceof KeyObject
      ? options.key
      : algorithm.startsWith('HS')
        ? createSecretKey(Buffer.from(options.key))
        : createPrivateKey(options.key);
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    ...options.claims,
    iat: now,
    exp: now + (options.expiresInSeconds ?? 3600),
    ...(options.notBeforeSeconds !== undefined ? { nbf: now + options.notBeforeSeconds } : {}),
    iss: options.issuer,
    aud: options.audience,
    sub: options.subject,
  };
  const header = { alg: algorithm, typ: 'JWT', ...(options.keyId ? { kid: options.keyId } : {}) };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${signJws(algorithm, key, Buffer.from(input)).toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** The JWS signature of `input` (RFC 7518 §3), with node:crypto. */
function signJws(algorithm: MintAlgorithm, key: KeyObject, input: Buffer): Buffer {
  const bits = Number(algorithm.slice(2));
  const digest = `sha${bits}`;
  switch (algorithm.slice(0, 2)) {
    case 'HS':
      return createHmac(digest, key).update(input).digest();
    case 'PS':
      return sign(digest, input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 });
    case 'ES':
      return sign(digest, input, { key, dsaEncoding: 'ieee-p1363' });
    default:
      return sign(digest, input, key);
  }
}

/**
 * A copy of `envelope` with `accessToken` wherever Alexa would put it for its skill family:
 * custom (`context.System.user.accessToken` and the session copy, or `request.body.accessToken`
 * on SkillAccountLinked), music (`payload.requestContext.user.accessToken`) and smart home /
 * video (`directive.endpoint.scope.token`, `directive.payload.scope.token` on Discover,
 * `directive.payload.grantee.token` on AcceptGrant).
 */
export function withAccessToken<E>(envelope: E, accessToken: string): E {
  const copy = cloneEnvelope(envelope);
  for (const { holder, key, create } of tokenSlots(copy)) {
    const parent = create();
    parent[holder] = {
      ...(isObject(parent[holder]) ? parent[holder] : {}),
      ...(key === 'token' ? { type: 'BearerToken' } : {}),
      [key]: accessToken,
    };
  }
  return copy as E;
}

/** A copy of `envelope` without an access token anywhere Alexa would put one: a user who never linked. */
export function withoutAccessToken<E>(envelope: E): E {
  const copy = cloneEnvelope(envelope);
  for (const { holder, key, find } of tokenSlots(copy)) {
    const slot = find()?.[holder];
    if (isObject(slot)) delete slot[key];
  }
  return copy as E;
}

interface TokenSlot {
  /** The object that holds the token (`user`, `scope`, `grantee`, `body`), and the token's key in it. */
  holder: string;
  key: 'accessToken' | 'token';
  /** The holder's parent, or undefined if a step is missing. */
  find(): Record<string, any> | undefined;
  /** The holder's parent, made where missing. */
  create(): Record<string, any>;
}

function tokenSlots(root: Record<string, any>): TokenSlot[] {
  const slot = (parentPath: string[], holder: string, key: TokenSlot['key']): TokenSlot => ({
    holder,
    key,
    find: () => parentPath.reduce<any>((node, step) => (isObject(node) ? node[step] : undefined), root),
    create: () => parentPath.reduce<any>((node, step) => (isObject(node[step]) ? node[step] : (node[step] = {})), root),
  });
  if (isObject(root.request)) {
    if (root.request.type === 'AlexaSkillEvent.SkillAccountLinked') return [slot(['request'], 'body', 'accessToken')];
    return [
      slot(['context', 'System'], 'user', 'accessToken'),
      ...(isObject(root.session) ? [slot(['session'], 'user', 'accessToken')] : []),
    ];
  }
  if (isObject(root.directive)) {
    const header = isObject(root.directive.header) ? root.directive.header : {};
    if (header.namespace === 'Alexa.Discovery') return [slot(['directive', 'payload'], 'scope', 'token')];
    if (header.namespace === 'Alexa.Authorization' && header.name === 'AcceptGrant')
      return [slot(['directive', 'payload'], 'grantee', 'token')];
    return [slot(['directive', 'endpoint'], 'scope', 'token')];
  }
  if (isObject(root.header) && isObject(root.payload))
    return [slot(['payload', 'requestContext'], 'user', 'accessToken')];
  throw new MalformedRequestError('the event is neither a custom request, a directive nor a music request');
}

function cloneEnvelope(envelope: unknown): Record<string, any> {
  if (!isObject(envelope)) throw new MalformedRequestError('the event is not a JSON object');
  return structuredClone(envelope);
}
