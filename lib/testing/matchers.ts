/**
 * Jest matchers for what a gated skill answers. Install them with `expect.extend(accountLinkingMatchers)`,
 * or by importing `ask-sdk-account-linking/testing/jest` in a setup file.
 *
 * - `toBeLinkAccountResponse()`: a custom reply with speech, a LinkAccount card, the session ended.
 * - `toBeTryLaterResponse()`: a custom reply with speech, no card, the session ended.
 * - `toBeAlexaErrorResponse(type?)`: a smart home `Alexa` (or `Alexa.Video`) ErrorResponse, `payloadVersion "3"`.
 * - `toBeMusicErrorResponse(type?)`: a music `Alexa` ErrorResponse, `payloadVersion "3.0"`.
 * - `toUnlinkTheUser()`: any reply that makes Alexa delete the link (the two credential codes).
 */
import { isObject } from '../json';

/** What a jest matcher returns: whether it passed, and what to say when the expectation fails. */
export type MatcherResult = {
  /** Whether the reply is what the matcher expects. */
  pass: boolean;
  /** What jest prints when the expectation fails. */
  message: () => string;
};

type Result = MatcherResult;

const UNLINKING = new Set(['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL']);

function result(pass: boolean, what: string, received: unknown): Result {
  return { pass, message: () => `expected ${pass ? 'not ' : ''}${what}, received:\n${JSON.stringify(received, null, 2)}` };
}

function customResponse(received: unknown): Record<string, any> | undefined {
  return isObject(received) && isObject(received.response) ? received.response : undefined;
}

/** The error type of any family's ErrorResponse, or undefined. */
export function errorTypeOf(received: unknown): string | undefined {
  if (!isObject(received)) return undefined;
  const payload = isObject(received.event) ? received.event.payload : received.payload;
  const header = isObject(received.event) ? received.event.header : received.header;
  return isObject(header) && header.name === 'ErrorResponse' && isObject(payload) && typeof payload.type === 'string' ? payload.type : undefined;
}

/**
 * The account-linking jest matchers, for `expect.extend(accountLinkingMatchers)` (or import
 * `ask-sdk-account-linking/testing/jest` in a setup file). Each is also a plain function of the reply.
 */
export const accountLinkingMatchers = {
  /** A custom reply with speech, a LinkAccount card, the session ended. */
  toBeLinkAccountResponse(received: unknown): Result {
    const response = customResponse(received);
    const pass = !!response && response.card?.type === 'LinkAccount' && typeof response.outputSpeech?.ssml === 'string' && response.shouldEndSession === true;
    return result(pass, 'a LinkAccount card with speech that ends the session', received);
  },

  /** A custom reply with speech, no card, the session ended (the "could not decide" apology). */
  toBeTryLaterResponse(received: unknown): Result {
    const response = customResponse(received);
    const pass = !!response && response.card === undefined && typeof response.outputSpeech?.ssml === 'string' && response.shouldEndSession === true;
    return result(pass, 'speech without a card that ends the session', received);
  },

  /** A smart home ErrorResponse (`Alexa`, `Alexa.Video` or `Alexa.Authorization`, `payloadVersion "3"`), of `type` if given. */
  toBeAlexaErrorResponse(received: unknown, type?: string): Result {
    const header = isObject(received) && isObject(received.event) ? received.event.header : undefined;
    const pass = isObject(header) && ['Alexa', 'Alexa.Video', 'Alexa.Authorization'].includes(header.namespace) && header.payloadVersion === '3'
      && errorTypeOf(received) !== undefined && (type === undefined || errorTypeOf(received) === type);
    return result(pass, `a smart home ErrorResponse${type ? ` ${type}` : ''}`, received);
  },

  /** A music `Alexa` ErrorResponse (`payloadVersion "3.0"`), of `type` if given. */
  toBeMusicErrorResponse(received: unknown, type?: string): Result {
    const header = isObject(received) ? received.header : undefined;
    const pass = isObject(header) && header.namespace === 'Alexa' && header.payloadVersion === '3.0' && errorTypeOf(received) !== undefined
      && (type === undefined || errorTypeOf(received) === type);
    return result(pass, `a music ErrorResponse${type ? ` ${type}` : ''}`, received);
  },

  /** Any reply that makes Alexa delete the link: INVALID_ or EXPIRED_AUTHORIZATION_CREDENTIAL. */
  toUnlinkTheUser(received: unknown): Result {
    return result(UNLINKING.has(errorTypeOf(received) ?? ''), 'a reply that makes Alexa delete the link', received);
  },
};

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toBeLinkAccountResponse(): R;
      toBeTryLaterResponse(): R;
      toBeAlexaErrorResponse(type?: string): R;
      toBeMusicErrorResponse(type?: string): R;
      toUnlinkTheUser(): R;
    }
  }
}
