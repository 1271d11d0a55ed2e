/**
 * Amazon's smart home message schema (../shared/conformance, or $ALEXA_SMART_HOME_SCHEMA), used to
 * validate what the toolkit sends, never copied into the project. Where it is absent, the suites
 * that need it are skipped, and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { describeIf } from './describe-if';

export const SMART_HOME_SCHEMA_PATH =
  process.env.ALEXA_SMART_HOME_SCHEMA ?? path.resolve(__dirname, '../../../shared/conformance/alexa_smart_home_message_schema.json');

export const smartHomeSchemaAvailable = existsSync(SMART_HOME_SCHEMA_PATH);

let validator: ValidateFunction | undefined;

/** The schema's complaints about `message`, or `[]` when it validates. */
export function smartHomeSchemaErrors(message: unknown): string[] {
  validator ??= new Ajv({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false }).compile(
    JSON.parse(readFileSync(SMART_HOME_SCHEMA_PATH, 'utf8')),
  );
  if (validator(message)) return [];
  return (validator.errors ?? []).slice(0, 8).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

/** `describe`, or — without the schema — a skipped `describe` whose name says why. */
export const describeWithSmartHomeSchema = describeIf(
  smartHomeSchemaAvailable,
  `Amazon's smart home schema is not at ${SMART_HOME_SCHEMA_PATH} (set ALEXA_SMART_HOME_SCHEMA)`,
);

expect.extend({
  toMatchSmartHomeSchema(received: unknown) {
    const errors = smartHomeSchemaErrors(received);
    return {
      pass: errors.length === 0,
      message: () =>
        errors.length === 0
          ? 'expected the message not to validate against the smart home schema'
          : `expected the message to validate against the smart home schema:\n  ${errors.join('\n  ')}\n${JSON.stringify(received, null, 2)}`,
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toMatchSmartHomeSchema(): R;
    }
  }
}
