'use strict';
// The tick through a real client: rule memories become diagnostics on the
// exact ranges of the negotiated encoding, quick fixes edit correctly,
// rejections stick, proactive:false only answers pulls, and nothing is
// published during a burst of typing.
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('./harness');
const { client, env } = require('./lib');
const { workspace, noStrcpy, trust } = require('./fixtures');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const R = (l1, c1, l2, c2) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

async function start(ws, { opts = {}, caps = {}, env: e } = {}) {
  const c = client({ cwd: ws, env: e || env() });
  const init = await c.initialize({
    rootUri: 'file://' + ws,
    capabilities: caps,
    initializationOptions: Object.assign({ tick: { minInactivityMs: 150 }, dream: { idleMs: 0 } }, opts),
  });
  return { c, init };
}
function open(c, uri, text, version = 1) {
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
}
const kairosOnly = (p) => p.diagnostics.filter((d) => d.source === 'kairos');

test('a rule memory gives exactly the expected diagnostics on UTF-16 ranges', async () => {
  const text = 'int f(char *a, char *b) {\n\t/* 😀 日本 */ strcpy(a, b); strcpy(b, a);\n\treturn 0;\n}\n';
  const ws = workspace({ 'src/a.c': text });
  const { c, init } = await start(ws);
  assert(init.capabilities.codeActionProvider, 'code actions advertised');
  assert(init.capabilities.executeCommandProvider.commands.includes('kairos.feedback'), 'commands advertised');
  eq(init.capabilities.diagnosticProvider, { interFileDependencies: false, workspaceDiagnostics: false });
  const uri = 'file://' + path.join(ws, 'src/a.c');
  open(c, uri, text);
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
  const d = kairosOnly(p);
  eq(d.length, 2, 'two matches');
  // "\t/* 😀 日本 */ " is 1+3+2+1+2+4 = 13 UTF-16 units
  eq(d[0].range, R(1, 13, 1, 20));
  eq(d[1].range, R(1, 27, 1, 34));
  eq(d[0].severity, 2);
  eq(d[0].code, 'no-strcpy');
  eq(d[0].message, noStrcpy.rule.message);
  assert(d[0].codeDescription.href.startsWith('file://') && d[0].codeDescription.href.endsWith('/.kairos/memory/no-strcpy.md'), 'href to the memory file');
  eq(d[0].data.memory, 'no-strcpy');
  eq(d[0].data.store, 'team');
  assert(typeof d[0].data.id === 'string' && d[0].data.id !== d[1].data.id, 'distinct ids');
  await c.stop();
});

test('utf-8 positions when negotiated', async () => {
  const text = 'é😀 strcpy(x, y);\n';
  const ws = workspace({ 'a.c': text });
  const { c } = await start(ws, { caps: { general: { positionEncodings: ['utf-8'] } } });
  const uri = 'file://' + path.join(ws, 'a.c');
  open(c, uri, text);
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
  eq(kairosOnly(p)[0].range, R(0, 7, 0, 14));
  await c.stop();
});

test('the quick fix edits correctly and reports the acceptance; reject suppresses for good', async () => {
  const text = 'void g(void) {\n    strcpy(dst, src);\n    strcpy(a, b);\n}\n';
  const ws = workspace({ 'g.c': text });
  const home = env();
  trust(ws, home); // a team memory offers its fix once the workspace is trusted (protocol.md, Workspace trust)
  const { c } = await start(ws, { env: home });
  const uri = 'file://' + path.join(ws, 'g.c');
  open(c, uri, text);
  let p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 2);
  const [d0, d1] = kairosOnly(p);
  const actions = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d0.range, context: { diagnostics: [d0] } });
  const fix = actions.find((a) => a.kind === 'quickfix' && a.edit);
  assert(fix, 'a quick fix with its edit (client does not resolve)');
  eq(fix.edit.changes[uri], [{ range: R(1, 4, 1, 11), newText: 'strlcpy(' }]);
  eq(fix.command.command, 'kairos.feedback');
  eq(fix.command.arguments[0].verdict, 'accept');
  const reject = actions.find((a) => a.command && a.command.arguments && a.command.arguments[0].verdict === 'reject');
  assert(reject, 'a "don\'t suggest this again" action');
  // accept the first one: apply the edit as an editor would
  c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ range: R(1, 4, 1, 11), text: 'strlcpy(' }] });
  await c.conn.sendRequest('workspace/executeCommand', fix.command);
  // reject the second one
  await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.feedback', arguments: [{ id: d1.data.id, verdict: 'reject' }] });
  p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && kairosOnly(p).every((d) => d.data.id !== d1.data.id));
  // retype the rejected line elsewhere: it does not come back
  c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: R(2, 0, 3, 0), text: '' }, { range: R(0, 0, 0, 0), text: '    strcpy(a, b);\n' }] });
  const after = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.tick' });
  eq(after.suggestions, 0, 'the rejected suggestion stays away after the line moved');
  await c.stop();
  // and after a restart
  const again = await start(ws, { env: home });
  open(again.c, uri, '    strcpy(a, b);\n');
  const r = await again.c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.tick' });
  eq(r.suggestions, 0, 'still rejected in a new session');
  await again.c.stop();
});

