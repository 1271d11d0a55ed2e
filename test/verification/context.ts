/** Helpers shared by the verifier tests of this folder (not a test file). */
import type { VerificationContext } from '../../lib';

/** A verification context of a custom skill, two seconds to its deadline. */
export const context = (): VerificationContext => ({
  family: 'custom',
  signal: AbortSignal.timeout(2000),
  deadline: new Date(Date.now() + 2000),
});

/** A token found where a custom skill's request carries it, as `decide` takes it. */
export const found = (accessToken: string) => ({
  status: 'found' as const,
  accessToken,
  path: 'context.System.user.accessToken',
});
