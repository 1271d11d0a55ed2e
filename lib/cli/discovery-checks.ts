/**
 * The first checks of `check-server`: the issuer's discovery document (where the endpoints come
 * from, when not given), and each endpoint's transport as Alexa needs it (HTTPS, port 443, a
 * publicly trusted certificate). See `docs/check-server.md`.
 */
import { certificateTrust, isLoopback, parseJson, probe, ProbeError } from './http-probe';
import { printable, type Finding } from './findings';
import type { ServerCheckConfig } from './server-check-config';

/** An endpoint of the authorization server, as findings name it. */
export type Role = 'discovery document' | 'authorization endpoint' | 'token endpoint';

/** The endpoints to check: given, or read from the discovery document. */
export interface Endpoints {
  authorizationUrl: string | undefined;
  tokenUrl: string | undefined;
  discoveryUrl: string | undefined;
  /** Where each URL came from, to name it in an error. */
  names: { token: string; authorization: string };
  /** The discovery document's `token_endpoint`, when it is not an absolute http(s) URL (so not used). */
  discoveredTokenEndpoint: string | undefined;
}

/**
 * The endpoints of `config`, and those it leaves out from `OAUTH_ISSUER`'s discovery document:
 * not something Alexa uses (the console holds the URLs), but the skill's settings often come from it.
 */
export async function checkDiscovery(
  config: ServerCheckConfig,
  add: (finding: Finding) => void,
  requestTimeoutMs: number,
): Promise<Endpoints> {
  let { authorizationUrl, tokenUrl } = config;
  let discoveryUrl: string | undefined;
  const names = { token: 'OAUTH_TOKEN_URL', authorization: 'OAUTH_AUTHORIZATION_URL' };
  let discoveredTokenEndpoint: string | undefined;
  if (config.issuer) {
    const found = await discover(config.issuer, requestTimeoutMs);
    if ('metadata' in found) {
      discoveryUrl = found.url;
      const { metadata } = found;
      const issuerMatches = metadata.issuer === config.issuer;
      add({
        id: 'discovery',
        severity: issuerMatches ? 'ok' : 'warning',
        subject: found.url,
        summary: issuerMatches
          ? 'The discovery document answers and names this issuer.'
          : `The discovery document names the issuer ${typeof metadata.issuer === 'string' ? JSON.stringify(printable(metadata.issuer)) : 'nothing (no string)'}, not OAUTH_ISSUER (${config.issuer}).`,
        ...(issuerMatches
          ? {}
          : {
              change:
                "Set OAUTH_ISSUER (and JWT_ISSUER) to the issuer the server announces, or fix the server's issuer.",
            }),
        sources: ['verifier'],
      });
      // RFC 8414: the endpoints are absolute https URLs. A relative one is reported, not guessed at.
      for (const [field, role] of [
        ['authorization_endpoint', 'authorization'],
        ['token_endpoint', 'token'],
      ] as const) {
        const endpoint = metadata[field];
        if (role === 'token' ? tokenUrl !== undefined : authorizationUrl !== undefined) continue;
        if (typeof endpoint !== 'string') continue;
        if (/^https?:\/\//i.test(endpoint) && URL.canParse(endpoint)) {
          if (role === 'token') tokenUrl = endpoint;
          else authorizationUrl = endpoint;
          names[role] = `the discovery document's ${field}`;
        } else {
          if (role === 'token') discoveredTokenEndpoint = endpoint;
          add({
            id: 'discovery',
            severity: 'warning',
            subject: found.url,
            summary: `The discovery document's ${field} is not an absolute http(s) URL (${JSON.stringify(printable(endpoint))}), so it was not used.`,
            alexa:
              'Alexa does not read discovery (the console holds the URIs); a client that does, such as a verifier, cannot use it.',
            change: `Give ${role === 'token' ? 'OAUTH_TOKEN_URL' : 'OAUTH_AUTHORIZATION_URL'} (the console's URI), and make the server announce an absolute URL.`,
            sources: ['verifier'],
          });
        }
      }
    } else {
      add({
        id: 'discovery',
        severity: 'warning',
        subject: config.issuer,
        summary: `No discovery document could be read: ${found.error}.`,
        alexa:
          'Alexa does not read it (the console holds the authorization and token URIs), so nothing breaks for Alexa.',
        change: 'Give OAUTH_AUTHORIZATION_URL and OAUTH_TOKEN_URL (the URIs of the console), or fix OAUTH_ISSUER.',
        sources: ['verifier'],
      });
    }
  }
  return { authorizationUrl, tokenUrl, discoveryUrl, names, discoveredTokenEndpoint };
}

