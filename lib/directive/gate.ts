/**
 * Smart home, video and meetings skills, part 3 of 3: the gate, installed on a
 * {@link DirectiveSkillBuilder} with `withAccountLinking`. It runs before every other request
 * interceptor, and its errors reach its own error handler before any error handler of the skill.
 */
import type { ErrorHandler } from 'ask-sdk-runtime';
import { MalformedRequestError } from '../errors';
import { DEFAULT_VERIFICATION_TIMEOUT_MS } from '../gate/budget';
import { GateShortCircuitError } from '../gate/decision';
import { gateInterceptor } from '../gate/interceptor';
import type { CommonGateOptions } from '../gate/options';
import type { Logger } from '../logging';
import type { RuntimeGate } from '../runtime-skill';
import type { AlexaEvent } from './envelope';
import { directiveType } from './envelope';
import type { DirectiveHandlerInput } from './handler-input';
import { resolveDirectiveAccessToken } from './resolve';
import { invalidDirectiveEvent, rejectionEvent, type DirectiveReplyOptions } from './respond';

/** The options of the directive gate: {@link CommonGateOptions}, {@link DirectiveReplyOptions} and its public directives. */
export interface DirectiveGateOptions<P> extends CommonGateOptions<P>, DirectiveReplyOptions {
  /**
   * Directives that bypass the gate, as `Namespace.Name` or `Namespace.*`.
   * @defaultValue none
   */
  publicDirectives?: readonly string[] | undefined;
}

export function createDirectiveGate<P>(
  options: DirectiveGateOptions<P>,
  builderLogger: Logger,
): RuntimeGate<DirectiveHandlerInput, AlexaEvent> {
  const publicDirectives = new Set(options.publicDirectives ?? []);
  const requestInterceptor = gateInterceptor<DirectiveHandlerInput>({
    family: 'directive',
    verifier: options.verifier,
    verificationTimeoutMs: options.verificationTimeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS,
    logger: options.logger ?? builderLogger,
    unlinking: options.unlinking,
    metrics: options.metrics,
    requestType: (input) => directiveType(input.directive),
    isGated: (input, type) =>
      !publicDirectives.has(type) && !publicDirectives.has(`${input.directive.header.namespace}.*`),
    resolve: (input) => resolveDirectiveAccessToken(input.directive),
  });

  const errorHandler: ErrorHandler<DirectiveHandlerInput, AlexaEvent> = {
    canHandle: (_input, error) =>
      (error instanceof GateShortCircuitError && error.family === 'directive') ||
      error instanceof MalformedRequestError,
    handle(input, error) {
      if (error instanceof GateShortCircuitError) return rejectionEvent(input.directive, error.decision, options);
      return invalidDirectiveEvent(input.directive, (error as MalformedRequestError).reason);
    },
  };
  return { requestInterceptor, errorHandler };
}
