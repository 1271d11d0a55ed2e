/**
 * Access tokens for tests and local runs: minting JWTs the way an authorization server would,
 * and putting a token where Alexa puts it for each skill family.
 */
import { createPrivateKey, createSecretKey, KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MalformedRequestError } from '../errors';

export interface MintOptions {
  /** HS* secret, or a PEM / KeyObject private key for RS*, PS*, ES*. */
  key: string | Buffer | KeyObject;
  algorithm?: jwt.Algorithm;
  issuer: string;
  audience: string | string[];
  subject: string;
  /** Seconds from now; negative mints an expired token. Default: 3600. */
  expiresInSeconds?: number;
  /** Seconds from now before which the token is not valid. */
  notBeforeSeconds?: number;
  /** More claims, e.g. `{ name: 'Ada' }`. */
  claims?: Record<string, unknown>;
  keyId?: string;
}

/** Mints a signed JWT access token. */
export function mintAccessToken(options: MintOptions): string {
  const algorithm = options.algorithm ?? 'HS256';
  const key = options.key instanceof KeyObject
    ? options.key
    : algorithm.startsWith('HS') ? createSecretKey(Buffer.from(options.key)) : createPrivateKey(options.key);
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    ...options.claims,
    iat: now,
    exp: now + (options.expiresInSeconds ?? 3600),
    ...(options.notBeforeSeconds !== undefined ? { nbf: now + options.notBeforeSeconds } : {}),
  };
  return jwt.sign(payload, key, {
    algorithm,
    issuer: options.issuer,
    audience: options.audience,
    subject: options.subject,
    ...(options.keyId ? { keyid: options.keyId } : {}),
  });
}

/**
 * A copy of `envelope` with `accessToken` wherever Alexa would put it for its skill family:
 * custom (`context.System.user.accessToken`, the session copy, or `request.body.accessToken` on
 * SkillAccountLinked), music (`payload.requestContext.user.accessToken`) and smart home / video
 * (`directive.endpoint.scope.token`, `directive.payload.scope.token` on Discover,
 * `directive.payload.grantee.token` on AcceptGrant).
 */
export function withAccessToken<E>(envelope: E, accessToken: string): E {
  const copy = structuredClone(envelope) as Record<string, any>;
  if (typeof copy !== 'object' || copy === null) throw new MalformedRequestError('the event is not a JSON object');

  if (isObject(copy.request)) {
    if (copy.request.type === 'AlexaSkillEvent.SkillAccountLinked') {
      copy.request.body = { ...copy.request.body, accessToken };
      return copy as E;
    }
    copy.context ??= {};
    copy.context.System ??= {};
    copy.context.System.user = { ...copy.context.System.user, accessToken };
    if (isObject(copy.session)) copy.session.user = { ...copy.session.user, accessToken };
    return copy as E;
  }

  if (isObject(copy.directive)) {
    const { header = {}, payload = {} } = copy.directive;
    if (header.namespace === 'Alexa.Discovery') {
      copy.directive.payload = { ...payload, scope: { type: 'BearerToken', ...payload.scope, token: accessToken } };
    } else if (header.namespace === 'Alexa.Authorization' && header.name === 'AcceptGrant') {
      copy.directive.payload = { ...payload, grantee: { type: 'BearerToken', ...payload.grantee, token: accessToken } };
    } else {
      copy.directive.endpoint ??= {};
      copy.directive.endpoint.scope = { type: 'BearerToken', ...copy.directive.endpoint.scope, token: accessToken };
    }
    return copy as E;
  }

  if (isObject(copy.header) && isObject(copy.payload)) {
    copy.payload.requestContext ??= {};
    copy.payload.requestContext.user = { ...copy.payload.requestContext.user, accessToken };
    return copy as E;
  }

  throw new MalformedRequestError('the event is neither a custom request, a directive nor a music request');
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
