/**
 * verifierDouble: a TokenVerifier for tests that answers each token as it is told (a verdict, or
 * throwing, rejecting, hanging, answering late or answering garbage) and records the tokens it saw.
 */
import { verifierDouble } from '../../lib/testing';

const context = {
  family: 'custom' as const,
  deadline: new Date(Date.now() + 1000),
  signal: new AbortController().signal,
};

describe('verifierDouble', () => {
  it('answers each token with its verdict, and any other as invalid, recording every call', async () => {
    const double = verifierDouble()
      .when('good', { outcome: 'valid', principal: { subject: 'u' } })
      .when('old', { outcome: 'expired' });
    expect(await double.verify('good', context)).toEqual({ outcome: 'valid', principal: { subject: 'u' } });
    expect(await double.verify('old', context)).toEqual({ outcome: 'expired' });
    expect(await double.verify('other', context)).toEqual({ outcome: 'invalid', reason: 'unknown to the double' });
    expect(double.calls).toEqual(['good', 'old', 'other']);
  });

  it('answers unknown tokens as otherwise says', async () => {
    const double = verifierDouble().otherwise({ outcome: 'expired' });
    expect(await double.verify('any', context)).toEqual({ outcome: 'expired' });
  });

  it('throws, rejects and hangs when told to', async () => {
    const double = verifierDouble()
      .when('t', { behaviour: 'throws' })
      .when('r', { behaviour: 'rejects' })
      .when('h', { behaviour: 'hangs' });
    expect(() => double.verify('t', context)).toThrow('the verifier double throws');
    await expect(double.verify('r', context)).rejects.toThrow('the verifier double rejects');
    const settled = jest.fn();
    void double.verify('h', context).then(settled, settled);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).not.toHaveBeenCalled();
  });

  it('answers late after the given time, and answers garbage as given', async () => {
    const double = verifierDouble()
      .when('late', { behaviour: 'late', afterMs: 30, verdict: { outcome: 'expired' } })
      .when('g', { behaviour: 'garbage', answer: 'valid' });
    const started = Date.now();
    expect(await double.verify('late', context)).toEqual({ outcome: 'expired' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(await double.verify('g', context)).toBe('valid');
  });
});
