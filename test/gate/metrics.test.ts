/**
 * The gate's metrics: one EMF line per decision (or Powertools single metrics), low-cardinality
 * dimensions, a reason class for every verdict (test/gate/reason-class.test.ts), and no token anywhere.
 */
import { SkillBuilders } from 'ask-sdk-core';
import {
  defaultGateMetrics,
  directiveSkillBuilder,
  emfMetrics,
  musicSkillBuilder,
  noMetrics,
  powertoolsMetrics,
  withAccountLinking,
  type GateMetricEvent,
  type TokenVerifier,
  type UnlinkingOptions,
} from '../../lib';
import { getPlayableContentRequest, launchRequest, powerControllerDirective } from '../../lib/testing';
import { jwtVerifier } from '../custom/harness';
import { hsToken, recordingLogger } from '../support/fixtures';

const event = (overrides: Partial<GateMetricEvent> = {}): GateMetricEvent => ({
  family: 'custom',
  requestType: 'LaunchRequest',
  outcome: 'linked',
  reasonClass: 'none',
  latencyMs: 3,
  ...overrides,
});

function emf(options: Parameters<typeof emfMetrics>[0] = {}) {
  const lines: string[] = [];
  const metrics = emfMetrics({ ...options, write: (line) => void lines.push(line) });
  return { metrics, lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('emfMetrics', () => {
  it('writes one EMF line per decision: namespace, [Family] and [Family, Outcome, ReasonClass], and the counts', () => {
    const { metrics, lines, parsed } = emf({ namespace: 'Test' });
    metrics.record(
      event({
        outcome: 'undecided',
        reasonClass: 'signature',
        latencyMs: 7,
        rejection: { kind: 'suspected', reasonClass: 'signature', fate: 'held', hold: 'breaker' },
      }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    const [line] = parsed();
    expect(line._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Test',
        Dimensions: [['Family'], ['Family', 'Outcome', 'ReasonClass']],
        Metrics: [
          { Name: 'Decisions', Unit: 'Count' },
          { Name: 'Undecided', Unit: 'Count' },
          { Name: 'UnlinkingReplies', Unit: 'Count' },
          { Name: 'Rejections', Unit: 'Count' },
          { Name: 'SuspectedRejections', Unit: 'Count' },
          { Name: 'ConfirmedRejections', Unit: 'Count' },
          { Name: 'HeldRejections', Unit: 'Count' },
          { Name: 'HeldByBreaker', Unit: 'Count' },
          { Name: 'HeldUnproven', Unit: 'Count' },
          { Name: 'VerificationLatency', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(line).toMatchObject({
      Family: 'custom',
      Outcome: 'undecided',
      ReasonClass: 'signature',
      RequestType: 'LaunchRequest',
      Hold: 'breaker',
      Decisions: 1,
      Undecided: 1,
      UnlinkingReplies: 0,
      Rejections: 1,
      SuspectedRejections: 1,
      ConfirmedRejections: 0,
      HeldRejections: 1,
      HeldByBreaker: 1,
      HeldUnproven: 0,
      VerificationLatency: 7,
    });
    expect(typeof line._aws.Timestamp).toBe('number');
  });

  it('counts invalid and expired as unlinking replies, and leaves latency out when there was no token', () => {
    const { metrics, parsed } = emf();
    metrics.record(event({ outcome: 'invalid', reasonClass: 'signature' }));
    metrics.record(event({ outcome: 'expired', reasonClass: 'expired' }));
    metrics.record(event({ outcome: 'missing', reasonClass: 'missing', latencyMs: 0 }));
    expect(parsed().map((l) => l.UnlinkingReplies)).toEqual([1, 1, 0]);
    expect(parsed()[2]).not.toHaveProperty('VerificationLatency');
    expect(parsed()[2]._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).not.toContain(
      'VerificationLatency',
    );
  });

  it('takes its namespace from the option, else $METRICS_NAMESPACE, else AccountLinking', () => {
    const saved = process.env.METRICS_NAMESPACE;
    try {
      delete process.env.METRICS_NAMESPACE;
      const byDefault = emf();
      byDefault.metrics.record(event());
      process.env.METRICS_NAMESPACE = 'FromEnvironment';
      const fromEnv = emf();
      fromEnv.metrics.record(event());
      const fromOption = emf({ namespace: 'FromOption' });
      fromOption.metrics.record(event());
      expect([byDefault, fromEnv, fromOption].map((m) => m.parsed()[0]._aws.CloudWatchMetrics[0].Namespace)).toEqual([
        'AccountLinking',
        'FromEnvironment',
        'FromOption',
      ]);
    } finally {
      if (saved === undefined) delete process.env.METRICS_NAMESPACE;
      else process.env.METRICS_NAMESPACE = saved;
    }
  });

  it('adds fixed dimensions to every dimension set', () => {
    const { metrics, parsed } = emf({ dimensions: { Service: 'ride-hailer' } });
    metrics.record(event());
    expect(parsed()[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['Service', 'Family'],
      ['Service', 'Family', 'Outcome', 'ReasonClass'],
    ]);
    expect(parsed()[0].Service).toBe('ride-hailer');
  });
});

describe('emfMetrics declares only what a line holds', () => {
  it('gives every metric a line declares a number, and declares the rejection counts on rejections only', () => {
    const { metrics, parsed } = emf();
    metrics.record(event());
    metrics.record(event({ outcome: 'missing', reasonClass: 'missing', latencyMs: 0 }));
    metrics.record(
      event({
        outcome: 'invalid',
        reasonClass: 'signature',
        rejection: { kind: 'suspected', reasonClass: 'signature', fate: 'unlinked' },
      }),
    );
    metrics.record(
      event({
        outcome: 'expired',
        reasonClass: 'expired',
        rejection: { kind: 'self-evident', reasonClass: 'expired', fate: 'unlinked' },
      }),
    );
    const lines = parsed();
    for (const line of lines) {
      for (const { Name } of line._aws.CloudWatchMetrics[0].Metrics)
        expect({ Name, value: typeof line[Name] }).toEqual({ Name, value: 'number' });
    }
    expect(lines.map((line) => 'Rejections' in line)).toEqual([false, false, true, true]);
    expect(lines[2]).toMatchObject({
      Rejections: 1,
      SuspectedRejections: 1,
      ConfirmedRejections: 1,
      HeldRejections: 0,
      UnlinkingReplies: 1,
    });
    expect(lines[3]).toMatchObject({
      Rejections: 1,
      SuspectedRejections: 0,
      ConfirmedRejections: 0,
      UnlinkingReplies: 1,
    });
  });
});

describe('emfMetrics writes each line as one JSON object, whatever the request type holds', () => {
  it.each([
    [
      'with a token',
      event({
        requestType: 'Weird"Type\\with\nnewline\u2028and ツ',
        outcome: 'expired',
        reasonClass: 'expired',
        latencyMs: 12.5,
      }),
      { VerificationLatency: 12.5 },
    ],
    ['without a token', event({ outcome: 'missing', reasonClass: 'missing', latencyMs: 0 }), {}],
  ])('%s: exactly the fields of the decision, fixed dimensions included, on one line', (_name, decision, latency) => {
    const { metrics, lines } = emf({ namespace: 'Ns"1', dimensions: { Service: 'ride "hailer"', Stage: 'prod' } });
    metrics.record(decision);
    expect(lines[0].indexOf('\n')).toBe(lines[0].length - 1);
    const { _aws: aws, ...fields } = JSON.parse(lines[0]);
    expect(Object.keys(aws)).toEqual(['Timestamp', 'CloudWatchMetrics']);
    expect(Math.abs(aws.Timestamp - Date.now())).toBeLessThan(5000);
    expect(aws.CloudWatchMetrics[0].Namespace).toBe('Ns"1');
    expect(aws.CloudWatchMetrics[0].Metrics).toHaveLength(decision.outcome === 'missing' ? 3 : 4); // no rejection: its counts left out
    expect(fields).toEqual({
      Service: 'ride "hailer"',
      Stage: 'prod',
      Family: 'custom',
      Outcome: decision.outcome,
      ReasonClass: decision.reasonClass,
      RequestType: decision.requestType,
      Decisions: 1,
      Undecided: 0,
      UnlinkingReplies: decision.outcome === 'expired' ? 1 : 0,
      ...latency,
    });
  });

  it("lets the decision's own fields win over a fixed dimension of the same name", () => {
    const { metrics, parsed } = emf({ dimensions: { Family: 'not-a-family', Service: 's' } });
    metrics.record(event({ family: 'music' }));
    expect(parsed()[0]).toMatchObject({ Family: 'music', Service: 's' });
    // and names every dimension once per set (CloudWatch refuses a set with a name twice)
    expect(parsed()[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([
      ['Service', 'Family'],
      ['Service', 'Family', 'Outcome', 'ReasonClass'],
    ]);
  });
});

describe('powertoolsMetrics', () => {
  it('publishes each count as a Powertools single metric, with the family (and outcome and reason class on Decisions)', () => {
    const published: Array<{ dimensions: Record<string, string>; name: string; unit: string; value: number }> = [];
    const fake = {
      singleMetric() {
        const dimensions: Record<string, string> = {};
        return {
          addDimension: (name: string, value: string) => void (dimensions[name] = value),
          addMetric: (name: string, unit: string, value: number) =>
            void published.push({ dimensions: { ...dimensions }, name, unit, value }),
        };
      },
    };
    powertoolsMetrics(fake).record(
      event({
        outcome: 'undecided',
        reasonClass: 'signature',
        latencyMs: 12,
        rejection: { kind: 'suspected', reasonClass: 'signature', fate: 'held', hold: 'breaker' },
      }),
    );
    const detailed = { Family: 'custom', Outcome: 'undecided', ReasonClass: 'signature' };
    expect(published).toEqual([
      { dimensions: detailed, name: 'Decisions', unit: 'Count', value: 1 },
      { dimensions: { Family: 'custom' }, name: 'Undecided', unit: 'Count', value: 1 },
      { dimensions: detailed, name: 'Rejections', unit: 'Count', value: 1 },
      { dimensions: detailed, name: 'SuspectedRejections', unit: 'Count', value: 1 },
      { dimensions: detailed, name: 'HeldRejections', unit: 'Count', value: 1 },
      { dimensions: { Family: 'custom' }, name: 'HeldByBreaker', unit: 'Count', value: 1 },
      { dimensions: { Family: 'custom' }, name: 'VerificationLatency', unit: 'Milliseconds', value: 12 },
    ]);
  });
});

describe("the gate's metrics by default", () => {
  it("are EMF in a Lambda function and nothing elsewhere, so a program's stdout stays its own", () => {
    expect(defaultGateMetrics({})).toBe(noMetrics);
    expect(defaultGateMetrics({ AWS_LAMBDA_FUNCTION_NAME: 'fn' })).not.toBe(noMetrics);
  });
});

describe("every family's gate counts every decision", () => {
  const recorder = () => {
    const events: GateMetricEvent[] = [];
    return { events, metrics: { record: (e: GateMetricEvent) => void events.push(e) } };
  };
  const forged = hsToken({ key: 'a-forger-s-own-secret-long-enough-for-hs256!' });
  const genuine = hsToken();
  const families = {
    custom: (options: { metrics: { record(e: GateMetricEvent): void }; unlinking?: UnlinkingOptions }) => {
      const skill = withAccountLinking(SkillBuilders.custom(), {
        verifier: jwtVerifier,
        logger: recordingLogger(),
        ...options,
      })
        .addRequestHandlers({
          canHandle: () => true,
          handle: (input) => input.responseBuilder.speak('hi').getResponse(),
        })
        .create();
      return (token?: string) => skill.invoke(launchRequest({ accessToken: token }));
    },
    directive: (options: { metrics: { record(e: GateMetricEvent): void }; unlinking?: UnlinkingOptions }) => {
      const skill = withAccountLinking(directiveSkillBuilder().withLogger(recordingLogger()), {
        verifier: jwtVerifier,
        ...options,
      })
        .addRequestHandlers({ canHandle: () => true, handle: (input) => input.reply.response() })
        .create();
      return (token?: string) => skill.invoke(powerControllerDirective('TurnOn', { accessToken: token }));
    },
    music: (options: { metrics: { record(e: GateMetricEvent): void }; unlinking?: UnlinkingOptions }) => {
      const skill = withAccountLinking(musicSkillBuilder().withLogger(recordingLogger()), {
        verifier: jwtVerifier,
        ...options,
      })
        .addRequestHandlers({ canHandle: () => true, handle: (input) => input.reply.response({}) })
        .create();
      return (token?: string) =>
        skill.invoke(getPlayableContentRequest([{ type: 'TRACK', entityId: '1' }], { accessToken: token }));
    },
  };

  it.each(Object.entries(families))(
    '%s: held while unproven, linked, then confirmed at the second rejection (confirmAfterMs 0)',
    async (family, make) => {
      const { events, metrics } = recorder();
      const invoke = make({ metrics, unlinking: { confirmAfterMs: 0 } });
      await invoke(forged);
      await invoke(genuine);
      await invoke(forged);
      await invoke(undefined);
      expect(
        events.map(({ family: f, outcome, reasonClass, rejection }) => ({
          f,
          outcome,
          reasonClass,
          fate: rejection?.fate,
          hold: rejection?.hold,
        })),
      ).toEqual([
        { f: family, outcome: 'undecided', reasonClass: 'signature', fate: 'held', hold: 'unproven' },
        { f: family, outcome: 'linked', reasonClass: 'none', fate: undefined, hold: undefined },
        { f: family, outcome: 'invalid', reasonClass: 'signature', fate: 'unlinked', hold: undefined },
        { f: family, outcome: 'missing', reasonClass: 'missing', fate: undefined, hold: undefined },
      ]);
      for (const e of events) expect(e.latencyMs).toBeGreaterThanOrEqual(0);
      expect(JSON.stringify(events)).not.toContain(genuine);
    },
  );

  it('answers a request and logs ONE ERROR when the metrics sink throws', async () => {
    const logger = recordingLogger();
    const metrics = {
      record: () => {
        throw new Error('sink down');
      },
    };
    const skill = withAccountLinking(SkillBuilders.custom(), {
      verifier: jwtVerifier as TokenVerifier<unknown>,
      logger,
      metrics,
    })
      .addRequestHandlers({
        canHandle: () => true,
        handle: (input) => input.responseBuilder.speak('domain').getResponse(),
      })
      .create();
    const first = await skill.invoke(launchRequest({ accessToken: genuine }));
    await skill.invoke(launchRequest({ accessToken: genuine }));
    expect(JSON.stringify(first)).toContain('domain');
    expect(logger.lines.filter((l) => l.includes('"level":"error"') && l.includes('metrics failed'))).toHaveLength(1);
  });

  it('counts nothing with metrics: false', async () => {
    const write = jest.spyOn(process.stdout, 'write');
    const saved = process.env.AWS_LAMBDA_FUNCTION_NAME;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'in-a-lambda';
    try {
      const skill = withAccountLinking(SkillBuilders.custom(), {
        verifier: jwtVerifier,
        logger: recordingLogger(),
        metrics: false,
      })
        .addRequestHandlers({ canHandle: () => true, handle: (input) => input.responseBuilder.getResponse() })
        .create();
      await skill.invoke(launchRequest({ accessToken: genuine }));
      expect(write.mock.calls.filter(([chunk]) => String(chunk).includes('CloudWatchMetrics'))).toHaveLength(0);
    } finally {
      write.mockRestore();
      if (saved === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      else process.env.AWS_LAMBDA_FUNCTION_NAME = saved;
    }
  });
});
