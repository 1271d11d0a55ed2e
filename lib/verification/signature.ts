/**
 * The signature of a compact JWS, checked on node:crypto (no JOSE library), as aws-jwt-verify does.
 * See `docs/verifiers.md`.
 */
import { constants, createHmac, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import { CannotDecideError } from '../errors';
import { isObject } from '../json';
import { isBase64url, json } from './compact';
import type { JwtClaims } from './jwt-options';
import type { RejectionEvidence } from './verifier';

/** A signature verified (and the claims it covers), or the verdict on a token whose signature fails. */
export type SignatureCheck =
  { outcome: 'signed'; claims: JwtClaims } | ({ outcome: 'invalid'; reason: string } & RejectionEvidence);

/** The hash of each algorithm, by its last three characters. */
const DIGESTS: Readonly<Record<string, string>> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };
/** The length of an ES* signature: r and s, each as long as the curve's order (RFC 7518 §3.4). */
const ECDSA_SIGNATURE_BYTES: Readonly<Record<string, number>> = { ES256: 64, ES384: 96, ES512: 132 };

/**
 * The signature alone, on exactly the header's `alg` and a key that fits it (the caller checked
 * that with `keyFitsAlgorithm`); the claims are checked after, in the verifier. node:crypto does
 * the cryptography, as aws-jwt-verify does: HMAC compared in constant time, RSASSA-PKCS1-v1_5,
 * RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5), and ECDSA with the JWS form of the
 * signature (r‖s, IEEE P1363) of exactly the curve's length. An error node:crypto throws is not a
 * verdict about the token and goes up as such ("could not decide").
 */
export function checkSignature(token: string, key: KeyObject, alg: string): SignatureCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { outcome: 'invalid', reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  if (signature === '') return { outcome: 'invalid', reason: 'unsigned token' };
  if (!isBase64url(header) || !isBase64url(payload) || !isBase64url(signature))
    return { outcome: 'invalid', reason: 'malformed' };
  const digest = DIGESTS[alg.slice(2)];
  if (digest === undefined) return { outcome: 'invalid', reason: 'algorithm not allowed' };
  const signed = Buffer.from(token.slice(0, header.length + 1 + payload.length), 'latin1'); // ASCII, as checked above
  const given = Buffer.from(signature, 'base64url');
  let verified: boolean;
  switch (alg.slice(0, 2)) {
    case 'HS': {
      const expected = createHmac(digest, key).update(signed).digest();
      verified = given.length === expected.length && timingSafeEqual(given, expected);
      break;
    }
    case 'RS':
      verified = verifySignature(digest, signed, key, given);
      break;
    case 'PS':
      verified = verifySignature(
        digest,
        signed,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 },
        given,
      );
      break;
    case 'ES':
      verified =
        given.length === ECDSA_SIGNATURE_BYTES[alg] &&
        verifySignature(digest, signed, { key, dsaEncoding: 'ieee-p1363' }, given);
      break;
    default:
      return { outcome: 'invalid', reason: 'algorithm not allowed' };
  }
  if (!verified) return { outcome: 'invalid', reason: 'bad signature' };
  const claims = json(payload);
  // Signed by a key we trust, so the server's token, in a form we cannot read: about us, not the token.
  if (!isObject(claims))
    throw new CannotDecideError(
      'unreadable claims',
      'the authorization server signs access tokens whose payload is not a JSON object in UTF-8: issue JWT access tokens (RFC 9068)',
    );
  return { outcome: 'signed', claims: claims as JwtClaims };
}
