/**
 * Custom skills, part 3 of 3: the gate on an ask-sdk-core skill builder, installed by
 * {@link installCustomGate} (for `withAccountLinking`) so that it runs first and its error handler
 * is tried first, catch-alls included. See docs/custom-skills.md.
 */
import type { CustomSkillBuilder, ErrorHandler, HandlerInput, RequestInterceptor } from 'ask-sdk-core';
import { CannotDecideError, ConfigurationError, MalformedRequestError } from '../errors';
import { DEFAULT_VERIFICATION_TIMEOUT_MS } from '../gate/budget';
import { GateShortCircuitError, type RejectedDecision } from '../gate/decision';
import { gateErrorsFirst } from '../gate/error-mapper';
import { gateInterceptor } from '../gate/interceptor';
import type { CommonGateOptions } from '../gate/options';
import { createJsonLogger } from '../logging';
import { customRequestType, resolveCustomAccessToken, SKILL_ACCOUNT_LINKED } from './resolve';
import { customReplyKind, rejectionReply, voiceLinkingReply } from './respond';
import { speechFor, type SpeechByLocale } from './speech';
import { voiceLinkingResult } from './voice-linking';

/** Intents anybody may use, linked or not. */
export const DEFAULT_PUBLIC_INTENTS: readonly string[] = [
  'AMAZON.HelpIntent',
  'AMAZON.StopIntent',
  'AMAZON.CancelIntent',
  'AMAZON.NavigateHomeIntent',
];

/**
 * Request types that are not about a linked user: skill lifecycle events (a user who disables
 * the skill has no link left, and the skill still wants to clean up) and out-of-session
 * permission grants.
 */
export const DEFAULT_PUBLIC_REQUEST_TYPES: readonly string[] = [
  'AlexaSkillEvent.SkillEnabled',
  'AlexaSkillEvent.SkillDisabled',
  'AlexaSkillEvent.SkillPermissionAccepted',
  'AlexaSkillEvent.SkillPermissionChanged',
  'Alexa.Authorization.Grant',
];

/** The options of the custom-skill gate: {@link CommonGateOptions} and the custom family's own. */
export interface CustomGateOptions<P> extends CommonGateOptions<P> {
  /**
   * Intents that bypass the gate.
   * @defaultValue {@link DEFAULT_PUBLIC_INTENTS}
   */
  publicIntents?: readonly string[] | undefined;
  /**
   * Request types that bypass the gate. SessionEndedRequest always does.
   * @defaultValue {@link DEFAULT_PUBLIC_REQUEST_TYPES}
   */
  publicRequestTypes?: readonly string[] | undefined;
  /**
   * Prefer `context.System.person.accessToken` (a recognised voice profile's own link).
   * @defaultValue false
   */
  preferPersonToken?: boolean | undefined;
  /**
   * What the gate says, per locale (`de-DE`) or language (`de`), one message at a time.
   * @defaultValue {@link GATE_SPEECH}: the built-in texts of all 17 custom-skill locales, English elsewhere
   */
  speech?: SpeechByLocale | undefined;
  /**
   * Voice-forward account linking (services that sign in with Login with Amazon, and "Allow users
   * to link their account to your skill using voice" on in the developer console): a Launch or
   * Intent request of a live session that carries no token at all is answered with a
   * `Connections.StartConnection` for `AMAZON.AskForAccountLinking` instead of the LinkAccount
   * card. The card stays the answer everywhere else (no session, CanFulfill, silent requests, an
   * invalid or expired token, and when voice linking comes back without a link).
   * @defaultValue false, since Alexa supports it only for Login with Amazon
   */
  voiceLinking?: boolean | undefined;
}

interface CustomGate {
  requestInterceptor: RequestInterceptor;
  errorHandler: ErrorHandler;
}

const INSTALLED = Symbol.for('ask-sdk-account-linking.custom-gate');

/**
 * Puts the account-linking gate on a custom skill builder (`SkillBuilders.custom()` or
 * `.standard()`), and returns the same builder; `withAccountLinking` calls it for custom skills.
 * The gate's request interceptor is put before the builder's, and its error handler before the
 * builder's error mapper, whenever they were added. Once per builder.
 */
