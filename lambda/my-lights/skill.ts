/**
 * My Lights: the example smart home skill. A linked user's lights are discovered, switched and
 * reported; AcceptGrant is accepted once the grantee token checks out. The account-linking gate
 * stands in front of every directive.
 *
 * The lights' state lives in memory, per warm Lambda container: a real skill asks its device cloud.
 */
import {
  accountLinking,
  acceptGrantHandler,
  directiveSkillBuilder,
  type ContextProperty,
  type DirectiveGateOptions,
  type DirectiveHandlerInput,
  type DiscoveredEndpoint,
  type LinkedUser,
  type LinkedUserAccessors,
  type Logger,
  type AlexaGrantStore,
  type LwaClientCredentials,
} from '../../lib';
// From the family's subpath: the same gate, without the custom family's (see withAccountLinking's TSDoc).
import { withAccountLinking } from '../../lib/directive';

const LIGHTS = [
  { endpointId: 'light-living-room', friendlyName: 'Living room light' },
  { endpointId: 'light-kitchen', friendlyName: 'Kitchen light' },
] as const;

function endpointOf(light: (typeof LIGHTS)[number]): DiscoveredEndpoint {
  return {
    endpointId: light.endpointId,
    manufacturerName: 'My Lights',
    description: 'A light switched by the My Lights example skill',
    friendlyName: light.friendlyName,
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
}

/** Power state per linked user and light. */
const powerStates = new Map<string, 'ON' | 'OFF'>();
const stateKey = (user: LinkedUser, endpointId: string) => `${user.subject}\u0000${endpointId}`;

function powerStateProperty(value: 'ON' | 'OFF'): ContextProperty {
  return {
    namespace: 'Alexa.PowerController',
    name: 'powerState',
    value,
    timeOfSample: new Date().toISOString(),
    uncertaintyInMilliseconds: 0,
  };
}

/** The linked user's light this directive is for, or undefined. */
function lightOf(input: DirectiveHandlerInput) {
  return LIGHTS.find((light) => light.endpointId === input.directive.endpoint?.endpointId);
}

function setPower(value: 'ON' | 'OFF', users: LinkedUserAccessors<LinkedUser>) {
  return (input: DirectiveHandlerInput) => {
    const light = lightOf(input);
    if (!light) return input.reply.error('NO_SUCH_ENDPOINT', 'There is no such light.');
    powerStates.set(stateKey(users.getLinkedUser(input), light.endpointId), value);
    return input.reply.response({ properties: [powerStateProperty(value)] });
  };
}

export interface MyLightsOptions extends DirectiveGateOptions<LinkedUser> {
  logger: Logger;
  /**
   * The skill's LWA credentials and a grant store: AcceptGrant then exchanges the grant code and
   * keeps the event-gateway tokens (for ChangeReports). Without them, AcceptGrant is acknowledged
   * once the grantee token checks out, and the skill cannot send proactive events.
   */
  acceptGrant?: { credentials: LwaClientCredentials; store: AlexaGrantStore } | undefined;
}

export function createMyLightsSkill(options: MyLightsOptions) {
  const { acceptGrant, ...gate } = options;
  const linking = accountLinking(gate);
  return withAccountLinking(directiveSkillBuilder().withLogger(options.logger), linking)
    .addDirectiveHandler('Alexa.Discovery', 'Discover', (input) => input.reply.discover(LIGHTS.map(endpointOf)))
    .addDirectiveHandler('Alexa.PowerController', 'TurnOn', setPower('ON', linking))
    .addDirectiveHandler('Alexa.PowerController', 'TurnOff', setPower('OFF', linking))
    .addDirectiveHandler('Alexa', 'ReportState', (input) => {
      const light = lightOf(input);
      if (!light) return input.reply.error('NO_SUCH_ENDPOINT', 'There is no such light.');
      const state = powerStates.get(stateKey(linking.getLinkedUser(input), light.endpointId)) ?? 'OFF';
      return input.reply.stateReport([powerStateProperty(state)]);
    })
    .addDirectiveHandler(
      'Alexa.Authorization',
      'AcceptGrant',
      acceptGrant
        ? acceptGrantHandler({ ...acceptGrant, logger: options.logger })
        : (input) => input.reply.acceptGrant(),
    );
}
