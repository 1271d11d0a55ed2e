/**
 * The gate's error handler before the skill's: whatever order a skill adds its error handlers in,
 * a gate reply cannot be swallowed by a catch-all.
 */
import type { ErrorHandler, ErrorMapper } from 'ask-sdk-runtime';

/**
 * An error mapper that offers every error to the gate's error handler first, then to the skill's
 * own mapper: no catch-all of the skill can swallow a gate reply, whatever the registration order.
 */
export function gateErrorsFirst<I, O>(
  gateHandler: ErrorHandler<I, O>,
  skillErrors: ErrorMapper<I, O> | undefined,
): ErrorMapper<I, O> {
  return {
    async getErrorHandler(input, error) {
      if (await gateHandler.canHandle(input, error)) return gateHandler;
      // GenericErrorMapper answers null when no handler fits; the dispatcher then rethrows.
      return (skillErrors ? await skillErrors.getErrorHandler(input, error) : null) as ErrorHandler<I, O>;
    },
  };
}
