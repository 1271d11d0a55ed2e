import {
  ASK_FOR_ACCOUNT_LINKING_URI,
  DEFAULT_SPEECH,
  GATE_SPEECH,
  getLinkedUser,
  getVoiceLinkingResult,
  VOICE_LINKING_TOKEN_PREFIX,
  voiceLinkingResult,
} from '../../lib';
import {
  audioPlayerEvent,
  canFulfillIntentRequest,
  customEnvelope,
  intentRequest,
  launchRequest,
  sessionResumedRequest,
  voiceLinkingResumedRequest,
} from '../../lib/testing';
import { hsToken } from '../support/fixtures';
import { gatedSkill, throwingVerifier } from './harness';

const startConnection = (resumedFrom: string) => ({
  directives: [
    {
      type: 'Connections.StartConnection',
      uri: 'connection://AMAZON.AskForAccountLinking/1',
      onCompletion: 'RESUME_SESSION',
      input: { '@type': 'AskForAccountLinking', '@version': '1' },
      token: `${VOICE_LINKING_TOKEN_PREFIX}${resumedFrom}`,
    },
  ],
});
const linkAccount = (text = DEFAULT_SPEECH.linkAccount) => ({
  outputSpeech: { type: 'SSML', ssml: `<speak>${text}</speak>` },
  card: { type: 'LinkAccount' },
  shouldEndSession: true,
});
const apology = (text = DEFAULT_SPEECH.tryLater) => ({
  outputSpeech: { type: 'SSML', ssml: `<speak>${text}</speak>` },
  shouldEndSession: true,
});

describe('voice-forward account linking, when the gate starts it', () => {
  it('answers a LaunchRequest without a token with StartConnection for AMAZON.AskForAccountLinking, and no card', async () => {
    const { invoke, ran } = gatedSkill({ voiceLinking: true });
    const reply = await invoke(launchRequest());
    expect(reply.response).toEqual(startConnection('LaunchRequest'));
    expect(reply.response).not.toHaveProperty('shouldEndSession');
    expect(ran).toEqual([]);
  });

  it("puts the intent the user asked for in the directive's token", async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    const reply = await invoke(intentRequest('OrderRideIntent', { destination: 'the airport' }));
    expect(reply.response).toEqual(startConnection('OrderRideIntent'));
    expect(reply.response.directives?.[0]).toMatchObject({ uri: ASK_FOR_ACCOUNT_LINKING_URI });
  });

  it('keeps the LinkAccount card for an invalid or an expired token', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    expect(
      (await invoke(launchRequest({ accessToken: hsToken({ key: 'a-forger-s-own-secret-long-enough-for-hs256!' }) })))
        .response,
    ).toEqual(linkAccount());
    expect((await invoke(launchRequest({ accessToken: hsToken({ expiresInSeconds: -300 }) }))).response).toEqual(
      linkAccount(DEFAULT_SPEECH.relinkAccount),
    );
  });

  it('keeps the apology without a card when the verifier could not decide', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true, verifier: throwingVerifier });
    expect((await invoke(launchRequest({ accessToken: 'whatever' }))).response).toEqual(apology());
  });

  it('does not apply where there is no live session, to CanFulfill, to silent requests, or to other in-session requests', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    expect((await invoke(canFulfillIntentRequest('OrderRideIntent'))).response).toEqual({
      canFulfillIntent: { canFulfill: 'NO' },
    });
    expect((await invoke(audioPlayerEvent('PlaybackStarted'))).response).toEqual({});
    const connectionsResponse = customEnvelope(
      { type: 'Connections.Response', name: 'Buy', status: { code: '200' } },
      { session: true },
    );
    expect((await invoke(connectionsResponse)).response).toEqual(linkAccount());
  });

  it('is off by default: the LinkAccount card', async () => {
    const { invoke } = gatedSkill();
    expect((await invoke(launchRequest())).response).toEqual(linkAccount());
  });

  it("speaks nothing of its own, so Alexa can ask in the user's language", async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    expect((await invoke(launchRequest({ locale: 'de-DE' }))).response).not.toHaveProperty('outputSpeech');
  });
});