async function discover(
  issuer: string,
  requestTimeoutMs: number,
): Promise<{ url: string; metadata: Record<string, unknown> } | { error: string }> {
  const base = issuer.replace(/\/$/, '');
  const errors: string[] = [];
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    const url = `${base}${path}`;
    try {
      const answer = await probe(url, { requestTimeoutMs, headers: { Accept: 'application/json' } });
      const metadata = answer.status === 200 ? parseJson(answer.body) : undefined;
      if (metadata) return { url, metadata };
      errors.push(`${path} answered ${answer.status}`);
    } catch (error) {
      errors.push(error instanceof ProbeError ? error.message : `${path} could not be read`);
    }
  }
  return { error: errors.join('; ') };
}

/** Reports the transport of one endpoint; whether secrets may be sent to it, and why not. */
export async function checkTransport(
  role: Role,
  url: string,
  rehearsal: boolean,
  checkedOrigins: Map<string, boolean>,
  add: (finding: Finding) => void,
  requestTimeoutMs: number,
): Promise<{ ok: boolean; why?: string }> {
  const target = new URL(url);
  const loopback = isLoopback(url);
  if (target.protocol !== 'https:') {
    add({
      id: 'https',
      severity: 'breaks-linking',
      subject: `${role} ${url}`,
      summary: `The ${role} is plain HTTP.`,
      alexa:
        role === 'token endpoint'
          ? "Alexa exchanges codes and refreshes tokens over HTTPS only: linking fails, and linked users' tokens cannot be refreshed."
          : 'Alexa opens the authorization URI over HTTPS only: linking fails.',
      change: `Serve the ${role} over HTTPS on port 443 with a certificate from a public certificate authority, and put the https:// URI in the console.`,
      sources: ['requirements', 'faq'],
    });
    return loopback
      ? { ok: true }
      : { ok: false, why: `the ${role} is plain HTTP on a non-loopback address: no secret is sent over it` };
  }
  const port = Number(target.port || 443);
  if (port !== 443) {
    add({
      id: 'port-443',
      severity: rehearsal || loopback ? 'warning' : 'breaks-linking',
      subject: `${role} ${url}`,
      summary: `The ${role} is on port ${port}, not 443${loopback ? ' (a loopback rehearsal)' : ''}.`,
      alexa: 'Alexa reaches the authorization server on port 443 only: linking would fail.',
      change: 'Serve the endpoint on port 443.',
      sources: role === 'token endpoint' ? ['requirements', 'tokenUriPort'] : ['requirements'],
    });
  } else {
    add({
      id: 'port-443',
      severity: 'ok',
      subject: `${role} ${url}`,
      summary: `The ${role} is HTTPS on port 443.`,
      sources: ['requirements'],
    });
  }
  const origin = target.origin;
  if (checkedOrigins.has(origin)) {
    return checkedOrigins.get(origin)
      ? { ok: true }
      : { ok: false, why: `the certificate of ${origin} is not trusted` };
  }
  const trust = await certificateTrust(url, requestTimeoutMs);
  checkedOrigins.set(origin, trust.byProcess);
  if (trust.publicly) {
    add({
      id: 'certificate',
      severity: 'ok',
      subject: origin,
      summary: `The certificate chain verifies against the public certificate authorities${trust.issuer ? ` (issuer: ${trust.issuer})` : ''}.`,
      sources: ['requirements', 'faq'],
    });
    if (trust.issuer && /let'?s encrypt/i.test(trust.issuer)) {
      add({
        id: 'certificate-lets-encrypt',
        severity: 'warning',
        subject: origin,
        summary: "The certificate is issued by Let's Encrypt.",
        alexa:
          "Amazon's requirements page says a Let's Encrypt certificate cannot be used for account linking (whether Alexa refuses one today was not confirmed).",
        change: 'Use a certificate from another public certificate authority.',
        sources: ['requirements'],
      });
    }
  } else if (trust.byProcess) {
    add({
      id: 'certificate',
      severity: rehearsal || loopback ? 'warning' : 'breaks-linking',
      subject: origin,
      summary: `The certificate chain verifies only against a private certificate authority this process was given (NODE_EXTRA_CA_CERTS), not the public ones (${trust.publicError}).`,
      alexa:
        'Alexa trusts certificates from Amazon-approved (public) certificate authorities only: linking and refreshes would fail.',
      change:
        'Use a certificate from a public certificate authority on the deployed server (the private one is fine for this rehearsal).',
      sources: ['requirements', 'faq'],
    });
  } else {
    add({
      id: 'certificate',
      severity: 'breaks-linking',
      subject: origin,
      summary: `The certificate is not trusted (${trust.processError ?? trust.publicError}).`,
      alexa: "Alexa refuses the TLS connection: linking fails, and linked users' tokens cannot be refreshed.",
      change:
        'Serve a certificate from a public certificate authority that names the host, with its full chain. (For a rehearsal against a private CA, give its certificate in NODE_EXTRA_CA_CERTS.)',
      sources: ['requirements', 'faq'],
    });
    return {
      ok: false,
      why: `the certificate of ${origin} is not trusted (${trust.processError ?? trust.publicError}): no secret is sent to it`,
    };
  }
  return { ok: true };
}
