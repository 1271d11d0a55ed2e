import { SkillBuilders } from 'ask-sdk-core';
import { customSkillHandler, MalformedRequestError, withAccountLinking } from '../../lib';
import { launchRequest } from '../../lib/testing';
import { hsToken, recordingLogger } from '../support/fixtures';
import { jwtVerifier } from './harness';

function handlerWithSkillId() {
  const logger = recordingLogger();
  const skill = withAccountLinking(SkillBuilders.custom(), { verifier: jwtVerifier, logger, unlinking: false })
    .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.speak('hi').getResponse() })
    .withSkillId('amzn1.ask.skill.00000000-0000-0000-0000-000000000000')
    .create();
  return { handler: customSkillHandler(skill, { logger }), logger };
}

describe('customSkillHandler', () => {
  it('answers a well-formed request through the skill', async () => {
    const { handler } = handlerWithSkillId();
    expect((await handler(launchRequest({ accessToken: hsToken() }))).response.outputSpeech).toMatchObject({
      ssml: '<speak>hi</speak>',
    });
  });

  it.each([
    ['null', null, 'not a JSON object'],
    ['a string', 'LaunchRequest', 'not a JSON object'],
    ['an array', [1, 2], 'not a JSON object'],
    ['an envelope without request', { version: '1.0', context: {} }, 'no "request" object'],
    ['a music envelope', { header: { namespace: 'Alexa.Media.Search' }, payload: {} }, 'no "request" object'],
    ['a request whose type is a number', { request: { type: 7 } }, '"request.type" is not a non-empty string'],
    ['a context that is a number', { context: 3, request: { type: 'LaunchRequest' } }, 'no "context" object'],
    ['an envelope without context', { version: '1.0', request: { type: 'LaunchRequest' } }, 'no "context" object'],
    [
      'a context whose System is an array',
      { context: { System: [] }, request: { type: 'LaunchRequest' } },
      '"context.System" is not an object',
    ],
  ])('rejects %s with a MalformedRequestError that says why, and logs the reason', async (_name, event, reason) => {
    const { handler, logger } = handlerWithSkillId();
    const invocation = handler(event);
    await expect(invocation).rejects.toBeInstanceOf(MalformedRequestError);
    await expect(invocation).rejects.toThrow(reason);
    expect(JSON.parse(logger.lines[0])).toMatchObject({ level: 'error', reason: expect.stringContaining(reason) });
  });
});
