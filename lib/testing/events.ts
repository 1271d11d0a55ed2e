/**
 * Request envelopes for tests and local runs, shaped as Alexa sends them, with the access token
 * wherever the caller asks for it.
 */
import { randomUUID } from 'node:crypto';
import type { RequestEnvelope } from 'ask-sdk-model';
import { askForAccountLinkingDirective } from '../custom/voice-linking';

/** The skill ID of the test kit's envelopes (`context.System.application.applicationId`). */
export const TEST_SKILL_ID = 'amzn1.ask.skill.00000000-0000-0000-0000-000000000000';
/** The Alexa user ID of the test kit's envelopes (`context.System.user.userId`). */
export const TEST_USER_ID = 'amzn1.ask.account.TESTUSER';

/** What the custom-skill envelope helpers put in an envelope. */
export interface CustomEnvelopeOptions {
  /** The linked account's access token, at `context.System.user.accessToken` (and in the session). */
  accessToken?: string | undefined;
  /** A recognised voice profile's own access token, at `context.System.person.accessToken`. */
  personAccessToken?: string | undefined;
  /** Whether the request belongs to a session. Default: true for Launch, Intent, SessionEnded, CanFulfill. */
  session?: boolean | undefined;
  /** The request's locale. Default: `en-US`. */
  locale?: string | undefined;
}

/** A custom-skill envelope around `request`, with `context`, and a `session` where Alexa sends one. */
export function customEnvelope(
  request: Record<string, unknown> & { type: string },
  options: CustomEnvelopeOptions = {},
): RequestEnvelope {
  const withSession = options.session ?? IN_SESSION.has(request.type);
  const user = () => ({
    userId: TEST_USER_ID,
    ...(options.accessToken !== undefined ? { accessToken: options.accessToken } : {}),
  });
  const application = { applicationId: TEST_SKILL_ID };
  return {
    version: '1.0',
    ...(withSession
      ? {
          session: {
            new: request.type === 'LaunchRequest',
            sessionId: `amzn1.echo-api.session.${randomUUID()}`,
            application,
            attributes: {},
            user: user(),
          },
        }
      : {}),
    context: {
      System: {
        application,
        user: user(),
        ...(options.personAccessToken !== undefined
          ? { person: { personId: 'amzn1.ask.person.TESTPERSON', accessToken: options.personAccessToken } }
          : {}),
        device: { deviceId: 'amzn1.ask.device.TESTDEVICE', supportedInterfaces: {} },
        apiEndpoint: 'https://api.amazonalexa.com',
        apiAccessToken: 'test-api-access-token',
      },
    },
    request: {
      requestId: `amzn1.echo-api.request.${randomUUID()}`,
      timestamp: new Date().toISOString(),
      locale: options.locale ?? 'en-US',
      ...request,
    },
  } as unknown as RequestEnvelope;
}

const IN_SESSION = new Set(['LaunchRequest', 'IntentRequest', 'SessionEndedRequest', 'CanFulfillIntentRequest']);

/** A `LaunchRequest`, in a new session. */
export function launchRequest(options?: CustomEnvelopeOptions): RequestEnvelope {
  return customEnvelope({ type: 'LaunchRequest' }, options);
}

/** An `IntentRequest` for intent `name` with `slots` (slot name to value), dialog COMPLETED. */
export function intentRequest(
  name: string,
  slots: Record<string, string> = {},
  options?: CustomEnvelopeOptions,
): RequestEnvelope {
  return customEnvelope(
    {
      type: 'IntentRequest',
      dialogState: 'COMPLETED',
      intent: { name, confirmationStatus: 'NONE', slots: toSlots(slots) },
    },
    options,
  );
}

/** A `CanFulfillIntentRequest` for intent `name` with `slots`. */
export function canFulfillIntentRequest(
  name: string,
  slots: Record<string, string> = {},
  options?: CustomEnvelopeOptions,
): RequestEnvelope {
  return customEnvelope({ type: 'CanFulfillIntentRequest', intent: { name, slots: toSlots(slots) } }, options);
}

/** A `SessionEndedRequest`, reason USER_INITIATED. */
export function sessionEndedRequest(options?: CustomEnvelopeOptions): RequestEnvelope {
  return customEnvelope({ type: 'SessionEndedRequest', reason: 'USER_INITIATED' }, options);
}

/** An AudioPlayer event: no session, as Alexa sends it. */
export function audioPlayerEvent(name = 'PlaybackStarted', options?: CustomEnvelopeOptions): RequestEnvelope {
  return customEnvelope(
    { type: `AudioPlayer.${name}`, token: 'track-1', offsetInMilliseconds: 0 },
    { session: false, ...options },
  );
}

/** `AlexaSkillEvent.SkillAccountLinked`: the new access token travels in `request.body.accessToken`. */
export function skillAccountLinkedEvent(accessToken?: string, options?: CustomEnvelopeOptions): RequestEnvelope {
  return customEnvelope(
    {
      type: 'AlexaSkillEvent.SkillAccountLinked',
      eventCreationTime: new Date().toISOString(),
      eventPublishingTime: new Date().toISOString(),
      body: accessToken !== undefined ? { accessToken } : {},
    },
    { session: false, ...options },
  );
}

/** What a `SessionResumedRequest` says about the connection that completed. */
export interface SessionResumedOptions extends CustomEnvelopeOptions {
  /** `cause.token`: the token of the skill's `StartConnection` directive, echoed back. */
  token?: string | undefined;
  /** `cause.result`, e.g. `{ status: 'LINKED' }` for voice-forward account linking. */
  result?: Record<string, unknown> | undefined;
  /** `cause.status`. Default: `{ code: '200', message: 'OK' }`. */
  status?:
    | {
        /** The connection's HTTP-like status code, as a string: `200` when the task ran. */
        code: string;
        /** A human-readable word for the code, e.g. `OK`. */
        message?: string | undefined;
      }
    | undefined;
}

/**
 * `SessionResumedRequest`: Alexa resumes the session after a `Connections.StartConnection` with
 * `onCompletion: RESUME_SESSION`; `cause` (`type: ConnectionCompleted`) echoes the directive's token
 * and carries the outcome. In a session, as Alexa sends it.
 */
export function sessionResumedRequest(options: SessionResumedOptions = {}): RequestEnvelope {
  const { token, result, status = { code: '200', message: 'OK' }, ...envelope } = options;
  return customEnvelope(
    {
      type: 'SessionResumedRequest',
      cause: {
        type: 'ConnectionCompleted',
        ...(token !== undefined ? { token } : {}),
        status,
        ...(result !== undefined ? { result } : {}),
      },
    },
    { session: true, ...envelope },
  );
}

/**
 * The `SessionResumedRequest` that answers the gate's voice-forward account linking: `status` in
 * `cause.result.status` (`LINKED`, `DENIED`, `USER_REQUIREMENTS_NOT_MET`, ...), the gate's token
 * for `resumedFrom` (default `LaunchRequest`), and the new access token, if any, where every
 * request carries it (`accessToken`).
 */
export function voiceLinkingResumedRequest(
  status: string,
  options: CustomEnvelopeOptions & { resumedFrom?: string } = {},
): RequestEnvelope {
  const { resumedFrom = 'LaunchRequest', ...envelope } = options;
  return sessionResumedRequest({
    token: askForAccountLinkingDirective(resumedFrom).token,
    result: { status },
    ...envelope,
  });
}

function toSlots(slots: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(slots).map(([name, value]) => [name, { name, value, confirmationStatus: 'NONE' }]),
  );
}
