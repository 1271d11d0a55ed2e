/**
 * The gate's decision in plain words: what the verifier said, what the unlinking policy made of it
 * ({@link describeDecision}), and why the answer is the right one in the situation ({@link why}).
 */
import type { ReplyKind } from '../summary';
import type { LoggedDecision } from './gate-log';
import { EMPTY_DISCOVER, type Claim } from './replies';
import { CONFIRM_AFTER_SECONDS, DEPLOYED_CONFIRM_AFTER_SECONDS, type Situation } from './situation';
import type { SkillName } from './skills';
import { clock } from './time';

/** A gate decision in plain words: what the verifier said, and what the unlinking policy made of it. */
export function describeDecision(decision: LoggedDecision | undefined, claim?: Claim): string {
  if (!decision) return 'no gate decision: the request needs no linked user';
  const answer =
    claim === 'devices-vanish'
      ? `Discover's rejection: ${EMPTY_DISCOVER}.`
      : claim === 'refused'
        ? 'Refused: the link is untouched.'
        : 'The unlinking reply.';
  const verdict = decision.verdict
    ? `rejected (${decision.verdict === 'invalid' ? `invalid, ${decision.reasonClass}` : 'expired'}; ${decision.rejection ?? 'suspected'})`
    : '';
  switch (decision.held) {
    case 'pending':
      return (
        `${verdict} — held: pending. A suspected rejection waits for the same token to be rejected again: it can be confirmed from ${clock(decision.confirmAt)} ` +
        `(${CONFIRM_AFTER_SECONDS} s after its first rejection here; ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h in a deployed skill). The link is kept.`
      );
    case 'unproven':
      return `${verdict} — held: unproven. No token has been accepted under this configuration anywhere in the fleet: no rejection is answered. The link is kept.`;
    case 'breaker':
      return `${verdict} — held: breaker. Too many tokens first rejected for ${decision.reasonClass} across the fleet: a fault is suspected, confirmations wait. The link is kept.`;
    case 'paused':
      return `${verdict} — held: paused. An operator paused every confirmation. The link is kept.`;
    case 'ledger':
      return `${verdict} — held: ledger. The fleet's ledger could not be read: we cannot know. The link is kept.`;
  }
  switch (decision.outcome) {
    case 'linked':
      return 'accepted: the token identifies a linked user';
    case 'missing':
      return 'no token: the user has not linked, so there is no link to delete';
    case 'invalid':
    case 'expired':
      return decision.rejection === 'self-evident'
        ? `${verdict} — answered at once: no fault of ours can produce it, and the configuration is proven. ${answer}`
        : `${verdict} — confirmed: the same token rejected again, on fresh knowledge, after the delay. ${answer}`;
    case 'undecided':
      return `could not decide${decision.reason ? ` (${decision.reason})` : ''}: no proof either way. The link is kept.`;
  }
}

