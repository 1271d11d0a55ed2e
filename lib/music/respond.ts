/**
 * Music skills, part 2 of 3: the reply when the gate stops a request. The two credential codes
 * (they make Alexa delete the link) answer only an affirmative verdict or no token at all.
 * The reply table: docs/music.md.
 */
import type { RejectedDecision } from '../gate/decision';
import type { MusicResponse } from './envelope';
import { musicErrorResponse } from './events';

const REPLIES = {
  missing: ['INVALID_AUTHORIZATION_CREDENTIAL', 'The request carries no access token; the account is not linked.'],
  invalid: ['INVALID_AUTHORIZATION_CREDENTIAL', 'The access token is not valid.'],
  expired: ['EXPIRED_AUTHORIZATION_CREDENTIAL', 'The access token has expired.'],
  undecided: ['INTERNAL_ERROR', 'The access token could not be verified right now.'],
} as const;

/**
 * The `Alexa.ErrorResponse` that answers a music request the gate stopped, as the module's table
 * says: the credential codes (which unlink) only for no token or an affirmative verdict,
 * `INTERNAL_ERROR` when the verifier could not decide. The gate sends it; call it yourself only in a gate of your own.
 */
export function musicRejectionResponse(decision: RejectedDecision): MusicResponse {
  const [type, message] = REPLIES[decision.outcome];
  return musicErrorResponse(type, message);
}

/** `INVALID_DIRECTIVE`, for a request that is malformed or that no handler takes. */
export function invalidMusicRequestResponse(reason: string): MusicResponse {
  return musicErrorResponse('INVALID_DIRECTIVE', `Invalid request: ${reason}`);
}
