/**
 * withAccountLinking on a custom skill builder (installCustomGate): the gate goes first, before the
 * skill's interceptors and error handlers whatever their order, once per builder.
 */
import { SkillBuilders, type RequestInterceptor } from 'ask-sdk-core';
import { ConfigurationError, getLinkedUser, withAccountLinking } from '../../lib';
import { launchRequest } from '../../lib/testing';
import { hsToken, recordingLogger } from '../support/fixtures';
import { jwtVerifier } from './harness';

const logger = recordingLogger();
const echo = { canHandle: () => true, handle: (input: any) => input.responseBuilder.speak('domain').getResponse() };

describe('withAccountLinking', () => {
  it("keeps a catch-all error handler registered later from swallowing the gate's reply", async () => {
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false })
      .addRequestHandlers(echo)
      .addErrorHandlers({
        canHandle: () => true,
        handle: (input) => input.responseBuilder.speak('catch-all').getResponse(),
      })
      .create();
    expect((await skill.invoke(launchRequest())).response.card).toEqual({ type: 'LinkAccount' });
  });

  it("still hands other errors to the skill's own error handlers", async () => {
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false })
      .addRequestHandlers({
        canHandle: () => true,
        handle: () => {
          throw new Error('domain bug');
        },
      })
      .addErrorHandlers({
        canHandle: () => true,
        handle: (input) => input.responseBuilder.speak('catch-all').getResponse(),
      })
      .create();
    expect((await skill.invoke(launchRequest({ accessToken: hsToken() }))).response.outputSpeech).toMatchObject({
      ssml: '<speak>catch-all</speak>',
    });
  });

  it('rethrows other errors when the skill has no error handler, as the SDK does', async () => {
    const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false })
      .addRequestHandlers({
        canHandle: () => true,
        handle: () => {
          throw new Error('domain bug');
        },
      })
      .create();
    await expect(skill.invoke(launchRequest({ accessToken: hsToken() }))).rejects.toThrow('domain bug');
  });

  it('runs the gate before request interceptors registered earlier, so they can read the linked user', async () => {
    const seen: unknown[] = [];
    const loadProfile: RequestInterceptor = { process: (input) => void seen.push(getLinkedUser(input)) };
    const builder = SkillBuilders.custom().addRequestInterceptors(loadProfile).addRequestHandlers(echo);
    const skill = withAccountLinking(builder, { verifier: jwtVerifier, logger, unlinking: false }).create();
    await skill.invoke(launchRequest({ accessToken: hsToken() }));
    expect(seen).toMatchObject([{ subject: 'rider-42' }]);
  });

  it('refuses to be installed twice on one builder', () => {
    const builder = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false });
    expect(() => withAccountLinking(builder, { verifier: jwtVerifier, logger, unlinking: false })).toThrow(
      ConfigurationError,
    );
  });

  it('refuses what is not a skill builder, a missing verifier, and a bad timeout', () => {
    expect(() => withAccountLinking({} as never, { verifier: jwtVerifier })).toThrow(/custom skill builder/);
    expect(() => withAccountLinking(SkillBuilders.custom(), {} as never)).toThrow(/needs a verifier/);
    expect(() =>
      withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, verificationTimeoutMs: 0 }),
    ).toThrow(/verificationTimeoutMs/);
  });
});
