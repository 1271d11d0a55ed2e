/**
 * The unlinking policy's demonstrations on the sandbox's skills (confirmation-demo.ts,
 * breaker-demo.ts): what they drive ({@link Stage}), what they answer ({@link PolicyDemo}, a
 * {@link PolicyStep} per request), and the wait for confirmations.
 */
import { fingerprint } from '../../lib';
import type { ReplyKind } from '../summary';
import type { Accounts } from './accounts';
import type { AuthorizationServer } from './authorization-server';
import { describeDecision } from './decisions';
import type { Exchange } from './exchange';
import type { LoggedDecision } from './gate-log';
import type { Claim, Heard } from './replies';
import {
  CONFIRM_AFTER_SECONDS,
  DEPLOYED_CONFIRM_AFTER_SECONDS,
  type PolicyScenario,
  type Situation,
} from './situation';
import { readEvent, type SkillName, type Target } from './skills';
import { sleep } from './time';

/** One request of a policy demonstration. */
export interface PolicyStep {
  /** Which request of the story: `a genuine request first`, `first rejection`, `again, after the delay`, `after the fix`. */
  label: string;
  user: string;
  tokenFingerprint: string;
  summary: string;
  kind: ReplyKind;
  unlinks: boolean;
  claim: Claim;
  badge: string;
  decision?: LoggedDecision;
  decisionText: string;
}

/** A demonstration of the unlinking policy on one skill: what happened, in plain words, and each request. */
export interface PolicyDemo {
  scenario: PolicyScenario;
  skill: SkillName;
  request: string;
  title: string;
  /** What happened, in plain words, a line each (the console shows it above the JSON). */
  story: string[];
  /** Every request, in order. */
  steps: PolicyStep[];
  /** The unlinking policy's ERROR lines logged on the way (JSON log lines). */
  errors: string[];
  /** The request the console shows in full (reply, log and metric lines), the earlier ones' lines with it. */
  exchange: Exchange;
}

/** What a demonstration drives: the authorization server, the accounts, the skills' deployment, one request at a time. */
export interface Stage {
  readonly server: AuthorizationServer;
  readonly accounts: Accounts;
  /** Deploys the skills for `situation` if they are deployed otherwise (a step recorded). */
  deployFor(situation: Situation, steps: string[]): void;
  /** Fresh containers for the skills as deployed now: the same deploy, the same ledgers. */
  redeploy(): void;
  /** Sends one request to a skill; answers what came of it. */
  hear(skill: SkillName, event: unknown, tokenSent?: boolean): Promise<Heard>;
}

/** One target of a demonstration: its request, its steps so far, and the log and metric lines of the requests before the featured one. */
export interface DemoRun extends Target {
  event: unknown;
  steps: PolicyStep[];
  earlier: { log: string[]; metrics: string[] };
}

/** Each target's run, before its first request. */
export function demoRuns(targets: Target[]): DemoRun[] {
  return targets.map((target) => ({
    ...target,
    event: readEvent(target.skill, target.request),
    steps: [],
    earlier: { log: [], metrics: [] },
  }));
}

/** The label of a demonstration's request sent again once it could be confirmed. */
export const AGAIN_LABEL = 'again, after the delay';

/** One request of a demonstration, from what came of it. */
export function policyStep(label: string, user: string, token: string, heard: Heard): PolicyStep {
  return {
    label,
    user,
    tokenFingerprint: fingerprint(token),
    summary: heard.summary,
    kind: heard.kind,
    unlinks: heard.unlinks,
    claim: heard.claim,
    badge: heard.badge,
    ...(heard.decision ? { decision: heard.decision } : {}),
    decisionText: describeDecision(heard.decision, heard.claim),
  };
}

/** Waits until every pending step can be confirmed (at least the delay); answers how long it waited, in whole seconds. */
export async function waitForConfirmations(steps: PolicyStep[], record: string[]): Promise<number> {
  const started = Date.now();
  const until = Math.max(
    started + CONFIRM_AFTER_SECONDS * 1000,
    ...steps.map((step) => (step.decision?.confirmAt ? Date.parse(step.decision.confirmAt) : 0)),
  );
  await sleep(until - Date.now() + 100);
  const waited = Math.round((Date.now() - started) / 100) / 10;
  record.push(
    `Waited ${waited} s: the confirmation delay (UNLINK_CONFIRM_AFTER_SECONDS=${CONFIRM_AFTER_SECONDS} here; ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h by default in a deployed skill).`,
  );
  return waited;
}
