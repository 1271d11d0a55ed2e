/**
 * Proactive state reports: when a light changes without Alexa asking (someone pressed its switch),
 * My Lights tells Alexa with a ChangeReport to the Alexa event gateway, with the event-gateway
 * token that AcceptGrant obtained for the linked user (refreshed when it has expired).
 */
import { randomUUID } from 'node:crypto';
import type { AlexaEventGatewayTokens } from '../../lib';

/** North America's gateway; Europe and the Far East have their own (api.eu., api.fe.amazonalexa.com). */
export const ALEXA_EVENT_GATEWAY = 'https://api.amazonalexa.com/v3/events';

export function changeReportEvent(gatewayToken: string, endpointId: string, powerState: 'ON' | 'OFF') {
  const timeOfSample = new Date().toISOString();
  return {
    event: {
      header: { namespace: 'Alexa', name: 'ChangeReport', messageId: randomUUID(), payloadVersion: '3' },
      endpoint: { scope: { type: 'BearerToken', token: gatewayToken }, endpointId },
      payload: {
        change: {
          cause: { type: 'PHYSICAL_INTERACTION' },
          properties: [
            {
              namespace: 'Alexa.PowerController',
              name: 'powerState',
              value: powerState,
              timeOfSample,
              uncertaintyInMilliseconds: 0,
            },
          ],
        },
      },
    },
    context: { properties: [] },
  };
}

/** Sends a ChangeReport for a linked user's light; answers the gateway's HTTP status (202 when accepted). */
export async function sendChangeReport(options: {
  tokens: AlexaEventGatewayTokens;
  userId: string;
  endpointId: string;
  powerState: 'ON' | 'OFF';
  gatewayUrl?: string;
}): Promise<number> {
  const token = await options.tokens.accessTokenFor(options.userId);
  const response = await fetch(options.gatewayUrl ?? ALEXA_EVENT_GATEWAY, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(changeReportEvent(token, options.endpointId, options.powerState)),
    signal: AbortSignal.timeout(5000),
  });
  await response.arrayBuffer();
  return response.status;
}
