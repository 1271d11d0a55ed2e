/**
 * The built Jukebox Lambda, run through `npm run invoke` with each file in events/jukebox, against
 * the demo resource server on loopback: it serves what the linked user's subscription allows, and
 * answers every gate verdict as the README's reply table says. Replies are checked against the music schema.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifierFromEnvironment } from '../../lib';
import { mintAccessToken } from '../../lib/testing';
import { startResourceServer, type ResourceServer } from '../../scripts/resource-server';
import { invokeCli, localEnvironment } from '../support/invoke-cli';
import '../support/music-schema';

const ENV = localEnvironment('JukeboxFunction');
const mint = (subject: string, expiresInSeconds = 3600) =>
  mintAccessToken({
    key: ENV.JWT_SECRET,
    issuer: ENV.JWT_ISSUER,
    audience: ENV.JWT_AUDIENCE,
    subject,
    expiresInSeconds,
  });
const free = mint('listener-7');
const premium = mint('premium-listener-9');

let resourceServer: ResourceServer;
let envFile: string;

beforeAll(async () => {
  resourceServer = await startResourceServer(verifierFromEnvironment(ENV));
  envFile = path.join(mkdtempSync(path.join(tmpdir(), 'jukebox-')), 'env.json');
  writeFileSync(envFile, JSON.stringify({ JukeboxFunction: { ...ENV, SUBSCRIPTION_URL: resourceServer.url } }));
});
afterAll(() => resourceServer.close());

const invoke = (event: string, ...args: string[]) =>
  invokeCli('JukeboxFunction', `events/jukebox/${event}.json`, '--env-vars', envFile, ...args);

describe('npm run invoke JukeboxFunction, linked', () => {
  it('asks the resource server for the subscription, and gives a free subscription Free Radio when it asks for an album', async () => {
    const before = resourceServer.requests;
    const { code, reply, logs } = await invoke('get-playable-content-deep-cuts', '--token', free);
    expect(code).toBe(0);
    expect(reply.header).toMatchObject({
      namespace: 'Alexa.Media.Search',
      name: 'GetPlayableContent.Response',
      payloadVersion: '1.0',
    });
    expect(reply.payload.content.id).toBe('station-free-radio');
    expect(reply).toMatchMusicSchema();
    expect(resourceServer.requests).toBe(before + 1);
    expect(logs + JSON.stringify(reply)).not.toContain(free);
  });

  it('gives a premium subscription the album it asked for', async () => {
    const { reply } = await invoke('get-playable-content-deep-cuts', '--token', premium);
    expect(reply.payload.content.id).toBe('album-deep-cuts');
    expect(reply).toMatchMusicSchema();
  });

  it('initiates Free Radio for a free subscription', async () => {
    const { reply } = await invoke('initiate-free-radio', '--token', free);
    expect(reply.header.name).toBe('Initiate.Response');
    expect(reply.payload.playbackMethod.firstItem.id).toBe('fr-1');
    expect(reply).toMatchMusicSchema();
  });

  it('answers CONTENT_NOT_FOUND when a free subscription initiates premium content', async () => {
    const { reply } = await invoke('initiate-deep-cuts', '--token', free);
    expect(reply.header).toMatchObject({ namespace: 'Alexa.Media', name: 'ErrorResponse', payloadVersion: '1.0' });
    expect(reply.payload.type).toBe('CONTENT_NOT_FOUND');
    expect(reply).toMatchMusicSchema();
  });

  it('answers GetNextItem with the next item of the queue', async () => {
    const { reply } = await invoke('get-next-item', '--token', free);
    expect(reply.header).toMatchObject({ namespace: 'Alexa.Audio.PlayQueue', name: 'GetNextItem.Response' });
    expect(reply.payload).toMatchObject({ isQueueFinished: false, item: { id: 'fr-2' } });
    expect(reply).toMatchMusicSchema();
  });
});

describe('npm run invoke JukeboxFunction, when linking or the resource server fails', () => {
  it.each(['get-playable-content-free-radio', 'initiate-free-radio', 'get-next-item'])(
    'answers %s without a valid token with INVALID_AUTHORIZATION_CREDENTIAL',
    async (event) => {
      const { reply } = await invoke(event);
      expect(reply.payload.type).toBe('INVALID_AUTHORIZATION_CREDENTIAL');
      expect(reply).toMatchMusicSchema();
    },
  );

  it('answers an expired token with EXPIRED_AUTHORIZATION_CREDENTIAL', async () => {
    const { reply } = await invoke('initiate-free-radio', '--token', mint('listener-7', -600));
    expect(reply.payload.type).toBe('EXPIRED_AUTHORIZATION_CREDENTIAL');
    expect(reply).toMatchMusicSchema();
  });

  it('answers INTERNAL_ERROR, never an unlinking code, when the resource server is down', async () => {
    const downEnv = path.join(path.dirname(envFile), 'down.json');
    writeFileSync(
      downEnv,
      JSON.stringify({ JukeboxFunction: { ...ENV, SUBSCRIPTION_URL: 'http://127.0.0.1:9/subscription' } }),
    );
    const { code, reply } = await invokeCli(
      'JukeboxFunction',
      'events/jukebox/initiate-free-radio.json',
      '--env-vars',
      downEnv,
      '--token',
      free,
    );
    expect(code).toBe(0);
    expect(reply.payload.type).toBe('INTERNAL_ERROR');
    expect(reply).toMatchMusicSchema();
  });

  it('fails the cold start naming SUBSCRIPTION_URL when it is not set', async () => {
    const { code, reply } = await invokeCli('JukeboxFunction', 'events/jukebox/initiate-free-radio.json');
    expect(code).toBe(1);
    expect(reply.errorMessage).toContain('SUBSCRIPTION_URL');
  });
});
