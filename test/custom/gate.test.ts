import type { RequestEnvelope } from 'ask-sdk-model';
import {
  DEFAULT_SPEECH,
  fingerprint,
  getLinkedAccessToken,
  getLinkedUser,
  findLinkedUser,
  MalformedRequestError,
} from '../../lib';
import {
  audioPlayerEvent,
  canFulfillIntentRequest,
  customEnvelope,
  intentRequest,
  launchRequest,
  sessionEndedRequest,
  skillAccountLinkedEvent,
  type CustomEnvelopeOptions,
} from '../../lib/testing';
import { craftToken, hsToken, rsaPublicPem, validClaims } from '../support/fixtures';
import { createHmac } from 'node:crypto';
import { gatedSkill, throwingVerifier } from './harness';

const linkAccount = (text: string) => ({
  outputSpeech: { type: 'SSML', ssml: `<speak>${text}</speak>` },
  card: { type: 'LinkAccount' },
  shouldEndSession: true,
});
const apology = {
  outputSpeech: { type: 'SSML', ssml: `<speak>${DEFAULT_SPEECH.tryLater}</speak>` },
  shouldEndSession: true,
};

type Build = (token?: string) => RequestEnvelope;
const tokenOptions = (token?: string): CustomEnvelopeOptions => (token === undefined ? {} : { accessToken: token });

const speaking: Array<[string, Build]> = [
  ['LaunchRequest', (t) => launchRequest(tokenOptions(t))],
  ['IntentRequest', (t) => intentRequest('OrderRideIntent', { destination: 'the airport' }, tokenOptions(t))],
  [
    'Connections.Response in a session',
    (t) =>
      customEnvelope(
        { type: 'Connections.Response', name: 'Buy', status: { code: '200' } },
        { session: true, ...tokenOptions(t) },
      ),
  ],
];
const silent: Array<[string, Build]> = [
  ['AudioPlayer.PlaybackStarted', (t) => audioPlayerEvent('PlaybackStarted', tokenOptions(t))],
  [
    'PlaybackController.PlayCommandIssued',
    (t) => customEnvelope({ type: 'PlaybackController.PlayCommandIssued' }, { session: false, ...tokenOptions(t) }),
  ],
  [
    'System.ExceptionEncountered',
    (t) =>
      customEnvelope(
        { type: 'System.ExceptionEncountered', error: { type: 'INVALID_RESPONSE' } },
        { session: false, ...tokenOptions(t) },
      ),
  ],
  ['AlexaSkillEvent.SkillAccountLinked', (t) => skillAccountLinkedEvent(t)],
];
const canFulfill: Build = (t) => canFulfillIntentRequest('OrderRideIntent', {}, tokenOptions(t));

const tokens = {
  missing: () => undefined,
  invalid: () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }), // a forged signature: proof
  expired: () => hsToken({ expiresInSeconds: -300 }),
  valid: () => hsToken(),
};

describe('the custom-skill gate, for requests that speak', () => {
  describe.each(speaking)('%s', (_name, build) => {
    it('sends speech and a LinkAccount card, and ends the session, when there is no access token', async () => {
      const { invoke, ran } = gatedSkill();
      expect((await invoke(build(tokens.missing()))).response).toEqual(linkAccount(DEFAULT_SPEECH.linkAccount));
      expect(ran).toEqual([]);
    });

    it('sends speech and a LinkAccount card when the verifier says invalid', async () => {
      const { invoke, ran } = gatedSkill();
      expect((await invoke(build(tokens.invalid()))).response).toEqual(linkAccount(DEFAULT_SPEECH.linkAccount));
      expect(ran).toEqual([]);
    });

    it('asks to link again, with a LinkAccount card, when the verifier says expired', async () => {
      const { invoke, ran } = gatedSkill();
      expect((await invoke(build(tokens.expired()))).response).toEqual(linkAccount(DEFAULT_SPEECH.relinkAccount));
      expect(ran).toEqual([]);
    });

    it('apologises without a card when the verifier could not decide', async () => {
      const { invoke, ran } = gatedSkill({ verifier: throwingVerifier });
      expect((await invoke(build(tokens.valid()))).response).toEqual(apology);
      expect(ran).toEqual([]);
    });

    it('runs the domain handler when the verifier says valid', async () => {
      const { invoke, ran } = gatedSkill();
      expect((await invoke(build(tokens.valid()))).response.outputSpeech).toMatchObject({
        ssml: '<speak>domain handler</speak>',
      });
      expect(ran).toHaveLength(1);
    });
  });
});

