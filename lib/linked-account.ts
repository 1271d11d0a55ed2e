/**
 * How a gate hands the linked user to domain handlers: a {@link LinkedAccount} in the request
 * attributes, under a symbol key, read with {@link getLinkedUser} and friends.
 *
 * The raw access token is kept in a private field: it is not in `JSON.stringify` of the request
 * attributes, nor in `console.log` of them. A handler that needs it (to call the resource server)
 * asks for it by name with {@link getLinkedAccessToken}.
 */
import { inspect } from 'node:util';
import { NoLinkedUserError } from './errors';
import { fingerprint } from './logging';

const LINKED_ACCOUNT = Symbol.for('ask-sdk-account-linking.linked-account');

export class LinkedAccount<P> {
  readonly #accessToken: string;

  constructor(
    /** Who the verifier said the access token identifies. */
    readonly user: P,
    accessToken: string,
    /** Where in the request the token was found, e.g. `context.System.user.accessToken`. */
    readonly tokenPath: string,
    /** When the access token stops being valid, if the verifier said. */
    readonly expiresAt?: Date,
  ) {
    this.#accessToken = accessToken;
  }

  /** The raw access token, for calls to the resource server. Never log it. */
  accessToken(): string {
    return this.#accessToken;
  }

  /** A short SHA-256 fingerprint of the token, safe for logs. */
  get tokenFingerprint(): string {
    return fingerprint(this.#accessToken);
  }

  toJSON(): Record<string, unknown> {
    return { user: this.user, tokenPath: this.tokenPath, tokenFingerprint: this.tokenFingerprint, expiresAt: this.expiresAt };
  }

  [inspect.custom](): string {
    return `LinkedAccount ${inspect(this.toJSON())}`;
  }
}

/** Anything with ask-sdk's request attributes: a custom skill's HandlerInput, and the toolkit's own inputs. */
export interface HasRequestAttributes {
  attributesManager: { getRequestAttributes(): Record<string, unknown> };
}

export function attachLinkedAccount(input: HasRequestAttributes, account: LinkedAccount<unknown>): void {
  (input.attributesManager.getRequestAttributes() as Record<symbol, unknown>)[LINKED_ACCOUNT] = account;
}

/** The linked account of this request, or `undefined` when the gate let it through without one. */
export function findLinkedAccount<P = unknown>(input: HasRequestAttributes): LinkedAccount<P> | undefined {
  const account = (input.attributesManager.getRequestAttributes() as Record<symbol, unknown>)[LINKED_ACCOUNT];
  return account instanceof LinkedAccount ? (account as LinkedAccount<P>) : undefined;
}

/**
 * The linked user of this request, as the verifier described it.
 * Throws {@link NoLinkedUserError} where there is none: on requests the gate does not guard
 * (public intents, SessionEndedRequest) — use {@link findLinkedUser} there.
 */
export function getLinkedUser<P = unknown>(input: HasRequestAttributes): P {
  return requireLinkedAccount<P>(input).user;
}

/** The linked user of this request, or `undefined` on a request the gate does not guard. */
export function findLinkedUser<P = unknown>(input: HasRequestAttributes): P | undefined {
  return findLinkedAccount<P>(input)?.user;
}

/** The verified raw access token of this request, to call the resource server with. Never log it. */
export function getLinkedAccessToken(input: HasRequestAttributes): string {
  return requireLinkedAccount(input).accessToken();
}

function requireLinkedAccount<P>(input: HasRequestAttributes): LinkedAccount<P> {
  const account = findLinkedAccount<P>(input);
  if (!account) {
    throw new NoLinkedUserError(
      'This request has no linked user: the account-linking gate did not guard it (a public intent or request type?)',
    );
  }
  return account;
}
