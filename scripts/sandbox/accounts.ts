/**
 * The sandbox's users and the tokens Alexa keeps for them: the linked user's (linked, expired,
 * revoked, forged, refreshed after a key rotation), and the other users' whose requests a bad
 * deploy or the breaker demonstration receives too. Tokens stay here; the rest sees fingerprints.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { fingerprint } from '../../lib';
import { AUDIENCE, CLIENTS, type AuthorizationServer, type Tokens } from './authorization-server';
import type { Situation, Verification } from './situation';
import { sleep } from './time';

/** The clients that issue each verification's tokens: the linked one, and one whose tokens expire in a second. */
export const CLIENT_OF: Record<Verification, { linked: keyof typeof CLIENTS; shortLived: keyof typeof CLIENTS }> = {
  jwt: { linked: 'jwt', shortLived: 'shortLivedJwt' },
  introspection: { linked: 'opaque', shortLived: 'shortLived' },
};

/** Logins of the other users of a skill, whose requests a bad deploy receives too: the first {@link CROWD_SIZE} that are not the linked user. */
const CROWD = ['grace', 'alan', 'edsger', 'barbara', 'margaret'];
const CROWD_SIZE = 4;

/** The user of the breaker demonstration whose token is dead for another reason (it expired); never one of {@link CROWD}. */
export const OTHER_USER = 'hedy';

/** Milliseconds after issue when a short-lived token is past its expiry (and, for a JWT, the 1 s clock tolerance). */
export const EXPIRED_AFTER_MS = 2200;

