/**
 * Custom skills, part 1 of 3: where the access token is in a request (`context.System.user`, else
 * `session.user`; the person's with `preferPersonToken`; `request.body` for SkillAccountLinked).
 * `null` and `""` are absent; a token of another type is malformed. See docs/custom-skills.md.
 */
import { MalformedRequestError } from '../errors';
import type { TokenResolution } from '../gate/decision';
import { isObject } from '../json';

/** Where a custom-skill request carries an access token, as the `path` of a found {@link TokenResolution}. */
export const CUSTOM_TOKEN_PATHS = {
  /** The recognised voice profile's own linked token (personal account linking); read only with `preferPersonToken`. */
  person: 'context.System.person.accessToken',
  /** The account holder's token: on every request with a `context`, so looked at first. */
  user: 'context.System.user.accessToken',
  /** The copy in-session requests carry; read when there is no `context` token. */
  session: 'session.user.accessToken',
  /** The token of the account just linked, in an `AlexaSkillEvent.SkillAccountLinked` event, and only there. */
  skillAccountLinked: 'request.body.accessToken',
} as const;

export const SKILL_ACCOUNT_LINKED = 'AlexaSkillEvent.SkillAccountLinked';

/** Where the custom-skill resolver looks first. */
export interface CustomResolveOptions {
  /** Prefer the recognised person's own linked token over the account holder's. Default: false. */
  preferPersonToken?: boolean | undefined;
}

type Json = Record<string, unknown>;

/**
 * The request type of a custom-skill envelope; throws {@link MalformedRequestError} for anything
 * that is not an object with a `request` object carrying a string `type`.
 */
export function customRequestType(envelope: unknown): string {
  if (!isObject(envelope)) throw new MalformedRequestError('the request envelope is not a JSON object');
  if (!isObject(envelope.request)) throw new MalformedRequestError('the request envelope has no "request" object');
  const type = envelope.request.type;
  if (typeof type !== 'string' || type === '')
    throw new MalformedRequestError('"request.type" is not a non-empty string');
  const session = envelope.session;
  if (session !== undefined && session !== null && !isObject(session))
    throw new MalformedRequestError('"session" is not an object');
  // Alexa sends every custom request with its context and System: without them ask-sdk-core would
  // fail on the request, and the gate could not tell a user without a token from a broken envelope.
  if (!isObject(envelope.context)) throw new MalformedRequestError('the request envelope has no "context" object');
  if (!isObject(envelope.context.System)) throw new MalformedRequestError('"context.System" is not an object');
  return type;
}

/**
 * Finds the access token of a custom-skill request, in the order the module documentation gives
 * (the account holder's, then the session's; the person's first with `preferPersonToken`). Never
 * throws: an envelope that is not a custom-skill request, or a token that is not a string, is a
 * `malformed` resolution.
 *
 * @example
 * ```ts
 * const resolution = resolveCustomAccessToken(handlerInput.requestEnvelope);
 * if (resolution.status === 'found') logger.info('token found', { path: resolution.path, fingerprint: fingerprint(resolution.accessToken) });
 * ```
 */
export function resolveCustomAccessToken(envelope: unknown, options: CustomResolveOptions = {}): TokenResolution {
  let requestType: string;
  try {
    requestType = customRequestType(envelope);
  } catch (error) {
    if (error instanceof MalformedRequestError) return { status: 'malformed', reason: error.reason };
    throw error;
  }
  const root = envelope as Json;
  // Every request but SkillAccountLinked carries the user in context.System, linked or not: without
  // it, the envelope is malformed, not a user without a token (whose reply is the LinkAccount card).
  const system = (root.context as Json).System as Json; // an object: customRequestType checked it
  if (requestType !== SKILL_ACCOUNT_LINKED && !isObject(system.user)) {
    return { status: 'malformed', reason: '"context.System.user" is not an object' };
  }
  const candidates: Array<keyof typeof CUSTOM_TOKEN_PATHS> =
    requestType === SKILL_ACCOUNT_LINKED
      ? ['skillAccountLinked']
      : options.preferPersonToken
        ? ['person', 'user', 'session']
        : ['user', 'session'];

  for (const candidate of candidates) {
    const path = CUSTOM_TOKEN_PATHS[candidate];
    const read = readPath(root, path);
    if ('notAnObject' in read) return { status: 'malformed', reason: `"${read.notAnObject}" is not an object` };
    const value = read.value;
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') return { status: 'malformed', reason: `"${path}" is not a string` };
    return { status: 'found', accessToken: value, path };
  }
  return { status: 'absent' };
}

/** Reads a dotted path: `undefined` where a step is missing or null, and which step is no object. */
function readPath(root: Json, path: string): { value: unknown } | { notAnObject: string } {
  const keys = path.split('.');
  let node: unknown = root;
  for (const [depth, key] of keys.entries()) {
    if (node === undefined || node === null) return { value: undefined };
    if (!isObject(node)) return { notAnObject: keys.slice(0, depth).join('.') };
    node = node[key];
  }
  return { value: node };
}
