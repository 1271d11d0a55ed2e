/** lib/cli/redirect-checks.ts: each of Alexa's redirect URIs, asked of the authorization endpoint before login. */
import type { Finding } from '../../lib/cli/findings';
import { checkRedirectUris } from '../../lib/cli/redirect-checks';
import type { ServerCheckConfig } from '../../lib/cli/server-check-config';
import { startLoopback, type Loopback } from '../support/loopback';

const ALEXA = [
  'https://pitangui.amazon.com/api/skill/link/M2X',
  'https://layla.amazon.com/api/skill/link/M2X',
  'https://alexa.amazon.co.jp/api/skill/link/M2X',
];
const config = (redirectUris: string[]) =>
  ({ clientId: 'alexa-client', redirectUris, scopes: ['profile'] }) as unknown as ServerCheckConfig;

describe('checkRedirectUris', () => {
  let server: Loopback;
  beforeEach(
    async () =>
      (server = await startLoopback(
        (_req, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<form>login</form>'),
      )),
  );
  afterEach(() => server.close());

  async function findingsOf(
    redirectUris: string[],
    authorizationUrl: string | undefined,
    usable = new Map<string, { ok: boolean; why?: string }>(),
  ): Promise<Finding[]> {
    const findings: Finding[] = [];
    await checkRedirectUris(config(redirectUris), authorizationUrl, usable, (finding) => findings.push(finding), 2000);
    return findings;
  }

  it("asks the authorization endpoint for each URI, for Alexa's client, and says a login page did not refuse it", async () => {
    const findings = await findingsOf(ALEXA, `${server.url}/authorize`);
    expect(findings.map((finding) => [finding.subject, finding.severity])).toEqual(ALEXA.map((uri) => [uri, 'ok']));
    expect(server.requests).toHaveLength(3);
    const query = new URL(server.requests[0]!.url, server.url).searchParams;
    expect([query.get('client_id'), query.get('redirect_uri'), query.get('response_type')]).toEqual([
      'alexa-client',
      ALEXA[0],
      'code',
    ]);
  });

  it('warns of the regions whose URI is not listed, and still tries those listed', async () => {
    const findings = await findingsOf([ALEXA[0]!], `${server.url}/authorize`);
    expect(findings[0]).toMatchObject({
      severity: 'warning',
      subject: 'ALEXA_REDIRECT_URIS',
      summary: expect.stringContaining(
        'no URI on layla.amazon.com, alexa.amazon.co.jp, so those regions were not tried',
      ),
    });
    expect(findings.filter((finding) => finding.subject === ALEXA[0])).toHaveLength(1);
  });

  it('does not try without redirect URIs or an authorization URL, and says which is missing', async () => {
    expect(await findingsOf([], `${server.url}/authorize`)).toEqual([
      expect.objectContaining({
        severity: 'not-checked',
        summary: expect.stringContaining('ALEXA_REDIRECT_URIS is not set'),
      }),
    ]);
    expect(await findingsOf(ALEXA, undefined)).toEqual([
      expect.objectContaining({ severity: 'not-checked', summary: expect.stringContaining('No authorization URL') }),
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('does not try over a transport an earlier check found unusable', async () => {
    const url = `${server.url}/authorize`;
    const findings = await findingsOf(
      ALEXA,
      url,
      new Map([[url, { ok: false, why: 'the certificate is not trusted' }]]),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        severity: 'not-checked',
        summary: 'The redirect URIs were not tried: the certificate is not trusted.',
      }),
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('says a 4xx answer refuses the URI (breaks linking), and sends the scopes as one space-separated scope', async () => {
    server.route = (_req, res) => void res.writeHead(400, { 'Content-Type': 'text/html' }).end('invalid redirect_uri');
    const [finding] = await findingsOf([ALEXA[0]!, ALEXA[1]!, ALEXA[2]!], `${server.url}/authorize`);
    expect(finding).toMatchObject({
      severity: 'breaks-linking',
      summary: 'The authorization endpoint refuses this redirect URI for client alexa-client (it answered 400).',
    });
    expect(new URL(server.requests[0]!.url, server.url).searchParams.get('scope')).toBe('profile');
  });

  it('says a redirect back to Alexa takes the URI', async () => {
    server.route = (_req, res) => void res.writeHead(302, { Location: `${ALEXA[0]}?code=c&state=check-server` }).end();
    const [finding] = await findingsOf([ALEXA[0]!], `${server.url}/authorize`).then((all) =>
      all.filter((f) => f.subject === ALEXA[0]),
    );
    expect(finding).toMatchObject({
      severity: 'ok',
      summary: expect.stringContaining('takes this redirect URI (it sends the user back to Alexa with 302)'),
    });
  });
});
