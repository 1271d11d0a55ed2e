/**
 * The skill builder that directive and music skills share, on ask-sdk-runtime's generic pieces
 * (`RuntimeConfigurationBuilder`, `GenericRequestDispatcher`), with the feel of
 * `SkillBuilders.custom()`.
 *
 * What a family adds is a {@link RuntimeFamily}: how to check its envelopes, and its replies for a
 * malformed request, a request no handler matches, and an error nobody handled. A skill built here
 * never rejects: whatever happens, Alexa gets that family's well-formed reply, and never one of
 * the two codes that unlink the user.
 */
import {
  GenericRequestDispatcher,
  RuntimeConfigurationBuilder,
  type ErrorHandler,
  type RequestHandler,
  type RequestInterceptor,
  type ResponseInterceptor,
} from 'ask-sdk-runtime';
import { ConfigurationError, MalformedRequestError } from './errors';
import { gateErrorsFirst, type CommonGateOptions, type GateInput } from './gate';
import { createJsonLogger, describeError, type Logger } from './logging';
import type { SkillFamily } from './verification/verifier';

/** What every handler of a runtime-built skill gets. */
export interface RuntimeHandlerInput<E> extends GateInput {
  readonly requestEnvelope: E;
  /** The Lambda context, when the skill runs in Lambda. */
  readonly context?: unknown;
  readonly attributesManager: {
    getRequestAttributes(): Record<string, unknown>;
    setRequestAttributes(attributes: Record<string, unknown>): void;
  };
}

export interface RuntimeFamily<E, O, I extends RuntimeHandlerInput<E>> {
  family: SkillFamily;
  /** The envelope, if `event` has this family's shape; throws {@link MalformedRequestError} otherwise. */
  parse(event: unknown): E;
  createInput(envelope: E, context: unknown, attributes: RuntimeHandlerInput<E>['attributesManager']): I;
  /** The request's type for logs, e.g. `Alexa.PowerController.TurnOn`. */
  requestType(envelope: E): string;
  /** The reply to an event that is not this family's envelope, or a request with a malformed part. */
  malformedReply(event: unknown, error: MalformedRequestError): O;
  /** The reply to a request no handler matches. */
  unmatchedReply(input: I): O;
  /** The reply to an error no error handler took. Never an unlinking code. */
  failureReply(input: I): O;
  /** The family's gate, from the options given to `withAccountLinking` (the family's own gate options). */
  createGate(options: CommonGateOptions<unknown>, builderLogger: Logger): RuntimeGate<I, O>;
}

/**
 * The key under which a runtime builder takes its gate from `withAccountLinking` (lib/account-linking.ts),
 * the one way to install a gate on every family's builder.
 */
export const INSTALL_GATE = Symbol.for('ask-sdk-account-linking.install-gate');

/** A gate as a runtime builder installs it: an interceptor that runs first, an error handler tried first. */
export interface RuntimeGate<I, O> {
  requestInterceptor: RequestInterceptor<I>;
  errorHandler: ErrorHandler<I, O>;
}

export interface RuntimeSkill<E, O> {
  /** Answers one event; never rejects. */
  invoke(event: E | unknown, context?: unknown): Promise<O>;
}

export class RuntimeSkillBuilder<E, O, I extends RuntimeHandlerInput<E>> {
  readonly #configuration = new RuntimeConfigurationBuilder<I, O>();
  #gate?: RuntimeGate<I, O>;
  #unmatched?: (input: I) => O | Promise<O>;
  #logger?: Logger;

  constructor(protected readonly runtimeFamily: RuntimeFamily<E, O, I>) {}

  addRequestHandler(matcher: (input: I) => boolean | Promise<boolean>, executor: (input: I) => O | Promise<O>): this {
    this.#configuration.addRequestHandler(matcher, executor);
    return this;
  }

  addRequestHandlers(...handlers: Array<RequestHandler<I, O>>): this {
    this.#configuration.addRequestHandlers(...handlers);
    return this;
  }

  addRequestInterceptors(...interceptors: Array<RequestInterceptor<I> | ((input: I) => Promise<void> | void)>): this {
    this.#configuration.addRequestInterceptors(...interceptors);
    return this;
  }

  addResponseInterceptors(...interceptors: Array<ResponseInterceptor<I, O> | ((input: I, output?: O) => Promise<void> | void)>): this {
    this.#configuration.addResponseInterceptors(...interceptors);
    return this;
  }

  addErrorHandlers(...handlers: Array<ErrorHandler<I, O>>): this {
    this.#configuration.addErrorHandlers(...handlers);
    return this;
  }

  /** The reply to a request no handler matches. Default: the family's (`INVALID_DIRECTIVE`). */
  withUnmatchedRequestReply(reply: (input: I) => O | Promise<O>): this {
    this.#unmatched = reply;
    return this;
  }

  /** Where the skill logs malformed requests and unhandled errors. Default: JSON lines on stdout. */
  withLogger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }

  protected get logger(): Logger {
    return (this.#logger ??= createJsonLogger());
  }

  /**
   * For `withAccountLinking`: puts the family's gate in front of every handler. The gate runs
   * before every interceptor, and its errors reach its error handler first. Once per builder.
   */
  [INSTALL_GATE](options: CommonGateOptions<unknown>): this {
    if (this.#gate) throw new ConfigurationError('withAccountLinking was already called on this skill builder');
    this.#gate = this.runtimeFamily.createGate(options, this.logger);
    return this;
  }

  create(): RuntimeSkill<E, O> {
    const family = this.runtimeFamily;
    const logger = this.logger;
    const unmatched = this.#unmatched ?? ((input: I) => family.unmatchedReply(input));
    const own = this.#configuration.getRuntimeConfiguration();
    // Last of all request handlers: a request nobody claims gets the family's reply, not an error.
    const fallback = new RuntimeConfigurationBuilder<I, O>().addRequestHandler(() => true, unmatched).getRuntimeConfiguration();
    const gate = this.#gate;
    const dispatcher = new GenericRequestDispatcher<I, O>({
      requestMappers: [...own.requestMappers, ...fallback.requestMappers],
      handlerAdapters: own.handlerAdapters,
      requestInterceptors: [...(gate ? [gate.requestInterceptor] : []), ...(own.requestInterceptors ?? [])],
      responseInterceptors: own.responseInterceptors ?? [],
      errorMapper: gate ? gateErrorsFirst(gate.errorHandler, own.errorMapper) : own.errorMapper,
    });

    return {
      async invoke(event, context) {
        let envelope: E;
        try {
          envelope = family.parse(event);
        } catch (error) {
          if (!(error instanceof MalformedRequestError)) throw error;
          logger.error('account linking: malformed request', { family: family.family, reason: error.reason });
          return family.malformedReply(event, error);
        }
        let attributes: Record<string, unknown> = {};
        const input = family.createInput(envelope, context, {
          getRequestAttributes: () => attributes,
          setRequestAttributes: (next) => void (attributes = next),
        });
        try {
          return await dispatcher.dispatch(input);
        } catch (error) {
          if (error instanceof MalformedRequestError) return family.malformedReply(envelope, error);
          logger.error('skill: unhandled error', { family: family.family, requestType: family.requestType(envelope), ...describeError(error) });
          return family.failureReply(input);
        }
      },
    };
  }

  /** The Lambda entry point: an async `(event, context)` handler (never callback-style, as nodejs24.x requires). */
  lambda(): (event: unknown, context?: unknown) => Promise<O> {
    const skill = this.create();
    return (event, context) => skill.invoke(event, context);
  }
}
