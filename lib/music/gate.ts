/**
 * Music skills, part 3 of 3: the gate, installed on a {@link MusicSkillBuilder} with
 * `withAccountLinking`. It runs before every other request interceptor, and its errors reach its
 * own error handler before any error handler of the skill.
 */
import type { ErrorHandler } from 'ask-sdk-runtime';
import { MalformedRequestError } from '../errors';
import { DEFAULT_VERIFICATION_TIMEOUT_MS } from '../gate/budget';
import { GateShortCircuitError } from '../gate/decision';
import { gateInterceptor } from '../gate/interceptor';
import type { CommonGateOptions } from '../gate/options';
import type { Logger } from '../logging';
import type { RuntimeGate } from '../runtime-skill';
import type { MusicHandlerInput } from './handler-input';
import { musicRequestType, type MusicResponse } from './envelope';
import { resolveMusicAccessToken } from './resolve';
import { invalidMusicRequestResponse, musicRejectionResponse } from './respond';

/** The options of the music gate: {@link CommonGateOptions} and `allowUnlinked`. */
export interface MusicGateOptions<P> extends CommonGateOptions<P> {
  /**
   * Let requests without an access token through, with no linked user, for skills that also serve
   * users who never linked. Handlers then read `linking.findLinkedUser(input)` ({@link accountLinking}), typed `P | undefined`.
   * A token that is there is still verified.
   * @defaultValue false (no token: `INVALID_AUTHORIZATION_CREDENTIAL`)
   */
  allowUnlinked?: boolean | undefined;
}

export function createMusicGate<P>(
  options: MusicGateOptions<P>,
  builderLogger: Logger,
): RuntimeGate<MusicHandlerInput, MusicResponse> {
  const requestInterceptor = gateInterceptor<MusicHandlerInput>({
    family: 'music',
    verifier: options.verifier,
    verificationTimeoutMs: options.verificationTimeoutMs ?? DEFAULT_VERIFICATION_TIMEOUT_MS,
    logger: options.logger ?? builderLogger,
    unlinking: options.unlinking,
    metrics: options.metrics,
    requestType: (input) => musicRequestType(input.request),
    isGated: (input) => !(options.allowUnlinked && resolveMusicAccessToken(input.request).status === 'absent'),
    resolve: (input) => resolveMusicAccessToken(input.request),
  });

  const errorHandler: ErrorHandler<MusicHandlerInput, MusicResponse> = {
    canHandle: (_input, error) =>
      (error instanceof GateShortCircuitError && error.family === 'music') || error instanceof MalformedRequestError,
    handle: (_input, error) =>
      error instanceof GateShortCircuitError
        ? musicRejectionResponse(error.decision)
        : invalidMusicRequestResponse((error as MalformedRequestError).reason),
  };
  return { requestInterceptor, errorHandler };
}
