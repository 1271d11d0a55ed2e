/**
 * The gate's log lines, read back: its decision on a request ({@link parseDecision}), the
 * unlinking policy's ERROR lines ({@link isPolicyError}), one JSON line ({@link parseLogLine}).
 */
import type { HoldReason } from '../../lib';
import { UNLINKING_HELD_PREFIX } from './gate-extras';

/** The gate's verdict on one request, as its log line says it. */
export interface LoggedDecision {
  /** What the gate answered: after the unlinking policy (a held rejection is `undecided`). */
  outcome: 'linked' | 'missing' | 'invalid' | 'expired' | 'undecided';
  reason?: string;
  /** The verifier's own verdict when it rejected the token, before the policy. */
  verdict?: 'invalid' | 'expired';
  /** Whether no fault of ours could produce the rejection (`self-evident`), or one could (`suspected`). */
  rejection?: 'self-evident' | 'suspected';
  /** The rejection's reason class (`signature`, `inactive`, `expired`, ...). */
  reasonClass?: string;
  /** Why the unlinking policy held the rejection (the transient reply instead of the unlinking one). */
  held?: HoldReason;
  /** For a pending rejection: the earliest a rejection of the same token can confirm it (ISO 8601). */
  confirmAt?: string;
}

/** One JSON log line as an object, or undefined for anything else. */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const entry = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? entry : undefined;
  } catch {
    return undefined;
  }
}

const HOLDS = new Set(['pending', 'unproven', 'breaker', 'paused', 'ledger']);

/** The gate's decision for one request, read from its log line. */
export function parseDecision(log: string[]): LoggedDecision | undefined {
  for (const line of log) {
    const entry = parseLogLine(line);
    if (!entry || typeof entry.outcome !== 'string' || !String(entry.message).startsWith('account linking:')) continue;
    return {
      outcome: entry.outcome as LoggedDecision['outcome'],
      ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}),
      ...(entry.verdict === 'invalid' || entry.verdict === 'expired' ? { verdict: entry.verdict } : {}),
      ...(entry.rejection === 'self-evident' || entry.rejection === 'suspected' ? { rejection: entry.rejection } : {}),
      ...(typeof entry.reasonClass === 'string' ? { reasonClass: entry.reasonClass } : {}),
      ...(typeof entry.held === 'string' && HOLDS.has(entry.held) ? { held: entry.held as HoldReason } : {}),
      ...(typeof entry.confirmAt === 'string' ? { confirmAt: entry.confirmAt } : {}),
    };
  }
  return undefined;
}

/** Whether a log line is one of the unlinking policy's ERROR lines (unproven, breaker, paused, ledger). */
export const isPolicyError = (line: string): boolean => line.includes(`"message":"${UNLINKING_HELD_PREFIX}`);
