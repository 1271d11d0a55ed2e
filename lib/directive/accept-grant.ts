/**
 * `Alexa.Authorization.AcceptGrant`: the grant code exchanged at Login with Amazon once the gate
 * accepted the grantee token, the tokens kept for the linked user (single-use codes, the newest
 * grant wins), and {@link AlexaEventGatewayTokens} for the Alexa event gateway. See docs/smart-home.md.
 */
import { createHash } from 'node:crypto';
import { AuthorizationServerError, ConfigurationError, GrantRefusedError, NoAlexaGrantError } from '../errors';
import { verificationBudget } from '../gate/budget';
import { findLinkedAccount, getLinkedUser } from '../gate/linked-account';
import { isObject } from '../json';
import { describeError, type Logger } from '../logging';
import { DEFAULT_HTTP_TIMEOUT_MS, fetchJson } from '../verification/http';
import type { AlexaEvent } from './envelope';
import type { DirectiveHandlerInput } from './handler-input';

/** Login with Amazon's token endpoint: where grant codes are exchanged and event-gateway tokens refreshed. */
export const LWA_TOKEN_URL = 'https://api.amazon.com/auth/o2/token';

/** The Alexa event-gateway tokens of one linked user, as stored. */
export interface AlexaGrant {
  /** The access token for the Alexa event gateway (`Atza|...`), sent as the bearer of ChangeReports. A credential: store it as one, never log it. */
  accessToken: string;
  /** The refresh token that gets a new `accessToken` from LWA when it expires. A credential, long-lived: store it encrypted at rest. */
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** SHA-256 (hex) of the grant code they came from: a second delivery of it is recognised. */
  grantCodeHash: string;
  /**
   * Epoch milliseconds when the AcceptGrant that brought the grant reached the skill: of two grants,
   * the later one is kept. A refresh keeps it. 0 for a grant stored before this field existed.
   */
  grantedAt: number;
}

/** What a conditional write expects the stored grant still to be: the one it was derived from. */
export type AlexaGrantVersion = Pick<AlexaGrant, 'refreshToken' | 'grantCodeHash'>;

/** Where grants are kept. */
export interface AlexaGrantStore {
  /** The user's stored grant, or `undefined` if AcceptGrant never succeeded for them. */
  get(userId: string): Promise<AlexaGrant | undefined>;
  /**
   * Stores `grant` unless the stored one came from a later AcceptGrant (a larger `grantedAt`),
   * atomically; answers whether it wrote. AcceptGrant stores its grant this way, so the newest
   * grant wins whatever order the exchanges end in.
   */
  putIfNewer(userId: string, grant: AlexaGrant): Promise<boolean>;
  /**
   * Replaces the user's grant only if the stored one is still `expected` (same refresh token and
   * grant code hash), atomically; answers whether it wrote. A refresh stores its tokens this way,
   * so it never overwrites a newer AcceptGrant that landed while it was asking LWA.
   */
  putIfUnchanged(userId: string, grant: AlexaGrant, expected: AlexaGrantVersion): Promise<boolean>;
}

/** A store in memory, for tests and local runs (a Lambda container forgets it). */
export class MemoryAlexaGrantStore implements AlexaGrantStore {
  /** The grants by user ID: look into it in tests. */
  readonly grants = new Map<string, AlexaGrant>();
  /** The user's grant, or `undefined`. */
  async get(userId: string): Promise<AlexaGrant | undefined> {
    return this.grants.get(userId);
  }
  async putIfNewer(userId: string, grant: AlexaGrant): Promise<boolean> {
    const stored = this.grants.get(userId);
    if (stored && stored.grantedAt > grant.grantedAt) return false;
    this.grants.set(userId, { ...grant });
    return true;
  }
  async putIfUnchanged(userId: string, grant: AlexaGrant, expected: AlexaGrantVersion): Promise<boolean> {
    const stored = this.grants.get(userId);
    if (stored?.refreshToken !== expected.refreshToken || stored.grantCodeHash !== expected.grantCodeHash) return false;
    this.grants.set(userId, { ...grant });
    return true;
  }
}

