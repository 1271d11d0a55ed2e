/**
 * LinkedAccount and its accessors: the gate attaches the linked user to the request's attributes
 * under a symbol of its own; the access token is read only through a method, never serialised,
 * logged or inspected; a request the gate did not guard has no linked user, and says so.
 */
import { inspect } from 'node:util';
import {
  findLinkedAccount,
  findLinkedUser,
  fingerprint,
  getLinkedAccessToken,
  getLinkedUser,
  LinkedAccount,
  NoLinkedUserError,
} from '../../lib';
import { attachLinkedAccount, linkedUserAccessors } from '../../lib/gate/linked-account';

const TOKEN = 'secret-access-token-text';
const input = () => {
  const attributes: Record<string, unknown> = {};
  return { attributes, attributesManager: { getRequestAttributes: () => attributes } };
};
const expiresAt = new Date('2030-01-01T00:00:00Z');
const receivedAt = new Date('2026-01-01T00:00:00Z');

describe('LinkedAccount', () => {
  const account = new LinkedAccount({ id: 'u' }, TOKEN, 'context.System.user.accessToken', expiresAt, receivedAt);

  it('gives the access token through accessToken(), and its fingerprint as tokenFingerprint', () => {
    expect(account.accessToken()).toBe(TOKEN);
    expect(account.tokenFingerprint).toBe(fingerprint(TOKEN));
  });

  it('never shows the token: not as JSON, not inspected, not among its keys', () => {
    expect(JSON.parse(JSON.stringify(account))).toEqual({
      user: { id: 'u' },
      tokenPath: 'context.System.user.accessToken',
      tokenFingerprint: fingerprint(TOKEN),
      expiresAt: expiresAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
    });
    expect(inspect(account)).toMatch(/^LinkedAccount /);
    expect(inspect(account)).not.toContain(TOKEN);
    expect(JSON.stringify(Object.entries(account))).not.toContain(TOKEN);
  });

  it('was received now unless told otherwise', () => {
    const before = Date.now();
    expect(new LinkedAccount('u', TOKEN, 'p').receivedAt.getTime()).toBeGreaterThanOrEqual(before);
  });
});

describe('the linked user accessors', () => {
  it('read the account attached to the request', () => {
    const request = input();
    const account = new LinkedAccount({ id: 'u' }, TOKEN, 'p');
    attachLinkedAccount(request, account);
    expect(findLinkedAccount(request)).toBe(account);
    expect([getLinkedUser(request), findLinkedUser(request), getLinkedAccessToken(request)]).toEqual([
      { id: 'u' },
      { id: 'u' },
      TOKEN,
    ]);
    const typed = linkedUserAccessors<{ id: string }>();
    expect([
      typed.getLinkedUser(request).id,
      typed.findLinkedAccount(request),
      typed.getLinkedAccessToken(request),
    ]).toEqual(['u', account, TOKEN]);
  });

  it('find nothing, or throw NoLinkedUserError, on a request the gate did not guard', () => {
    const request = input();
    expect(findLinkedAccount(request)).toBeUndefined();
    expect(findLinkedUser(request)).toBeUndefined();
    expect(() => getLinkedUser(request)).toThrow(NoLinkedUserError);
    expect(() => getLinkedAccessToken(request)).toThrow(/did not guard it/);
  });

  it('keep the account under a symbol, so no string attribute of the skill can replace it', () => {
    const request = input();
    attachLinkedAccount(request, new LinkedAccount('u', TOKEN, 'p'));
    expect(Object.keys(request.attributes)).toEqual([]);
    request.attributes.linkedAccount = { user: 'forged' };
    expect(getLinkedUser(request)).toBe('u');
  });
});
