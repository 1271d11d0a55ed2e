/**
 * Voice-forward account linking (services that sign in with Login with Amazon): the
 * `Connections.StartConnection` for `AMAZON.AskForAccountLinking`, and the `SessionResumedRequest`
 * that reports its outcome. See docs/custom-skills.md.
 */
import { isObject } from '../json';

/** The task's URI, version 1. */
export const ASK_FOR_ACCOUNT_LINKING_URI = 'connection://AMAZON.AskForAccountLinking/1';

/**
 * The start of the token the gate puts in its `StartConnection` directive: a
 * `SessionResumedRequest` whose token starts so answers the gate's own request. The rest of the
 * token is what the user had asked for: the intent's name, or `LaunchRequest`.
 */
export const VOICE_LINKING_TOKEN_PREFIX = 'ask-sdk-account-linking.voice-linking:';

/** `result.status` of a resumed session whose account was linked. */
export const VOICE_LINKING_LINKED = 'LINKED';

/** The `Connections.StartConnection` directive that asks Alexa to link the account by voice. */
export interface AskForAccountLinkingDirective {
  /** A Connections directive: hands the conversation to an Amazon-owned task. */
  type: 'Connections.StartConnection';
  /** The task: `AMAZON.AskForAccountLinking`, version 1 ({@link ASK_FOR_ACCOUNT_LINKING_URI}). */
  uri: typeof ASK_FOR_ACCOUNT_LINKING_URI;
  /** Alexa comes back to the skill when the task ends, with a `SessionResumedRequest`. */
  onCompletion: 'RESUME_SESSION';
  /** The task's input; it takes no parameters. */
  input: {
    /** The task's input type. */
    '@type': 'AskForAccountLinking';
    /** The task's version. */
    '@version': '1';
  };
  /**
   * Echoed in the `SessionResumedRequest`: {@link VOICE_LINKING_TOKEN_PREFIX} and what the user had
   * asked for, so the skill can tell the gate's request from its own connections and pick up where it was.
   */
  token: string;
}

/**
 * The directive that asks Alexa to link the user's account by voice (for services that sign in
 * with Login with Amazon). The custom-skill gate sends it itself when voice linking is on; use it
 * to offer linking from your own handler.
 *
 * @param resumedFrom - What the user had asked for, handed back in the `SessionResumedRequest`
 *   ({@link VoiceLinkingResult.resumedFrom}): an intent's name, or `LaunchRequest`.
 *
 * @example
 * ```ts
 * return handlerInput.responseBuilder
 *   .addDirective(askForAccountLinkingDirective('OrderRideIntent'))
 *   .getResponse();
 * ```
 */
export function askForAccountLinkingDirective(resumedFrom: string): AskForAccountLinkingDirective {
  return {
    type: 'Connections.StartConnection',
    uri: ASK_FOR_ACCOUNT_LINKING_URI,
    onCompletion: 'RESUME_SESSION',
    input: { '@type': 'AskForAccountLinking', '@version': '1' },
    token: `${VOICE_LINKING_TOKEN_PREFIX}${resumedFrom}`,
  };
}

/** What a `SessionResumedRequest` answering the gate's voice-linking request says. */
export interface VoiceLinkingResult {
  /** Alexa said the account is linked (`result.status` is `LINKED`). */
  linked: boolean;
  /** `cause.result.status` as Alexa sent it (`LINKED`, `DENIED`, `USER_REQUIREMENTS_NOT_MET`, ...), if a string. */
  status?: string;
  /** `cause.status.code` as Alexa sent it (e.g. `"200"`), if any. */
  statusCode?: string;
  /** What the user had asked for when the gate started voice linking: an intent's name, or `LaunchRequest`. */
  resumedFrom: string;
}

/**
 * The outcome of the gate's voice-linking request, when `envelope` is the `SessionResumedRequest`
 * that answers it; `undefined` for any other request (another connection's resumption included).
 */
export function voiceLinkingResult(envelope: unknown): VoiceLinkingResult | undefined {
  if (!isObject(envelope) || !isObject(envelope.request) || envelope.request.type !== 'SessionResumedRequest')
    return undefined;
  const cause = envelope.request.cause;
  if (!isObject(cause) || cause.type !== 'ConnectionCompleted') return undefined;
  const token = cause.token;
  if (typeof token !== 'string' || !token.startsWith(VOICE_LINKING_TOKEN_PREFIX)) return undefined;
  const status = isObject(cause.result) && typeof cause.result.status === 'string' ? cause.result.status : undefined;
  const code = isObject(cause.status) ? cause.status.code : undefined;
  return {
    linked: status === VOICE_LINKING_LINKED,
    ...(status !== undefined ? { status } : {}),
    ...(typeof code === 'string' || typeof code === 'number' ? { statusCode: String(code) } : {}),
    resumedFrom: token.slice(VOICE_LINKING_TOKEN_PREFIX.length),
  };
}

/**
 * For the skill's `SessionResumedRequest` handler: the outcome of voice linking, when this request
 * resumes the session after the gate started it. It reaches domain handlers only when the gate
 * let the request through, i.e. with a linked user.
 */
export function getVoiceLinkingResult(input: { requestEnvelope: unknown }): VoiceLinkingResult | undefined {
  return voiceLinkingResult(input.requestEnvelope);
}