describe('the custom-skill gate, for requests that may not speak', () => {
  describe.each(silent)('%s', (_name, build) => {
    it.each([
      ['no access token', tokens.missing, undefined],
      ['an invalid token', tokens.invalid, undefined],
      ['an expired token', tokens.expired, undefined],
      ['a verifier that could not decide', tokens.valid, throwingVerifier],
    ])('answers an empty response for %s, and runs no domain handler', async (_case, token, verifier) => {
      const { invoke, ran } = gatedSkill(verifier ? { verifier } : {});
      expect((await invoke(build(token()))).response).toEqual({});
      expect(ran).toEqual([]);
    });

    it('runs the domain handler for a valid token', async () => {
      const { invoke, ran } = gatedSkill();
      await invoke(build(tokens.valid()));
      expect(ran).toHaveLength(1);
    });
  });

  it('never gates SessionEndedRequest, linked or not', async () => {
    const { invoke, ran } = gatedSkill({ verifier: throwingVerifier });
    await invoke(sessionEndedRequest());
    await invoke(sessionEndedRequest({ accessToken: tokens.invalid() }));
    expect(ran).toEqual(['SessionEndedRequest', 'SessionEndedRequest']);
  });

  it('reads the token of SkillAccountLinked from request.body.accessToken only', async () => {
    const { invoke, ran } = gatedSkill({
      onHandle: (input) => expect(findLinkedUser(input)).toMatchObject({ subject: 'rider-42' }),
    });
    const event = skillAccountLinkedEvent(tokens.valid());
    await invoke(event);
    expect(ran).toEqual(['AlexaSkillEvent.SkillAccountLinked']);
    // a token in context does not count for SkillAccountLinked
    await invoke(
      customEnvelope(
        { type: 'AlexaSkillEvent.SkillAccountLinked', body: {} },
        { session: false, accessToken: tokens.valid() },
      ),
    );
    expect(ran).toHaveLength(1);
  });

  it('lets skill lifecycle events through without a linked user', async () => {
    const { invoke, ran } = gatedSkill();
    await invoke(customEnvelope({ type: 'AlexaSkillEvent.SkillDisabled', body: {} }, { session: false }));
    expect(ran).toEqual(['AlexaSkillEvent.SkillDisabled']);
  });
});

describe('the custom-skill gate, for CanFulfillIntentRequest', () => {
  it.each([
    ['no access token', tokens.missing, 'NO'],
    ['an invalid token', tokens.invalid, 'NO'],
    ['an expired token', tokens.expired, 'NO'],
  ])('answers canFulfill NO for %s', async (_case, token, answer) => {
    const { invoke, ran } = gatedSkill();
    expect((await invoke(canFulfill(token()))).response).toEqual({ canFulfillIntent: { canFulfill: answer } });
    expect(ran).toEqual([]);
  });

  it('answers canFulfill MAYBE when the verifier could not decide', async () => {
    const { invoke, ran } = gatedSkill({ verifier: throwingVerifier });
    expect((await invoke(canFulfill(tokens.valid()))).response).toEqual({ canFulfillIntent: { canFulfill: 'MAYBE' } });
    expect(ran).toEqual([]);
  });
});

