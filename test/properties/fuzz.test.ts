/**
 * Malformed-envelope fuzzing of each family's Lambda handler: whatever arrives, never an unhandled
 * rejection, a crash or a hang; always the family's bad-request reply (custom skills: a refused
 * invocation with a MalformedRequestError).
 */
import fc from 'fast-check';
import { SkillBuilders } from 'ask-sdk-core';
import {
  customSkillHandler,
  directiveSkillBuilder,
  MalformedRequestError,
  musicSkillBuilder,
  withAccountLinking,
} from '../../lib';
import { verifierDouble } from '../../lib/testing';
import { recordingLogger } from '../support/fixtures';
import '../support/music-schema';

const FUZZ_RUNS = Math.max(1000, Math.floor(Number(process.env.PROPERTY_RUNS ?? 10_000) / 5));
const verifier = verifierDouble().otherwise({ outcome: 'valid', principal: { subject: 'u' } });
const logger = recordingLogger();
const echo = {
  canHandle: () => true,
  handle: (input: any) => (input.reply ? input.reply.response({}) : input.responseBuilder.getResponse()),
};

const handlers = {
  custom: customSkillHandler(
    withAccountLinking(SkillBuilders.custom(), { verifier, logger, unlinking: false })
      .addRequestHandlers(echo)
      .create(),
    { logger },
  ),
  directive: withAccountLinking(directiveSkillBuilder().withLogger(logger), { verifier, unlinking: false })
    .addRequestHandlers(echo)
    .lambda(),
  music: withAccountLinking(musicSkillBuilder().withLogger(logger), { verifier, unlinking: false })
    .addRequestHandlers(echo)
    .lambda(),
};

/** Events that look a little like Alexa's, and events that do not at all. */
const events = fc.oneof(
  fc.anything(),
  fc.jsonValue(),
  fc.record({ request: fc.anything(), context: fc.anything(), session: fc.anything() }, { requiredKeys: [] }),
  fc.record({
    directive: fc.record(
      { header: fc.anything(), endpoint: fc.anything(), payload: fc.anything() },
      { requiredKeys: [] },
    ),
  }),
  fc.record(
    { header: fc.anything(), payload: fc.record({ requestContext: fc.anything() }, { requiredKeys: [] }) },
    { requiredKeys: [] },
  ),
);

const within = <T>(promise: Promise<T>) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('hang: no answer within 2 s')), 2000)),
  ]);

describe("each family's Lambda handler, fed malformed events", () => {
  const unhandled = jest.fn();
  beforeAll(() => process.on('unhandledRejection', unhandled));
  afterAll(() => process.off('unhandledRejection', unhandled));

  it(`never crashes, hangs or rejects unhandled, and answers the family's bad request (${FUZZ_RUNS} events per family)`, async () => {
    await fc.assert(
      fc.asyncProperty(events, async (event) => {
        const custom = await within(
          handlers.custom(event).then(
            (reply) => ({ reply }),
            (error) => ({ error }),
          ),
        );
        if ('error' in custom) expect(custom.error).toBeInstanceOf(MalformedRequestError);
        else expect(custom.reply).toMatchObject({ version: '1.0', response: expect.any(Object) });

        const directive: any = await within(handlers.directive(event));
        expect(directive.event.header.payloadVersion).toBe('3');
        expect(
          typeof directive.event.payload.message === 'string' || directive.event.header.name !== 'ErrorResponse',
        ).toBe(true);

        const music: any = await within(handlers.music(event));
        expect(music).toMatchMusicSchema();
      }),
      { numRuns: FUZZ_RUNS },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).not.toHaveBeenCalled();
    console.info(`property: malformed-event fuzzing, ${FUZZ_RUNS} events through each of 3 families passed`);
  });
});