export class Accounts {
  readonly #server: AuthorizationServer;
  /** The linked user: the login and the tokens Alexa keeps, per verification. */
  login = 'ada';
  linkedBy: 'sandbox' | 'browser' = 'sandbox';
  readonly #tokens: Partial<Record<Verification, Tokens>> = {};
  readonly #expired: Partial<Record<Verification, { token: string; usableAt: number; login: string }>> = {};
  readonly #revoked: Partial<Record<Verification, { token: string; login: string }>> = {};
  /** The forged token of each verification: the same one each time, as a replayed token would be. */
  readonly #forged: Partial<Record<Verification, { token: string; login: string }>> = {};
  readonly #crowd: Partial<Record<Verification, Record<string, Tokens>>> = {};
  readonly #forger: KeyObject = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  constructor(server: AuthorizationServer) {
    this.#server = server;
  }

  /** Fingerprints of the linked user's tokens, per verification (never the tokens). */
  get linked(): { login: string; linkedBy: string; fingerprints: Partial<Record<Verification, string>> } {
    const fingerprints: Partial<Record<Verification, string>> = {};
    for (const [verification, tokens] of Object.entries(this.#tokens))
      fingerprints[verification as Verification] = fingerprint(tokens.access_token);
    return { login: this.login, linkedBy: this.linkedBy, fingerprints };
  }

  /** Records an account linked outside the situations (in a browser, by the guided run): from now on its tokens are the linked user's. */
  adoptLink(login: string, verification: Verification, tokens: Tokens, by: 'sandbox' | 'browser'): void {
    if (login !== this.login) {
      for (const kept of [this.#tokens, this.#expired, this.#revoked, this.#forged])
        for (const key of Object.keys(kept)) delete kept[key as Verification];
    }
    this.login = login;
    this.linkedBy = by;
    this.#tokens[verification] = tokens;
  }

  /** The linked user's tokens for `verification`, linked as Alexa does if there are none yet. */
  async linkedTokens(verification: Verification, steps: string[]): Promise<Tokens> {
    const client = CLIENT_OF[verification].linked;
    if (!this.#tokens[verification]) {
      this.#tokens[verification] = await this.#server.link(this.login, client);
      steps.push(
        `Linked ${this.login} as Alexa does (client ${CLIENTS[client].id}): ${verification === 'jwt' ? 'a JWT' : 'an opaque'} access token.`,
      );
    }
    return this.#tokens[verification]!;
  }

  /** The token a request carries in `situation` (none with no token), and whose it is; made (linked, expired, revoked, forged, refreshed) on first use. */
  async tokenFor(situation: Situation, steps: string[]): Promise<{ token?: string; user?: string }> {
    const { verification } = situation;
    const clients = CLIENT_OF[verification];
    switch (situation.token) {
      case 'none':
        return {};
      case 'linked':
        return { token: (await this.linkedTokens(verification, steps)).access_token, user: this.login };
      case 'rotated': {
        const tokens = await this.linkedTokens(verification, steps);
        await this.#server.rotateSigningKey();
        const [signing, previous] = this.#server.signingKids;
        steps.push(
          `Rotated the signing key: ${signing} signs from now on${previous ? `, ${previous} is still published` : ''}.`,
        );
        const refreshed = await this.refresh(verification, this.login, tokens);
        const kid = keyIdOf(refreshed.access_token);
        steps.push(`Alexa refreshed ${this.login}'s token: ${kid ? `a JWT signed by ${kid}` : 'a new opaque token'}.`);
        return { token: refreshed.access_token, user: this.login };
      }
      case 'expired': {
        let expired = this.#expired[verification];
        if (!expired || expired.login !== this.login) {
          const tokens = await this.#server.link(this.login, clients.shortLived);
          expired = this.#expired[verification] = {
            token: tokens.access_token,
            usableAt: Date.now() + EXPIRED_AFTER_MS,
            login: this.login,
          };
          steps.push(`Linked ${this.login} with a client whose tokens live ${tokens.expires_in} s.`);
        }
        const wait = expired.usableAt - Date.now();
        if (wait > 0) {
          steps.push(`Waited ${(wait / 1000).toFixed(1)} s for the token to expire.`);
          await sleep(wait);
        }
        return { token: expired.token, user: this.login };
      }
      case 'revoked': {
        let revoked = this.#revoked[verification];
        if (!revoked || revoked.login !== this.login) {
          const tokens = await this.#server.link(this.login, clients.linked);
          if (verification === 'jwt') {
            // oidc-provider revokes no JWT access token by itself: revoking the refresh token revokes the grant.
            await this.#server.revoke(tokens.refresh_token!, clients.linked, 'refresh_token');
            steps.push(
              `Linked ${this.login} again and revoked that grant at the revocation endpoint (its refresh token).`,
            );
          } else {
            await this.#server.revoke(tokens.access_token, clients.linked);
            steps.push(`Linked ${this.login} again and revoked that token at the revocation endpoint.`);
          }
          revoked = this.#revoked[verification] = { token: tokens.access_token, login: this.login };
        }
        return { token: revoked.token, user: this.login };
      }
      case 'forged': {
        let forged = this.#forged[verification];
        if (!forged || forged.login !== this.login) {
          // Opaque tokens cannot be forged, only guessed: a random one, as long as the server's.
          // A JWT claims to be the linked user, with the server's own kid, signed with another key.
          const token =
            verification === 'introspection'
              ? randomBytes(32).toString('base64url')
              : jwt.sign({ sub: this.login, scope: 'rides', client_id: CLIENTS.jwt.id }, this.#forger, {
                  algorithm: 'RS256',
                  keyid: this.#server.signingKids[0],
                  issuer: this.#server.issuer,
                  audience: AUDIENCE,
                  expiresIn: 3600,
                });
          forged = this.#forged[verification] = { token, login: this.login };
          steps.push(
            verification === 'introspection'
              ? "Guessed a token: random, as long as the server's."
              : `Forged a JWT for ${this.login}, with the server's kid, signed with another key.`,
          );
        }
        return { token: forged.token, user: `${this.login} (forged)` };
      }
    }
  }

  /** Alexa refreshes a grant: `login`'s tokens (the linked user's or another user's) become the new ones, the refresh token kept if none is issued. */
  async refresh(verification: Verification, login: string, tokens: Tokens): Promise<Tokens> {
    const refreshed = await this.#server.refresh(tokens.refresh_token!, CLIENT_OF[verification].linked);
    const kept = { ...refreshed, refresh_token: refreshed.refresh_token ?? tokens.refresh_token };
    if (login === this.login) this.#tokens[verification] = kept;
    else (this.#crowd[verification] ??= {})[login] = kept;
    return kept;
  }

  /** The other users' grants (linked on first use), per login: never the linked user's own (a browser may link grace). */
  async crowdGrants(verification: Verification, steps: string[]): Promise<Record<string, Tokens>> {
    const grants = (this.#crowd[verification] ??= {});
    const others = CROWD.filter((login) => login !== this.login && login !== OTHER_USER).slice(0, CROWD_SIZE);
    const linked: string[] = [];
    const crowd: Record<string, Tokens> = {};
    for (const login of others) {
      if (!grants[login]) {
        grants[login] = await this.#server.link(login, CLIENT_OF[verification].linked);
        linked.push(login);
      }
      crowd[login] = grants[login];
    }
    if (linked.length > 0) steps.push(`Linked ${linked.join(', ')}: other users of the skills.`);
    return crowd;
  }

  /** The other users' access tokens, as [login, token]. */
  async crowdTokens(verification: Verification, steps: string[]): Promise<Array<[string, string]>> {
    return Object.entries(await this.crowdGrants(verification, steps)).map(([login, tokens]) => [
      login,
      tokens.access_token,
    ]);
  }
}

/** The kid in a JWT's header; none for an opaque token. */
function keyIdOf(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { kid?: string }).kid;
  } catch {
    return undefined;
  }
}
