/**
 * Jukebox: the example music skill. It looks up the linked user's subscription in the resource
 * server and serves what it allows: a free tier gets Free Radio, a premium tier the whole
 * catalogue. The account-linking gate stands in front of every request; a resource server that
 * fails is an INTERNAL_ERROR, never an unlinking code.
 */
import {
  getLinkedAccessToken,
  musicSkillBuilder,
  type Logger,
  type MusicGateOptions,
  type MusicHandlerInput,
} from '../../lib';
// From the family's subpath: the same gate, without the custom family's (see withAccountLinking's TSDoc).
import { withAccountLinking } from '../../lib/music';
import { allows, findContent, FREE_STATION, search, type Content, type Tier, type Track } from './catalogue';
import type { Subscriptions } from './subscriptions';

const speech = (text: string) => ({ speech: { type: 'PLAIN_TEXT', text }, display: text });

function itemOf(content: Content, track: Track, tier: Tier) {
  return {
    id: track.id,
    playbackInfo: { type: 'DEFAULT' },
    metadata: {
      type: 'TRACK',
      name: speech(track.title),
      authors: [{ name: speech(track.artist) }],
      album: { name: speech(content.title) },
    },
    durationInMilliseconds: track.durationInMilliseconds,
    controls: [
      { type: 'COMMAND', name: 'NEXT', enabled: true },
      { type: 'COMMAND', name: 'PREVIOUS', enabled: tier === 'premium' },
    ],
    rules: { feedbackEnabled: false },
    stream: {
      id: `stream-${track.id}`,
      uri: `https://cdn.jukebox.example/${track.id}.mp3`,
      offsetInMilliseconds: 0,
      validUntil: new Date(Date.now() + 3_600_000).toISOString(),
    },
  };
}

export interface JukeboxOptions extends MusicGateOptions<unknown> {
  subscriptions: Subscriptions;
  logger: Logger;
}

export function createJukeboxSkill(options: JukeboxOptions) {
  const { subscriptions } = options;
  const tierOf = (input: MusicHandlerInput) => subscriptions.tierOf(getLinkedAccessToken(input));

  return withAccountLinking(musicSkillBuilder().withLogger(options.logger), options)
    .addMusicHandler('Alexa.Media.Search', 'GetPlayableContent', async (input) => {
      const tier = await tierOf(input);
      const wanted = search(input.request.payload.selectionCriteria?.attributes ?? []) ?? FREE_STATION;
      // A free subscription asking for premium content gets what it may play: Free Radio.
      const content = allows(tier, wanted) ? wanted : FREE_STATION;
      return input.reply.response({
        content: {
          id: content.id,
          actions: { playable: true, browsable: false },
          metadata: { type: content.type, name: speech(content.title) },
        },
      });
    })
    .addMusicHandler('Alexa.Media.Playback', 'Initiate', async (input) => {
      const tier = await tierOf(input);
      const content = findContent(input.request.payload.contentId);
      if (!content || !allows(tier, content))
        return input.reply.contentNotFound('That content is not in your subscription.');
      return input.reply.response({
        playbackMethod: {
          type: 'ALEXA_AUDIO_PLAYER_QUEUE',
          id: content.id,
          rules: { feedbackEnabled: false },
          firstItem: itemOf(content, content.tracks[0], tier),
        },
      });
    })
    .addMusicHandler('Alexa.Audio.PlayQueue', 'GetNextItem', async (input) => {
      const tier = await tierOf(input);
      const reference = input.request.payload.currentItemReference ?? {};
      const content = findContent(reference.queueId);
      if (!content || !allows(tier, content))
        return input.reply.itemNotFound('There is no such queue in your subscription.');
      const next = content.tracks[content.tracks.findIndex((t) => t.id === reference.id) + 1];
      return input.reply.response(
        next ? { isQueueFinished: false, item: itemOf(content, next, tier) } : { isQueueFinished: true },
      );
    });
}
