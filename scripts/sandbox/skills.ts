/** The sandbox's example skills, the requests Alexa sends them, and the events those requests are read from. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The example skills and the requests Alexa sends them, each from the events/ folder. */
export const SKILLS = {
  'ride-hailer': {
    name: 'Ride Hailer',
    family: 'custom skill',
    requests: {
      launch: { label: 'Launch', event: 'events/ride-hailer/launch-linked.json' },
      'order-ride': { label: 'OrderRideIntent', event: 'events/ride-hailer/order-ride.json' },
    },
  },
  'my-lights': {
    name: 'My Lights',
    family: 'smart home skill',
    requests: {
      'turn-on': { label: 'TurnOn', event: 'events/my-lights/turn-on.json' },
      'report-state': { label: 'ReportState', event: 'events/my-lights/report-state.json' },
      discover: { label: 'Discover', event: 'events/my-lights/discover.json' },
      'accept-grant': { label: 'AcceptGrant', event: 'events/my-lights/accept-grant.json' },
    },
  },
  jukebox: {
    name: 'Jukebox',
    family: 'music skill',
    requests: {
      'get-playable-content': {
        label: 'GetPlayableContent',
        event: 'events/jukebox/get-playable-content-free-radio.json',
      },
      initiate: { label: 'Initiate', event: 'events/jukebox/initiate-free-radio.json' },
    },
  },
} as const;

export type SkillName = keyof typeof SKILLS;

/** A deployed skill: an Alexa request in, its reply out. */
export type SkillHandler = (event: unknown) => Promise<unknown>;

/** A skill and one of its requests: where a demonstration sends its requests. */
export interface Target {
  skill: SkillName;
  request: string;
}

/** The request `request` of `skill`, as Alexa sends it (read from its file under events/). */
export function readEvent(skill: SkillName, request: string): unknown {
  const definition = (SKILLS[skill]?.requests as Record<string, { event: string }> | undefined)?.[request];
  if (!definition) throw new RangeError(`no request "${request}" for skill "${skill}"`);
  return JSON.parse(readFileSync(path.join(ROOT, definition.event), 'utf8'));
}
