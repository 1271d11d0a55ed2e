/**
 * adviceFor: what the unlinking policy's hold ERRORs tell the operator to check, per reason class:
 * the settings a fault of that class most likely comes from.
 */
import { adviceFor } from '../../lib/gate/unlinking-advice';

describe('adviceFor', () => {
  it.each([
    ['signature', ['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWKS_URI']],
    ['inactive', ['INTROSPECTION_URL']],
    ['claims', ['INTROSPECTION_CLIENT_IDS', 'LWA_CLIENT_ID', 'audience']],
    ['expired', ['clock', 'refresh tokens']],
    ['malformed', ['JWT_*', 'INTROSPECTION_URL']],
  ] as const)('names, for %s, the settings to check: %p', (reasonClass, settings) => {
    for (const setting of settings) expect(adviceFor(reasonClass)).toContain(setting);
  });

  it("points at the verifier's settings or a custom verifier for any other class", () => {
    for (const reasonClass of ['other', 'verifier', 'timeout', 'outage'] as const) {
      expect(adviceFor(reasonClass)).toBe(
        "the verifier's settings (JWT_*, INTROSPECTION_*, LWA_*) or a custom verifier",
      );
    }
  });

  it('gives each class with a likely setting its own advice', () => {
    const advice = (['signature', 'inactive', 'claims', 'expired', 'malformed', 'other'] as const).map(adviceFor);
    expect(new Set(advice).size).toBe(advice.length);
  });
});
