/**
 * RuntimeSkillBuilder, the skill builder of the families without ask-sdk-core (smart home, music),
 * on a toy family: a request nobody claims, a malformed one and a failing handler each get the
 * family's reply; the gate runs before the skill's own interceptors and error handlers.
 */
import {
  ConfigurationError,
  MalformedRequestError,
  RuntimeSkillBuilder,
  type Logger,
  type RuntimeFamily,
  type RuntimeHandlerInput,
} from '../lib';
import { INSTALL_GATE } from '../lib/runtime-skill';
import { recordingLogger } from './support/fixtures';

type Envelope = { type: string };
type Input = RuntimeHandlerInput<Envelope>;

/** A family whose requests are `{ type }` and whose replies are strings naming what happened. */
function toyFamily(order: string[] = []) {
  const gateLoggers: Logger[] = [];
  const family: RuntimeFamily<Envelope, string, Input> = {
    family: 'music',
    parse(event) {
      if (typeof (event as Envelope | undefined)?.type !== 'string') throw new MalformedRequestError('no type');
      return event as Envelope;
    },
    createInput: (requestEnvelope, context, attributesManager) => ({ requestEnvelope, context, attributesManager }),
    requestType: (envelope) => envelope.type,
    malformedReply: (_event, error) => `malformed: ${error.reason}`,
    unmatchedReply: (input) => `unmatched ${input.requestEnvelope.type}`,
    failureReply: () => 'failure',
    createGate(_options, builderLogger) {
      gateLoggers.push(builderLogger);
      return {
        requestInterceptor: {
          process: (input: Input) => {
            order.push('gate');
            if (input.requestEnvelope.type === 'stop') throw new Error('gate stop');
          },
        },
        errorHandler: {
          canHandle: (_input: Input, error: Error) => error.message === 'gate stop',
          handle: () => 'gate reply',
        },
      };
    },
  };
  return { family, gateLoggers };
}

const verifier = { verify: async () => ({ outcome: 'expired' as const }) };

describe('RuntimeSkillBuilder', () => {
  it("hands a request to the first handler that claims it, else to the family's unmatched reply, or to the one it is given", async () => {
    const builder = new RuntimeSkillBuilder(toyFamily().family).addRequestHandler(
      (input) => input.requestEnvelope.type === 'play',
      () => 'played',
    );
    expect(await builder.create().invoke({ type: 'play' })).toBe('played');
    expect(await builder.create().invoke({ type: 'pause' })).toBe('unmatched pause');
    expect(
      await builder
        .withUnmatchedRequestReply(() => 'custom unmatched')
        .create()
        .invoke({ type: 'pause' }),
    ).toBe('custom unmatched');
  });

  it("answers a malformed request with the family's reply and logs ONE ERROR with the reason", async () => {
    const logger = recordingLogger();
    const skill = new RuntimeSkillBuilder(toyFamily().family).withLogger(logger).create();
    expect(await skill.invoke('not a request')).toBe('malformed: no type');
    expect(logger.lines).toEqual([expect.stringMatching(/"level":"error".*malformed request.*no type/)]);
  });

  it("answers a handler that throws with the family's failure reply (or malformed reply for a MalformedRequestError), logging the error", async () => {
    const logger = recordingLogger();
    const skill = new RuntimeSkillBuilder(toyFamily().family)
      .withLogger(logger)
      .addRequestHandler(
        (input) => input.requestEnvelope.type === 'bug',
        () => {
          throw new Error('handler bug');
        },
      )
      .addRequestHandler(
        (input) => input.requestEnvelope.type === 'bad',
        () => {
          throw new MalformedRequestError('bad slot');
        },
      )
      .create();
    expect(await skill.invoke({ type: 'bug' })).toBe('failure');
    expect(logger.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'skill: unhandled error',
        family: 'music',
        requestType: 'bug',
        errorName: 'Error',
      }),
    ]);
    expect(await skill.invoke({ type: 'bad' })).toBe('malformed: bad slot');
  });

  it("runs the gate's interceptor before the skill's own, and offers its errors to the gate before a catch-all", async () => {
    const order: string[] = [];
    const builder = new RuntimeSkillBuilder(toyFamily(order).family)
      .withLogger(recordingLogger())
      .addRequestInterceptors(() => void order.push('own'))
      .addErrorHandlers({ canHandle: () => true, handle: () => 'catch-all' })
      .addRequestHandler(
        () => true,
        () => 'served',
      );
    builder[INSTALL_GATE]({ verifier });
    const skill = builder.create();
    expect(await skill.invoke({ type: 'play' })).toBe('served');
    expect(order).toEqual(['gate', 'own']);
    expect(await skill.invoke({ type: 'stop' })).toBe('gate reply');
  });

  it('refuses a second gate on the same builder', () => {
    const builder = new RuntimeSkillBuilder(toyFamily().family).withLogger(recordingLogger());
    builder[INSTALL_GATE]({ verifier });
    expect(() => builder[INSTALL_GATE]({ verifier })).toThrow(ConfigurationError);
  });

  it("gives the gate the builder's logger even when withLogger comes after the gate, and builds it only once when it does not", () => {
    const late = toyFamily();
    const logger = recordingLogger();
    const builder = new RuntimeSkillBuilder(late.family);
    builder[INSTALL_GATE]({ verifier });
    builder.withLogger(logger).create();
    expect(late.gateLoggers.at(-1)).toBe(logger);
    const early = toyFamily();
    const first = new RuntimeSkillBuilder(early.family).withLogger(logger);
    first[INSTALL_GATE]({ verifier });
    first.create();
    expect(early.gateLoggers).toEqual([logger]);
  });

  it('keeps request attributes for one request only, and makes a Lambda handler of the skill', async () => {
    const builder = new RuntimeSkillBuilder(toyFamily().family)
      .addRequestInterceptors((input) =>
        input.attributesManager.setRequestAttributes({
          seen: String(input.attributesManager.getRequestAttributes().seen ?? 'fresh'),
        }),
      )
      .addRequestHandler(
        () => true,
        (input) => `${input.attributesManager.getRequestAttributes().seen} ${String(input.context)}`,
      );
    const handler = builder.lambda();
    expect(await handler({ type: 'a' }, 'ctx')).toBe('fresh ctx');
    expect(await handler({ type: 'b' }, 'ctx')).toBe('fresh ctx');
  });
});
