/**
 * Jest matchers for what a gated skill answers (`toBeLinkAccountResponse`, `toBeTryLaterResponse`,
 * `toBeAlexaErrorResponse`, `toBeMusicErrorResponse`, `toUnlinkTheUser`). Install them with
 * `expect.extend(accountLinkingMatchers)` or `ask-sdk-account-linking/testing/jest`. See docs/testing.md.
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

function result(pass: boolean, what: string, received: unknown, unlinkingExpected = false): Result {
  const hint = !pass && unlinkingExpected && isTransient(received) ? HELD_HINT : '';
  return {
    pass,
    message: () => `expected ${pass ? 'not ' : ''}${what}, received${hint}:\n${JSON.stringify(received, null, 2)}`,
  };
}

/**
 * What a failed expectation of an unlinking reply says when the reply is the family's transient one:
 * most often the unlinking policy held the rejection, as it should in a fresh skill.
 */
const HELD_HINT =
  ' the transient reply, which is what the unlinking policy gives a rejection it holds (pending its confirmation, ' +
  'a configuration no token was accepted under yet, the breaker, or a paused ledger; the gate\'s log line says which as "held"). ' +
  'A fresh skill holds a first rejection by design. In a unit test of the reply, give the gate `unlinking: unlinkingForTests()` ' +
  'from ask-sdk-account-linking/testing (or send the token twice with `unlinking: { confirmAfterMs: 0 }` after an accepted one)';

/** Whether a reply is a family's transient one: speech without a card, or INTERNAL_ERROR / BRIDGE_UNREACHABLE. */
function isTransient(received: unknown): boolean {
  const response = customResponse(received);
  if (response) return response.card === undefined && typeof response.outputSpeech?.ssml === 'string';
  return ['INTERNAL_ERROR', 'BRIDGE_UNREACHABLE'].includes(errorTypeOf(received) ?? '');
}

function customResponse(received: unknown): Record<string, any> | undefined {
  return isObject(received) && isObject(received.response) ? received.response : undefined;
}

/** The error type of any family's ErrorResponse, or undefined. */
export function errorTypeOf(received: unknown): string | undefined {
  if (!isObject(received)) return undefined;
  const payload = isObject(received.event) ? received.event.payload : received.payload;
  const header = isObject(received.event) ? received.event.header : received.header;
  return isObject(header) && header.name === 'ErrorResponse' && isObject(payload) && typeof payload.type === 'string'
    ? payload.type
    : undefined;
}

/**
 * The account-linking jest matchers, for `expect.extend(accountLinkingMatchers)` (or import
 * `ask-sdk-account-linking/testing/jest` in a setup file). Each is also a plain function of the reply.
 */
export const accountLinkingMatchers = {
  /** A custom reply with speech, a LinkAccount card, the session ended. */
  toBeLinkAccountResponse(received: unknown): Result {
    const response = customResponse(received);
    const pass =
      !!response &&
      response.card?.type === 'LinkAccount' &&
      typeof response.outputSpeech?.ssml === 'string' &&
      response.shouldEndSession === true;
    return result(pass, 'a LinkAccount card with speech that ends the session', received, true);
  },

  /** A custom reply with speech, no card, the session ended (the "could not decide" apology). */
  toBeTryLaterResponse(received: unknown): Result {
    const response = customResponse(received);
    const pass =
      !!response &&
      response.card === undefined &&
      typeof response.outputSpeech?.ssml === 'string' &&
      response.shouldEndSession === true;
    return result(pass, 'speech without a card that ends the session', received);
  },

  /** A smart home ErrorResponse (`Alexa`, `Alexa.Video` or `Alexa.Authorization`, `payloadVersion "3"`), of `type` if given. */
  toBeAlexaErrorResponse(received: unknown, type?: string): Result {
    const header = isObject(received) && isObject(received.event) ? received.event.header : undefined;
    const pass =
      isObject(header) &&
      ['Alexa', 'Alexa.Video', 'Alexa.Authorization'].includes(header.namespace) &&
      header.payloadVersion === '3' &&
      errorTypeOf(received) !== undefined &&
      (type === undefined || errorTypeOf(received) === type);
    return result(pass, `a smart home ErrorResponse${type ? ` ${type}` : ''}`, received, UNLINKING.has(type ?? ''));
  },

  /** A music `Alexa` ErrorResponse (`payloadVersion "3.0"`), of `type` if given. */
  toBeMusicErrorResponse(received: unknown, type?: string): Result {
    const header = isObject(received) ? received.header : undefined;
    const pass =
      isObject(header) &&
      header.namespace === 'Alexa' &&
      header.payloadVersion === '3.0' &&
      errorTypeOf(received) !== undefined &&
      (type === undefined || errorTypeOf(received) === type);
    return result(pass, `a music ErrorResponse${type ? ` ${type}` : ''}`, received, UNLINKING.has(type ?? ''));
  },

  /** Any reply that makes Alexa delete the link: INVALID_ or EXPIRED_AUTHORIZATION_CREDENTIAL, or a LinkAccount card. */
  toUnlinkTheUser(received: unknown): Result {
    const pass = UNLINKING.has(errorTypeOf(received) ?? '') || customResponse(received)?.card?.type === 'LinkAccount';
    return result(pass, 'a reply that makes Alexa delete the link', received, true);
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
