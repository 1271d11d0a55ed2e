/**
 * The breaker, on each target (JWT): the authorization server signs with a key it does not publish;
 * five users' refreshed tokens fail the signature check. Their first rejections are held; their
 * confirmations too, once the fleet has counted them (`breaker`), with the policy's ERROR line; a
 * user whose token expired (another reason class) is still answered. Then the server publishes its
 * key and the five are accepted again: nobody was unlinked.
 */
import { fingerprint } from '../../lib';
import { withAccessToken } from '../../lib/testing';
import { CLIENT_OF, EXPIRED_AFTER_MS, OTHER_USER } from './accounts';
import { toExchange } from './exchange';
import { crowdRequest, plural } from './fleet';
import { UNLINKING_HELD_PREFIX } from './gate-extras';
import { isPolicyError, parseLogLine } from './gate-log';
import {
  AGAIN_LABEL,
  demoRuns,
  policyStep,
  waitForConfirmations,
  type DemoRun,
  type PolicyDemo,
  type PolicyStep,
  type Stage,
} from './policy-demo';
import type { Heard } from './replies';
import type { Situation } from './situation';
import { SKILLS, type Target } from './skills';
import { sleep } from './time';

/** The breaker demonstration on each target. */
export async function breakerDemo(stage: Stage, targets: Target[]): Promise<PolicyDemo[]> {
  const { accounts } = stage;
  const steps: string[] = [];
  const situation: Situation = { verification: 'jwt', token: 'linked', server: 'up', deploy: 'correct' };
  stage.deployFor(situation, steps);
  if (stage.server.availability !== 'up') await stage.server.setAvailability('up');
  const linked = await accounts.linkedTokens('jwt', steps);
  const crowd = await accounts.crowdGrants('jwt', steps);
  // Another user's token, signed with a published key before the fault, and left to expire: a dead token of another reason class.
  const other = await stage.server.link(OTHER_USER, CLIENT_OF.jwt.shortLived);
  const otherUsableAt = Date.now() + EXPIRED_AFTER_MS;
  steps.push(
    `Linked ${OTHER_USER} with a client whose JWTs live ${other.expires_in} s: her token expires (another reason class, expired).`,
  );

  const runs = demoRuns(targets);
  const send = async (run: DemoRun, label: string, user: string, token: string) => {
    const heard = await stage.hear(run.skill, withAccessToken(run.event, token));
    run.earlier.log.push(...heard.log);
    run.earlier.metrics.push(...heard.metrics);
    const step = policyStep(label, user, token, heard);
    run.steps.push(step);
    return { heard, step };
  };
  for (const run of runs) await send(run, 'a genuine request first', accounts.login, linked.access_token);

  await stage.server.rotateSigningKey({ publish: false });
  const kid = stage.server.unpublishedKids[0] ?? stage.server.signingKids[0];
  steps.push(
    `The fault: the authorization server signs with a new key, ${kid}, and does not publish it at its JWKS URL.`,
  );
  const users: Array<{ login: string; token: string }> = [];
  const featured: Array<{
    heard: Heard;
    envelope: unknown;
    token: string;
    run: DemoRun;
    log: string[];
    metrics: string[];
  }> = [];
  const others: Array<Array<{ login: string; token: string; heard: Heard }>> = runs.map(() => []);
  let waited = 0;
  try {
    // Alexa refreshes each user's token before it sends it: every new one is signed with the key nobody can find.
    for (const [login, tokens] of Object.entries(crowd)) {
      const refreshed = await accounts.refresh('jwt', login, tokens);
      users.push({ login, token: refreshed.access_token });
    }
    const refreshed = await accounts.refresh('jwt', accounts.login, linked);
    users.push({ login: accounts.login, token: refreshed.access_token });
    steps.push(
      `Alexa refreshed the tokens of ${users.map((user) => user.login).join(', ')}: each is signed with ${kid}.`,
    );

    for (const run of runs) for (const user of users) await send(run, 'first rejection', user.login, user.token);
    await sleep(otherUsableAt - Date.now());
    for (const run of runs) await send(run, 'first rejection', OTHER_USER, other.access_token);

    waited = await waitForConfirmations(
      runs.flatMap((run) => run.steps),
      steps,
    );
    stage.redeploy();
    steps.push(
      "New containers took the next requests: a container reads the fleet's ledger at most once a minute (new ones at once); the sandbox compresses that minute as it does the hour.",
    );
    for (const [index, run] of runs.entries()) {
      for (const user of users.slice(0, -1))
        others[index].push({
          login: user.login,
          token: user.token,
          heard: (await send(run, AGAIN_LABEL, user.login, user.token)).heard,
        });
      others[index].push({
        login: OTHER_USER,
        token: other.access_token,
        heard: (await send(run, AGAIN_LABEL, OTHER_USER, other.access_token)).heard,
      });
    }
    for (const run of runs) {
      const token = users.at(-1)!.token;
      const envelope = withAccessToken(run.event, token);
      const heard = await stage.hear(run.skill, envelope);
      run.steps.push(policyStep(AGAIN_LABEL, accounts.login, token, heard));
      featured.push({ heard, envelope, token, run, log: [...run.earlier.log], metrics: [...run.earlier.metrics] });
      run.earlier.log.push(...heard.log);
      run.earlier.metrics.push(...heard.metrics);
    }
  } finally {
    await stage.server.publishSigningKeys();
  }
  steps.push(`The fix: the authorization server publishes ${kid}.`);
  const accepted: number[] = [];
  for (const run of runs) {
    let count = 0;
    for (const user of users)
      if ((await send(run, 'after the fix', user.login, user.token)).heard.decision?.outcome === 'linked') count++;
    accepted.push(count);
  }

  const faulted = new Set(users.map((user) => fingerprint(user.token)));
  return featured.map(({ heard, envelope, token, run, log, metrics }, index) => {
    const exchange = toExchange({
      skill: run.skill,
      request: run.request,
      situation,
      user: accounts.login,
      token,
      envelope,
      heard,
      steps,
      crowd: others[index].map(({ login, token: otherToken, heard: otherHeard }) =>
        crowdRequest(login, otherToken, otherHeard),
      ),
      crowdLabel: `The other users, again ${waited} s later`,
      crowdLog: log,
      crowdMetrics: metrics,
      earlierLabel: 'the requests before: a genuine one, the first rejections, the other users again',
    });
    const first = run.steps.filter((step) => step.label === 'first rejection');
    const again = run.steps.filter((step) => step.label === AGAIN_LABEL);
    const firstFault = first.filter((step) => faulted.has(step.tokenFingerprint));
    const againFault = again.filter((step) => faulted.has(step.tokenFingerprint));
    const otherFirst = first.find((step) => step.user === OTHER_USER);
    const otherAgain = again.find((step) => step.user === OTHER_USER);
    const errors = run.earlier.log.filter(isPolicyError);
    const breakerError = errors.map(parseLogLine).find((entry) => entry?.hold === 'breaker');
    return {
      scenario: 'breaker' as const,
      skill: run.skill,
      request: run.request,
      title: `A fault opens the breaker: ${SKILLS[run.skill].name}, five users' tokens signed with a key the skill cannot find`,
      story: [
        `The fault: the authorization server signs with a new key (${kid}) that it has not published. Every refreshed token fails the signature check: ` +
          `${plural(users.length, 'user')}' tokens rejected for one reason (signature) — a fault to fix, not ${plural(users.length, 'dead token')}.`,
        `Their first requests: ${tally(firstFault)}.${firstFault.some((step) => step.unlinks) ? '' : ' Each user gets the "try again later" reply and keeps the link.'}`,
        `The same tokens ${waited} s later, when they could be confirmed: ${tally(againFault)}` +
          (breakerError
            ? ` — the fleet counted ${plural(Number(breakerError.recentTokens), 'token')} first rejected for ${breakerError.reasonClass} in the last 30 min, against a usual ${breakerError.usualTokens}: the breaker is open for ${breakerError.reasonClass}, and their confirmations wait.`
            : '.'),
        breakerError
          ? `The policy's ERROR line, once per container, tells the operator what to check: "${String(breakerError.message).slice(UNLINKING_HELD_PREFIX.length).trim()}"`
          : 'The policy logged no breaker ERROR line here.',
        `${OTHER_USER}'s token is dead for another reason (expired): the breaker does not hold it. ` +
          `First: ${otherFirst ? heldOrAnswered(otherFirst) : 'not sent'}; ${waited} s later: ${otherAgain ? heldOrAnswered(otherAgain) : 'not sent'}.`,
        `The fix: the server publishes ${kid}, and the same ${plural(users.length, 'token')} ${users.length === 1 ? 'is' : 'are'} accepted: ${accepted[index]} of ${users.length} linked. ` +
          faultUnlinked(firstFault, againFault),
      ],
      steps: run.steps,
      errors,
      exchange,
    };
  });
}

