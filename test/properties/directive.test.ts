/**
 * For any smart home, video or meetings directive and any verifier behaviour, the reply is a
 * well-formed event (Amazon's schema, where present); the two unlinking codes only follow an
 * affirmative verdict or a missing token; the domain handler runs only on a valid verdict; no token
 * text is in any reply or log line.
 */
import fc from 'fast-check';
import { directiveSkillBuilder, withAccountLinking } from '../../lib';
import { acceptGrantDirective, discoverDirective, endpointDirective, verifierDouble } from '../../lib/testing';
import { recordingLogger } from '../support/fixtures';
import { SMART_HOME_SCHEMAS, smartHomeSchemaErrors } from '../support/smart-home-schema';
import { AFFIRMATIVE, behaviour, garbage, RUNS, script, token } from './arbitraries';

const directives = fc.oneof(
  fc.constant({ kind: 'discover' as const }),
  fc.constant({ kind: 'acceptGrant' as const }),
  fc.record({
    kind: fc.constant('endpoint' as const),
    namespace: fc.constantFrom(
      'Alexa.PowerController',
      'Alexa',
      'Alexa.BrightnessController',
      'Alexa.RemoteVideoPlayer',
      'Alexa.VideoContentProvider',
      'Alexa.ChannelController',
      'Alexa.PlaybackController',
      'Alexa.SeekController',
      'Alexa.Launcher',
      'Alexa.MeetingClientController',
    ),
    name: fc.constantFrom(
      'TurnOn',
      'ReportState',
      'SetBrightness',
      'SearchAndPlay',
      'GetPlayableItems',
      'ChangeChannel',
      'Pause',
      'LaunchTarget',
      'JoinMeeting',
    ),
    correlation: fc.boolean(),
    endpointId: fc.stringMatching(/^[a-zA-Z0-9_-]{1,40}$/),
  }),
);

describe('directive skills, for any directive and any verifier', () => {
  it(`answer as the table says (${RUNS} generated cases, each checked against ${SMART_HOME_SCHEMAS})`, async () => {
    await fc.assert(
      fc.asyncProperty(directives, token, behaviour, garbage, fc.boolean(), async (d, tokenCase, b, junk, handled) => {
        const logger = recordingLogger();
        let ran = false;
        const builder = withAccountLinking(directiveSkillBuilder().withLogger(logger), {
          verifier: verifierDouble().otherwise(script(b, junk)),
          verificationTimeoutMs: 2,
          unlinking: false,
        });
        if (handled)
          builder.addRequestHandlers({
            canHandle: () => true,
            handle: (input) => {
              ran = true;
              return input.reply.response();
            },
          });
        const envelope: any =
          d.kind === 'discover'
            ? discoverDirective('x')
            : d.kind === 'acceptGrant'
              ? acceptGrantDirective('x')
              : endpointDirective(d.namespace, d.name, {
                  accessToken: 'x',
                  endpointId: d.endpointId,
                  correlationToken: d.correlation ? 'corr-1' : null,
                });
        const scope =
          d.kind === 'discover'
            ? envelope.directive.payload.scope
            : d.kind === 'acceptGrant'
              ? envelope.directive.payload.grantee
              : envelope.directive.endpoint.scope;
        if (tokenCase.kind === 'absent') delete scope.token;
        else scope.token = tokenCase.value;

        const reply: any = await builder.create().invoke(envelope);
        const hasToken = tokenCase.kind === 'token';
        const type: string | undefined = reply.event.payload.type;

        expect(reply.event.header.payloadVersion).toBe('3');
        expect(reply.context === undefined || reply.event.header.name !== 'ErrorResponse').toBe(true);
        expect(smartHomeSchemaErrors(reply)).toEqual([]);
        expect(ran).toBe(handled && hasToken && b === 'valid');
        if (type === 'INVALID_AUTHORIZATION_CREDENTIAL' || type === 'EXPIRED_AUTHORIZATION_CREDENTIAL') {
          expect(tokenCase.kind === 'absent' || (hasToken && AFFIRMATIVE.includes(b))).toBe(true);
        }
        if (hasToken && !['valid', 'invalid', 'expired'].includes(b)) {
          expect(type).toBe(d.kind === 'acceptGrant' ? 'ACCEPT_GRANT_FAILED' : 'INTERNAL_ERROR');
        }
        if (tokenCase.kind === 'odd')
          expect(type).toBe(d.kind === 'acceptGrant' ? 'ACCEPT_GRANT_FAILED' : 'INVALID_DIRECTIVE');
        if (d.kind === 'discover' && reply.event.payload.endpoints)
          expect(hasToken && b !== 'valid' ? AFFIRMATIVE.includes(b) : true).toBe(true);
        if (hasToken) expect(JSON.stringify(reply) + logger.text()).not.toContain(tokenCase.value);
      }),
      { numRuns: RUNS },
    );
    console.info(`property: directive skills, ${RUNS} generated cases passed`);
  });
});
