/**
 * The sandbox's console page (GET /console): plain HTML, CSS and JavaScript in one string — no
 * build step, nothing fetched from the network. It reads the skills and situations from
 * GET /console/state, sends requests through POST /console/send, and shows each reply as a short
 * summary (from replies.ts, read from the reply itself) above the formatted JSON, with why it
 * is right, the gate's log lines and metric lines beside it; the request JSON one click away.
 * A switch turns the request buttons into the unlinking policy's demonstrations (POST
 * /console/scenario): a dead token held, then confirmed; a fault that opens the breaker. Their story
 * is told in plain words above the JSON, each request with what the policy made of it.
 * Readable from 320 px wide up: everything wraps, nothing scrolls sideways.
 */

const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header,main{max-width:78rem;margin:0 auto;padding:.8rem 1rem}
header{background:#232f3e;color:#fff;max-width:none}
header h1{font-size:1.2rem;margin:0}
header p{margin:.2rem 0 0;color:#c9d1dc}
header a{color:#8fc3ff}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:.6rem;margin:.3rem 0;white-space:pre-wrap;overflow-wrap:anywhere;max-height:28rem;overflow-y:auto}
code{overflow-wrap:anywhere}
.grid{display:grid;gap:.8rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,14rem),1fr))}
fieldset{border:1px solid #dde1e7;border-radius:8px;background:#fff;margin:0;padding:.5rem .8rem;min-width:0}
legend{font-weight:600;padding:0 .3rem}
label{display:flex;gap:.4rem;align-items:flex-start;padding:.1rem 0;cursor:pointer}
label input{margin-top:.25rem}
label span{min-width:0;overflow-wrap:anywhere}
.skill{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:.6rem .8rem;min-width:0}
.skill h3{margin:0;font-size:1rem}
.skill p{margin:.1rem 0 .5rem;color:#5b6472;font-size:.9rem}
.skill button{font:inherit;margin:0 .3rem .4rem 0;padding:.35rem .7rem;border-radius:6px;border:1px solid #1a73e8;background:#e8f0fe;color:#0b3d91;cursor:pointer;max-width:100%}
.skill button:disabled{opacity:.5;cursor:wait}
h2{font-size:1.05rem;margin:1.1rem 0 .5rem}
#result{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:.8rem;min-width:0}
#result[hidden]{display:none}
#summary{font-weight:600;font-size:1.05rem;padding:.5rem .7rem;border-radius:6px;border-left:6px solid #888;background:#f3f3f3;overflow-wrap:anywhere}
#result[data-claim=unlinks] #summary,#result[data-claim=devices-vanish] #summary{border-color:#c5221f;background:#fce8e6}
#result[data-claim=held] #summary,#result[data-claim=undecided] #summary{border-color:#e37400;background:#fef7e0}
#result[data-claim=kept] #summary{border-color:#188038;background:#e6f4ea}
#result[data-claim=not-linked] #summary{border-color:#5b6472;background:#eef0f3}
.badge{display:inline-block;font-size:.8rem;font-weight:700;padding:.05rem .45rem;border-radius:999px;margin-right:.4rem;vertical-align:1px;max-width:100%;overflow-wrap:anywhere}
.badge.unlinks{background:#c5221f;color:#fff}
.badge.devices-vanish{background:#a50e0e;color:#fff}
.badge.kept{background:#188038;color:#fff}
.badge.held,.badge.undecided{background:#b06000;color:#fff}
.badge.not-linked,.badge.refused{background:#5b6472;color:#fff}
#decision{margin:.5rem 0;overflow-wrap:anywhere}
#story{margin:.2rem 0 .8rem;padding:.6rem .8rem;border-radius:6px;background:#f1f5fe;border-left:6px solid #1a73e8;overflow-wrap:anywhere}
#story[hidden]{display:none}
#story h3{margin:0 0 .3rem;font-size:1rem}
#story ol{margin:.2rem 0;padding-left:1.4rem}
#story li{margin:.2rem 0}
#story-steps .muted{display:block;font-size:.9rem}
.policy-note{margin:.2rem 0 .6rem;color:#5b6472;overflow-wrap:anywhere}
#why{margin:.5rem 0;overflow-wrap:anywhere}
#alarm{margin:.5rem 0;padding:.4rem .7rem;border-radius:6px;background:#fce8e6;color:#8c1d18;overflow-wrap:anywhere}
#alarm[hidden]{display:none}
.cols{display:grid;gap:.8rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr))}
.cols>div{min-width:0}
h4{margin:.6rem 0 .2rem;font-size:.95rem}
ul{margin:.2rem 0;padding-left:1.2rem}
li{overflow-wrap:anywhere}
.muted{color:#5b6472}
details summary{cursor:pointer;color:#0b57d0}
`;

const SCRIPT = `
const $ = (selector) => document.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
};
let state;

function radios(name, options, checked) {
  const fieldset = $('#situation-' + name);
  for (const [value, text] of Object.entries(options)) {
    const input = el('input', { type: 'radio', name, value, id: name + '-' + value });
    if (value === checked) input.checked = true;
    fieldset.append(el('label', { for: name + '-' + value }, input, el('span', {}, text)));
  }
}

function situation() {
  const value = (name) => document.querySelector('input[name=' + name + ']:checked').value;
  return { verification: value('verification'), token: value('token'), server: value('server'), deploy: value('deploy') };
}

function showLinked(linked) {
  const prints = Object.entries(linked.fingerprints).map(([kind, print]) => kind + ' token ' + print);
  $('#linked-user').textContent = 'Linked: ' + linked.login + ' (' + (linked.linkedBy === 'browser' ? 'in the browser' : 'by the sandbox') + ')' +
    (prints.length ? ' · ' + prints.join(' · ') : ' · no token yet: the first request links one');
}

async function load() {
  state = await (await fetch('/console/state')).json();
  radios('verification', state.situations.verification, state.situation.verification);
  radios('token', state.situations.token, 'linked');
  radios('server', state.situations.server, state.situation.server);
  radios('deploy', state.situations.deploy, state.situation.deploy);
  radios('scenario', state.scenarios, 'single');
  $('#policy-note').textContent = 'The unlinking policy runs as deployed: a rejection that a fault of ours could produce is held ' +
    '("try again later", the link kept) until the same token is rejected again ' + state.policy.confirmAfterSeconds + ' s later — ' +
    (state.policy.deployedConfirmAfterSeconds / 3600) + ' h in a deployed skill. Each skill keeps one ledger, shared by all its containers.';
  const skills = $('#skills');
  for (const [skill, definition] of Object.entries(state.skills)) {
    const card = el('section', { class: 'skill', id: 'skill-' + skill }, el('h3', {}, definition.name), el('p', {}, 'a ' + definition.family));
    for (const [request, { label }] of Object.entries(definition.requests)) {
      const button = el('button', { type: 'button', 'data-skill': skill, 'data-request': request }, label);
      button.addEventListener('click', () => send(skill, request, definition.name + ' · ' + label));
      card.append(button);
    }
    skills.append(card);
  }
  showLinked(state.linked);
  document.body.dataset.ready = 'true';
}

async function send(skill, request, title) {
  const buttons = document.querySelectorAll('#skills button');
  buttons.forEach((button) => (button.disabled = true));
  const chosen = situation();
  const scenario = document.querySelector('input[name=scenario]:checked').value;
  $('#status').textContent = scenario === 'single'
    ? 'Sending ' + title + (chosen.server === 'hang' ? ' (a hanging server takes the verifier\\'s 3 s timeout)' : '') + '…'
    : 'Running the demonstration on ' + title + ' (it waits the ' + state.policy.confirmAfterSeconds + ' s confirmation delay)…';
  try {
    const response = await fetch(scenario === 'single' ? '/console/send' : '/console/scenario', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ skill, request, scenario, situation: chosen }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.status);
    if (scenario === 'single') {
      show(answer, title);
    } else {
      show(answer.exchange, title);
      showDemo(answer);
    }
    $('#status').textContent = '';
  } catch (error) {
    $('#status').textContent = 'The sandbox failed: ' + error.message;
  } finally {
    buttons.forEach((button) => (button.disabled = false));
    showLinked((await (await fetch('/console/state')).json()).linked);
  }
}

/** A reply's badge, as the sandbox words it (replies.ts, assessReply): unlinks, not linked, devices vanish, held, could not decide, refused, link kept. */
function badge(reply) {
  return el('span', { class: 'badge ' + reply.claim, 'data-claim': reply.claim }, reply.badge);
}

/** 1 request, 2 requests. */
function plural(count, singular, many) {
  return count + ' ' + (count === 1 ? singular : many || singular + 's');
}

/** A demonstration's story, in plain words, above the request it shows in full. */
function showDemo(demo) {
  $('#result').dataset.scenario = demo.scenario;
  $('#story-title').textContent = demo.title;
  $('#story-lines').replaceChildren(...demo.story.map((line) => el('li', {}, line)));
  $('#story-steps').replaceChildren(...demo.steps.map((step) => el('li', { 'data-label': step.label, 'data-user': step.user, 'data-unlinks': String(step.unlinks), 'data-claim': step.claim, 'data-held': (step.decision && step.decision.held) || '' },
    badge(step), step.label + ' · ' + step.user + ' (' + step.tokenFingerprint + '): ' + step.summary,
    el('span', { class: 'muted' }, step.decisionText))));
  $('#story').hidden = false;
  // The demonstration redeployed the skills: the switches say how they are deployed now.
  const verification = document.getElementById('verification-' + demo.exchange.situation.verification);
  if (verification) verification.checked = true;
  document.getElementById('deploy-correct').checked = true;
  document.getElementById('server-up').checked = true;
}

function show(exchange, title) {
  const result = $('#result');
  result.hidden = false;
  result.dataset.scenario = 'single';
  $('#story').hidden = true;
  result.dataset.kind = exchange.kind;
  result.dataset.claim = exchange.claim;
  result.dataset.unlinks = String(exchange.unlinks);
  result.dataset.skill = exchange.skill;
  result.dataset.request = exchange.request;
  $('#result-title').textContent = title;
  $('#result-situation').textContent = [
    exchange.deployment,
    'the request carries ' + state.situations.token[exchange.situation.token],
    'the server is ' + state.situations.server[exchange.situation.server],
  ].join(' · ');
  const summary = $('#summary');
  summary.replaceChildren(badge(exchange), exchange.summary);
  result.dataset.held = (exchange.decision && exchange.decision.held) || '';
  $('#decision').textContent = 'The gate: ' + exchange.decisionText;
  $('#why').textContent = exchange.why;
  $('#fingerprint').textContent = exchange.tokenFingerprint
    ? (exchange.user + '\\'s token, SHA-256 fingerprint ' + exchange.tokenFingerprint)
    : 'no token in the request';
  const crowd = $('#crowd');
  crowd.replaceChildren();
  if (exchange.fleet) {
    // A bad deploy: every user it reached, counted as npm start counts them; then the others, one each.
    crowd.append(el('h4', { id: 'fleet' }, 'This deploy, every user it reached (' + exchange.user + ' and ' + plural(exchange.crowd.length, 'other') + '): ' + exchange.fleet.text));
  }
  if (exchange.crowd.length) {
    const unlinked = exchange.crowd.filter((other) => other.unlinks).length;
    const holds = {};
    for (const other of exchange.crowd) if (other.held) holds[other.held] = (holds[other.held] || 0) + 1;
    const held = Object.entries(holds).map(([hold, count]) => count + ' held: ' + hold);
    crowd.append(el('h4', { id: 'crowd-heading' }, (exchange.crowdLabel || 'The other users of this deploy, sent before ' + exchange.user + '\\'s request') + ': ' +
      plural(exchange.crowd.length, 'request') + ', ' + unlinked + ' unlinked, ' + (held.length ? held.join(', ') : 'none held by the unlinking policy')));
    const list = el('ul', { id: 'crowd-list' });
    for (const other of exchange.crowd) {
      list.append(el('li', { 'data-user': other.user, 'data-unlinks': String(other.unlinks), 'data-claim': other.claim, 'data-held': other.held || '' },
        badge(other), other.user + ' (' + other.tokenFingerprint + '): ' + other.summary));
    }
    crowd.append(list);
  }
  // The ERROR lines an operator would be paged with, from this request or the other users' before it.
  const errors = [...exchange.crowdLog, ...exchange.log].map((line) => { try { return JSON.parse(line); } catch { return undefined; } })
    .filter((entry) => entry && entry.level === 'ERROR').map((entry) => entry.message);
  $('#alarm').hidden = errors.length === 0;
  $('#alarm').textContent = errors.length ? 'ERROR logged for the operator: ' + [...new Set(errors)].join(' · ') : '';
  const steps = $('#steps');
  steps.replaceChildren(...exchange.steps.map((step) => el('li', {}, step)));
  $('#steps-block').hidden = exchange.steps.length === 0;
  const earlier = exchange.earlierLabel || 'the other users\\' requests before';
  const before = (lines) => lines.length ? ['# ' + earlier + ' (' + plural(lines.length, 'line') + ')', ...lines.map(pretty), '# ' + (exchange.user || 'this') + '\\'s request'] : [];
  const log = [...before(exchange.crowdLog), ...exchange.log.map(pretty)];
  const metrics = [...before(exchange.crowdMetrics), ...exchange.metrics.map(pretty)];
  $('#log').textContent = log.length ? log.join('\\n') : '(no log line)';
  $('#metrics').textContent = metrics.length ? metrics.join('\\n') : '(no metric line)';
  $('#reply-json').textContent = JSON.stringify(exchange.reply, null, 2);
  $('#request-json').textContent = JSON.stringify(exchange.requestJson, null, 2);
  result.scrollIntoView({ block: 'nearest' });
}

function pretty(line) {
  try { return JSON.stringify(JSON.parse(line), null, 1); } catch { return line; }
}

load();
`;

/** The console page, whole. */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Account-linking sandbox — console</title>
<style>${STYLE}</style></head>
<body>
<header>
  <h1>Account-linking sandbox — what Alexa receives</h1>
  <p id="linked-user">Loading…</p>
  <p><a href="/">Link another account in the browser</a></p>
</header>
<main>
  <h2>The situation</h2>
  <div class="grid" id="situations">
    <fieldset id="situation-verification"><legend>The skills verify</legend></fieldset>
    <fieldset id="situation-token"><legend>The request carries</legend></fieldset>
    <fieldset id="situation-server"><legend>The authorization server is</legend></fieldset>
    <fieldset id="situation-deploy"><legend>The skills are deployed with</legend></fieldset>
    <fieldset id="situation-scenario"><legend>The buttons send</legend></fieldset>
  </div>
  <p id="policy-note" class="policy-note"></p>
  <h2>Send a request, as Alexa would</h2>
  <div class="grid" id="skills"></div>
  <p id="status" class="muted" role="status"></p>
  <section id="result" hidden aria-live="polite">
    <h2 id="result-title"></h2>
    <p id="result-situation" class="muted"></p>
    <section id="story" hidden>
      <h3 id="story-title"></h3>
      <ol id="story-lines"></ol>
      <h4>Each request, and what the unlinking policy made of it</h4>
      <ul id="story-steps"></ul>
    </section>
    <div id="summary"></div>
    <p id="decision"></p>
    <p id="why"></p>
    <p id="alarm" hidden></p>
    <div id="crowd"></div>
    <div class="cols">
      <div>
        <h4>The reply Alexa receives</h4>
        <pre id="reply-json"></pre>
        <details><summary>The request Alexa sent</summary><pre id="request-json"></pre></details>
      </div>
      <div>
        <h4>Decision log</h4>
        <p id="fingerprint" class="muted"></p>
        <pre id="log"></pre>
        <h4>Metrics</h4>
        <pre id="metrics"></pre>
        <div id="steps-block"><h4>What the sandbox did</h4><ul id="steps"></ul></div>
      </div>
    </div>
  </section>
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
