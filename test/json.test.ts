/** isObject: a JSON object is neither null nor an array. */
import { isObject } from '../lib/json';

describe('isObject', () => {
  it('is true of objects only: not of null, arrays, strings or numbers', () => {
    expect([{}, { a: 1 }].map(isObject)).toEqual([true, true]);
    expect([null, undefined, [], 'x', 1, true].map(isObject)).toEqual([false, false, false, false, false, false]);
  });
});
