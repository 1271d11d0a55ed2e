/**
 * The skill builder that directive and music skills share, on ask-sdk-runtime, with the feel of
 * `SkillBuilders.custom()`. A family adds a {@link RuntimeFamily}; a skill built here never
 * rejects and never answers an unlinking code for a fault. See docs/smart-home.md, docs/music.md.
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
import { gateErrorsFirst } from './gate/error-mapper';
import type { GateInput } from './gate/interceptor';
import type { CommonGateOptions } from './gate/options';
import { createJsonLogger, describeError, type Logger } from './logging';
import type { SkillFamily } from './verification/verifier';

/** What every handler of a runtime-built skill gets. */
export interface RuntimeHandlerInput<E> extends GateInput {
  /** The request as Alexa sent it, checked to have the family's shape (a directive or music request envelope). */
  readonly requestEnvelope: E;
  /** The Lambda context, when the skill runs in Lambda. */
  readonly context?: unknown;
  /**
   * Request attributes, as in ask-sdk-core's `AttributesManager`: state for this one request,
   * shared by interceptors and handlers and gone when the reply is sent. The gate keeps the linked
   * user here ({@link getLinkedUser} reads it). There are no session or persistent attributes:
   * directive and music skills have no session.
   */
  readonly attributesManager: {
    /** This request's attributes (an empty object at first); mutate it or replace it with `setRequestAttributes`. */
    getRequestAttributes(): Record<string, unknown>;
    /** Replaces this request's attributes. Keep what the gate put there, or {@link getLinkedUser} finds no linked user. */
    setRequestAttributes(attributes: Record<string, unknown>): void;
  };
}

/**
 * What {@link RuntimeSkillBuilder} needs to know of a skill family: its envelopes, its replies,
 * its gate. The directive and music families are built on it ({@link DirectiveSkillBuilder},
 * {@link MusicSkillBuilder}); you need it only to build a skill for another envelope on the same machinery.
 *
 * @typeParam E - The family's request envelope.
 * @typeParam O - The family's reply.
 * @typeParam I - What its handlers get.
 */
export interface RuntimeFamily<E, O, I extends RuntimeHandlerInput<E>> {
  /** Which family it is: names it in logs and metrics, and picks its gate's replies. */
  family: SkillFamily;
  /** The envelope, if `event` has this family's shape; throws {@link MalformedRequestError} otherwise. */
  parse(event: unknown): E;
  /** The handler input for one request: the envelope, the Lambda context (if any) and that request's attributes. */
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
 * The key under which a runtime builder takes its gate from `withAccountLinking` (lib/with-account-linking.ts),
 * the one way to install a gate on every family's builder.
 */
export const INSTALL_GATE = Symbol.for('ask-sdk-account-linking.install-gate');

/** A gate as a runtime builder installs it: an interceptor that runs first, an error handler tried first. */
export interface RuntimeGate<I, O> {
  /** Decides on the request's access token; throws a {@link GateShortCircuitError} when the request may not go on. */
  requestInterceptor: RequestInterceptor<I>;
  /** Renders the gate's {@link GateShortCircuitError} as the family's reply; tried before the skill's own error handlers. */
  errorHandler: ErrorHandler<I, O>;
}

/** A skill built by a {@link RuntimeSkillBuilder}: call it from the Lambda handler, or use the builder's `lambda()`. */
export interface RuntimeSkill<E, O> {
  /** Answers one event; never rejects. */
  invoke(event: E | unknown, context?: unknown): Promise<O>;
}

/**
 * The builder of a directive or music skill, with the feel of ask-sdk-core's `SkillBuilders.custom()`:
 * handlers, interceptors and error handlers as there, plus `withAccountLinking` to put the family's
 * gate first. Get one from {@link directiveSkillBuilder} or {@link musicSkillBuilder}.
 *
 * What a skill built here does that ask-sdk's does not: it never rejects. A malformed event, a
 * request no handler matches and an error no error handler takes each get the family's
 * well-formed reply (logged at ERROR), never an unlinking code and never a Lambda failure.
 */
export class RuntimeSkillBuilder<E, O, I extends RuntimeHandlerInput<E>> {
  readonly #configuration = new RuntimeConfigurationBuilder<I, O>();
  #gate?: { options: CommonGateOptions<unknown>; logger: Logger; gate: RuntimeGate<I, O> };
  #unmatched?: (input: I) => O | Promise<O>;
  #logger?: Logger;

