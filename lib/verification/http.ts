/**
 * The one way verifiers talk to authorization servers: `fetch` under the verification context's
 * abort signal (or a default timeout), JSON in and out, and every failure an
 * {@link AuthorizationServerError} whose message holds no token and no secret.
 */
import { AuthorizationServerError } from '../errors';
import type { VerificationContext } from './verifier';

/** The largest answer read from an authorization server (a JWKS, an introspection or tokeninfo answer): 1 MiB. */
export const MAX_ANSWER_BYTES = 1_048_576;

/** Without a verification context (a direct call), network calls give up after this long. */
export const DEFAULT_HTTP_TIMEOUT_MS = 3000;

export interface JsonResponse {
  status: number;
  body: unknown;
  /** The answer's headers (e.g. `Cache-Control` of a JWKS). */
  headers?: Headers;
}

/** Fetches `url` and reads a JSON body (or `undefined`); throws {@link AuthorizationServerError} when no answer comes. */
export async function fetchJson(
  what: string,
  url: string,
  init: RequestInit,
  context?: Pick<VerificationContext, 'signal'>,
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'error',
      signal: context?.signal ?? AbortSignal.timeout(DEFAULT_HTTP_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new AuthorizationServerError(`${what} could not be reached`, { cause });
  }
  const text = await readText(what, response);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, headers: response.headers };
}

/** The answer's body as text, at most {@link MAX_ANSWER_BYTES}: a larger one is an {@link AuthorizationServerError}, read no further. */
async function readText(what: string, response: Response): Promise<string> {
  const tooLarge = () =>
    new AuthorizationServerError(`${what} answered more than ${MAX_ANSWER_BYTES} bytes`, { status: response.status });
  if (Number(response.headers.get('content-length')) > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof AuthorizationServerError) throw cause;
    throw new AuthorizationServerError(`${what} broke off its answer`, { cause, status: response.status });
  }
  return Buffer.concat(chunks).toString('utf8');
}
