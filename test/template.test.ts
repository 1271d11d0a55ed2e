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
    const users = functions.filter(([, r]) => JSON.stringify(r.Properties.Policies ?? []).includes('MyLightsGrantsTable')).map(([id]) => id);
    expect(users).toEqual(['MyLightsFunction']);
    expect(template.Resources.MyLightsFunction.Properties.Policies).toEqual([{ DynamoDBCrudPolicy: { TableName: { Ref: 'MyLightsGrantsTable' } } }]);
  });

  it('lets the operator set the client IDs an introspected token must have been issued to (IntrospectionClientIds, empty by default)', () => {
    expect(template.Parameters.IntrospectionClientIds).toMatchObject({ Type: 'String', Default: '' });
    expect(globals.Environment.Variables.INTROSPECTION_CLIENT_IDS).toEqual({ Ref: 'IntrospectionClientIds' });
  });

  it('lets the operator name the LWA security profiles whose tokens are the skill\'s (LwaAppIds, empty by default)', () => {
    expect(template.Parameters.LwaAppIds).toMatchObject({ Type: 'String', Default: '' });
    expect(globals.Environment.Variables.LWA_APP_IDS).toEqual({ Ref: 'LwaAppIds' });
  });

  describe('alarms on the gates\' metrics', () => {
    const queriesOf = (alarm: any) => alarm.Properties.Metrics as any[];
    const watched = (alarm: any) => queriesOf(alarm).filter((q) => q.MetricStat).map((q) => q.MetricStat.Metric);

    it('alarms when the unlink guard held anything (HeldByGuard > 0), for every family', () => {
      const alarm = template.Resources.UnlinkGuardHeldAlarm;
      expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
      expect(alarm.Properties).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0, TreatMissingData: 'notBreaching' });
      expect(watched(alarm).map((m) => [m.MetricName, m.Dimensions[0].Value])).toEqual([['HeldByGuard', 'custom'], ['HeldByGuard', 'directive'], ['HeldByGuard', 'music']]);
      expect(queriesOf(alarm).filter((q) => q.ReturnData)).toHaveLength(1);
    });

    it('alarms on a high rate of "could not decide", as metric math on the counts', () => {
      const alarm = template.Resources.UndecidedRateAlarm;
      expect(alarm.Properties.Threshold).toEqual({ Ref: 'UndecidedAlarmPercent' });
      expect(new Set(watched(alarm).map((m) => m.MetricName))).toEqual(new Set(['Undecided', 'Decisions']));
      const result = queriesOf(alarm).find((q) => q.ReturnData);
      expect(result.Expression).toContain('100 * undecided / decisions');
    });

    it.each(['UnlinkGuardHeldAlarm', 'UndecidedRateAlarm'])('%s watches the namespace the functions write to, and notifies the topic only when one is given', (id) => {
      const alarm = template.Resources[id];
      for (const metric of watched(alarm)) expect(metric.Namespace).toEqual({ Ref: 'MetricsNamespace' });
      expect(globals.Environment.Variables.METRICS_NAMESPACE).toEqual({ Ref: 'MetricsNamespace' });
      expect(template.Conditions.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }] });
      expect(alarm.Properties.AlarmActions).toEqual({ 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] });
      expect(template.Parameters.AlarmTopicArn.Default).toBe('');
    });

    it('configures the unlink guard from Parameters, on by default', () => {
      expect(globals.Environment.Variables.UNLINK_GUARD_THRESHOLD).toEqual({ Ref: 'UnlinkGuardThreshold' });
      expect(template.Parameters.UnlinkGuardThreshold).toMatchObject({ Default: '2', AllowedValues: ['1', '2', '3', 'off'] });
      expect(globals.Environment.Variables.UNLINK_GUARD_COOL_OFF_SECONDS).toEqual({ Ref: 'UnlinkGuardCoolOffSeconds' });
    });
  });

  it('lets the operator turn on Ride Hailer\'s voice-forward account linking (RideHailerVoiceLinking, off by default)', () => {
    expect(template.Parameters.RideHailerVoiceLinking).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(template.Resources.RideHailerFunction.Properties.Environment.Variables.VOICE_LINKING).toEqual({ Ref: 'RideHailerVoiceLinking' });
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
      if (permission) expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'alexa-connectedhome.amazon.com' });
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
