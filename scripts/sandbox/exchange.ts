/**
 * One Alexa request in one situation and what came of it ({@link Exchange}): the reply as Alexa
 * receives it, in plain words, with the gate's decision, its log and metric lines, and the steps
 * that set the situation up. Tokens appear as fingerprints only.
 */
import { fingerprint, redact } from '../../lib';
import type { ReplyKind } from '../summary';
import { describeDecision, why } from './decisions';
import type { CrowdRequest, FleetTally } from './fleet';
import type { LoggedDecision } from './gate-log';
import type { Claim, Heard } from './replies';
import { describeDeploy, type Situation } from './situation';
import type { SkillName } from './skills';

/** One Alexa request in one situation, and what came of it. */
export interface Exchange {
  skill: SkillName;
  request: string;
  situation: Situation;
  /** How the skills were deployed, in a few words: `TOKEN_VERIFIER=jwt, a wrong JWT_AUDIENCE`. */
  deployment: string;
  /** The login whose token was sent (none with no token). */
  user?: string | undefined;
  /** SHA-256 fingerprint of the token sent; never the token. */
  tokenFingerprint: string | null;
  /** The request as Alexa sends it, the token replaced by its fingerprint. */
  requestJson: unknown;
  /** The endpoint's HTTP status and the reply, as Alexa receives it. */
  status: number;
  reply: unknown;
  /** The reply for people, read from the reply itself. */
  summary: string;
  kind: ReplyKind;
  /** Whether Alexa deletes the user's link: an unlinking reply to a request that carried a token. */
  unlinks: boolean;
  /** What the reply does to the user ({@link Claim}), and the badge that says it. */
  claim: Claim;
  badge: string;
  /** The gate's verdict, from its log line. */
  decision?: LoggedDecision | undefined;
  /** The gate's verdict in plain words: what the verifier said, and what the unlinking policy made of it. */
  decisionText: string;
  /** One line: why this answer is the right one. */
  why: string;
  /** The log lines of this request (JSON, as the Lambda would log them): fingerprints, never tokens. */
  log: string[];
  /** The EMF metric lines of this request (with a gate that emits them). */
  metrics: string[];
  /** What the sandbox did to set the situation up. */
  steps: string[];
  /** In a bad deploy: the same request of other users, sent first (their rejections are counted fleet-wide). */
  crowd: CrowdRequest[];
  /** What {@link crowd} is, when it is not the other users of a bad deploy. */
  crowdLabel?: string;
  /** The log lines of the requests before this one (the other users'; where the policy's ERROR line may be). */
  crowdLog: string[];
  /** The metric lines of the requests before this one. */
  crowdMetrics: string[];
  /** What the requests before this one were, when not the other users of a bad deploy. */
  earlierLabel?: string;
  /**
   * In a bad deploy: every user it reached, the other users and this one, counted as the guided run
   * counts them (`0 of 5 users unlinked, 5 held: unproven`).
   */
  fleet?: FleetTally;
}

/** An {@link Exchange} from the request sent and what came of it. */
export function toExchange(args: {
  skill: SkillName;
  request: string;
  situation: Situation;
  user?: string | undefined;
  token?: string | undefined;
  envelope: unknown;
  heard: Heard;
  steps: string[];
  crowd?: CrowdRequest[];
  crowdLabel?: string;
  crowdLog?: string[];
  crowdMetrics?: string[];
  earlierLabel?: string;
  fleet?: FleetTally | undefined;
}): Exchange {
  const { skill, request, situation, user, token, envelope, heard, steps } = args;
  const { status, reply, summary, kind, unlinks, claim, badge, decision, log, metrics } = heard;
  return {
    skill,
    request,
    situation,
    deployment: `TOKEN_VERIFIER=${situation.verification}, ${describeDeploy(situation.verification, situation.deploy)}`,
    user,
    tokenFingerprint: token === undefined ? null : fingerprint(token),
    requestJson: redactToken(envelope, token),
    status,
    reply,
    summary,
    kind,
    unlinks,
    claim,
    badge,
    decision,
    decisionText: describeDecision(decision, claim),
    why: why(situation, decision, kind, skill, claim),
    log,
    metrics,
    steps,
    crowd: args.crowd ?? [],
    ...(args.crowdLabel ? { crowdLabel: args.crowdLabel } : {}),
    crowdLog: args.crowdLog ?? [],
    crowdMetrics: args.crowdMetrics ?? [],
    ...(args.earlierLabel ? { earlierLabel: args.earlierLabel } : {}),
    ...(args.fleet ? { fleet: args.fleet } : {}),
  };
}

/** The request with the token replaced by its fingerprint, wherever it is. */
function redactToken(envelope: unknown, token: string | undefined): unknown {
  const redacted = redact(envelope);
  if (token === undefined) return redacted;
  return JSON.parse(
    JSON.stringify(redacted)
      .split(token)
      .join(`[redacted sha256:${fingerprint(token)}]`),
  );
}
