/** A found token, the options of a gate's decision and a verifier of one function, for the gate's tests. */
import type { TokenVerifier } from '../../lib';

export const found = { status: 'found' as const, accessToken: 'opaque-token', path: 'context.System.user.accessToken' };
export const options = { family: 'custom' as const, budgetMs: 50 };
export const verifier = (verify: TokenVerifier<unknown>['verify']): TokenVerifier<unknown> => ({ verify });
