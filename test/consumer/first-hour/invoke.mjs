// Loads a bundled skill the way Lambda does (a fresh process that imports the file: a script, not
// `node -e`, which defines a global `require` and would hide a bundle that needs one) and sends
// it two launch requests from the test kit: one with a token for user-1, one with none.
// Usage: node invoke.mjs <bundle>, with JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE set.
// Prints the replies' speech and card as the last line of stdout, as JSON.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchRequest, mintAccessToken } from 'ask-sdk-account-linking/testing';

const skill = await import(pathToFileURL(path.resolve(process.argv[2])).href);
const handler = skill.handler ?? skill.default?.handler;
const accessToken = mintAccessToken({
  key: process.env.JWT_SECRET,
  issuer: process.env.JWT_ISSUER,
  audience: process.env.JWT_AUDIENCE,
  subject: 'user-1',
});
const linked = await handler(launchRequest({ accessToken }), {});
const unlinked = await handler(launchRequest(), {});
console.log(JSON.stringify({ linked: linked.response.outputSpeech, unlinked: unlinked.response.card ?? null }));
