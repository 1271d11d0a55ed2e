/**
 * The HTTP calls of `check-server`, made as Alexa makes them: one fresh connection per request
 * (so an answer time includes the TLS handshake), no redirects followed, a bounded body. Over HTTPS
 * the process's trust store is used (Node's bundled CAs plus NODE_EXTRA_CA_CERTS); which of the two
 * vouches for a certificate is told apart by {@link certificateTrust}.
 *
 * Errors name the URL and the failure, never a header or a body sent.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { printable } from './findings';

const MAX_BODY_BYTES = 1_048_576;

export interface ProbeResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From the start of the request (connection included) to the last byte of the answer. */
  elapsedMs: number;
}

/** No answer: refused, reset, timed out, or a certificate the process does not trust. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    message: string,
    /** `ETIMEDOUT` for our timeout, else Node's code (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`…). */
    readonly code: string,
    readonly elapsedMs: number,
  ) {
    super(message);
  }
}

export interface ProbeRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  requestTimeoutMs: number;
}

export function probe(url: string, request: ProbeRequest): Promise<ProbeResponse> {
  const target = new URL(url);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise<ProbeResponse>((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: request.method ?? 'GET',
        headers: {
          ...request.headers,
          ...(request.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(request.body)) } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES)
            return void req.destroy(
              new ProbeError(
                `${target.origin}${target.pathname} answered more than ${MAX_BODY_BYTES} bytes`,
                'ETOOBIG',
                elapsed(),
              ),
            );
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: elapsed(),
          }),
        );
        res.on('error', (error) => reject(asProbeError(target, error, elapsed())));
      },
    );
    req.setTimeout(request.requestTimeoutMs, () =>
      req.destroy(
        new ProbeError(
          `${target.origin}${target.pathname} did not answer within ${request.requestTimeoutMs} ms`,
          'ETIMEDOUT',
          elapsed(),
        ),
      ),
    );
    req.on('error', (error) => reject(asProbeError(target, error, elapsed())));
    req.end(request.body);
  });
}

function asProbeError(target: URL, error: Error, elapsedMs: number): ProbeError {
  if (error instanceof ProbeError) return error;
  const code = String((error as NodeJS.ErrnoException).code ?? 'EUNKNOWN');
  return new ProbeError(`${target.origin}${target.pathname} could not be reached (${code})`, code, elapsedMs);
}

export interface CertificateTrust {
  /** The chain and name verify against Node's bundled public CAs (Mozilla's list), as a public client's would. */
  publicly: boolean;
  /** They verify against this process's store: the bundled CAs plus NODE_EXTRA_CA_CERTS. */
  byProcess: boolean;
  /** Why the public verification failed (Node's code), if it did. */
  publicError?: string;
  /** Why the process's verification failed, if it did. */
  processError?: string;
  /** The organisation (or common name) of the certificate's issuer. */
  issuer?: string;
}

/** Connects twice (public CAs only, then the process's store) and reports who vouches for the certificate of `url`'s origin. */
export async function certificateTrust(url: string, requestTimeoutMs: number): Promise<CertificateTrust> {
  const publicly = await handshake(url, tls.rootCertificates, requestTimeoutMs);
  const byProcess = await handshake(url, undefined, requestTimeoutMs);
  return {
    publicly: publicly.authorized,
    byProcess: byProcess.authorized,
    ...(publicly.error ? { publicError: publicly.error } : {}),
    ...(byProcess.error ? { processError: byProcess.error } : {}),
    ...((byProcess.issuer ?? publicly.issuer) ? { issuer: byProcess.issuer ?? publicly.issuer } : {}),
  };
}

function handshake(
  url: string,
  ca: readonly string[] | undefined,
  requestTimeoutMs: number,
): Promise<{ authorized: boolean; error?: string; issuer?: string }> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port: Number(target.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca ? { ca: [...ca] } : {}),
      rejectUnauthorized: false,
    });
    const done = (result: { authorized: boolean; error?: string; issuer?: string }) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(requestTimeoutMs, () => done({ authorized: false, error: 'ETIMEDOUT' }));
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      // The certificate's words are the server's: no control characters, a bounded length.
      const issuer = certificate?.issuer
        ? printable(certificate.issuer.O ?? certificate.issuer.CN ?? '', 80) || undefined
        : undefined;
      done({
        authorized: socket.authorized,
        ...(socket.authorized ? {} : { error: printable(socket.authorizationError, 80) }),
        ...(issuer ? { issuer } : {}),
      });
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done({ authorized: false, error: printable(error.code ?? 'error', 40) }),
    );
  });
}

/** 127.0.0.0/8, ::1 and localhost: a server Alexa cannot reach, so a rehearsal. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A response body as a JSON object; undefined when it is not one. */
export function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
