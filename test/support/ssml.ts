/**
 * A small XML well-formedness check for SSML, enough to tell whether a text is valid inside
 * `<speak>`: elements nest and close, attribute values are quoted, every `&` starts a known
 * entity or a character reference, and no `<` or `>` stands alone. Returns the first problem, or
 * `undefined` when the document is well-formed.
 */
export function ssmlProblem(document: string): string | undefined {
  const open: string[] = [];
  const name = '[A-Za-z_][\\w.:-]*';
  const tag = new RegExp(`^<(/?)(${name})((?:\\s+${name}\\s*=\\s*(?:"[^"<&]*"|'[^'<&]*'))*)\\s*(/?)>`);
  let i = 0;
  while (i < document.length) {
    const c = document[i];
    if (c === '<') {
      const match = tag.exec(document.slice(i));
      if (!match) return `a "<" at ${i} that starts no tag`;
      const [whole, closing, element, , selfClosing] = match;
      if (closing && selfClosing) return `a malformed closing tag at ${i}`;
      if (closing) {
        if (open.pop() !== element) return `</${element}> at ${i} closes nothing open`;
      } else if (!selfClosing) {
        open.push(element);
      }
      i += whole.length;
      continue;
    }
    if (c === '>') return `a ">" at ${i} outside a tag`;
    if (c === '&') {
      const entity = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/.exec(document.slice(i));
      if (!entity) return `an "&" at ${i} that starts no entity`;
      i += entity[0].length;
      continue;
    }
    i += 1;
  }
  return open.length ? `<${open[open.length - 1]}> is never closed` : undefined;
}
