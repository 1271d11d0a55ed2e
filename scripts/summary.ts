/** One-line, human summaries of skill replies, for npm start and the examples run. */
import { DEFAULT_SPEECH } from '../lib';

/** What a reply of any family says, in one line for people. */
export function summarise(reply: unknown): string {
  const event = (reply as { event?: Record<string, any> }).event;
  if (event) return summariseEvent(event, (reply as { context?: { properties?: any[] } }).context?.properties);
  const music = reply as { header?: Record<string, any>; payload?: Record<string, any> };
  if (music.header) return summariseMusic(music.header, music.payload ?? {});
  const response = (reply as { response?: Record<string, any> }).response ?? {};
  const parts: string[] = [];
  if (response.outputSpeech?.ssml)
    parts.push(`says "${String(response.outputSpeech.ssml).replace(/<\/?speak>/g, '')}"`);
  if (response.card) parts.push(`${response.card.type} card`);
  if (response.canFulfillIntent) parts.push(`canFulfill ${response.canFulfillIntent.canFulfill}`);
  if (response.shouldEndSession === true) parts.push('ends the session');
  return parts.length > 0 ? parts.join(', ') : 'an empty response (nothing said, nothing shown)';
}

function summariseEvent(event: Record<string, any>, properties: any[] | undefined): string {
  const { namespace, name } = event.header;
  const parts = [`${namespace}.${name}`];
  if (event.payload?.type) parts.push(`${event.payload.type} ("${event.payload.message}")`);
  if (Array.isArray(event.payload?.endpoints)) parts.push(`${event.payload.endpoints.length} endpoints`);
  for (const property of properties ?? []) parts.push(`${property.name} ${property.value}`);
  return parts.join(', ');
}

function summariseMusic(header: Record<string, any>, payload: Record<string, any>): string {
  const parts = [`${header.namespace} ${header.name}`];
  if (payload.type) parts.push(`${payload.type} ("${payload.message}")`);
  if (payload.content) parts.push(`content ${payload.content.id}`);
  if (payload.playbackMethod)
    parts.push(`queue ${payload.playbackMethod.id}, first item ${payload.playbackMethod.firstItem.id}`);
  if (payload.item) parts.push(`next item ${payload.item.id}`);
  return parts.join(', ');
}

/** The replies that make Alexa delete the user's link. */
export const UNLINKING_TYPES = ['INVALID_AUTHORIZATION_CREDENTIAL', 'EXPIRED_AUTHORIZATION_CREDENTIAL'];

/** What a reply does to the user, for people. */
export type ReplyKind =
  /** A domain handler answered: the user is linked. */
  | 'answered'
  /** Alexa deletes the user's link (an unlinking ErrorResponse, a LinkAccount card). */
  | 'unlinks'
  /** A transient reply: Alexa tries again later, the link is kept. */
  | 'transient'
  /** Refused without touching the link (AcceptGrant failed, no such endpoint, ...). */
  | 'refused';

export interface ReplyExplanation {
  /** A short line: "LinkAccount card + speech", "INVALID_AUTHORIZATION_CREDENTIAL — Alexa deletes the link", ... */
  summary: string;
  kind: ReplyKind;
  /** Whether Alexa deletes the user's link on this reply. */
  unlinks: boolean;
}

/** The gate's apology, as the custom skills' transient reply says it. */
const TRY_LATER = DEFAULT_SPEECH.tryLater;

/** What a reply of any family means for the user's link: read from the reply alone. */
export function explainReply(reply: unknown): ReplyExplanation {
  const answer = reply as {
    event?: Record<string, any>;
    header?: Record<string, any>;
    payload?: Record<string, any>;
    response?: Record<string, any>;
  };
  const error =
    answer.event?.header?.name === 'ErrorResponse'
      ? answer.event.payload
      : answer.header?.name === 'ErrorResponse'
        ? answer.payload
        : undefined;
  if (error) return explainError(String(error.type), answer.event ? 'the device' : 'the service');
  if (answer.event || answer.header) return { summary: summarise(reply), kind: 'answered', unlinks: false };

  const response = answer.response ?? {};
  const speech =
    typeof response.outputSpeech?.ssml === 'string' ? response.outputSpeech.ssml.replace(/<\/?speak>/g, '') : undefined;
  if (response.card?.type === 'LinkAccount') {
    return {
      summary: `LinkAccount card + speech — Alexa asks the user to link again${speech ? ` ("${speech}")` : ''}`,
      kind: 'unlinks',
      unlinks: true,
    };
  }
  if (speech === TRY_LATER && !response.card)
    return { summary: `apology, no card — the link is kept ("${speech}")`, kind: 'transient', unlinks: false };
  if (response.canFulfillIntent?.canFulfill === 'MAYBE')
    return { summary: 'canFulfill MAYBE — the link is kept', kind: 'transient', unlinks: false };
  return { summary: summarise(reply), kind: 'answered', unlinks: false };
}

function explainError(type: string, what: string): ReplyExplanation {
  if (UNLINKING_TYPES.includes(type))
    return { summary: `${type} — Alexa deletes the link`, kind: 'unlinks', unlinks: true };
  if (type === 'INTERNAL_ERROR' || type === 'BRIDGE_UNREACHABLE') {
    return {
      summary: `${type} — Alexa says ${what} is not responding; the link is kept`,
      kind: 'transient',
      unlinks: false,
    };
  }
  if (type === 'ACCEPT_GRANT_FAILED')
    return {
      summary: 'ACCEPT_GRANT_FAILED — Alexa keeps no grant; the link is untouched',
      kind: 'refused',
      unlinks: false,
    };
  return { summary: `${type} — the link is untouched`, kind: 'refused', unlinks: false };
}
