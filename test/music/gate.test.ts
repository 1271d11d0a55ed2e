import type { RequestHandler } from 'ask-sdk-runtime';
import {
  findLinkedUser,
  musicSkillBuilder,
  withAccountLinking,
  type MusicGateOptions,
  type MusicHandlerInput,
  type MusicResponse,
  type TokenVerifier,
} from '../../lib';
import { getNextItemRequest, getPlayableContentRequest, initiateRequest, musicRequest } from '../../lib/testing';
import { jwtVerifier, throwingVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';
import '../support/music-schema';

function gatedSkill(options: Partial<MusicGateOptions<unknown>> & { verifier?: TokenVerifier<unknown> } = {}) {
  const ran: string[] = [];
  const users: unknown[] = [];
  const logger = recordingLogger();
  const domain: RequestHandler<MusicHandlerInput, MusicResponse> = {
    canHandle: () => true,
    handle(input) {
      ran.push(`${input.request.header.namespace}.${input.request.header.name}`);
      users.push(findLinkedUser(input));
      return input.reply.response({});
    },
  };
  const skill = withAccountLinking(
    musicSkillBuilder()
      .withLogger(logger)
      .addErrorHandlers({
        canHandle: () => true,
        handle: (input) => input.reply.error('ACCOUNT_PROBLEM', 'catch-all'),
      }),
    { verifier: jwtVerifier, unlinking: false, ...options },
  )
    .addRequestHandlers(domain)
    .create();
  return { ran, users, logger, invoke: (event: unknown) => skill.invoke(event) as Promise<MusicResponse<any>> };
}

type Build = (token?: string) => ReturnType<typeof musicRequest>;
const requests: Array<[string, Build]> = [
  [
    'Alexa.Media.Search.GetPlayableContent',
    (t) => getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }], { accessToken: t }),
  ],
  ['Alexa.Media.Playback.Initiate', (t) => initiateRequest('station-free', { accessToken: t })],
  ['Alexa.Audio.PlayQueue.GetNextItem', (t) => getNextItemRequest('station-free', 'track-1', { accessToken: t })],
  [
    'Alexa.Audio.PlayQueue.GetPreviousItem',
    (t) => musicRequest('Alexa.Audio.PlayQueue', 'GetPreviousItem', {}, { accessToken: t }),
  ],
  ['Alexa.Media.PlayQueue.GetItem', (t) => musicRequest('Alexa.Media.PlayQueue', 'GetItem', {}, { accessToken: t })],
  ['Alexa.Media.PlayQueue.GetView', (t) => musicRequest('Alexa.Media.PlayQueue', 'GetView', {}, { accessToken: t })],
  [
    'Alexa.Media.PlayQueue.SetShuffle',
    (t) => musicRequest('Alexa.Media.PlayQueue', 'SetShuffle', { shuffle: 'ON' }, { accessToken: t }),
  ],
  [
    'Alexa.Media.PlayQueue.SetLoop',
    (t) => musicRequest('Alexa.Media.PlayQueue', 'SetLoop', { loop: 'ON' }, { accessToken: t }),
  ],
];

const tokens = {
  missing: () => undefined,
  invalid: () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }), // a forged signature: proof
  expired: () => hsToken({ expiresInSeconds: -300 }),
  valid: () => hsToken(),
};