test('proactive:false publishes nothing, but pull returns the item', async () => {
  const text = 'strcpy(a, b);\n';
  const ws = workspace({ 'p.c': text });
  const { c } = await start(ws, { opts: { proactive: false } });
  const uri = 'file://' + path.join(ws, 'p.c');
  open(c, uri, text);
  await sleep(600);
  eq(c.notes.filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0, 'no push');
  const rep = await c.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  eq(rep.kind, 'full');
  eq(rep.items.length, 1);
  eq(rep.items[0].code, 'no-strcpy');
  const again = await c.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId: rep.resultId });
  eq(again.kind, 'unchanged', 'same result id when nothing changed');
  await c.stop();
});

test('a pull client gets no pushes but a refresh, and pull answers', async () => {
  const text = 'strcpy(a, b);\n';
  const ws = workspace({ 'q.c': text });
  const { c } = await start(ws, { caps: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: true } } } });
  const uri = 'file://' + path.join(ws, 'q.c');
  open(c, uri, text);
  await sleep(700);
  eq(c.notes.filter((n) => n.method === 'textDocument/publishDiagnostics').length, 0, 'no push to a pull client');
  assert(c.requests.some((r) => r.method === 'workspace/diagnostic/refresh'), 'refresh sent');
  const rep = await c.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  eq(rep.items.length, 1);
  await c.stop();
});

test('a typing burst of 500 changes 5 ms apart publishes nothing during the burst and once after', async () => {
  const ws = workspace({ 't.c': '\n' });
  const { c } = await start(ws, { opts: { tick: { minInactivityMs: 300 } } });
  const uri = 'file://' + path.join(ws, 't.c');
  open(c, uri, '\n');
  const burst = 'strcpy(a, b); ';
  await sleep(500); // the open's own tick
  const before = c.notes.filter((n) => n.method === 'textDocument/publishDiagnostics').length;
  const t0 = Date.now();
  for (let i = 0; i < 500; i++) {
    const ch = burst[i % burst.length];
    c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range: R(0, i, 0, i), text: ch }] });
    await sleep(5);
  }
  const tEnd = Date.now();
  const during = c.notes.filter((n) => n.method === 'textDocument/publishDiagnostics').length - before;
  eq(during, 0, `no publish during the ${tEnd - t0} ms burst`);
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0, 5000);
  eq(p.diagnostics.length, 20, 'the burst typed 35 strcpy( calls; one tick shows tick.maxSuggestionsPerTick of them');
  await sleep(500);
  eq(c.notes.filter((n) => n.method === 'textDocument/publishDiagnostics').length - before, 1, 'exactly one publish after the burst');
  await c.stop();
});

test('a memory edited by hand between two ticks is picked up without a restart', async () => {
  const text = 'strcpy(a, b); gets(buf);\n';
  const ws = workspace({ 'h.c': text });
  const { c } = await start(ws);
  const uri = 'file://' + path.join(ws, 'h.c');
  open(c, uri, text);
  await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 1);
  const { memoryFile } = require('./fixtures');
  fs.writeFileSync(path.join(ws, '.kairos/memory/no-gets.md'), memoryFile({ name: 'no-gets', description: 'Never use gets', rule: { literal: 'gets(', message: 'gets is unsafe' } }));
  const r = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.tick' });
  eq(r.suggestions, 2, 'the new memory applies at the next tick');
  await c.stop();
});

run();
