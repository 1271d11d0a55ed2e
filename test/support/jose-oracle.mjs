// jose's jwtVerify as an oracle for test/verification/differential.test.ts, in a child process (jose 6 is ESM only, which jest here cannot load).
//
// Protocol: one JSON message a line on stdin; one JSON answer a line on stdout per case, in any order (answers carry the id).
//   { "key": name, "secret": base64 } | { "key": name, "pem": "-----BEGIN PUBLIC KEY-----…" } | { "key": name, "jwks": { "keys": [...] } }
//     registers a key source (no answer; sent before the cases that use it);
//   { "id": n, "token": "…", "key": name, "issuer": [...], "audience": [...], "algorithms": [...], "clockTolerance": s, "now": ms }
//     answers { "id": n, "accepted": true, "sub": … } or { "id": n, "accepted": false, "code": "ERR_…", "message": "…" }.
// The process ends when stdin ends and every case is answered.
//
// A JWKS is jose's createLocalJWKSet over the same JSON the loopback serves. When several of its keys match a token
// (no kid, or a kid shared by several keys), jose throws JWKSMultipleMatchingKeys, an async iterable of the candidate
// keys; the oracle then does what jose's documentation shows: it tries each candidate, and accepts if one verifies.
import { createPublicKey } from 'node:crypto';
import { createInterface } from 'node:readline';
import { createLocalJWKSet, jwtVerify } from 'jose';

const CONCURRENCY = 32;
const sources = new Map();

async function verifyWith(source, token, options) {
  try {
    return await jwtVerify(token, source, options);
  } catch (error) {
    if (error?.code !== 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error;
    let refusal;
    for await (const candidate of error) {
      try {
        return await jwtVerify(token, candidate, options);
      } catch (inner) {
        // A claims refusal (the signature verified) says more than a signature failure of another candidate.
        if (refusal === undefined || refusal.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') refusal = inner;
      }
    }
    throw refusal ?? error;
  }
}

function register(message) {
  if (message.secret !== undefined) sources.set(message.key, new Uint8Array(Buffer.from(message.secret, 'base64')));
  else if (message.pem !== undefined) sources.set(message.key, createPublicKey(message.pem));
  else {
    try {
      sources.set(message.key, createLocalJWKSet(message.jwks));
    } catch (error) {
      // jose refuses the whole key set (a member that is not an object): every token against it is refused so.
      sources.set(message.key, () => {
        throw error;
      });
    }
  }
}

async function answer(message) {
  const options = {
    issuer: message.issuer,
    audience: message.audience,
    algorithms: message.algorithms,
    clockTolerance: message.clockTolerance,
    currentDate: new Date(message.now),
  };
  try {
    const { payload } = await verifyWith(sources.get(message.key), message.token, options);
    return { id: message.id, accepted: true, sub: payload.sub };
  } catch (error) {
    const code = typeof error?.code === 'string' ? error.code : (error?.name ?? 'error');
    return { id: message.id, accepted: false, code, message: String(error?.message ?? error).slice(0, 200) };
  }
}

// Cases are answered CONCURRENCY at a time (WebCrypto works off the main thread), answers written in batches.
const queue = [];
let active = 0;
let ended = false;
let out = [];
const flush = () => {
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  out = [];
};
function pump() {
  while (active < CONCURRENCY && queue.length > 0) {
    const message = queue.shift();
    active += 1;
    void answer(message).then((result) => {
      active -= 1;
      out.push(JSON.stringify(result));
      if (out.length >= 256) flush();
      pump();
    });
  }
  if (ended && active === 0 && queue.length === 0) flush();
}

createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    if (line.trim() === '') return;
    const message = JSON.parse(line);
    if (message.id === undefined) register(message);
    else queue.push(message);
    pump();
  })
  .on('close', () => {
    ended = true;
    pump();
  });
