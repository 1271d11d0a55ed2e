/**
 * The one way verifiers talk to authorization servers: `fetch` under the verification context's
 * abort signal (or a default timeout), JSON in and out, and every failure an
 * {@link AuthorizationServerError} whose message holds no token and no secret.
 */
import { AuthorizationServerError } from '../errors';
import type { VerificationContext } from './verifier';

/** Without a verification context (a direct call), network calls give up after this long. */
export const DEFAULT_HTTP_TIMEOUT_MS = 3000;

export interface JsonResponse {
  status: number;
  body: unknown;
  /** The answer's headers (e.g. `Cache-Control` of a JWKS). */
  headers?: Headers;
}

/** Fetches `url` and reads a JSON body (or `undefined`); throws {@link AuthorizationServerError} when no answer comes. */
export async function fetchJson(what: string, url: string, init: RequestInit, context?: Pick<VerificationContext, 'signal'>): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'error', signal: context?.signal ?? AbortSignal.timeout(DEFAULT_HTTP_TIMEOUT_MS) });
  } catch (cause) {
    throw new AuthorizationServerError(`${what} could not be reached`, { cause });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new AuthorizationServerError(`${what} broke off its answer`, { cause, status: response.status });
  }
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, headers: response.headers };
}