/** How a set of requests went, in a few words: `5 held: pending`, `0 unlinked, 5 held: breaker`. */
function tally(steps: PolicyStep[]): string {
  const unlinked = steps.filter((step) => step.unlinks).length;
  const holds = new Map<string, number>();
  for (const step of steps)
    if (step.decision?.held) holds.set(step.decision.held, (holds.get(step.decision.held) ?? 0) + 1);
  const accepted = steps.filter((step) => step.decision?.outcome === 'linked').length;
  return [
    `${unlinked} of ${steps.length} unlinked`,
    ...[...holds].map(([hold, count]) => `${count} held: ${hold}`),
    ...(accepted ? [`${accepted} accepted`] : []),
  ].join(', ');
}

/** Whom the breaker demonstration's fault unlinked: nobody, or how many unlinking replies. */
function faultUnlinked(first: PolicyStep[], again: PolicyStep[]): string {
  const replies = [...first, ...again].filter((step) => step.unlinks).length;
  return replies === 0
    ? 'Nobody was unlinked by the fault (0 unlinking replies).'
    : `The fault unlinked users: ${plural(replies, 'unlinking reply', 'unlinking replies')}.`;
}

/** One request of a story, in plain words. */
function heldOrAnswered(step: PolicyStep): string {
  if (step.unlinks) return `answered with the unlinking reply (${step.summary})`;
  if (step.decision?.held) return `held: ${step.decision.held}, the link kept`;
  if (step.claim === 'devices-vanish') return `answered with an empty Discover list (${step.summary})`;
  return step.summary;
}