describe('the music gate', () => {
  describe.each(requests)('%s', (_name, build) => {
    it.each([
      ['there is no access token', tokens.missing, 'INVALID_AUTHORIZATION_CREDENTIAL'],
      ['the verifier says invalid', tokens.invalid, 'INVALID_AUTHORIZATION_CREDENTIAL'],
      ['the verifier says expired', tokens.expired, 'EXPIRED_AUTHORIZATION_CREDENTIAL'],
    ])('answers an Alexa ErrorResponse (3.0) when %s', async (_case, token, type) => {
      const { invoke, ran } = gatedSkill();
      const reply = await invoke(build(token()));
      expect(reply.header).toMatchObject({ namespace: 'Alexa', name: 'ErrorResponse', payloadVersion: '3.0' });
      expect(reply.payload).toEqual({ type, message: expect.any(String) });
      expect(reply).toMatchMusicSchema();
      expect(ran).toEqual([]);
    });

    it('answers INTERNAL_ERROR, never an unlinking code, when the verifier could not decide', async () => {
      const { invoke, ran } = gatedSkill({ verifier: throwingVerifier });
      const reply = await invoke(build(tokens.valid()));
      expect(reply.payload.type).toBe('INTERNAL_ERROR');
      expect(reply).toMatchMusicSchema();
      expect(ran).toEqual([]);
    });

    it('runs the domain handler with the linked user when the verifier says valid', async () => {
      const { invoke, ran, users } = gatedSkill();
      const reply = await invoke(build(tokens.valid()));
      expect(reply.header.name).toMatch(/\.Response$/);
      expect(reply).toMatchMusicSchema();
      expect(ran).toHaveLength(1);
      expect(users).toMatchObject([{ subject: 'rider-42' }]);
    });
  });

  describe('with allowUnlinked', () => {
    it('lets a request without a token through, with no linked user', async () => {
      const { invoke, ran, users } = gatedSkill({ allowUnlinked: true });
      await invoke(initiateRequest('station-free'));
      expect(ran).toEqual(['Alexa.Media.Playback.Initiate']);
      expect(users).toEqual([undefined]);
    });

    it('still verifies a token that is there', async () => {
      const { invoke, ran } = gatedSkill({ allowUnlinked: true });
      expect((await invoke(initiateRequest('station-free', { accessToken: tokens.expired() }))).payload.type).toBe(
        'EXPIRED_AUTHORIZATION_CREDENTIAL',
      );
      expect(ran).toEqual([]);
    });
  });

  it('reads the token from payload.requestContext.user.accessToken and logs only its fingerprint', async () => {
    const token = tokens.valid();
    const { invoke, logger } = gatedSkill();
    await invoke(initiateRequest('station-free', { accessToken: token }));
    expect(logger.text()).toContain('"tokenPath":"payload.requestContext.user.accessToken"');
    expect(logger.text()).not.toContain(token);
  });
});

describe('bad input to a music skill', () => {
  it.each([
    ['null', null],
    ['a string', 'GetPlayableContent'],
    ['a smart home directive', { directive: { header: { namespace: 'Alexa', name: 'ReportState' }, payload: {} } }],
    ['a request without a payload', { header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' } }],
    [
      'a payload without requestContext',
      { header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' }, payload: {} },
    ],
    [
      'a header whose name is a number',
      { header: { namespace: 'Alexa.Media.Search', name: 3 }, payload: { requestContext: {} } },
    ],
    [
      'a user that is a string',
      {
        header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' },
        payload: { requestContext: { user: 'me' } },
      },
    ],
    // Alexa sends the user with every request, linked or not: without it the request is broken, not unlinked.
    [
      'a requestContext without user',
      {
        header: { namespace: 'Alexa.Media.Search', name: 'GetPlayableContent' },
        payload: { requestContext: { location: {} } },
      },
    ],
  ])('answers %s with INVALID_DIRECTIVE', async (_name, event) => {
    const { invoke, logger } = gatedSkill();
    const reply = await invoke(event);
    expect(reply.payload.type).toBe('INVALID_DIRECTIVE');
    expect(reply).toMatchMusicSchema();
    expect(logger.text()).toContain('malformed request');
  });

  it.each([
    ['the empty string', ''],
    ['a number', 42],
  ])('answers a token that is %s with INVALID_DIRECTIVE, never an unlinking code', async (_name, token) => {
    const { invoke } = gatedSkill();
    const event = initiateRequest('station-free') as any;
    event.payload.requestContext.user.accessToken = token;
    expect((await invoke(event)).payload.type).toBe('INVALID_DIRECTIVE');
  });

  it('answers a request no handler takes with INVALID_DIRECTIVE', async () => {
    const skill = withAccountLinking(musicSkillBuilder().withLogger(recordingLogger()), {
      verifier: jwtVerifier,
      unlinking: false,
    }).create();
    const reply = (await skill.invoke(initiateRequest('x', { accessToken: hsToken() }))) as MusicResponse<any>;
    expect(reply.payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: expect.stringContaining('Alexa.Media.Playback.Initiate'),
    });
  });

  it('answers a handler error nobody handles with INTERNAL_ERROR', async () => {
    const skill = withAccountLinking(musicSkillBuilder().withLogger(recordingLogger()), {
      verifier: jwtVerifier,
      unlinking: false,
    })
      .addMusicHandler('Alexa.Media.Playback', 'Initiate', () => {
        throw new Error('catalogue down');
      })
      .create();
    const reply = (await skill.invoke(initiateRequest('x', { accessToken: hsToken() }))) as MusicResponse<any>;
    expect(reply.payload.type).toBe('INTERNAL_ERROR');
    expect(reply).toMatchMusicSchema();
  });
});
