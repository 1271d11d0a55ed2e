/**
 * What a reply does to the user, as the console's badge and the guided run's mark say it:
 * {@link assessReply} reads it from the reply, whether the request carried a token, and the gate's
 * decision; a request sent to a skill and what came of it is {@link Heard}.
 */
import { explainReply, type ReplyExplanation, type ReplyKind } from '../summary';
import type { LoggedDecision } from './gate-log';

/**
 * What a reply does to the user, as the console's badge and the guided run's mark say it — read from
 * the reply, with whether the request carried a token and the gate's decision:
 * - `unlinks`: an unlinking reply (a LinkAccount card, INVALID_ or EXPIRED_AUTHORIZATION_CREDENTIAL)
 *   to a request with a token: Alexa deletes that link (the gate's UnlinkingReplies metric is 1);
 * - `not-linked`: the request carried no token: nobody is linked, so nobody is unlinked — a
 *   LinkAccount card or a credential error asks the user to link (UnlinkingReplies is 0);
 * - `devices-vanish`: Discover answered with an empty endpoint list to a request with a token: the
 *   link stays, but the user's devices would vanish from the Alexa app;
 * - `held`: the unlinking policy held a rejection (the transient reply; the link kept);
 * - `undecided`: the verifier could not decide (the transient reply; the link kept);
 * - `refused`: refused without touching the link (AcceptGrant failed, ...);
 * - `kept`: answered, the link kept.
 */
export type Claim = 'unlinks' | 'not-linked' | 'devices-vanish' | 'held' | 'undecided' | 'refused' | 'kept';

/** A reply in plain words, in its context: the summary, what it does to the user, and the badge that says it. */
export interface Assessment extends ReplyExplanation {
  claim: Claim;
  /** The badge: `UNLINKS the user`, `not linked: asks the user to link`, `devices vanish from the Alexa app`, ... */
  badge: string;
}

/** The number of endpoints of a Discover.Response, or undefined for any other reply. */
export function discoveredEndpoints(reply: unknown): number | undefined {
  const event = (
    reply as
      { event?: { header?: { namespace?: string; name?: string }; payload?: { endpoints?: unknown } } } | undefined
  )?.event;
  if (event?.header?.namespace !== 'Alexa.Discovery' || event.header.name !== 'Discover.Response') return undefined;
  return Array.isArray(event.payload?.endpoints) ? event.payload.endpoints.length : 0;
}

/** What the gate answers Discover with when it rejects the token (DirectiveReplyOptions.discoverRejection, default `empty-endpoints`). */
export const EMPTY_DISCOVER =
  "an empty list: Alexa keeps the link, but the user's devices would vanish from the Alexa app";

/** What a reply does to the user: {@link explainReply}, with whether the request carried a token and the gate's decision. */
export function assessReply(reply: unknown, tokenSent: boolean, decision: LoggedDecision | undefined): Assessment {
  const explained = explainReply(reply);
  const endpoints = discoveredEndpoints(reply);
  const head = explained.summary.split(' — ')[0];
  const speech = /\("[^]*"\)$/.exec(explained.summary)?.[0];
  if (!tokenSent) {
    // A LinkAccount card or a credential error to a request with no token deletes no link: refused, the (absent) link untouched.
    const kind: ReplyKind = explained.kind === 'unlinks' ? 'refused' : explained.kind;
    const notLinked = (summary: string, badge: string): Assessment => ({
      summary,
      kind,
      unlinks: false,
      claim: 'not-linked',
      badge,
    });
    if (explained.unlinks)
      return notLinked(
        `${head} — no token: nobody is linked, Alexa asks the user to link${speech ? ` ${speech}` : ''}`,
        'not linked: asks the user to link',
      );
    if (endpoints === 0)
      return notLinked(`${head} — no token: nobody is linked, no devices to show`, 'not linked: no devices');
    if (explained.kind === 'answered') return notLinked(explained.summary, 'not linked: answered without a user');
    return notLinked(explained.summary, 'not linked: refused');
  }
  if (endpoints === 0) {
    return {
      summary: `${head} — ${EMPTY_DISCOVER}`,
      kind: explained.kind,
      unlinks: false,
      claim: 'devices-vanish',
      badge: 'devices vanish from the Alexa app',
    };
  }
  if (explained.unlinks) return { ...explained, claim: 'unlinks', badge: 'UNLINKS the user' };
  if (explained.kind === 'transient' || explained.kind === 'refused') {
    if (decision?.held) return { ...explained, claim: 'held', badge: `held: ${decision.held} — link kept` };
    if (decision?.outcome === 'undecided')
      return { ...explained, claim: 'undecided', badge: 'could not decide — link kept' };
    if (explained.kind === 'refused') return { ...explained, claim: 'refused', badge: 'refused — link untouched' };
    return { ...explained, claim: 'undecided', badge: 'try again later — link kept' };
  }
  return { ...explained, claim: 'kept', badge: 'link kept' };
}

/** One request sent to a skill, and what came of it. */
export interface Heard extends Assessment {
  status: number;
  reply: unknown;
  log: string[];
  metrics: string[];
  decision?: LoggedDecision | undefined;
}