/** One line: why the answer is the right one, from the gate's verdict and the situation. */
export function why(
  situation: Situation,
  decision: LoggedDecision | undefined,
  kind: ReplyKind,
  skill: SkillName,
  claim?: Claim,
): string {
  const jwtMode = situation.verification === 'jwt';
  if (claim === 'devices-vanish' && decision && (decision.outcome === 'invalid' || decision.outcome === 'expired')) {
    return (
      "The gate rejected the token, and answers Discover with an empty endpoint list (Amazon's documented answer; the gate's " +
      'discoverRejection option sends INVALID_AUTHORIZATION_CREDENTIAL instead): no unlinking code, Alexa keeps the link, ' +
      'but an empty list tells it the user has no devices — they would vanish from the Alexa app until a valid token discovers them again.'
    );
  }
  if (!decision) {
    return kind === 'answered'
      ? 'The gate let the request through (it needs no linked user).'
      : 'The request never reached a verdict (see the reply).';
  }
  const confirmed =
    decision.rejection === 'self-evident'
      ? 'No fault of ours can produce this rejection, and this configuration is proven: answered at once. '
      : `Rejected again, on fresh knowledge, at least ${CONFIRM_AFTER_SECONDS} s after its first rejection in the fleet (${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h deployed): confirmed. `;
  switch (decision.held) {
    case 'pending':
      return (
        `The verifier rejected it (${decision.reasonClass}), but one rejection is no proof: ${faultLike(decision.reasonClass)}. ` +
        `The unlinking policy holds it until the same token is rejected again from ${clock(decision.confirmAt)}; meanwhile the user hears "try again later" and keeps the link.`
      );
    case 'unproven':
      return 'No token has been accepted under this configuration anywhere in the fleet: the unlinking policy holds every rejection (held: unproven), so a bad deploy unlinks nobody. Its ERROR line tells the operator what to check.';
    case 'breaker':
      return `The breaker is open for ${decision.reasonClass}: the fleet's first rejections of that class are out of line with their usual level, which points at a fault, not at the users. Confirmations wait; the ERROR line says what to check.`;
    case 'paused':
      return "An operator paused every confirmation in the ledger's control item: rejections get the transient reply until it is resumed.";
    case 'ledger':
      return 'The unlinking ledger could not be read or written in time: no rejection can be confirmed, so the link is kept.';
  }
  switch (decision.outcome) {
    case 'linked': {
      if (kind !== 'answered')
        return 'The token was accepted; the skill itself answered this way (its own service failed, not the link).';
      if (situation.token === 'revoked' && jwtMode)
        return 'A JWT is checked locally (signature, exp): a revocation stays unseen until it expires. Keep JWT lifetimes short, or introspect.';
      if (situation.token === 'rotated')
        return jwtMode
          ? 'The refreshed token names a new kid: the verifier fetched the JWKS again and found it. The user stays linked.'
          : 'Opaque tokens carry no kid: the rotation does not touch them. The user stays linked.';
      if (situation.server !== 'up' && jwtMode)
        return 'The JWKS keys were fetched before: a JWT is verified without the server. The user stays linked.';
      return 'The verifier accepted the token: the domain handler answered.';
    }
    case 'missing':
      return skill === 'my-lights' && kind === 'answered'
        ? 'No token: the user has not linked. Discover answers an empty list: no devices, and no link to delete.'
        : 'No token at all: the user never linked, so nobody is unlinked (UnlinkingReplies 0). Asking them to link is right.';
    case 'expired':
      return `${confirmed}The token's exp is past, beyond the clock tolerance: ${claim === 'refused' ? 'AcceptGrant cannot unlink, so it is refused (ACCEPT_GRANT_FAILED) and the link is untouched' : 'the unlinking reply is right'}.`;
    case 'invalid': {
      if (claim === 'refused')
        return `${confirmed}AcceptGrant cannot unlink: the gate refuses the grant (ACCEPT_GRANT_FAILED), the link is untouched.`;
      if (situation.deploy !== 'correct')
        return `${confirmed}Rejected (${decision.reason ?? 'invalid'}) by a wrongly configured skill that had accepted tokens before: this is what the policy is there to stop.`;
      if (situation.token === 'expired')
        return `${confirmed}Introspection answers "active": false for an expired token as for a revoked one: invalid.`;
      if (situation.token === 'revoked')
        return `${confirmed}The authorization server says the token is inactive: the link goes.`;
      if (situation.token === 'forged') {
        return (
          confirmed +
          (jwtMode
            ? `The signature fails against the server's keys, fetched fresh (${decision.reason ?? 'invalid'}): a forged token is refused.`
            : 'The authorization server knows no such token ("active": false): a guessed token is refused.')
        );
      }
      return `${confirmed}The verifier proved the token bad (${decision.reason ?? 'invalid'}).`;
    }
    case 'undecided':
      if (situation.server === 'down')
        return 'The authorization server is unreachable: the verifier cannot decide, and an outage is no proof. The link is kept.';
      if (situation.server === 'hang')
        return 'The verifier ran out of time (the server never answered): no proof, so the link is kept.';
      if (situation.deploy !== 'correct')
        return 'A setting of ours is wrong (see the ERROR line): "could not decide", never an unlink.';
      return 'The verifier could not decide (see the log line): that is about us, not the token, so the link is kept.';
  }
}

/** What fault of ours would produce a rejection of this class for genuine tokens, in a few words. */
export function faultLike(reasonClass: string | undefined): string {
  switch (reasonClass) {
    case 'inactive':
      return 'an INTROSPECTION_URL of another server would say "active": false of every genuine token too';
    case 'signature':
      return 'a key rotated at the server, or a JWKS_URI of another server, would fail every genuine token too';
    case 'expired':
      return 'a clock some minutes off would make fresh tokens look expired too';
    case 'malformed':
      return "a verifier that does not fit the server's tokens would find every genuine token malformed too";
    case 'claims':
      return "a client list or audience that misses the server's clients would reject every genuine token too";
    default:
      return 'a fault of ours could produce it for genuine tokens too';
  }
}
