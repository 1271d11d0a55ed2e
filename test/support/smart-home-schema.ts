/**
 * Smart home replies, validated in every clone against the project's own schema of the events it
 * emits (test/schemas/smart-home-messages.schema.json, written from the wire-format notes), and
 * additionally against Amazon's smart home message schema where it is present
 * (../shared/conformance, or $ALEXA_SMART_HOME_SCHEMA) — Amazon's is used only to validate, never
 * copied into the project. No suite is skipped without Amazon's schema: `toMatchSmartHomeSchema`
 * then checks the project's schema alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import ownSchema from '../schemas/smart-home-messages.schema.json';

/** Where Amazon's schema is looked for: `$ALEXA_SMART_HOME_SCHEMA`, else ../shared/conformance next to the repository. */
export const SMART_HOME_SCHEMA_PATH =
  process.env.ALEXA_SMART_HOME_SCHEMA ??
  path.resolve(__dirname, '../../../shared/conformance/alexa_smart_home_message_schema.json');

/** Whether Amazon's schema is there, so replies are checked against it as well as against the project's. */
export const smartHomeSchemaAvailable = existsSync(SMART_HOME_SCHEMA_PATH);

/** What the checks of a suite validate against, for test names. */
export const SMART_HOME_SCHEMAS = smartHomeSchemaAvailable
  ? "the project's and Amazon's smart home schemas"
  : "the project's smart home schema; Amazon's is absent";

const ownValidator: ValidateFunction = new Ajv({ strict: false, allErrors: false }).compile(ownSchema);
let amazonValidator: ValidateFunction | undefined;

function complaints(validator: ValidateFunction, message: unknown, schema: string): string[] {
  if (validator(message)) return [];
  return (validator.errors ?? [])
    .slice(0, 8)
    .map((error) => `[${schema}] ${error.instancePath || '/'} ${error.message}`);
}

/** The complaints of the project's schema about `message`, or `[]` when it validates. */
export function ownSmartHomeSchemaErrors(message: unknown): string[] {
  return complaints(ownValidator, message, 'project schema');
}

/** The complaints of Amazon's schema about `message`; `[]` when it validates or is absent. */
export function amazonSmartHomeSchemaErrors(message: unknown): string[] {
  if (!smartHomeSchemaAvailable) return [];
  amazonValidator ??= new AjvDraft04({
    strict: false,
    unicodeRegExp: false,
    validateFormats: false,
    logger: false,
  }).compile(JSON.parse(readFileSync(SMART_HOME_SCHEMA_PATH, 'utf8')));
  return complaints(amazonValidator, message, "Amazon's schema");
}

/** The complaints about `message` of the project's schema and, where present, Amazon's; `[]` when both accept it. */
export function smartHomeSchemaErrors(message: unknown): string[] {
  return [...ownSmartHomeSchemaErrors(message), ...amazonSmartHomeSchemaErrors(message)];
}

/**
 * `describe`, its name saying what the suite's replies are validated against: suites of smart home
 * replies run in every clone (the project's schema is always there), never skipped.
 */
export const describeWithSmartHomeSchema: jest.Describe = Object.assign(
  (name: string, fn: () => void) => describe(`${name} (replies checked against ${SMART_HOME_SCHEMAS})`, fn),
  describe,
) as jest.Describe;

expect.extend({
  /**
   * Passes when `received` validates against the project's schema and, where present, Amazon's.
   * Negated (`.not`), it passes when the project's schema rejects it, and when Amazon's, where
   * present, does too: a spoiled message must fail both checks.
   */
  toMatchSmartHomeSchema(received: unknown) {
    const own = ownSmartHomeSchemaErrors(received);
    const amazon = amazonSmartHomeSchemaErrors(received);
    if (this.isNot) {
      const pass = own.length === 0 || (smartHomeSchemaAvailable && amazon.length === 0);
      return {
        pass,
        message: () =>
          `expected ${SMART_HOME_SCHEMAS} to reject the message, but ${own.length === 0 ? "the project's" : "Amazon's"} accepted it:\n${JSON.stringify(received, null, 2)}`,
      };
    }
    const errors = [...own, ...amazon];
    return {
      pass: errors.length === 0,
      message: () =>
        `expected the message to validate against ${SMART_HOME_SCHEMAS}:\n  ${errors.join('\n  ')}\n${JSON.stringify(received, null, 2)}`,
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