  constructor(
    /** The family this builder builds skills of. */
    protected readonly runtimeFamily: RuntimeFamily<E, O, I>,
  ) {}

  /**
   * Adds a handler: `executor` answers the requests `matcher` says yes to. Handlers are tried in
   * the order added; a request none matches gets the unmatched reply (see {@link RuntimeSkillBuilder.withUnmatchedRequestReply}).
   */
  addRequestHandler(matcher: (input: I) => boolean | Promise<boolean>, executor: (input: I) => O | Promise<O>): this {
    this.#configuration.addRequestHandler(matcher, executor);
    return this;
  }

  /** Adds ask-sdk-runtime `RequestHandler`s (`canHandle` + `handle`), tried in the order added. */
  addRequestHandlers(...handlers: Array<RequestHandler<I, O>>): this {
    this.#configuration.addRequestHandlers(...handlers);
    return this;
  }

  /** Adds interceptors run before the handler, in order, after the gate: they see the linked user. */
  addRequestInterceptors(...interceptors: Array<RequestInterceptor<I> | ((input: I) => Promise<void> | void)>): this {
    this.#configuration.addRequestInterceptors(...interceptors);
    return this;
  }

  /** Adds interceptors run after the handler with its reply, in order; not run when the gate stopped the request. */
  addResponseInterceptors(
    ...interceptors: Array<ResponseInterceptor<I, O> | ((input: I, output?: O) => Promise<void> | void)>
  ): this {
    this.#configuration.addResponseInterceptors(...interceptors);
    return this;
  }

  /**
   * Adds error handlers for errors of handlers and interceptors. The gate's own error handler is
   * tried first, so a {@link GateShortCircuitError} always gets the gate's reply; an error none
   * takes gets the family's failure reply (never an unlinking code).
   */
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

  /** The logger given to {@link RuntimeSkillBuilder.withLogger}, or JSON lines on stdout at `$LOG_LEVEL`. */
  protected get logger(): Logger {
    return (this.#logger ??= createJsonLogger());
  }

  /**
   * For `withAccountLinking`: puts the family's gate in front of every handler. The gate runs
   * before every interceptor, and its errors reach its error handler first. Once per builder.
   */
  [INSTALL_GATE](options: CommonGateOptions<unknown>): this {
    if (this.#gate) throw new ConfigurationError('withAccountLinking was already called on this skill builder');
    // Built now, so that a bad option fails here; built again by create() if the builder's logger
    // (the gate's default) is set after this call: anywhere in the chain means anywhere.
    this.#gate = { options, logger: this.logger, gate: this.runtimeFamily.createGate(options, this.logger) };
    return this;
  }

  /** Builds the skill. Build it once, at module load and not per request, so the gate's state (key sets, verdict cache, unlink guard) lives as long as the container. */
  create(): RuntimeSkill<E, O> {
    const family = this.runtimeFamily;
    const logger = this.logger;
    const unmatched = this.#unmatched ?? ((input: I) => family.unmatchedReply(input));
    const own = this.#configuration.getRuntimeConfiguration();
    // Last of all request handlers: a request nobody claims gets the family's reply, not an error.
    const fallback = new RuntimeConfigurationBuilder<I, O>()
      .addRequestHandler(() => true, unmatched)
      .getRuntimeConfiguration();
    const installed = this.#gate;
    const gate =
      installed && installed.options.logger === undefined && installed.logger !== logger
        ? this.runtimeFamily.createGate(installed.options, logger)
        : installed?.gate;
    const errorMapper = gate ? gateErrorsFirst(gate.errorHandler, own.errorMapper) : own.errorMapper;
    const dispatcher = new GenericRequestDispatcher<I, O>({
      requestMappers: [...own.requestMappers, ...fallback.requestMappers],
      handlerAdapters: own.handlerAdapters,
      requestInterceptors: [...(gate ? [gate.requestInterceptor] : []), ...(own.requestInterceptors ?? [])],
      responseInterceptors: own.responseInterceptors ?? [],
      ...(errorMapper ? { errorMapper } : {}),
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
          logger.error('skill: unhandled error', {
            family: family.family,
            requestType: family.requestType(envelope),
            ...describeError(error),
          });
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