describe('voice-forward account linking, when Alexa resumes the session', () => {
  it('hands the domain handlers the linked user when it comes back LINKED with a valid token', async () => {
    const seen: unknown[] = [];
    const { invoke, ran } = gatedSkill({
      voiceLinking: true,
      onHandle: (input) => seen.push({ user: getLinkedUser(input), result: getVoiceLinkingResult(input) }),
    });
    await invoke(voiceLinkingResumedRequest('LINKED', { accessToken: hsToken(), resumedFrom: 'OrderRideIntent' }));
    expect(ran).toEqual(['SessionResumedRequest']);
    expect(seen).toMatchObject([
      {
        user: { subject: 'rider-42' },
        result: { linked: true, status: 'LINKED', statusCode: '200', resumedFrom: 'OrderRideIntent' },
      },
    ]);
  });

  it.each(['DENIED', 'USER_REQUIREMENTS_NOT_MET', 'SOMETHING_NEW'])(
    'sends the LinkAccount card when it comes back %s without a token',
    async (status) => {
      const { invoke, ran } = gatedSkill({ voiceLinking: true });
      expect((await invoke(voiceLinkingResumedRequest(status, { locale: 'fr-FR' }))).response).toEqual(
        linkAccount(GATE_SPEECH['fr-FR'].linkAccount),
      );
      expect(ran).toEqual([]);
    },
  );

  it('sends the LinkAccount card when the connection failed', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    const failed = sessionResumedRequest({
      token: `${VOICE_LINKING_TOKEN_PREFIX}LaunchRequest`,
      status: { code: '500', message: 'Internal error' },
    });
    expect((await invoke(failed)).response).toEqual(linkAccount());
  });

  it('apologises without a card when it comes back LINKED but the request carries no token', async () => {
    const { invoke, ran, logger } = gatedSkill({ voiceLinking: true });
    expect((await invoke(voiceLinkingResumedRequest('LINKED', { locale: 'ja-JP' }))).response).toEqual(
      apology(GATE_SPEECH['ja-JP'].tryLater),
    );
    expect(ran).toEqual([]);
    const errors = logger.lines.map((line) => JSON.parse(line)).filter((line) => line.level === 'error');
    expect(errors).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/voice linking came back LINKED without an access token/),
      }),
    );
  });

  it('apologises without a card when the verifier could not decide on the new token', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true, verifier: throwingVerifier });
    expect((await invoke(voiceLinkingResumedRequest('LINKED', { accessToken: 'new-token' }))).response).toEqual(
      apology(),
    );
  });

  it('sends the LinkAccount card when the new token is invalid', async () => {
    const { invoke } = gatedSkill({ voiceLinking: true });
    expect(
      (
        await invoke(
          voiceLinkingResumedRequest('LINKED', {
            accessToken: hsToken({ key: 'a-forger-s-own-secret-long-enough-for-hs256!' }),
          }),
        )
      ).response,
    ).toEqual(linkAccount());
  });
});

describe('voiceLinkingResult', () => {
  it("reads the gate's own resumption only", () => {
    expect(voiceLinkingResult(voiceLinkingResumedRequest('DENIED', { resumedFrom: 'OrderRideIntent' }))).toEqual({
      linked: false,
      status: 'DENIED',
      statusCode: '200',
      resumedFrom: 'OrderRideIntent',
    });
    expect(
      voiceLinkingResult(sessionResumedRequest({ token: 'my-own-connection', result: { status: 'LINKED' } })),
    ).toBeUndefined();
    expect(voiceLinkingResult(sessionResumedRequest({ result: { status: 'LINKED' } }))).toBeUndefined();
    expect(voiceLinkingResult(launchRequest())).toBeUndefined();
    expect(voiceLinkingResult('not an envelope')).toBeUndefined();
  });

  it('counts only LINKED as linked, and tolerates a result without a status', () => {
    const resumed = sessionResumedRequest({ token: `${VOICE_LINKING_TOKEN_PREFIX}LaunchRequest` });
    expect(voiceLinkingResult(resumed)).toEqual({ linked: false, statusCode: '200', resumedFrom: 'LaunchRequest' });
  });
});
