/**
 * The gate's decision log: a verifier that cannot decide for a reason about us (a configuration
 * mistake) is reported as ONE ERROR per gate and reason, naming what to check.
 */
import { CannotDecideError, decide } from '../../lib';
import { createCannotDecideReporter } from '../../lib/gate/decision-log';
import { found, options, verifier } from '../support/gate';

describe('a verifier that cannot decide for a reason about us', () => {
  const logged = () => {
    const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> | undefined }> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      void lines.push({ level, message, fields });
    return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
  };

  it('logs one ERROR per gate and reason, naming what to check, and never the token', async () => {
    const { lines, logger } = logged();
    const report = createCannotDecideReporter(logger);
    const cannotDecide = (reason: string) =>
      decide(
        found,
        verifier(async () => {
          throw new CannotDecideError(reason, 'JWT_AUDIENCE: the aud your authorization server puts in access tokens');
        }),
        options,
      );
    for (const reason of ['audience mismatch', 'audience mismatch', 'issuer mismatch', 'audience mismatch'])
      report('custom', await cannotDecide(reason));
    const errors = lines.filter((line) => line.level === 'error');
    expect(errors.map((line) => line.fields?.reason)).toEqual(['audience mismatch', 'issuer mismatch']);
    expect(errors[0].message).toContain('JWT_AUDIENCE');
    expect(JSON.stringify(lines)).not.toContain(found.accessToken);
  });

  it('logs nothing of the kind for other outcomes and other failures', async () => {
    const { lines, logger } = logged();
    const report = createCannotDecideReporter(logger);
    report(
      'custom',
      await decide(
        found,
        verifier(async () => {
          throw new Error('ECONNREFUSED');
        }),
        options,
      ),
    );
    report(
      'custom',
      await decide(
        found,
        verifier(async () => ({ outcome: 'invalid', reason: 'bad signature' })),
        options,
      ),
    );
    expect(lines).toEqual([]);
  });
});
