/** The project's own schema of the music messages it emits (test/schemas), as a jest matcher. */
import Ajv from 'ajv';
import schema from '../schemas/music-messages.schema.json';

const validate = new Ajv({ strict: false }).compile(schema);

expect.extend({
  toMatchMusicSchema(received: unknown) {
    const pass = validate(received) as boolean;
    const errors = (validate.errors ?? []).slice(0, 6).map((e) => `${e.instancePath || '/'} ${e.message}`);
    return {
      pass,
      message: () =>
        pass
          ? 'expected the message not to validate against the music schema'
          : `expected a valid music message:\n  ${errors.join('\n  ')}\n${JSON.stringify(received, null, 2)}`,
    };
  },
});

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      toMatchMusicSchema(): R;
    }
  }
}
