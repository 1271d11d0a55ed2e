/** What the property tests generate: verifier behaviours, tokens, and envelopes of every family. */
import fc from 'fast-check';
import type { VerifierBehaviour } from '../../lib/testing';

export const RUNS = Number(process.env.PROPERTY_RUNS ?? 10_000);

export type Behaviour = 'valid' | 'invalid' | 'expired' | 'throws' | 'rejects' | 'hangs' | 'late' | 'garbage';
export const AFFIRMATIVE: readonly Behaviour[] = ['invalid', 'expired'];

export const behaviour = fc.constantFrom<Behaviour>(
  'valid',
  'invalid',
  'expired',
  'throws',
  'rejects',
  'hangs',
  'late',
  'garbage',
);

/**
 * The double's script for a behaviour. The gate's budget in these tests is 2 ms; "late" answers a
 * second later, so that only an event loop stalled for a whole second could let it in first.
 */
export function script(b: Behaviour, garbage: unknown): VerifierBehaviour<{ subject: string }> {
  switch (b) {
    case 'valid':
      return { outcome: 'valid', principal: { subject: 'user-1' } };
    case 'invalid':
      return { outcome: 'invalid', reason: 'forged' };
    case 'expired':
      return { outcome: 'expired' };
    case 'late':
      return { behaviour: 'late', afterMs: 1000, verdict: { outcome: 'valid', principal: { subject: 'user-1' } } };
    case 'garbage':
      return { behaviour: 'garbage', answer: garbage };
    default:
      return { behaviour: b };
  }
}

/** Garbage a verifier might answer: anything but a well-formed verdict. */
export const garbage = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.integer(),
  fc.record({ outcome: fc.constantFrom('valid', 'ok', 'VALID', 'maybe') }),
  fc.record({ outcome: fc.constant('valid'), principal: fc.constant(null) }),
);

/** A token: recognisable text (so a leak can be found), or the malformed values Alexa never sends. */
export type TokenCase = { kind: 'absent' } | { kind: 'token'; value: string } | { kind: 'odd'; value: unknown };
export const token: fc.Arbitrary<TokenCase> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<TokenCase>({ kind: 'absent' }) },
  {
    weight: 6,
    arbitrary: fc
      .stringMatching(/^[A-Za-z0-9_-]{12,40}$/)
      .map<TokenCase>((s) => ({ kind: 'token', value: `TKN.${s}` })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>('', 42, true, { token: 'x' }, ['a'])
      .map<TokenCase>((value) => ({ kind: 'odd', value })),
  },
);
