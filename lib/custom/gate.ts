/**
 * Custom skills, part 3 of 3: the gate on an ask-sdk-core skill builder.
 *
 * A request interceptor resolves the access token, asks the verifier, and either hands the linked
 * user to the domain handlers or throws a {@link GateShortCircuitError}; the error handler paired
 * with it renders the reply. {@link withAccountLinking} installs both, and installs them so that
 * registration order cannot go wrong: the gate runs before every other request interceptor, and
 * its errors reach its own error handler before any error handler of the skill, catch-alls
 * included.
 */
import type { CustomSkillBuilder, ErrorHandler, HandlerInput, RequestInterceptor } from 'ask-sdk-core';
import { ConfigurationError, GateShortCircuitError, MalformedRequestError } from '../errors';
import { DEFAULT_VERIFICATION_TIMEOUT_MS, gateErrorsFirst, gateInterceptor, type CommonGateOptions } from '../gate';
import { createJsonLogger } from '../logging';
import { customRequestType, resolveCustomAccessToken, SKILL_ACCOUNT_LINKED } from './resolve';
import { customReplyKind, rejectionReply, speechFor, type SpeechByLocale } from './respond';

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

export interface CustomGateOptions<P> extends CommonGateOptions<P> {
  /** Intents that bypass the gate. Default: {@link DEFAULT_PUBLIC_INTENTS}. */
  publicIntents?: readonly string[];
  /** Request types that bypass the gate. Default: {@link DEFAULT_PUBLIC_REQUEST_TYPES}. SessionEndedRequest always does. */
  publicRequestTypes?: readonly string[];
  /** Prefer `context.System.person.accessToken` (a recognised voice profile's own link). Default: false. */
  preferPersonToken?: boolean;
  /** What the gate says, per locale or language. Default: {@link DEFAULT_SPEECH} (English). */
  speech?: SpeechByLocale;
}

interface CustomGate {
  requestInterceptor: RequestInterceptor;
  errorHandler: ErrorHandler;
}

const INSTALLED = Symbol.for('ask-sdk-account-linking.custom-gate');

/**
 * Puts the account-linking gate on a custom skill builder (`SkillBuilders.custom()` or
 * `.standard()`), and returns the same builder. Call it once; where in the chain does not matter.
 *
 * @example
 * const skill = withAccountLinking(SkillBuilders.custom(), { verifier })
 *   .addRequestHandlers(LaunchHandler, OrderRideHandler)
 *   .addErrorHandlers(CatchAllHandler)
 *   .create();
 */
export function withAccountLinking<B extends CustomSkillBuilder, P>(builder: B, options: CustomGateOptions<P>): B {
  if (typeof builder?.getSkillConfiguration !== 'function') {
    throw new ConfigurationError('withAccountLinking needs an ask-sdk-core custom skill builder, e.g. SkillBuilders.custom()');
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

  const requestInterceptor: RequestInterceptor = gateInterceptor<HandlerInput>({
    family: 'custom',
    verifier: options.verifier,
    timeoutMs: options.verificationTimeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS,
    logger: options.logger ?? createJsonLogger(),
    unlinkGuard: options.unlinkGuard,
    metrics: options.metrics,
    requestType: (input) => customRequestType(input.requestEnvelope),
    isGated(input, requestType) {
      if (requestType === 'SessionEndedRequest' || publicRequestTypes.has(requestType)) return false;
      if (requestType === 'IntentRequest') {
        const intentName = (input.requestEnvelope.request as { intent?: { name?: unknown } }).intent?.name;
        if (typeof intentName === 'string' && publicIntents.has(intentName)) return false;
      }
      return true;
    },
    resolve: (input) => resolveCustomAccessToken(input.requestEnvelope, { preferPersonToken: options.preferPersonToken }),
  });

  const errorHandler: ErrorHandler = {
    canHandle(_input, error) {
      return (error instanceof GateShortCircuitError && error.family === 'custom') || error instanceof MalformedRequestError;
    },
    handle(input, error) {
      // A request Alexa would never send has no right answer: the invocation fails, with the reason logged.
      if (!(error instanceof GateShortCircuitError)) throw error;
      const envelope = input.requestEnvelope;
      const kind = error.requestType === SKILL_ACCOUNT_LINKED ? 'silent' : customReplyKind(error.requestType, isLiveSession(envelope.session));
      return rejectionReply(error.decision, kind, speechFor(localeOf(envelope), options.speech), input.responseBuilder);
    },
  };

  return { requestInterceptor, errorHandler };
}

function isLiveSession(session: unknown): boolean {
  return typeof session === 'object' && session !== null;
}

function localeOf(envelope: HandlerInput['requestEnvelope']): string | undefined {
  const locale = (envelope.request as { locale?: unknown }).locale;
  return typeof locale === 'string' ? locale : undefined;
}
