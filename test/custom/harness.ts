/** A custom skill with the gate, a domain handler that records what ran, and a catch-all registered first. */
import { getRequestType, SkillBuilders, type ErrorHandler, type HandlerInput, type RequestHandler } from 'ask-sdk-core';
import type { RequestEnvelope, ResponseEnvelope } from 'ask-sdk-model';
import { JwtVerifier, withAccountLinking, type CustomGateOptions, type TokenVerifier } from '../../lib';
import { AUDIENCE, ISSUER, recordingLogger, SECRET } from '../support/fixtures';

export const jwtVerifier = new JwtVerifier({
  secret: SECRET,
  algorithms: ['HS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
});

export const throwingVerifier: TokenVerifier<never> = {
  verify: async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:443');
  },
};

export function gatedSkill(
  options: Partial<CustomGateOptions<unknown>> & {
    verifier?: TokenVerifier<unknown>;
    onHandle?: (input: HandlerInput) => void;
  } = {},
) {
  const ran: string[] = [];
  const logger = recordingLogger();
  const domain: RequestHandler = {
    canHandle: () => true,
    handle(input) {
      ran.push(getRequestType(input.requestEnvelope));
      options.onHandle?.(input);
      return input.responseBuilder.speak('domain handler').getResponse();
    },
  };
  const catchAll: ErrorHandler = {
    canHandle: () => true,
    handle: (input) => input.responseBuilder.speak('catch-all').getResponse(),
  };
  // The catch-all is registered before the gate on purpose: it must not swallow the gate's errors.
  const builder = SkillBuilders.custom().addErrorHandlers(catchAll);
  const { onHandle: _onHandle, verifier = jwtVerifier, ...gateOptions } = options;
  // The reply table, one decision at a time: the unlink guard (test/unlink-guard.test.ts) is off unless a test turns it on.
  withAccountLinking(builder, { verifier, logger, unlinking: false, ...gateOptions }).addRequestHandlers(domain);
  const skill = builder.create();
  return {
    ran,
    logger,
    invoke: (envelope: RequestEnvelope, context?: unknown): Promise<ResponseEnvelope> =>
      skill.invoke(envelope, context),
  };
}