describe('the custom-skill gate, with real tokens of every kind', () => {
  const hmac = (input: string) => createHmac('sha256', rsaPublicPem).update(input).digest();
  it.each([
    ['expired', () => hsToken({ expiresInSeconds: -60 }), DEFAULT_SPEECH.relinkAccount],
    [
      'with a bad signature',
      () => hsToken({ key: 'another-secret-that-is-long-enough-for-hs256' }),
      DEFAULT_SPEECH.linkAccount,
    ],
    ['with alg: none', () => craftToken({ alg: 'none' }, validClaims()), DEFAULT_SPEECH.linkAccount],
    [
      'HS256-signed with an RS256 public key',
      () => craftToken({ alg: 'HS256' }, validClaims(), hmac),
      DEFAULT_SPEECH.linkAccount,
    ],
    ['that is garbage', () => 'garbage', DEFAULT_SPEECH.linkAccount],
    ['that is the empty string', () => '', DEFAULT_SPEECH.linkAccount],
  ])('answers a LaunchRequest with a token %s with a LinkAccount card', async (_name, token, speech) => {
    const { invoke, ran } = gatedSkill();
    expect((await invoke(launchRequest({ accessToken: token() }))).response).toEqual(linkAccount(speech));
    expect(ran).toEqual([]);
  });

  // Validly signed by the trusted key: the token is the server's, and what does not fit is our
  // setting or the server's clock, so no user is unlinked for it (issue 12).
  it.each([
    ['not yet valid (nbf ahead of our clock)', () => hsToken({ notBeforeSeconds: 600 })],
    ['for another audience', () => hsToken({ audience: 'x' })],
    ['from another issuer', () => hsToken({ issuer: 'https://evil.test/' })],
  ])('apologises without a card for a validly signed token %s (could not decide)', async (_name, token) => {
    const { invoke, ran } = gatedSkill();
    expect((await invoke(launchRequest({ accessToken: token() }))).response).toEqual(apology);
    expect(ran).toEqual([]);
  });
});

describe('when the verifier could not decide', () => {
  const never: Promise<never> = new Promise(() => undefined);
  it.each([
    [
      'throws',
      {
        verify: () => {
          throw new Error('boom');
        },
      },
    ],
    ['rejects', { verify: () => Promise.reject(new Error('503 Service Unavailable')) }],
    ['never settles', { verify: () => never }],
    ['answers garbage', { verify: async () => ({ outcome: 'maybe' }) }],
    ['answers valid without a principal', { verify: async () => ({ outcome: 'valid' }) }],
  ])('apologises without a card when the verifier %s', async (_name, verifier) => {
    const { invoke, ran, logger } = gatedSkill({ verifier: verifier as never, verificationTimeoutMs: 100 });
    expect((await invoke(launchRequest({ accessToken: tokens.valid() }))).response).toEqual(apology);
    expect(ran).toEqual([]);
    expect(logger.text()).toContain('"outcome":"undecided"');
  });

  it('gives up by the Lambda deadline, not later', async () => {
    const { invoke } = gatedSkill({ verifier: { verify: () => never }, verificationTimeoutMs: 60_000 });
    const lambdaContext = { getRemainingTimeInMillis: () => 600 }; // leaves 100 ms after the reply reserve
    expect((await invoke(launchRequest({ accessToken: tokens.valid() }), lambdaContext)).response).toEqual(apology);
  });
});

describe('public intents', () => {
  it.each(['AMAZON.HelpIntent', 'AMAZON.StopIntent', 'AMAZON.CancelIntent', 'AMAZON.NavigateHomeIntent'])(
    'lets %s through without a linked user by default',
    async (intent) => {
      const { invoke, ran } = gatedSkill({ onHandle: (input) => expect(findLinkedUser(input)).toBeUndefined() });
      await invoke(intentRequest(intent));
      expect(ran).toEqual(['IntentRequest']);
    },
  );

  it('can be configured', async () => {
    const { invoke, ran } = gatedSkill({ publicIntents: ['BrowseRidesIntent'] });
    await invoke(intentRequest('BrowseRidesIntent'));
    expect((await invoke(intentRequest('AMAZON.HelpIntent'))).response.card).toEqual({ type: 'LinkAccount' });
    expect(ran).toEqual(['IntentRequest']);
  });
});

