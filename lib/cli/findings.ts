/**
 * What `check-server` reports: findings, their severities, the exit code they make, and the report
 * as text or JSON, with every secret it handled taken out.
 */
import { SOURCES, type SourceId } from './server-rules';

/**
 * - `unlinks-users`: Alexa would drop the links of users who linked (exit 1).
 * - `breaks-linking`: linking fails, or linked users' requests fail, until it is fixed (exit 1).
 * - `warning`: worth a look; nobody is unlinked for it.
 * - `ok`: checked, and as Alexa needs it.
 * - `not-checked`: not tried (an input is missing, or an earlier finding stopped it); the detail says why.
 */
export type Severity = 'unlinks-users' | 'breaks-linking' | 'warning' | 'ok' | 'not-checked';

export interface Finding {
  /** Stable identifier (docs/check-server.md lists them all). */
  id: string;
  severity: Severity;
  /** What it is about, when the same check runs on several things: an endpoint, a redirect URI, a grant. */
  subject?: string;
  /** What was found. */
  summary: string;
  /** What Alexa (or the skill) would do about it. */
  alexa?: string;
  /** What to change; absent when nothing needs to. */
  change?: string;
  /** Where the rule comes from. */
  sources: SourceId[];
}

/** 1 when a finding unlinks users or breaks linking, else 0 (2, a usage or configuration error, is decided before any check). */
export function exitCodeOf(findings: readonly Finding[]): 0 | 1 {
  return findings.some((finding) => finding.severity === 'unlinks-users' || finding.severity === 'breaks-linking')
    ? 1
    : 0;
}

/** Every secret the check handled (client secret, tokens, grant code), to be kept out of anything printed. */
export class Secrets {
  readonly #values = new Set<string>();

  add(value: unknown): void {
    if (typeof value === 'string' && value.length >= 4) this.#values.add(value);
  }

  /** `text` with every known secret (and its URL-encoded and base64 forms) replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    const values = [...this.#values].flatMap((value) => [
      value,
      encodeURIComponent(value),
      Buffer.from(value).toString('base64'),
    ]);
    for (const value of values.sort((a, b) => b.length - a.length)) out = out.split(value).join('[redacted]');
    return out;
  }
}

/** Control characters (C0, DEL, C1) and bidirectional overrides: what could rewrite a terminal line. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text a server (or a library) wrote, fit for a terminal line: no control characters, at most `max` characters. */
export function printable(text: unknown, max = 120): string {
  const flat = String(text).replace(UNPRINTABLE, ' ');
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** An OAuth `error` code as RFC 6749 §5.2 allows it (%x20-21 / %x23-5B / %x5D-7E), at most 64 characters; else undefined. */
export function oauthErrorCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : undefined;
}

/** A word the user typed that can be repeated back: an option's name or a short command-like word, never a value (a token, a path). */
export function echoable(word: string): boolean {
  return /^(-{1,2})?[a-z][a-z-]{0,30}$/.test(word);
}

const MARK: Record<Severity, string> = {
  'unlinks-users': 'FAIL',
  'breaks-linking': 'FAIL',
  warning: 'WARN',
  ok: ' ok ',
  'not-checked': 'SKIP',
};

export interface Report {
  /** The token endpoint checked. */
  tokenUrl: string;
  exitCode: 0 | 1;
  counts: Record<Severity, number>;
  findings: Finding[];
}

export function reportOf(tokenUrl: string, findings: Finding[]): Report {
  const counts: Record<Severity, number> = {
    'unlinks-users': 0,
    'breaks-linking': 0,
    warning: 0,
    ok: 0,
    'not-checked': 0,
  };
  for (const finding of findings) counts[finding.severity] += 1;
  return { tokenUrl, exitCode: exitCodeOf(findings), counts, findings };
}

/** The report as JSON: the findings with their sources spelled out. */
export function renderJson(report: Report, secrets: Secrets): string {
  const findings = report.findings.map((finding) => ({
    ...finding,
    sources: finding.sources.map((id) => ({ id, url: SOURCES[id].url, confirmed: SOURCES[id].confirmed })),
  }));
  return secrets.redact(`${JSON.stringify({ ...report, findings }, null, 2)}\n`);
}

/** The report as text, most serious first within the order the checks ran. */
export function renderText(report: Report, secrets: Secrets): string {
  const lines = [`check-server: the authorization server behind ${report.tokenUrl}`, ''];
  for (const finding of report.findings) {
    lines.push(
      `${MARK[finding.severity]} ${finding.id}${finding.subject ? ` (${finding.subject})` : ''} [${finding.severity}]: ${finding.summary}`,
    );
    if (finding.alexa) lines.push(`     Alexa: ${finding.alexa}`);
    if (finding.change) lines.push(`     Change: ${finding.change}`);
    if (finding.severity !== 'ok' && finding.severity !== 'not-checked') {
      const urls = new Map<string, boolean>();
      for (const id of finding.sources)
        urls.set(SOURCES[id].url, (urls.get(SOURCES[id].url) ?? true) && SOURCES[id].confirmed);
      for (const [url, confirmed] of urls)
        lines.push(`     Source: ${url}${confirmed ? '' : ' (not all confirmed: see docs/check-server.md)'}`);
    }
  }
  const { counts } = report;
  lines.push(
    '',
    `Findings that unlink users: ${counts['unlinks-users']}; that break linking: ${counts['breaks-linking']}; warnings: ${counts.warning}; ok: ${counts.ok}; not checked: ${counts['not-checked']}. Exit ${report.exitCode}.`,
  );
  return secrets.redact(`${lines.map((line) => line.replace(UNPRINTABLE, ' ')).join('\n')}\n`);
}
