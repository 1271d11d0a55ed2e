/**
 * A scriptable verifier double for tests: say per token (or for every token) what the verifier
 * does — answer a verdict, throw, reject, hang, answer late, answer garbage — and read back what it
 * was asked.
 */
import type { TokenVerdict, TokenVerifier, VerificationContext } from '../verification/verifier';

/**
 * What a {@link VerifierDouble} does for a token: answer a verdict, or misbehave as a real verifier
 * might (each of which the gate must treat as "could not decide").
 */
export type VerifierBehaviour<P> =
  TokenVerdict<P> | VerifierThrows | VerifierRejects | VerifierHangs | VerifierAnswersLate<P> | VerifierAnswersGarbage;

/** The verifier throws synchronously. */
export interface VerifierThrows {
  /** `throws` */
  behaviour: 'throws';
}

/** The verifier's promise rejects. */
export interface VerifierRejects {
  /** `rejects` */
  behaviour: 'rejects';
}

/** The verifier never answers (until the gate's deadline aborts its signal). */
export interface VerifierHangs {
  /** `hangs` */
  behaviour: 'hangs';
}

/** The verifier answers `verdict` after `afterMs`. */
export interface VerifierAnswersLate<P> {
  /** `late` */
  behaviour: 'late';
  /** How long it takes to answer, in ms. */
  afterMs: number;
  /** What it answers then. */
  verdict: TokenVerdict<P>;
}

/** The verifier answers something that is not a verdict. */
export interface VerifierAnswersGarbage {
  /** `garbage` */
  behaviour: 'garbage';
  /** What it answers. */
  answer: unknown;
}

/** The linked user of a verifier double unless typed otherwise: just a subject. */
export type DoubleUser = {
  /** The user's ID in the service. */
  subject: string;
};

/** A scriptable verifier for tests: see {@link verifierDouble}. */
export interface VerifierDouble<P> extends TokenVerifier<P> {
  /** The tokens it was asked about, in order. */
  readonly calls: string[];
  /** What it does for `token` from now on. */
  when(token: string, behaviour: VerifierBehaviour<P>): this;
  /** What it does for every token not given its own behaviour. */
  otherwise(behaviour: VerifierBehaviour<P>): this;
}

/** A verifier double; by default every token is invalid. */
export function verifierDouble<P = DoubleUser>(): VerifierDouble<P> {
  const behaviours = new Map<string, VerifierBehaviour<P>>();
  let fallback: VerifierBehaviour<P> = { outcome: 'invalid', reason: 'unknown to the double' };
  const calls: string[] = [];
  return {
    calls,
    when(token, behaviour) {
      behaviours.set(token, behaviour);
      return this;
    },
    otherwise(behaviour) {
      fallback = behaviour;
      return this;
    },
    verify(token: string, _context: VerificationContext): Promise<TokenVerdict<P>> {
      calls.push(token);
      const behaviour = behaviours.get(token) ?? fallback;
      if ('outcome' in behaviour) return Promise.resolve(behaviour);
      switch (behaviour.behaviour) {
        case 'throws':
          throw new Error('the verifier double throws');
        case 'rejects':
          return Promise.reject(new Error('the verifier double rejects'));
        case 'hangs':
          return new Promise(() => undefined);
        case 'late':
          return new Promise((resolve) => setTimeout(() => resolve(behaviour.verdict), behaviour.afterMs));
        case 'garbage':
          return Promise.resolve(behaviour.answer as TokenVerdict<P>);
      }
    },
  };
}
