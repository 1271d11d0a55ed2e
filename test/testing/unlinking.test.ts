/**
 * A skill's own unit test of a rejection, written with the test kit against a fresh skill: it sees
 * the unlinking reply with `unlinkingForTests()`, and a matcher that meets a held reply says why.
 */
import { SkillBuilders } from 'ask-sdk-core';
import {
  accountLinkingMatchers,
  launchRequest,
  mintAccessToken,
  powerControllerDirective,
  unlinkingForTests,
} from '../../lib/testing';
import { directiveSkillBuilder, JwtVerifier, withAccountLinking } from '../../lib';
import { AUDIENCE, ISSUER, SECRET, recordingLogger } from '../support/fixtures';

const verifier = new JwtVerifier({ secret: SECRET, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
const expired = () =>
  mintAccessToken({
    key: SECRET,
    algorithm: 'HS256',
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'user-1',
    expiresInSeconds: -600,
  });

function customSkill(options: object = {}) {
  return withAccountLinking(SkillBuilders.custom(), { verifier, logger: recordingLogger(), ...options })
    .addRequestHandlers({
      canHandle: () => true,
      handle: (input) => input.responseBuilder.speak('served').getResponse(),
    })
    .create();
}

describe('unlinkingForTests()', () => {
  it('lets a fresh custom skill answer an expired token with the LinkAccount card at its first request', async () => {
    const reply = await customSkill({ unlinking: unlinkingForTests() }).invoke(
      launchRequest({ accessToken: expired() }),
    );
    expect(reply).toBeLinkAccountResponse();
    expect(reply).toUnlinkTheUser();
  });

  it('lets a fresh smart home skill answer it with EXPIRED_AUTHORIZATION_CREDENTIAL', async () => {
    const skill = withAccountLinking(directiveSkillBuilder().withLogger(recordingLogger()), {
      verifier,
      unlinking: unlinkingForTests(),
    })
      .addDirectiveHandler('Alexa.PowerController', 'TurnOn', (input) => input.reply.response({}))
      .create();
    expect(await skill.invoke(powerControllerDirective('TurnOn', { accessToken: expired() }))).toBeAlexaErrorResponse(
      'EXPIRED_AUTHORIZATION_CREDENTIAL',
    );
  });

  it('still lets a genuine token through', async () => {
    const genuine = mintAccessToken({
      key: SECRET,
      algorithm: 'HS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'user-1',
    });
    const reply = await customSkill({ unlinking: unlinkingForTests() }).invoke(launchRequest({ accessToken: genuine }));
    expect(JSON.stringify(reply.response.outputSpeech)).toContain('served');
  });
});

describe('a matcher that expects an unlinking reply and meets a held one', () => {
  it('says the unlinking policy held it and points at unlinkingForTests()', async () => {
    const reply = await customSkill().invoke(launchRequest({ accessToken: expired() }));
    const result = accountLinkingMatchers.toBeLinkAccountResponse(reply);
    expect(result.pass).toBe(false);
    expect(result.message()).toMatch(/unlinking policy held it|unlinking policy gives a rejection it holds/);
    expect(result.message()).toContain('unlinkingForTests()');
    expect(accountLinkingMatchers.toUnlinkTheUser(reply).message()).toContain('unlinkingForTests()');
  });

  it('says nothing of the policy when the reply is something else', () => {
    const result = accountLinkingMatchers.toBeLinkAccountResponse({
      response: { outputSpeech: { ssml: '<speak>hi</speak>' }, shouldEndSession: false, card: { type: 'Simple' } },
    });
    expect(result.message()).not.toContain('unlinkingForTests');
  });
});
