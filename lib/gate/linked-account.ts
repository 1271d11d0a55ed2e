/**
 * How the gate hands the linked user to handlers: a {@link LinkedAccount} in the request
 * attributes (its token in a private field, never serialised), read with the gate's
 * {@link LinkedUserAccessors} or {@link getLinkedUser} and friends. See docs/custom-skills.md.
 */
import { inspect } from 'node:util';
import { NoLinkedUserError } from '../errors';
import { fingerprint } from '../logging';

const LINKED_ACCOUNT = Symbol.for('ask-sdk-account-linking.linked-account');

/**
 * What the gate knows of a linked request: the linked user, where the token was, when it expires,
 * and the access token itself behind a method. Read it with {@link findLinkedAccount} or the gate's
 * {@link LinkedUserAccessors.findLinkedAccount}; the gate makes it, you do not.
 *
 * Safe to log: `JSON.stringify` and `console.log` show the user, the token's place, its
 * fingerprint and its expiry, never the token.
 */
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
    /** When the request reached the gate, before its token was verified (AcceptGrant dates its grant by it). */
    readonly receivedAt: Date = new Date(),
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

  /** What `JSON.stringify` shows: `user`, `tokenPath`, `tokenFingerprint`, `expiresAt`, `receivedAt`; not the token. */
  toJSON(): Record<string, unknown> {
    return {
      user: this.user,
      tokenPath: this.tokenPath,
      tokenFingerprint: this.tokenFingerprint,
      expiresAt: this.expiresAt,
      receivedAt: this.receivedAt,
    };
  }

  /** What `console.log` and `util.inspect` show: the same fields as {@link LinkedAccount.toJSON}, not the token. */
  [inspect.custom](): string {
    return `LinkedAccount ${inspect(this.toJSON())}`;
  }
}

/** Anything with ask-sdk's request attributes: a custom skill's HandlerInput, and the toolkit's own inputs. */
export interface HasRequestAttributes {
  /** ask-sdk's attributes manager; only its request attributes are used (the gate keeps the linked account there). */
  attributesManager: {
    /** This request's attributes: state for one request, shared by its interceptors and handlers. */
    getRequestAttributes(): Record<string, unknown>;
  };
}

export function attachLinkedAccount(input: HasRequestAttributes, account: LinkedAccount<unknown>): void {
  (input.attributesManager.getRequestAttributes() as Record<symbol, unknown>)[LINKED_ACCOUNT] = account;
}

/**
 * Reads the linked user the gate attached to a request, typed by the gate's verifier. Get one
 * from {@link accountLinking}: `linking.getLinkedUser(input)` is the verifier's `P`, without
 * a type argument to write (or to get wrong).
 */
export interface LinkedUserAccessors<P> {
  /**
   * The linked user of this request, as the verifier described it. Throws
   * {@link NoLinkedUserError} where there is none: on requests the gate does not guard (public
   * intents, SessionEndedRequest) — use {@link LinkedUserAccessors.findLinkedUser} there.
   */
  getLinkedUser(input: HasRequestAttributes): P;
  /** The linked user of this request, or `undefined` on a request the gate does not guard. */
  findLinkedUser(input: HasRequestAttributes): P | undefined;
  /** The linked account (user, token path, fingerprint, expiry), or `undefined` on an ungated request. */
  findLinkedAccount(input: HasRequestAttributes): LinkedAccount<P> | undefined;
  /** The verified raw access token of this request, to call the resource server with. Never log it. */
  getLinkedAccessToken(input: HasRequestAttributes): string;
}

/**
 * The accessors for the linked users of a gate whose verifier yields `P`. The type is the
 * verifier's promise; the accessors read what the gate attached.
 */
export function linkedUserAccessors<P>(): LinkedUserAccessors<P> {
  return {
    getLinkedUser: (input) => requireLinkedAccount<P>(input).user,
    findLinkedUser: (input) => readLinkedAccount<P>(input)?.user,
    findLinkedAccount: (input) => readLinkedAccount<P>(input),
    getLinkedAccessToken: (input) => requireLinkedAccount<P>(input).accessToken(),
  };
}

/**
 * The linked account of this request, or `undefined` when the gate let it through without one.
 * Its user is `unknown`: for the verifier's type, use the accessors of {@link accountLinking}.
 */
export function findLinkedAccount(input: HasRequestAttributes): LinkedAccount<unknown> | undefined {
  return readLinkedAccount<unknown>(input);
}

/**
 * The linked user of this request, as `unknown`; throws {@link NoLinkedUserError} on a request the
 * gate does not guard. It takes no type argument, because one would be an unchecked cast: for the
 * verifier's type, use `linking.getLinkedUser(input)` of {@link accountLinking}.
 */
export function getLinkedUser(input: HasRequestAttributes): unknown {
  return requireLinkedAccount<unknown>(input).user;
}

/** The linked user of this request as `unknown`, or `undefined` on a request the gate does not guard. */
export function findLinkedUser(input: HasRequestAttributes): unknown {
  return readLinkedAccount<unknown>(input)?.user;
}

/** The verified raw access token of this request, to call the resource server with. Never log it. */
export function getLinkedAccessToken(input: HasRequestAttributes): string {
  return requireLinkedAccount<unknown>(input).accessToken();
}

function readLinkedAccount<P>(input: HasRequestAttributes): LinkedAccount<P> | undefined {
  const account = (input.attributesManager.getRequestAttributes() as Record<symbol, unknown>)[LINKED_ACCOUNT];
  return account instanceof LinkedAccount ? (account as LinkedAccount<P>) : undefined;
}

function requireLinkedAccount<P>(input: HasRequestAttributes): LinkedAccount<P> {
  const account = readLinkedAccount<P>(input);
  if (!account) {
    throw new NoLinkedUserError(
      'This request has no linked user: the account-linking gate did not guard it (a public intent or request type?)',
    );
  }
  return account;
}
