/**
 * The linked user's subscription tier, asked of the service's resource server with the user's
 * access token, as a skill asks any API of the service it links to.
 */
import type { Tier } from './catalogue';

export interface Subscriptions {
  tierOf(accessToken: string): Promise<Tier>;
}

export class ResourceServerSubscriptions implements Subscriptions {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 2000,
  ) {}

  async tierOf(accessToken: string): Promise<Tier> {
    const response = await fetch(this.url, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (!response.ok) throw new Error(`the resource server answered ${response.status}`);
    const body = (await response.json()) as { tier?: unknown };
    if (body.tier !== 'free' && body.tier !== 'premium') throw new Error('the resource server answered no known tier');
    return body.tier;
  }
}
