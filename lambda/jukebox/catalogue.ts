/**
 * Jukebox's catalogue and play queues. A free subscription gets Free Radio only; a premium one gets
 * everything, and can pick tracks and albums.
 */
export type Tier = 'free' | 'premium';

export interface Track {
  id: string;
  title: string;
  artist: string;
  durationInMilliseconds: number;
}
export interface Content {
  id: string;
  type: 'STATION' | 'ALBUM' | 'TRACK';
  title: string;
  tier: Tier;
  tracks: Track[];
}

const track = (id: string, title: string, artist: string): Track => ({
  id,
  title,
  artist,
  durationInMilliseconds: 180_000,
});

export const CATALOGUE: Content[] = [
  {
    id: 'station-free-radio',
    type: 'STATION',
    title: 'Free Radio',
    tier: 'free',
    tracks: [
      track('fr-1', 'Morning Light', 'The Openers'),
      track('fr-2', 'Open Road', 'The Openers'),
      track('fr-3', 'Last Call', 'Night Shift'),
    ],
  },
  {
    id: 'album-deep-cuts',
    type: 'ALBUM',
    title: 'Deep Cuts',
    tier: 'premium',
    tracks: [
      track('dc-1', 'Undertow', 'Low Tide'),
      track('dc-2', 'Riptide', 'Low Tide'),
      track('dc-3', 'Slack Water', 'Low Tide'),
    ],
  },
  {
    id: 'track-undertow',
    type: 'TRACK',
    title: 'Undertow',
    tier: 'premium',
    tracks: [track('dc-1', 'Undertow', 'Low Tide')],
  },
];

export const FREE_STATION = CATALOGUE[0];

/** Whether a subscription tier may play a content. */
export function allows(tier: Tier, content: Content): boolean {
  return content.tier === 'free' || tier === 'premium';
}

export function findContent(id: unknown): Content | undefined {
  return CATALOGUE.find((content) => content.id === id);
}

/** The content a search asks for: an entity ID, or a name among the attributes Alexa resolved. */
export function search(attributes: Array<{ type?: string; entityId?: string; value?: string }>): Content | undefined {
  for (const attribute of attributes) {
    const byId = findContent(attribute.entityId);
    if (byId) return byId;
    const byName = CATALOGUE.find((content) => content.title.toLowerCase() === attribute.value?.toLowerCase());
    if (byName) return byName;
  }
  return undefined;
}
