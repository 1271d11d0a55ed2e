import {
  acceptGrantResponseEvent,
  directiveSkillBuilder,
  discoverResponseEvent,
  errorEvent,
  musicSkillBuilder,
  responseEvent,
  stateReportEvent,
  withAccountLinking,
  type AlexaEvent,
} from '../../lib';
import {
  acceptGrantDirective,
  discoverDirective,
  endpointDirective,
  getPlayableContentRequest,
  powerControllerDirective,
  reportStateDirective,
} from '../../lib/testing';
import { jwtVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';

const lamp = {
  endpointId: 'lamp-1',
  manufacturerName: 'My Lights',
  description: 'A lamp',
  friendlyName: 'Lamp',
  displayCategories: ['LIGHT'],
  capabilities: [
    { type: 'AlexaInterface', interface: 'Alexa', version: '3' },
    {
      type: 'AlexaInterface',
      interface: 'Alexa.PowerController',
      version: '3',
      properties: { supported: [{ name: 'powerState' }], proactivelyReported: false, retrievable: true },
    },
  ],
};
const powerState = {
  namespace: 'Alexa.PowerController',
  name: 'powerState',
  value: 'ON',
  timeOfSample: new Date().toISOString(),
  uncertaintyInMilliseconds: 0,
};

function skill(configure: (builder: ReturnType<typeof directiveSkillBuilder>) => void = () => undefined) {
  const logger = recordingLogger();
  const builder = withAccountLinking(directiveSkillBuilder().withLogger(logger), {
    verifier: jwtVerifier,
    unlinking: false,
  });
  configure(builder);
  const created = builder.create();
  return { logger, invoke: (event: unknown) => created.invoke(event) as Promise<AlexaEvent<any>> };
}

describeWithSmartHomeSchema('the events a directive skill sends', () => {
  const directive = powerControllerDirective('TurnOn', { accessToken: 't', endpointId: 'lamp-1' }).directive;

  it.each([
    ['Alexa.Response with context', () => responseEvent(directive, { properties: [powerState] })],
    [
      'Alexa.StateReport',
      () => stateReportEvent(reportStateDirective({ endpointId: 'lamp-1' }).directive, [powerState]),
    ],
    ['Alexa.ErrorResponse', () => errorEvent(directive, 'NO_SUCH_ENDPOINT', 'no such lamp')],
    [
      'Alexa.ErrorResponse with extra payload',
      () =>
        errorEvent(directive, 'VALUE_OUT_OF_RANGE', 'too bright', {
          payload: { validRange: { minimumValue: 0, maximumValue: 100 } },
        }),
    ],
    ['Discover.Response', () => discoverResponseEvent(discoverDirective('t').directive, [lamp])],
    ['AcceptGrant.Response', () => acceptGrantResponseEvent(acceptGrantDirective('t').directive)],
  ])('%s validates against the smart home schema', (_name, build) => {
    expect(build()).toMatchSmartHomeSchema();
  });

  it.each([
    ['payloadVersion "3.0"', (e: any) => (e.event.header.payloadVersion = '3.0')],
    ['a null correlationToken', (e: any) => (e.event.header.correlationToken = null)],
    ['context on an ErrorResponse', (e: any) => (e.context = { properties: [powerState] })],
    ['no message', (e: any) => delete e.event.payload.message],
    [
      'the endpoint scope echoed with an empty token',
      (e: any) => (e.event.endpoint.scope = { type: 'BearerToken', token: '' }),
    ],
  ])('and the check can fail: an ErrorResponse with %s does not validate', (_name, spoil) => {
    const event = errorEvent(directive, 'INTERNAL_ERROR', 'x');
    spoil(event);
    expect(event).not.toMatchSmartHomeSchema();
  });
});

describeWithSmartHomeSchema('bad input to a directive skill', () => {
  it.each([
    ['null', null],
    ['a string', 'Alexa.PowerController.TurnOn'],
    ['an array', []],
    ['a custom-skill request', { version: '1.0', request: { type: 'LaunchRequest' } }],
    ['a directive without a header', { directive: { payload: {} } }],
    ['a header without a namespace', { directive: { header: { name: 'TurnOn' }, payload: {} } }],
    [
      'a correlation token that is a number',
      { directive: { header: { namespace: 'Alexa', name: 'ReportState', correlationToken: 7 }, payload: {} } },
    ],
    [
      'a payload that is a string',
      { directive: { header: { namespace: 'Alexa', name: 'ReportState' }, payload: 'x' } },
    ],
    [
      'an endpoint without endpointId',
      { directive: { header: { namespace: 'Alexa', name: 'ReportState' }, endpoint: {}, payload: {} } },
    ],
  ])('answers %s with INVALID_DIRECTIVE and logs why', async (_name, event) => {
    const { invoke, logger } = skill();
    const reply = await invoke(event);
    expect(reply.event.payload.type).toBe('INVALID_DIRECTIVE');
    expect(reply).toMatchSmartHomeSchema();
    expect(JSON.parse(logger.lines[0])).toMatchObject({
      level: 'error',
      message: 'account linking: malformed request',
      reason: expect.any(String),
    });
  });

  it.each([
    ['the empty string', () => ({ type: 'BearerToken', token: '' })],
    ['a number', () => ({ type: 'BearerToken', token: 42 })],
    ['a scope that is a string', () => 'Bearer abc'],
  ])('answers a token that is %s with INVALID_DIRECTIVE, never an unlinking code', async (_name, scope) => {
    const { invoke } = skill();
    const event = powerControllerDirective('TurnOn') as any;
    event.directive.endpoint.scope = scope();
    const reply = await invoke(event);
    expect(reply.event.payload.type).toBe('INVALID_DIRECTIVE');
    expect(reply).toMatchSmartHomeSchema();
  });

  it.each([
    ['no endpoint', (event: any) => void delete event.directive.endpoint],
    ['an endpoint without scope', (event: any) => void delete event.directive.endpoint.scope],
  ])(
    'answers a controller directive with %s with INVALID_DIRECTIVE, never an unlinking code (Alexa always sends both)',
    async (_name, strip) => {
      const { invoke, logger } = skill();
      const event = powerControllerDirective('TurnOn', { accessToken: hsToken() }) as any;
      strip(event);
      const reply = await invoke(event);
      expect(reply.event.payload.type).toBe('INVALID_DIRECTIVE');
      expect(reply).toMatchSmartHomeSchema();
      expect(JSON.parse(logger.lines[0])).toMatchObject({
        level: 'error',
        message: 'account linking: malformed request',
      });
    },
  );

  it('answers a malformed AcceptGrant with ACCEPT_GRANT_FAILED, the only error AcceptGrant has', async () => {
    const { invoke } = skill();
    const event = acceptGrantDirective() as any;
    event.directive.payload.grantee = { type: 'BearerToken', token: 5 };
    const reply = await invoke(event);
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(reply).toMatchSmartHomeSchema();
  });
});

describeWithSmartHomeSchema('directives the skill does not handle, and errors in handlers', () => {
  const linked = () => powerControllerDirective('TurnOn', { accessToken: hsToken() });

  it('answers a directive no handler matches with INVALID_DIRECTIVE', async () => {
    const reply = await skill().invoke(linked());
    expect(reply.event.payload).toEqual({
      type: 'INVALID_DIRECTIVE',
      message: expect.stringContaining('Alexa.PowerController.TurnOn'),
    });
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers it as configured with withUnmatchedRequestReply', async () => {
    const reply = await skill((b) =>
      b.withUnmatchedRequestReply((input) =>
        input.reply.error('NOT_SUPPORTED_IN_CURRENT_MODE', 'not now', { payload: { currentDeviceMode: 'OTHER' } }),
      ),
    ).invoke(linked());
    expect(reply.event.payload.type).toBe('NOT_SUPPORTED_IN_CURRENT_MODE');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers a handler error nobody handles with INTERNAL_ERROR, and logs it', async () => {
    const { invoke, logger } = skill((b) =>
      b.addDirectiveHandler('Alexa.PowerController', 'TurnOn', () => {
        throw new Error('bulb exploded');
      }),
    );
    const reply = await invoke(linked());
    expect(reply.event.payload.type).toBe('INTERNAL_ERROR');
    expect(reply).toMatchSmartHomeSchema();
    expect(logger.text()).toContain('"message":"skill: unhandled error"');
    expect(logger.text()).not.toContain('bulb exploded');
  });

  it("hands a handler error to the skill's own error handlers first", async () => {
    const reply = await skill((b) =>
      b
        .addDirectiveHandler('Alexa.PowerController', 'TurnOn', () => {
          throw new Error('offline');
        })
        .addErrorHandlers({
          canHandle: () => true,
          handle: (input) => input.reply.error('ENDPOINT_UNREACHABLE', 'The lamp is offline.'),
        }),
    ).invoke(linked());
    expect(reply.event.payload.type).toBe('ENDPOINT_UNREACHABLE');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('answers a failing AcceptGrant handler with ACCEPT_GRANT_FAILED', async () => {
    const reply = await skill((b) =>
      b.addDirectiveHandler('Alexa.Authorization', 'AcceptGrant', () => {
        throw new Error('store down');
      }),
    ).invoke(acceptGrantDirective(hsToken()));
    expect(reply.event.payload.type).toBe('ACCEPT_GRANT_FAILED');
    expect(reply).toMatchSmartHomeSchema();
  });

  it('runs response interceptors on handled directives', async () => {
    const seen: string[] = [];
    await skill((b) =>
      b
        .addDirectiveHandler('Alexa.PowerController', undefined, (input) => input.reply.response())
        .addResponseInterceptors((_input, output) => void seen.push(output!.event.header.name)),
    ).invoke(linked());
    expect(seen).toEqual(['Response']);
  });
});

describe('the Lambda handler of a directive skill', () => {
  it('is an async (event, context) function that answers every event', async () => {
    const handler = withAccountLinking(directiveSkillBuilder().withLogger(recordingLogger()), {
      verifier: jwtVerifier,
      unlinking: false,
    }).lambda();
    expect(handler.length).toBeLessThan(3);
    expect(((await handler('garbage')) as AlexaEvent<any>).event.payload.type).toBe('INVALID_DIRECTIVE');
    expect(((await handler(endpointDirective('Alexa', 'ReportState'))) as AlexaEvent<any>).event.payload.type).toBe(
      'INVALID_AUTHORIZATION_CREDENTIAL',
    );
  });
});

describe("the gate's logger on a runtime builder", () => {
  it.each(['directive', 'music'] as const)(
    "is the %s builder's logger, whether withLogger comes before or after withAccountLinking",
    async (family) => {
      const logger = recordingLogger();
      const skill =
        family === 'directive'
          ? withAccountLinking(directiveSkillBuilder(), { verifier: jwtVerifier, unlinking: false, metrics: false })
              .withLogger(logger)
              .create()
          : withAccountLinking(musicSkillBuilder(), { verifier: jwtVerifier, unlinking: false, metrics: false })
              .withLogger(logger)
              .create();
      const token = hsToken();
      await skill.invoke(
        family === 'directive'
          ? powerControllerDirective('TurnOn', { accessToken: token })
          : getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }], { accessToken: token }),
      );
      expect(logger.text()).toContain('account linking: gate decision');
      expect(logger.text()).not.toContain(token);
    },
  );
});