/** The skill's own client at Login with Amazon, for the event-gateway tokens. */
export interface LwaClientCredentials {
  /** The skill's LWA client ID and secret (the "Alexa Skill Messaging" credentials of the skill). */
  clientId: string;
  /** The secret of `clientId`, from the developer console's Permissions page. Never logged, never in an error message. */
  clientSecret: string;
  /**
   * The token endpoint; change it only to test against a stand-in.
   * @defaultValue {@link LWA_TOKEN_URL}
   */
  tokenUrl?: string | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Posts a token request to LWA; answers the new grant (without its code hash). */
async function tokenRequest(
  credentials: LwaClientCredentials,
  form: Record<string, string>,
  signal: AbortSignal,
): Promise<Omit<AlexaGrant, 'grantCodeHash' | 'grantedAt'>> {
  const body = new URLSearchParams({
    ...form,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
  });
  const { status, body: answer } = await fetchJson(
    'The LWA token endpoint',
    credentials.tokenUrl ?? LWA_TOKEN_URL,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' },
      body,
    },
    { signal },
  );
  if (status === 400 || status === 401) {
    const error = isObject(answer) && typeof answer.error === 'string' ? answer.error : `HTTP ${status}`;
    throw new GrantRefusedError(/^[a-z_]{1,64}$/.test(error) ? error : 'refused');
  }
  if (
    status !== 200 ||
    !isObject(answer) ||
    typeof answer.access_token !== 'string' ||
    typeof answer.refresh_token !== 'string'
  ) {
    throw new AuthorizationServerError(`The LWA token endpoint answered ${status} without tokens`, { status });
  }
  const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token,
    expiresAt: Date.now() + expiresIn * 1000,
  };
}

/** What {@link acceptGrantHandler} needs to exchange grant codes and keep the tokens. */
export interface AcceptGrantOptions<P> {
  /** The skill's LWA client, which the grant codes were issued to. Required. */
  credentials: LwaClientCredentials;
  /** Where the grants are kept, per linked user: `DynamoDbAlexaGrantStore` (`ask-sdk-account-linking/dynamodb`) in Lambda, {@link MemoryAlexaGrantStore} in tests. Required. */
  store: AlexaGrantStore;
  /**
   * The key the grant is stored under, from the linked user.
   * @defaultValue the linked user's `subject`
   */
  userIdOf?: ((linkedUser: P) => string) | undefined;
  /**
   * The most the grant code's exchange at LWA may take, in ms; less when the Lambda has less time left.
   * @defaultValue 3000 (the verifiers' HTTP timeout)
   */
  timeoutMs?: number | undefined;
  /**
   * Where a failed AcceptGrant is logged (with the grant code's fingerprint, never the code).
   * @defaultValue none: nothing logged
   */
  logger?: Logger | undefined;
}

/**
 * The handler of `Alexa.Authorization.AcceptGrant`:
 * `builder.addDirectiveHandler('Alexa.Authorization', 'AcceptGrant', acceptGrantHandler({ credentials, store }))`.
 */
export function acceptGrantHandler<
  P = {
    /** The linked user's ID, under which the grant is stored. */
    subject: string;
  },
