/** `describe` when what the suite needs is there; otherwise a skipped `describe` whose name, and a warning, say why. */
export function describeIf(available: boolean, missing: string): jest.Describe {
  if (available) return describe;
  return ((name: string, fn: () => void) => {
    console.warn(`SKIPPED "${name}": ${missing}`);
    describe.skip(`${name} [SKIPPED: ${missing}]`, fn);
  }) as jest.Describe;
}
