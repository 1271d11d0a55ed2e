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
import type { ErrorMapper } from 'ask-sdk-runtime';
import type { Response } from 'ask-sdk-model';
import { ConfigurationError, GateShortCircuitError, MalformedRequestError } from '../errors';
import { decide, DEFAULT_VERIFICATION_TIMEOUT_MS, logDecision, verificationBudget } from '../gate';
import { attachLinkedAccount, LinkedAccount } from '../linked-account';
import { createJsonLogger, type Logger } from '../logging';
import type { TokenVerifier } from '../verification/verifier';
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

export interface CustomGateOptions<P> {
  /** Decides whether an access token identifies a user of the service. Required. */
  verifier: TokenVerifier<P>;
  /** Intents that bypass the gate. Default: {@link DEFAULT_PUBLIC_INTENTS}. */
  publicIntents?: readonly string[];
  /** Request types that bypass the gate. Default: {@link DEFAULT_PUBLIC_REQUEST_TYPES}. SessionEndedRequest always does. */
  publicRequestTypes?: readonly string[];
  /** Prefer `context.System.person.accessToken` (a recognised voice profile's own link). Default: false. */
  preferPersonToken?: boolean;
  /** The most the verifier may take, in ms; less when the Lambda has less time left. Default: 3000. */
  verificationTimeoutMs?: number;
  /** What the gate says, per locale or language. Default: {@link DEFAULT_SPEECH} (English). */
  speech?: SpeechByLocale;
  /** Where the gate logs its decisions. Default: JSON lines on stdout at `$LOG_LEVEL`. */
  logger?: Logger;
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

/** The skill's own error mapper, behind the gate's error handler: no catch-all can swallow a gate error. */
function gateErrorsFirst(
  gateHandler: ErrorHandler,
  skillErrors: ErrorMapper<HandlerInput, Response> | undefined,
): ErrorMapper<HandlerInput, Response> {
  return {
    async getErrorHandler(input, error) {
      if (await gateHandler.canHandle(input, error)) return gateHandler;
      // GenericErrorMapper answers null when no handler fits; the dispatcher then rethrows.
      return (skillErrors ? await skillErrors.getErrorHandler(input, error) : null) as ErrorHandler;
    },
  };
}

function createCustomGate<P>(options: CustomGateOptions<P>): CustomGate {
  const verifier = options.verifier;
  if (typeof verifier?.verify !== 'function') throw new ConfigurationError('The account-linking gate needs a verifier with a verify() method');
  const timeoutMs = options.verificationTimeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ConfigurationError('verificationTimeoutMs must be a positive number');
  const publicIntents = new Set(options.publicIntents ?? DEFAULT_PUBLIC_INTENTS);
  const publicRequestTypes = new Set(options.publicRequestTypes ?? DEFAULT_PUBLIC_REQUEST_TYPES);
  const logger = options.logger ?? createJsonLogger();

  const isGated = (requestType: string, envelope: HandlerInput['requestEnvelope']): boolean => {
    if (requestType === 'SessionEndedRequest' || publicRequestTypes.has(requestType)) return false;
    if (requestType === 'IntentRequest') {
      const intentName = (envelope.request as { intent?: { name?: unknown } }).intent?.name;
      if (typeof intentName === 'string' && publicIntents.has(intentName)) return false;
    }
    return true;
  };

  const requestInterceptor: RequestInterceptor = {
    async process(input) {
      const envelope = input.requestEnvelope;
      let requestType: string;
      try {
        requestType = customRequestType(envelope);
      } catch (error) {
        logMalformed(logger, error);
        throw error;
      }
      if (!isGated(requestType, envelope)) return;

      const resolution = resolveCustomAccessToken(envelope, { preferPersonToken: options.preferPersonToken });
      if (resolution.status === 'malformed') {
        const error = new MalformedRequestError(resolution.reason);
        logMalformed(logger, error, requestType);
        throw error;
      }
      const started = Date.now();
      const decision = await decide(resolution, verifier, {
        family: 'custom',
        budgetMs: verificationBudget(timeoutMs, input.context),
      });
      logDecision(logger, { family: 'custom', requestType, resolution, decision, latencyMs: Date.now() - started });

      if (decision.outcome !== 'linked') throw new GateShortCircuitError('custom', requestType, decision);
      if (resolution.status === 'found') {
        attachLinkedAccount(input, new LinkedAccount(decision.linkedUser, resolution.accessToken, resolution.path, decision.expiresAt));
      }
    },
  };

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

function logMalformed(logger: Logger, error: unknown, requestType?: string): void {
  if (error instanceof MalformedRequestError) {
    logger.error('account linking: malformed request', { family: 'custom', requestType, reason: error.reason });
  }
}

function isLiveSession(session: unknown): boolean {
  return typeof session === 'object' && session !== null;
}

function localeOf(envelope: HandlerInput['requestEnvelope']): string | undefined {
  const locale = (envelope.request as { locale?: unknown }).locale;
  return typeof locale === 'string' ? locale : undefined;
}