>(options: AcceptGrantOptions<P>): (input: DirectiveHandlerInput) => Promise<AlexaEvent> {
  requireCredentials(options.credentials);
  const userIdOf = options.userIdOf ?? ((user: P) => (user as { subject: string }).subject);
  const inFlight = new Map<string, Promise<void>>();

  const exchangeAndStore = async (
    userId: string,
    code: string,
    codeHash: string,
    grantedAt: number,
    signal: AbortSignal,
  ) => {
    if ((await options.store.get(userId))?.grantCodeHash === codeHash) return; // delivered before: already exchanged
    let grant: Omit<AlexaGrant, 'grantCodeHash' | 'grantedAt'>;
    try {
      grant = await tokenRequest(options.credentials, { grant_type: 'authorization_code', code }, signal);
    } catch (error) {
      // a concurrent delivery in another container may have used the code: then the grant is stored
      if (error instanceof GrantRefusedError && (await options.store.get(userId))?.grantCodeHash === codeHash) return;
      throw error;
    }
    // False when a later AcceptGrant's grant is stored: it stays, and this (older) one is answered as accepted.
    await options.store.putIfNewer(userId, { ...grant, grantCodeHash: codeHash, grantedAt });
  };

  return async (input) => {
    const code = input.directive.payload?.grant?.code;
    if (typeof code !== 'string' || code === '')
      return input.reply.acceptGrantFailed('The directive carries no grant code.');
    const codeHash = sha256(code);
    try {
      // The gate's verifier yields the P this handler was declared with (its userIdOf takes it).
      const userId = userIdOf(getLinkedUser(input) as P);
      const grantedAt = findLinkedAccount(input)?.receivedAt.getTime() ?? Date.now();
      const key = `${userId}\u0000${codeHash}`;
      let work = inFlight.get(key);
      if (!work) {
        const signal = AbortSignal.timeout(
          Math.max(1, verificationBudget(options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, input.context)),
        );
        work = exchangeAndStore(userId, code, codeHash, grantedAt, signal).finally(() => inFlight.delete(key));
        inFlight.set(key, work);
      }
      await work;
      return input.reply.acceptGrant();
    } catch (error) {
      options.logger?.error('accept grant: failed', {
        grantFingerprint: codeHash.slice(0, 12),
        ...describeError(error),
      });
      const reason =
        error instanceof GrantRefusedError
          ? `Login with Amazon refused the grant (${error.lwaError}).`
          : 'The grant could not be exchanged and stored right now.';
      return input.reply.acceptGrantFailed(reason);
    }
  };
}

function requireCredentials(credentials: LwaClientCredentials): void {
  if (!credentials?.clientId) throw new ConfigurationError("AcceptGrant needs the skill's LWA clientId");
  if (!credentials.clientSecret) throw new ConfigurationError("AcceptGrant needs the skill's LWA clientSecret");
  if (credentials.tokenUrl !== undefined && !URL.canParse(credentials.tokenUrl))
    throw new ConfigurationError('LWA tokenUrl is not a URL');
}

/** Valid Alexa event-gateway access tokens for linked users, refreshed through LWA when expired. */
export class AlexaEventGatewayTokens {
  readonly #refreshing = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly options: { credentials: LwaClientCredentials; store: AlexaGrantStore; timeoutMs?: number },
  ) {
    requireCredentials(options.credentials);
    if (typeof options.store?.get !== 'function' || typeof options.store.putIfUnchanged !== 'function') {
      throw new ConfigurationError(
        'AlexaEventGatewayTokens needs a grant store with get() and putIfUnchanged() (a refresh must not overwrite a newer AcceptGrant)',
      );
    }
  }

  /**
   * An access token for `userId` that is valid for at least another minute. When a refresh finds
   * that the stored grant changed meanwhile (a new AcceptGrant, or a refresh in another
   * container), it keeps the stored grant and starts over from it.
   */
  async accessTokenFor(userId: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const grant = await this.options.store.get(userId);
      if (!grant)
        throw new NoAlexaGrantError('No Alexa grant is stored for this user: AcceptGrant has not succeeded for them');
      if (grant.expiresAt - 60_000 > Date.now()) return grant.accessToken;
      const flight = `${userId}\u0000${grant.refreshToken}`;
      let refresh = this.#refreshing.get(flight);
      if (!refresh) {
        refresh = this.#refresh(userId, grant).finally(() => this.#refreshing.delete(flight));
        this.#refreshing.set(flight, refresh);
      }
      const token = await refresh;
      if (token !== undefined) return token;
      if (attempt >= 2)
        throw new AuthorizationServerError('The stored Alexa grant kept changing while it was being refreshed');
    }
  }

  /** Refreshes `grant`; answers the new access token, or undefined when the stored grant is no longer `grant`. */
  async #refresh(userId: string, grant: AlexaGrant): Promise<string | undefined> {
    const signal = AbortSignal.timeout(
      Math.max(1, verificationBudget(this.options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS)),
    );
    const fresh = await tokenRequest(
      this.options.credentials,
      { grant_type: 'refresh_token', refresh_token: grant.refreshToken },
      signal,
    );
    const written = await this.options.store.putIfUnchanged(
      userId,
      { ...fresh, grantCodeHash: grant.grantCodeHash, grantedAt: grant.grantedAt },
      grant,
    );
    return written ? fresh.accessToken : undefined;
  }
}