export function installCustomGate<B extends CustomSkillBuilder, P>(builder: B, options: CustomGateOptions<P>): B {
  if (typeof builder?.getSkillConfiguration !== 'function') {
    throw new ConfigurationError(
      'withAccountLinking needs an ask-sdk-core custom skill builder, e.g. SkillBuilders.custom()',
    );
  }
  if ((builder as unknown as Record<symbol, unknown>)[INSTALLED]) {
    throw new ConfigurationError('withAccountLinking was already called on this skill builder');
  }
  const gate = createCustomGate(options);
  const skillConfiguration = builder.getSkillConfiguration.bind(builder);
  Object.defineProperty(builder, INSTALLED, { value: true });
  builder.getSkillConfiguration = () => {
    const configuration = skillConfiguration();
    return {
      ...configuration,
      requestInterceptors: [gate.requestInterceptor, ...(configuration.requestInterceptors ?? [])],
      errorMapper: gateErrorsFirst(gate.errorHandler, configuration.errorMapper),
    };
  };
  return builder;
}

function createCustomGate<P>(options: CustomGateOptions<P>): CustomGate {
  const publicIntents = new Set(options.publicIntents ?? DEFAULT_PUBLIC_INTENTS);
  const publicRequestTypes = new Set(options.publicRequestTypes ?? DEFAULT_PUBLIC_REQUEST_TYPES);
  const logger = options.logger ?? createJsonLogger();

  const requestInterceptor: RequestInterceptor = gateInterceptor<HandlerInput>({
    family: 'custom',
    verifier: options.verifier,
    verificationTimeoutMs: options.verificationTimeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS,
    logger,
    unlinking: options.unlinking,
    metrics: options.metrics,
    requestType: (input) => customRequestType(input.requestEnvelope),
    isGated(input, requestType) {
      if (requestType === 'SessionEndedRequest' || publicRequestTypes.has(requestType)) return false;
      if (requestType === 'IntentRequest') {
        const intentName = intentNameOf(input.requestEnvelope);
        if (intentName !== undefined && publicIntents.has(intentName)) return false;
      }
      return true;
    },
    resolve: (input) =>
      resolveCustomAccessToken(input.requestEnvelope, { preferPersonToken: options.preferPersonToken }),
  });

  const errorHandler: ErrorHandler = {
    canHandle(_input, error) {
      return (
        (error instanceof GateShortCircuitError && error.family === 'custom') || error instanceof MalformedRequestError
      );
    },
    handle(input, error) {
      // A request Alexa would never send has no right answer: the invocation fails, with the reason logged.
      if (!(error instanceof GateShortCircuitError)) throw error;
      const envelope = input.requestEnvelope;
      const { decision, requestType } = error;
      const liveSession = isLiveSession(envelope.session);
      const kind = requestType === SKILL_ACCOUNT_LINKED ? 'silent' : customReplyKind(requestType, liveSession);
      const speech = speechFor(localeOf(envelope), options.speech);
      if (decision.outcome === 'missing' && kind === 'speech') {
        if (
          options.voiceLinking &&
          liveSession &&
          (requestType === 'LaunchRequest' || requestType === 'IntentRequest')
        ) {
          return voiceLinkingReply(intentNameOf(envelope) ?? requestType, input.responseBuilder);
        }
        // Alexa says it linked the account, yet the request has no token: nothing proves the link
        // wrong, so no card (it could undo the fresh link); the user is asked to try again.
        if (voiceLinkingResult(envelope)?.linked) {
          logger.error(
            'account linking: voice linking came back LINKED without an access token; answered "try later", no card',
            {
              family: 'custom',
              requestType,
            },
          );
          return rejectionReply(LINKED_WITHOUT_TOKEN, kind, speech, input.responseBuilder);
        }
      }
      return rejectionReply(decision, kind, speech, input.responseBuilder);
    },
  };

  return { requestInterceptor, errorHandler };
}

/** A voice-linking resumption that says LINKED but carries no token: "could not decide", never the card. */
const LINKED_WITHOUT_TOKEN: RejectedDecision = {
  outcome: 'undecided',
  cause: new CannotDecideError(
    'voice linking linked without a token',
    "the skill's voice linking settings in the Alexa developer console",
  ),
};

function isLiveSession(session: unknown): boolean {
  return typeof session === 'object' && session !== null;
}

function intentNameOf(envelope: HandlerInput['requestEnvelope']): string | undefined {
  const name = (envelope.request as { intent?: { name?: unknown } }).intent?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function localeOf(envelope: HandlerInput['requestEnvelope']): string | undefined {
  const locale = (envelope.request as { locale?: unknown }).locale;
  return typeof locale === 'string' ? locale : undefined;
}
