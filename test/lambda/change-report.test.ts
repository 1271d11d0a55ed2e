import { AlexaEventGatewayTokens, MemoryAlexaGrantStore } from '../../lib';
import { sendChangeReport } from '../../lambda/my-lights/change-report';
import { startLoopback } from '../support/loopback';
import { describeWithSmartHomeSchema } from '../support/smart-home-schema';

describeWithSmartHomeSchema("My Lights' ChangeReport", () => {
  it("goes to the event gateway with the linked user's event-gateway token, and validates against the schema", async () => {
    const gateway = await startLoopback((_req, res) => {
      res.writeHead(202);
      res.end();
    });
    try {
      const store = new MemoryAlexaGrantStore();
      await store.putIfNewer('rider-42', {
        accessToken: 'Atza|gateway-token',
        refreshToken: 'Atzr|r',
        expiresAt: Date.now() + 600_000,
        grantCodeHash: 'h',
        grantedAt: Date.now(),
      });
      const tokens = new AlexaEventGatewayTokens({
        credentials: { clientId: 'c', clientSecret: 's', tokenUrl: 'http://127.0.0.1:1/token' },
        store,
      });
      const status = await sendChangeReport({
        tokens,
        userId: 'rider-42',
        endpointId: 'light-kitchen',
        powerState: 'ON',
        gatewayUrl: `${gateway.url}/v3/events`,
      });
      expect(status).toBe(202);
      const [request] = gateway.requests;
      expect(request.headers.authorization).toBe('Bearer Atza|gateway-token');
      const event = JSON.parse(request.body);
      expect(event).toMatchSmartHomeSchema();
      expect(event.event).toMatchObject({
        header: { name: 'ChangeReport' },
        endpoint: { endpointId: 'light-kitchen', scope: { token: 'Atza|gateway-token' } },
      });
    } finally {
      await gateway.close();
    }
  });
});
