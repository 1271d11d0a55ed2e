/** One-line, human summaries of skill replies, for npm start and the examples run. */

/** What a reply of any family says, in one line for people. */
export function summarise(reply: unknown): string {
  const event = (reply as { event?: Record<string, any> }).event;
  if (event) return summariseEvent(event, (reply as { context?: { properties?: any[] } }).context?.properties);
  const music = reply as { header?: Record<string, any>; payload?: Record<string, any> };
  if (music.header) return summariseMusic(music.header, music.payload ?? {});
  const response = (reply as { response?: Record<string, any> }).response ?? {};
  const parts: string[] = [];
  if (response.outputSpeech?.ssml) parts.push(`says "${String(response.outputSpeech.ssml).replace(/<\/?speak>/g, '')}"`);
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
  if (payload.playbackMethod) parts.push(`queue ${payload.playbackMethod.id}, first item ${payload.playbackMethod.firstItem.id}`);
  if (payload.item) parts.push(`next item ${payload.item.id}`);
  return parts.join(', ');
}
