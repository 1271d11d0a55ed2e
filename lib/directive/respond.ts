/**
 * Smart home, video and meetings skills, part 2 of 3: the event Alexa expects when the gate stops
 * a directive. The two credential codes (they make Alexa delete the link) answer only an
 * affirmative verdict or no token at all. The reply table: docs/smart-home.md.
 */
import type { RejectedDecision } from '../gate/decision';
import type { AlexaEvent, Directive } from './envelope';
import { acceptGrantFailedEvent, discoverResponseEvent, errorEvent } from './events';
import { isAcceptGrant, isDiscover } from './resolve';

/** How the directive gate words its rejections, where Alexa's documentation leaves a choice. Part of {@link DirectiveGateOptions}. */
export interface DirectiveReplyOptions {
  /**
   * The ErrorResponse type when the verifier could not decide.
   * @defaultValue `INTERNAL_ERROR`
   */
  outageErrorType?: 'INTERNAL_ERROR' | 'BRIDGE_UNREACHABLE' | undefined;
  /**
   * Discover with a rejected token: an empty endpoint list (Amazon's documented answer) or the credential ErrorResponse.
   * @defaultValue `empty-endpoints`
   */
  discoverRejection?: 'empty-endpoints' | 'error-response' | undefined;
  /**
   * The namespace of credential ErrorResponses; `Alexa.Video` for video skills that want it.
   * @defaultValue `Alexa`
   */
  credentialErrorNamespace?: 'Alexa' | 'Alexa.Video' | undefined;
}

const MESSAGES: Record<RejectedDecision['outcome'], string> = {
  missing: 'The request carries no access token; the account is not linked.',
  invalid: 'The access token is not valid.',
  expired: 'The access token has expired.',
  undecided: 'The access token could not be verified right now.',
};

/**
 * The event that answers a directive the gate stopped, as the module's table says: `AcceptGrant`
 * always `ACCEPT_GRANT_FAILED`; "could not decide" an `INTERNAL_ERROR` (or `BRIDGE_UNREACHABLE`),
 * never an unlinking code; `Discover` with no or a rejected token an empty endpoint list (by default); anything
 * else `INVALID_AUTHORIZATION_CREDENTIAL` or, for an expired token, `EXPIRED_AUTHORIZATION_CREDENTIAL`.
 * The gate sends it; call it yourself only in a gate of your own.
 */
export function rejectionEvent(
  directive: Directive,
  decision: RejectedDecision,
  options: DirectiveReplyOptions = {},
): AlexaEvent {
  const message = MESSAGES[decision.outcome];
  if (isAcceptGrant(directive)) return acceptGrantFailedEvent(directive, message);
  if (decision.outcome === 'undecided')
    return errorEvent(directive, options.outageErrorType ?? 'INTERNAL_ERROR', message);
  if (isDiscover(directive) && (options.discoverRejection ?? 'empty-endpoints') === 'empty-endpoints') {
    return discoverResponseEvent(directive, []);
  }
  const type = decision.outcome === 'expired' ? 'EXPIRED_AUTHORIZATION_CREDENTIAL' : 'INVALID_AUTHORIZATION_CREDENTIAL';
  return errorEvent(directive, type, message, { namespace: options.credentialErrorNamespace ?? 'Alexa' });
}

/** `INVALID_DIRECTIVE`, for a directive that is malformed or that no handler takes. */
export function invalidDirectiveEvent(directive: Directive | undefined, reason: string): AlexaEvent {
  return directive && isAcceptGrant(directive)
    ? acceptGrantFailedEvent(directive, `Invalid directive: ${reason}`)
    : errorEvent(directive, 'INVALID_DIRECTIVE', `Invalid directive: ${reason}`);
}
