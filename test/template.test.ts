/**
 * template.yaml is a SAM application that `sam build` and `sam deploy` accept for every function:
 * checked here on what this project relies on. (cfn-lint, where installed, is run by .ci/run.)
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { yamlParse } from 'yaml-cfn';

const ROOT = path.resolve(__dirname, '..');
const template = yamlParse(readFileSync(path.join(ROOT, 'template.yaml'), 'utf8')) as Record<string, any>;
const functions = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
const globals = template.Globals?.Function ?? {};

describe('template.yaml', () => {
  it('keeps the Alexa grants in an encrypted table that only My Lights may use', () => {
    const table = template.Resources.MyLightsGrantsTable;
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    const users = functions
      .filter(([, r]) => JSON.stringify(r.Properties.Policies ?? []).includes('MyLightsGrantsTable'))
      .map(([id]) => id);
    expect(users).toEqual(['MyLightsFunction']);
    expect(template.Resources.MyLightsFunction.Properties.Policies).toContainEqual({
      DynamoDBCrudPolicy: { TableName: { Ref: 'MyLightsGrantsTable' } },
    });
  });

  describe('the unlinking ledger', () => {
    const ledgerStatement = {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem'],
      Resource: { 'Fn::GetAtt': ['UnlinkLedgerTable', 'Arn'] },
    };

    it('is an on-demand table keyed by pk alone, with TTL on expiresAt, encrypted at rest (UnlinkLedgerTable)', () => {
      const table = template.Resources.UnlinkLedgerTable;
      expect(table.Type).toBe('AWS::DynamoDB::Table');
      expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.Properties.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
      expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
      expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    });

    it('is named to every function (UNLINK_LEDGER_TABLE)', () => {
      expect(functions.map(([id]) => id).sort()).toEqual(['JukeboxFunction', 'MyLightsFunction', 'RideHailerFunction']);
      for (const [, resource] of functions)
        expect(resource.Properties.Environment.Variables.UNLINK_LEDGER_TABLE).toEqual({ Ref: 'UnlinkLedgerTable' });
    });

    it.each(functions)(
      '%s may GetItem, PutItem, UpdateItem and BatchGetItem on that table, and nothing else on it',
      (_id, resource) => {
        const policies: any[] = resource.Properties.Policies;
        const onLedger = policies.filter((policy) => JSON.stringify(policy).includes('UnlinkLedgerTable'));
        expect(onLedger).toEqual([{ Statement: [ledgerStatement] }]);
      },
    );

    it('confirms a suspected rejection after UnlinkConfirmAfterSeconds (Number, 3600 by default, 0 or more)', () => {
      expect(template.Parameters.UnlinkConfirmAfterSeconds).toMatchObject({
        Type: 'Number',
        Default: 3600,
        MinValue: 0,
      });
      expect(template.Parameters.UnlinkConfirmAfterSeconds.Description).toMatch(
        /first rejection anywhere in the fleet.*0 confirms at the second rejection with no wait/s,
      );
      expect(globals.Environment.Variables.UNLINK_CONFIRM_AFTER_SECONDS).toEqual({ Ref: 'UnlinkConfirmAfterSeconds' });
    });

    it('has left the per-container unlink guard behind (no UnlinkGuard* Parameter, no UNLINK_GUARD_* variable)', () => {
      expect(Object.keys(template.Parameters).filter((name) => name.startsWith('UnlinkGuard'))).toEqual([]);
      const variables = [globals, ...functions.map(([, r]) => r.Properties)].flatMap((p) =>
        Object.keys(p.Environment?.Variables ?? {}),
      );
      expect(variables.filter((name) => name.startsWith('UNLINK_GUARD'))).toEqual([]);
    });
  });

  it('lets the operator set the client IDs an introspected token must have been issued to (IntrospectionClientIds, empty by default)', () => {
    expect(template.Parameters.IntrospectionClientIds).toMatchObject({ Type: 'String', Default: '' });
    expect(globals.Environment.Variables.INTROSPECTION_CLIENT_IDS).toEqual({ Ref: 'IntrospectionClientIds' });
  });

  it("lets the operator name the LWA security profiles whose tokens are the skill's (LwaAppIds, empty by default)", () => {
    expect(template.Parameters.LwaAppIds).toMatchObject({ Type: 'String', Default: '' });
    expect(globals.Environment.Variables.LWA_APP_IDS).toEqual({ Ref: 'LwaAppIds' });
  });

  describe("alarms on the gates' metrics", () => {
    const alarms = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    const queriesOf = (alarm: any) => alarm.Properties.Metrics as any[];
    const watched = (alarm: any) =>
      queriesOf(alarm)
        .filter((q) => q.MetricStat)
        .map((q) => q.MetricStat.Metric);
    const query = (alarm: any, id: string) => queriesOf(alarm).find((q) => q.Id === id);
    /** The metric names an alarm watches, each for the three families (custom, directive, music). */
    const families = (alarm: any) => {
      const byName = new Map<string, string[]>();
      for (const metric of watched(alarm))
        byName.set(metric.MetricName, [
          ...(byName.get(metric.MetricName) ?? []),
          metric.Dimensions.map((d: any) => `${d.Name}=${d.Value}`).join(),
        ]);
      return Object.fromEntries(byName);
    };
    const everyFamily = ['Family=custom', 'Family=directive', 'Family=music'];

    it("holds the alarms of the unlinking policy, and no longer the unlink guard's", () => {
      expect(alarms.map(([id]) => id).sort()).toEqual([
        'UndecidedRateAlarm',
        'UnlinkingBreakerAlarm',
        'UnlinkingUnprovenAlarm',
      ]);
      expect(JSON.stringify(template.Resources)).not.toContain('HeldByGuard');
    });

    it('alarms when the breaker holds confirmations, at 1% of at least 20 decisions in 5 minutes (UnlinkingBreakerAlarm)', () => {
      const alarm = template.Resources.UnlinkingBreakerAlarm;
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(families(alarm)).toEqual({ Decisions: everyFamily, HeldByBreaker: everyFamily });
      for (const q of queriesOf(alarm).filter((q) => q.MetricStat))
        expect(q.MetricStat).toMatchObject({ Period: 300, Stat: 'Sum' });
      expect(query(alarm, 'heldByBreaker').Expression).toBe(
        'FILL(heldByBreakerc, 0) + FILL(heldByBreakerd, 0) + FILL(heldByBreakerm, 0)',
      );
      expect(queriesOf(alarm).filter((q) => q.ReturnData)).toEqual([
        expect.objectContaining({ Expression: 'IF(decisions >= 20, 100 * heldByBreaker / decisions, 0)' }),
      ]);
      expect(alarm.Properties.AlarmDescription).toContain('account linking: unlinking held');
      expect(alarm.Properties.AlarmDescription).toMatch(/reason class/);
    });

    it('alarms when rejections are held under a configuration no token was accepted under, with nothing accepted or at half of 5 decisions in 10 minutes (UnlinkingUnprovenAlarm)', () => {
      const alarm = template.Resources.UnlinkingUnprovenAlarm;
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 50,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      const linked = everyFamily.map((family) => `${family},Outcome=linked,ReasonClass=none`);
      expect(families(alarm)).toEqual({ Decisions: [...everyFamily, ...linked], HeldUnproven: everyFamily });
      for (const q of queriesOf(alarm).filter((q) => q.MetricStat))
        expect(q.MetricStat).toMatchObject({ Period: 600, Stat: 'Sum' });
      expect(queriesOf(alarm).filter((q) => q.ReturnData)).toEqual([
        expect.objectContaining({
          Expression:
            'IF(heldUnproven >= 1 AND linked == 0, 100, IF(decisions >= 5, 100 * heldUnproven / decisions, 0))',
        }),
      ]);
      expect(alarm.Properties.AlarmDescription).toContain('account linking: unlinking held');
    });

    it('alarms on a high rate of "could not decide", as metric math on the counts, leaving out held rejections (UndecidedRateAlarm)', () => {
      const alarm = template.Resources.UndecidedRateAlarm;
      expect(alarm.Properties.Threshold).toEqual({ Ref: 'UndecidedAlarmPercent' });
      expect(families(alarm)).toEqual({ Undecided: everyFamily, Decisions: everyFamily, HeldRejections: everyFamily });
      expect(query(alarm, 'heldRejections').Expression).toBe(
        'FILL(heldRejectionsc, 0) + FILL(heldRejectionsd, 0) + FILL(heldRejectionsm, 0)',
      );
      const result = queriesOf(alarm).filter((q) => q.ReturnData);
      expect(result).toEqual([
        expect.objectContaining({
          Expression: 'IF(decisions >= 10, 100 * (undecided - heldRejections) / decisions, 0)',
        }),
      ]);
    });

    /** Why an alarm would fire on a raw count above a static threshold, if it would; a rate (a division) or a band is fine. */
    const onRawCount = (alarm: any): string | undefined => {
      const p = alarm.Properties;
      if (p.MetricName)
        return p.ComparisonOperator === 'GreaterThanThreshold' && p.Threshold === 0
          ? 'a static > 0 on a Metric'
          : 'a static threshold on a Metric';
      const returned = queriesOf(alarm).filter((q) => q.ReturnData !== false);
      if (returned.some((q) => q.MetricStat)) return 'a static threshold on a Metric';
      if (p.ThresholdMetricId)
        return returned.some((q) => q.Id === p.ThresholdMetricId && /^ANOMALY_DETECTION_BAND\(/.test(q.Expression))
          ? undefined
          : 'a threshold series that is not a band';
      return returned.length === 1 && returned[0].Expression.includes(' / ')
        ? undefined
        : 'a static threshold on an expression that is no rate';
    };

    it('has no alarm on a raw count above a static threshold (never GreaterThanThreshold 0 on a Metric): a rate, or a band, always', () => {
      expect(alarms.map(([id, alarm]) => [id, onRawCount(alarm)])).toEqual(alarms.map(([id]) => [id, undefined]));
      // the check itself: the unlink guard's old alarm, and the same on a bare Metric, are caught
      const metricStat = {
        Metric: {
          Namespace: { Ref: 'MetricsNamespace' },
          MetricName: 'HeldByGuard',
          Dimensions: [{ Name: 'Family', Value: 'custom' }],
        },
        Period: 300,
        Stat: 'Sum',
      };
      const sum = {
        Properties: {
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          Metrics: [
            { Id: 'heldc', ReturnData: false, MetricStat: metricStat },
            { Id: 'held', Expression: 'FILL(heldc, 0)', ReturnData: true },
          ],
        },
      };
      const bare = {
        Properties: {
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          Namespace: 'AccountLinking',
          MetricName: 'HeldByGuard',
          Statistic: 'Sum',
          Period: 300,
        },
      };
      const returnedMetric = {
        Properties: {
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          Metrics: [{ Id: 'heldc', ReturnData: true, MetricStat: metricStat }],
        },
      };
      expect([sum, bare, returnedMetric].map(onRawCount)).toEqual([
        'a static threshold on an expression that is no rate',
        'a static > 0 on a Metric',
        'a static threshold on a Metric',
      ]);
    });

    it.each(alarms.map(([id]) => id))(
      '%s watches the namespace the functions write to, and notifies the topic only when one is given',
      (id) => {
        const alarm = template.Resources[id];
        expect(watched(alarm).length).toBeGreaterThan(0);
        for (const metric of watched(alarm)) expect(metric.Namespace).toEqual({ Ref: 'MetricsNamespace' });
        expect(globals.Environment.Variables.METRICS_NAMESPACE).toEqual({ Ref: 'MetricsNamespace' });
        expect(template.Conditions.HasAlarmTopic).toEqual({
          'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }],
        });
        expect(alarm.Properties.ActionsEnabled).toEqual({ 'Fn::If': ['HasAlarmTopic', true, false] });
        expect(alarm.Properties.AlarmActions).toEqual({
          'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
        });
        expect(alarm.Properties.OKActions).toEqual({
          'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
        });
        expect(template.Parameters.AlarmTopicArn.Default).toBe('');
      },
    );
  });

  it("lets the operator turn on Ride Hailer's voice-forward account linking (RideHailerVoiceLinking, off by default)", () => {
    expect(template.Parameters.RideHailerVoiceLinking).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(template.Resources.RideHailerFunction.Properties.Environment.Variables.VOICE_LINKING).toEqual({
      Ref: 'RideHailerVoiceLinking',
    });
  });

  it('holds at least one function', () => {
    expect(functions.length).toBeGreaterThan(0);
  });

  describe.each(functions)('%s', (_id, resource) => {
    const properties = { ...globals, ...resource.Properties };

    it('runs on nodejs24.x', () => {
      expect(properties.Runtime).toBe('nodejs24.x');
    });

    it('is built by esbuild from an entry point that exists, and its handler names the bundle', () => {
      expect(resource.Metadata.BuildMethod).toBe('esbuild');
      const entryPoints: string[] = resource.Metadata.BuildProperties.EntryPoints;
      for (const entry of entryPoints) expect(existsSync(path.join(ROOT, properties.CodeUri, entry))).toBe(true);
      const bundle = path.basename(entryPoints[0]).replace(/\.ts$/, '');
      expect(properties.Handler).toBe(`${bundle}.handler`);
    });

    it('may be invoked by Alexa, for one skill ID taken from a Parameter', () => {
      // custom skills: SAM's AlexaSkill event; smart home skills: a permission for alexa-connectedhome
      const alexaEvent = Object.values<any>(properties.Events ?? {}).find((event) => event.Type === 'AlexaSkill');
      const permission = Object.values<any>(template.Resources).find(
        (r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.FunctionName?.['Fn::GetAtt']?.[0] === _id,
      );
      const skillId = alexaEvent?.Properties.SkillId ?? permission?.Properties.EventSourceToken;
      if (permission)
        expect(permission.Properties).toMatchObject({
          Action: 'lambda:InvokeFunction',
          Principal: 'alexa-connectedhome.amazon.com',
        });
      expect(skillId).toEqual({ Ref: expect.any(String) });
      expect(template.Parameters[skillId.Ref].AllowedPattern).toContain('amzn1');
    });

    it('takes every environment variable from a Parameter (or a resource of the template), and hides secrets', () => {
      const variables = { ...globals.Environment?.Variables, ...resource.Properties.Environment?.Variables };
      for (const [name, value] of Object.entries<any>(variables)) {
        if (typeof value === 'string') continue;
        expect({ ...template.Parameters, ...template.Resources }).toHaveProperty(value.Ref);
        if (/SECRET/.test(name)) expect(template.Parameters[value.Ref].NoEcho).toBe(true);
      }
    });
  });
});