describe('the linked user', () => {
  it('reaches domain handlers through getLinkedUser, with the token only on request', async () => {
    const token = tokens.valid();
    let attributesJson = '';
    const { invoke } = gatedSkill({
      onHandle(input) {
        expect(getLinkedUser(input)).toMatchObject({ subject: 'rider-42', claims: { name: 'Ada' } });
        expect(getLinkedAccessToken(input)).toBe(token);
        attributesJson = JSON.stringify(input.attributesManager.getRequestAttributes());
      },
    });
    await invoke(launchRequest({ accessToken: token }));
    expect(attributesJson).not.toContain(token);
  });

  it("prefers the recognised person's own token when preferPersonToken is on", async () => {
    const personToken = hsToken({ subject: 'person-7' });
    const seen: unknown[] = [];
    const { invoke } = gatedSkill({ preferPersonToken: true, onHandle: (input) => seen.push(getLinkedUser(input)) });
    await invoke(launchRequest({ accessToken: tokens.valid(), personAccessToken: personToken }));
    await invoke(launchRequest({ accessToken: tokens.valid() }));
    expect(seen).toMatchObject([{ subject: 'person-7' }, { subject: 'rider-42' }]);
  });

  it('falls back to session.user.accessToken when context has none', async () => {
    const envelope = launchRequest({ accessToken: tokens.valid() }) as any;
    delete envelope.context.System.user.accessToken;
    const { invoke, ran } = gatedSkill();
    await invoke(envelope);
    expect(ran).toEqual(['LaunchRequest']);
  });
});

describe('speech', () => {
  it('is configurable per locale, falling back to the language, then English for a language without texts', async () => {
    const { invoke } = gatedSkill({
      speech: {
        de: { linkAccount: 'Bitte verknüpfe dein Konto in der Alexa-App.' },
        'de-AT': { tryLater: 'Später bitte.' },
      },
    });
    const reply = await invoke(launchRequest({ locale: 'de-AT' }));
    expect(reply.response.outputSpeech).toEqual({
      type: 'SSML',
      ssml: '<speak>Bitte verknüpfe dein Konto in der Alexa-App.</speak>',
    });
    const english = await invoke(launchRequest({ locale: 'sv-SE' }));
    expect(english.response.outputSpeech).toEqual({
      type: 'SSML',
      ssml: `<speak>${DEFAULT_SPEECH.linkAccount}</speak>`,
    });
  });
});

describe('logs', () => {
  it('record one decision per gated request, with a fingerprint and never the token', async () => {
    const token = tokens.valid();
    const { invoke, logger } = gatedSkill();
    await invoke(launchRequest({ accessToken: token }));
    await invoke(launchRequest({ accessToken: tokens.expired() }));
    expect(logger.lines).toHaveLength(2);
    expect(JSON.parse(logger.lines[0])).toMatchObject({
      family: 'custom',
      requestType: 'LaunchRequest',
      tokenPath: 'context.System.user.accessToken',
      tokenFingerprint: fingerprint(token),
      outcome: 'linked',
    });
    expect(logger.text()).not.toContain(token);
    expect(logger.text()).not.toContain(token.split('.')[2]);
  });
});

describe('malformed requests', () => {
  it.each([
    ['a request without a type', { version: '1.0', request: {} }],
    ['a context that is a string', { version: '1.0', context: 'x', request: { type: 'LaunchRequest' } }],
    [
      'an access token that is a number',
      { version: '1.0', context: { System: { user: { accessToken: 42 } } }, request: { type: 'LaunchRequest' } },
    ],
    [
      'a System.user that is an array',
      { version: '1.0', context: { System: { user: 'me' } }, request: { type: 'LaunchRequest' } },
    ],
  ])('reject the invocation for %s with a MalformedRequestError and a logged reason', async (_name, envelope) => {
    const { invoke, ran, logger } = gatedSkill();
    const outcome = invoke(envelope as unknown as RequestEnvelope);
    await expect(outcome).rejects.toBeInstanceOf(MalformedRequestError);
    await expect(outcome).rejects.not.toBeInstanceOf(TypeError);
    expect(ran).toEqual([]);
    expect(JSON.parse(logger.lines[0])).toMatchObject({
      level: 'error',
      message: 'account linking: malformed request',
    });
  });
});
