/**
 * The policy's first rule, on each target: a genuine request first (the configuration is proven),
 * then a dead token of the linked user (revoked with introspection, expired with JWTs): its first
 * rejection is held (`pending`: the transient reply, the link kept); the same token again once
 * {@link CONFIRM_AFTER_SECONDS} have passed is confirmed: the unlinking reply.
 */
import { withAccessToken } from '../../lib/testing';
import { CLIENT_OF, EXPIRED_AFTER_MS } from './accounts';
import { describeDecision, faultLike } from './decisions';
import { toExchange } from './exchange';
import { isPolicyError } from './gate-log';
import {
  AGAIN_LABEL,
  demoRuns,
  policyStep,
  waitForConfirmations,
  type PolicyDemo,
  type PolicyStep,
  type Stage,
} from './policy-demo';
import { CONFIRM_AFTER_SECONDS, DEPLOYED_CONFIRM_AFTER_SECONDS, type Situation, type Verification } from './situation';
import { SKILLS, type Target } from './skills';
import { clock, sleep } from './time';

/** The confirmation demonstration on each target, with `verification`'s tokens. */
export async function confirmationDemo(
  stage: Stage,
  targets: Target[],
  verification: Verification,
): Promise<PolicyDemo[]> {
  const { accounts } = stage;
  const steps: string[] = [];
  const situation: Situation = {
    verification,
    token: verification === 'jwt' ? 'expired' : 'revoked',
    server: 'up',
    deploy: 'correct',
  };
  stage.deployFor(situation, steps);
  if (stage.server.availability !== 'up') await stage.server.setAvailability('up');
  const genuine = (await accounts.linkedTokens(verification, steps)).access_token;
  // A dead token of the linked user, new: its first rejection is this demonstration's own.
  let dead: string;
  if (verification === 'jwt') {
    const tokens = await stage.server.link(accounts.login, CLIENT_OF.jwt.shortLived);
    steps.push(
      `Linked ${accounts.login} with a client whose JWTs live ${tokens.expires_in} s, and waited ${EXPIRED_AFTER_MS / 1000} s: a token past its expiry (Alexa could not refresh it).`,
    );
    await sleep(EXPIRED_AFTER_MS);
    dead = tokens.access_token;
  } else {
    const tokens = await stage.server.link(accounts.login, CLIENT_OF.introspection.linked);
    await stage.server.revoke(tokens.access_token, CLIENT_OF.introspection.linked);
    steps.push(`Linked ${accounts.login} again and revoked that token at the revocation endpoint: a dead token.`);
    dead = tokens.access_token;
  }
  const runs = demoRuns(targets);
  for (const run of runs) {
    const heard = await stage.hear(run.skill, withAccessToken(run.event, genuine));
    run.earlier.log.push(...heard.log);
    run.earlier.metrics.push(...heard.metrics);
    run.steps.push(policyStep('a genuine request first', accounts.login, genuine, heard));
  }
  for (const run of runs) {
    const heard = await stage.hear(run.skill, withAccessToken(run.event, dead));
    run.earlier.log.push(...heard.log);
    run.earlier.metrics.push(...heard.metrics);
    run.steps.push(policyStep('first rejection', accounts.login, dead, heard));
  }
  const waited = await waitForConfirmations(
    runs.flatMap((run) => run.steps),
    steps,
  );
  const demos: PolicyDemo[] = [];
  for (const run of runs) {
    const envelope = withAccessToken(run.event, dead);
    const heard = await stage.hear(run.skill, envelope);
    const again = policyStep(AGAIN_LABEL, accounts.login, dead, heard);
    run.steps.push(again);
    const exchange = toExchange({
      skill: run.skill,
      request: run.request,
      situation,
      user: accounts.login,
      token: dead,
      envelope,
      heard,
      steps,
      crowdLog: run.earlier.log,
      crowdMetrics: run.earlier.metrics,
      earlierLabel: "the requests before: a genuine one, then this token's first rejection",
    });
    const [, first] = run.steps;
    const errors = [...run.earlier.log, ...heard.log].filter(isPolicyError);
    demos.push({
      scenario: 'confirm',
      skill: run.skill,
      request: run.request,
      title: `A suspected rejection, held then confirmed: ${SKILLS[run.skill].name}, ${verification === 'jwt' ? `${accounts.login}'s JWT past its expiry` : `${accounts.login}'s token revoked at the authorization server`}`,
      story: [
        `${accounts.login}'s token is dead: ${verification === 'jwt' ? 'it expired, and Alexa could not refresh it' : 'it was revoked at the authorization server'}. ` +
          `A genuine request went first, so this configuration is proven (${describeDecision(run.steps[0].decision)}).`,
        `First request with the dead token: ${storyOf(first, accounts.login)}`,
        `The same token ${waited} s later: ${storyOf(again, accounts.login)}`,
        `The delay is ${CONFIRM_AFTER_SECONDS} s in the sandbox (UNLINK_CONFIRM_AFTER_SECONDS=${CONFIRM_AFTER_SECONDS}); a deployed skill waits ${DEPLOYED_CONFIRM_AFTER_SECONDS / 3600} h by default, ` +
          'long enough for a fault of ours to show itself, and about the life of a token Alexa refreshes before it sends it.',
      ],
      steps: run.steps,
      errors,
      exchange,
    });
  }
  return demos;
}

/** One request of the confirmation story, in plain words. */
function storyOf(step: PolicyStep, user: string): string {
  const decision = step.decision;
  if (decision?.held === 'pending') {
    return (
      `the verifier rejected it (${decision.verdict === 'invalid' ? `invalid, ${decision.reasonClass}` : 'expired'}), but one rejection is no proof: ${faultLike(decision.reasonClass)}. ` +
      `Held: pending — ${user} gets the "try again later" reply (${step.summary}) and keeps the link; ` +
      `the decision line says it can be confirmed from ${clock(decision.confirmAt)}.`
    );
  }
  if (step.unlinks && decision?.rejection === 'suspected') {
    return `rejected again, on fresh knowledge, after the delay: confirmed. The unlinking reply (${step.summary}): Alexa drops the link and asks ${user} to link again.`;
  }
  if (step.claim === 'devices-vanish' && decision?.rejection === 'suspected') {
    return `rejected again, on fresh knowledge, after the delay: confirmed. Discover's rejection is no unlinking code but an empty endpoint list (${step.summary}).`;
  }
  if (decision?.held === 'breaker') {
    return (
      `held: breaker — this skill's ledger counted too many tokens first rejected for ${decision.reasonClass} in the last 30 min ` +
      `(a bad deploy's rejections count too), so the policy suspects a fault and holds every ${decision.reasonClass} rejection: ${step.summary}. ` +
      'It resumes when the rate is back under its threshold, or when an operator releases the class.'
    );
  }
  return `${describeDecision(decision, step.claim)} Reply: ${step.summary}.`;
}
