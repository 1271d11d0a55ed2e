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
  return findings.some((finding) => finding.severity === 'unlinks-users' || finding.severity === 'breaks-linking') ? 1 : 0;
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
    const values = [...this.#values].flatMap((value) => [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]);
    for (const value of values.sort((a, b) => b.length - a.length)) out = out.split(value).join('[redacted]');
    return out;
  }
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
  const counts: Record<Severity, number> = { 'unlinks-users': 0, 'breaks-linking': 0, warning: 0, ok: 0, 'not-checked': 0 };
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
    lines.push(`${MARK[finding.severity]} ${finding.id}${finding.subject ? ` (${finding.subject})` : ''} [${finding.severity}]: ${finding.summary}`);
    if (finding.alexa) lines.push(`     Alexa: ${finding.alexa}`);
    if (finding.change) lines.push(`     Change: ${finding.change}`);
    if (finding.severity !== 'ok' && finding.severity !== 'not-checked') {
      const urls = new Map<string, boolean>();
      for (const id of finding.sources) urls.set(SOURCES[id].url, (urls.get(SOURCES[id].url) ?? true) && SOURCES[id].confirmed);
      for (const [url, confirmed] of urls) lines.push(`     Source: ${url}${confirmed ? '' : ' (not all confirmed: see docs/check-server.md)'}`);
    }
  }
  const { counts } = report;
  lines.push(
    '',
    `Findings that unlink users: ${counts['unlinks-users']}; that break linking: ${counts['breaks-linking']}; warnings: ${counts.warning}; ok: ${counts.ok}; not checked: ${counts['not-checked']}. Exit ${report.exitCode}.`,
  );
  return secrets.redact(`${lines.join('\n')}\n`);
}
