'use strict';
// Proxy mode (kairos lsp -- CMD) with the fake child of the tests
// (tests/tools/fake_lsp.c): what passes through unchanged, what is
// merged, id remapping, cancellation, and a child that crashes, hangs or
// sends garbage.
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('./harness');
const { client, raw, tmpdir, env } = require('./lib');

const B = process.env.B || path.resolve(__dirname, '../../build');
const FAKE = path.join(B, 'tests/fake_lsp');
const uri = 'file:///tmp/kairos-proxy-test/a.c';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function proxy(fakeArgs = [], opts = {}) {
  return client(Object.assign({ args: ['lsp', '--', FAKE, ...fakeArgs] }, opts));
}
function open(c, text, u = uri) {
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: u, languageId: 'c', version: 1, text } });
}
async function err(p) {
  try { await p; } catch (e) { return e; }
  return null;
}
function logOf(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}
async function until(pred, ms = 8000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await pred()) return; await sleep(20); }
  throw new Error(`${what} not met within ${ms} ms`);
}

test('initialize: capabilities united, the child\'s encoding and sync, kairos\'s commands and serverInfo', async () => {
  const alone = client();
  const k = await alone.initialize({ capabilities: { general: { positionEncodings: ['utf-8', 'utf-32'] } } });
  await alone.stop();
  const c = proxy(['--encoding', 'utf-32']);
  const r = await c.initialize({ capabilities: { general: { positionEncodings: ['utf-8', 'utf-32'] } } });
  const caps = r.capabilities;
  eq(caps.positionEncoding, 'utf-32', 'the child\'s encoding');
  eq(caps.textDocumentSync, { openClose: true, change: 1 }, 'the child\'s sync');
  eq(caps.hoverProvider, true, 'child capability kept');
  eq(caps.experimental, { fake: true }, 'child experimental kept');
  assert(caps.executeCommandProvider.commands.includes('fake.apply'), 'child command kept');
  for (const cmd of ((k.capabilities.executeCommandProvider || {}).commands || []))
    assert(caps.executeCommandProvider.commands.includes(cmd), `kairos command ${cmd} added`);
  for (const key of Object.keys(k.capabilities))
    assert(key in caps, `kairos capability ${key} present`);
  eq(caps.codeActionProvider.resolveProvider, true);
  assert(caps.codeActionProvider.codeActionKinds.includes('refactor.extract'), 'child kinds kept');
  for (const kind of ((k.capabilities.codeActionProvider || {}).codeActionKinds || []))
    assert(caps.codeActionProvider.codeActionKinds.includes(kind), `kairos kind ${kind}`);
  eq(r.serverInfo.name, 'kairos');
  // kairos counts positions in the child's encoding now: 😀 is 1 unit in utf-32
  open(c, 'x😀y\n');
  const st = await c.conn.sendRequest('kairos/documentState', { textDocument: { uri }, position: { line: 0, character: 2 } });
  eq(st.position.byte, 5, 'utf-32 column 2 is byte 5');
  eq((await c.stop()).code, 0);
});

test('requests kairos does not know reach the child unchanged and come back byte for byte', async () => {
  const dir = tmpdir();
  const log = path.join(dir, 'log');
  const r = raw({ args: ['lsp', '--', FAKE, '--log', log] });
  let text = '';
  r.proc.stdout.on('data', (d) => { text += d.toString('utf8'); });
  r.send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  await r.reply(0);
  r.send({ jsonrpc: '2.0', method: 'initialized', params: {} });
  const odd = '{"jsonrpc":"2.0", "id" : "ed-7","method":"fake/echo","params":{"a" :  "\\u00e9\\n", "b":[1, 2.50]}}';
  r.send(odd);
  const rep = await r.reply('ed-7');
  eq(rep.result, { a: 'é\n', b: [1, 2.5] });
  assert(text.includes('"id":"ed-7","result":{"a" :  "\\u00e9\\n", "b":[1, 2.50]}}'), `reply passed unchanged: ${text.slice(-200)}`);
  assert(logOf(log).includes(odd), 'request reached the child byte for byte');
  r.send({ jsonrpc: '2.0', id: 9, method: 'textDocument/hover', params: { textDocument: { uri }, position: { line: 3, character: 4 } } });
  eq((await r.reply(9)).result.contents.value, 'fake hover 3:4');
  r.send({ jsonrpc: '2.0', id: 10, method: 'shutdown' });
  await r.reply(10);
  r.send({ jsonrpc: '2.0', method: 'exit' });
  eq((await r.proc.exited).code, 0);
  await until(() => logOf(log).some((l) => l.includes('"exit"')), 2000, 'exit reached the child');
  assert(logOf(log).some((l) => l.includes('"shutdown"')), 'shutdown reached the child');
});

test('hover, completion and executeCommand of the child pass through', async () => {
  const c = proxy();
  await c.initialize();
  open(c, 'int x;\n');
  eq(await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }),
    { contents: { kind: 'plaintext', value: 'fake hover 0:1' } });
  eq((await c.conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 1 } })).items[0].label, 'fakeItem');
  eq(await c.conn.sendRequest('workspace/executeCommand', { command: 'fake.apply', arguments: [] }), { executed: 'fake.apply' });
  const e = await err(c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.noSuchCommand', arguments: [] }));
  assert(e && e.code !== undefined, 'a kairos.* command is kairos\'s, not the child\'s');
  await c.stop();
});

test('server-to-client requests of the child get remapped ids; the replies reach it with its own ids', async () => {
  const seen = [];
  const c = proxy([], {
    onRequest: (method, params) => {
      seen.push(method);
      return method === 'workspace/configuration' ? [{ answer: 42 }] : null;
    },
  });
  await c.initialize();
  const rawIds = [];
  c.proc.stdout.on('data', (d) => { for (const m of d.toString().matchAll(/"id":("[^"]*"|\d+),"method":"(workspace\/configuration|window\/workDoneProgress\/create)"/g)) rawIds.push(m[1]); });
  const replies = await c.conn.sendRequest('fake/ask', {});
  eq(seen.sort(), ['window/workDoneProgress/create', 'workspace/configuration']);
  assert(rawIds.length === 2 && rawIds.every((i) => /^"c:\d+"$/.test(i)), `ids remapped: ${rawIds}`);
  const byId = Object.fromEntries(replies.map((r) => [JSON.stringify(r.id), r.result]));
  eq(byId['1'], [{ answer: 42 }], 'configuration reply came back with id 1');
  eq(byId['"w1"'], null, 'progress reply came back with id "w1"');
  await c.stop();
});

test('code actions: the child\'s first, then kairos\'s; resolve goes back to the child with its data', async () => {
  const params = { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } }, context: { diagnostics: [] } };
  const alone = client();
  await alone.initialize();
  open(alone, 'int x;\n');
  let mine = null;
  try { mine = await alone.conn.sendRequest('textDocument/codeAction', params); } catch (e) { mine = null; }
  await alone.stop();
  const c = proxy();
  await c.initialize();
  open(c, 'int x;\n');
  const acts = await c.conn.sendRequest('textDocument/codeAction', params);
  eq(acts[0].title, 'fake fix');
  eq(acts[1].title, 'fake command');
  eq(acts.slice(2).map((a) => a.title), (mine || []).map((a) => a.title), 'kairos\'s actions after the child\'s');
  const res = await c.conn.sendRequest('codeAction/resolve', acts[0]);
  eq(res.edit, { changes: {} }, 'resolved by the child');
  eq(res.data, { n: 1 }, 'the child saw its own data');
  await c.stop();
});

test('pull diagnostics: items of both sides in one full report', async () => {
  const params = { textDocument: { uri } };
  const alone = client();
  await alone.initialize({ capabilities: { textDocument: { diagnostic: {} } } });
  open(alone, 'int x;\n');
  let mine = null;
  try { mine = await alone.conn.sendRequest('textDocument/diagnostic', params); } catch (e) { mine = null; }
  await alone.stop();
  const c = proxy();
  await c.initialize({ capabilities: { textDocument: { diagnostic: {} } } });
  open(c, 'int x;\n');
  const rep = await c.conn.sendRequest('textDocument/diagnostic', params);
  eq(rep.kind, 'full');
  eq(rep.items[0].message, 'pulled', 'the child\'s item first');
  eq(rep.items.length, 1 + ((mine && mine.items) || []).length, 'then kairos\'s');
  assert(!('resultId' in rep), 'no resultId: the editor never asks for unchanged');
  await c.stop();
});

test('publishDiagnostics of the child reach the editor; $/cancelRequest reaches the child', async () => {
  const c = proxy();
  await c.initialize();
  open(c, 'ok\nERR foo\n');
  const d = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 1);
  eq(d.diagnostics[0].message, "use of undeclared identifier 'foo'");
  eq(d.diagnostics[0].range.start, { line: 1, character: 0 });
  const rpc = require('vscode-jsonrpc/node');
  const src = new rpc.CancellationTokenSource();
  const t0 = Date.now();
  const p = c.conn.sendRequest('fake/slow', {}, src.token);
  await sleep(100);
  src.cancel();
  const e = await err(p);
  assert(e && Date.now() - t0 < 2500, 'cancelled before the child\'s 3 s');
  await c.stop();
});

test('a crashed child: showMessage, restart, documents re-opened, diagnostics back', async () => {
  const c = proxy(['--crash-on', 'fake/crash']);
  await c.initialize();
  open(c, 'ERR one\n');
  await c.waitFor('textDocument/publishDiagnostics', (p) => p.diagnostics.length === 1);
  const e = await err(c.conn.sendRequest('fake/crash', {}));
  assert(e && (e.code === -32801 || e.code === -32603), `the request in flight gets an error, got ${e && e.code}`);
  const m = await c.waitFor('window/showMessage', (p) => /restart/.test(p.message));
  assert(/fake_lsp/.test(m.message), 'names the server');
  // changed while the child is down: the restarted child gets the new text
  c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'ERR one\nERR two\n' }] });
  const st = await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } });
  eq(st.version, 2, 'kairos serves its own requests meanwhile');
  await c.waitFor('textDocument/publishDiagnostics', (p) => p.diagnostics.length === 2);
  eq(await c.conn.sendRequest('fake/docs', {}), [uri], 'document re-opened in the new child');
  eq((await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })).contents.value, 'fake hover 0:0');
  eq((await c.stop()).code, 0);
});

test('a child that keeps crashing: kairos gives up, says so, and goes on serving', async () => {
  const c = proxy(['--crash-after', '3']);
  await c.initialize();
  open(c, 'int x;\n');
  const m = await c.waitFor('window/showMessage', (p) => /stopped restarting/.test(p.message), 15000);
  eq(m.type, 1, 'an error message');
  const e = await err(c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }));
  eq(e && e.code, -32603, 'requests for the child are refused, not left unanswered');
  const st = await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } });
  eq(st.text, 'int x;\n');
  eq((await c.stop()).code, 0);
}, { timeout: 30000 });

test('a hung child: kairos still answers its own requests, merged ones in time', async () => {
  const c = proxy(['--hang-on', 'fake/hang']);
  await c.initialize();
  open(c, 'x\n');
  c.conn.sendRequest('fake/hang', {}).catch(() => {});
  // far more than a pipe holds: writes to the child must never block kairos
  const big = 'y'.repeat(200000);
  for (let v = 2; v < 30; v++)
    c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: `${big}${v}\n` }] });
  const t0 = Date.now();
  const st = await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } });
  eq(st.version, 29);
  assert(Date.now() - t0 < 3000, 'answered promptly');
  const t1 = Date.now();
  await err(c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } }));
  assert(Date.now() - t1 < 8000, 'a merged request is answered without the child');
  c.proc.kill('SIGKILL');
}, { timeout: 30000 });

test('garbage from the child: dropped, kairos and the child keep serving', async () => {
  const c = proxy(['--garbage-on', 'fake/echo']);
  await c.initialize();
  open(c, 'x\n');
  eq(await c.conn.sendRequest('fake/echo', { v: 1 }), { v: 1 });
  eq((await c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } })).contents.value, 'fake hover 0:0');
  eq((await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } })).text, 'x\n');
  assert(/fake_lsp/.test(c.proc.stderrText), 'the garbage is reported on stderr');
  eq((await c.stop()).code, 0);
});

test('a child that cannot be started: kairos says so and serves alone', async () => {
  const c = client({ args: ['lsp', '--', '/nonexistent/language-server'] });
  const r = await c.initialize();
  eq(r.serverInfo.name, 'kairos');
  const m = await c.waitFor('window/showMessage', (p) => /cannot run/.test(p.message));
  eq(m.type, 1);
  const e = await err(c.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }));
  eq(e && e.code, -32603);
  open(c, 'z\n');
  eq((await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } })).text, 'z\n');
  eq((await c.stop()).code, 0);
});

test('recurring compiler errors of one kind are journalled', async () => {
  const home = tmpdir();
  const store = path.join(home, 'store');
  fs.mkdirSync(store);
  const c = proxy([], { env: env() });
  await c.initialize({ initializationOptions: { memoryDir: store } });
  open(c, 'ERR alpha\n');
  let v = 1;
  const edit = async (text, n) => {
    c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++v }, contentChanges: [{ text }] });
    await c.waitFor('textDocument/publishDiagnostics', (p) => p.version === v && p.diagnostics.length === n);
  };
  await edit('ERR alpha\nok\n', 1); // the same error again: not a new one
  const journal = path.join(store, 'journal.jsonl');
  assert(!fs.existsSync(journal), 'one error is not a habit');
  await edit('ok\n', 0);
  await edit('ERR beta\n', 1);
  await edit('ok\n', 0);
  await edit('ERR gamma\nERR delta\n', 2);
  const lines = fs.readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  eq(lines.length, 1, 'journalled once, on the third appearance');
  eq(lines[0].kind, 'compiler_error');
  eq(lines[0].code, 'fake_err');
  eq(lines[0].shape, "use of undeclared identifier '_'");
  eq(lines[0].source, 'fake');
  eq(lines[0].count, 3);
  assert(typeof lines[0].ts === 'string', 'timestamped');
  await c.stop();
});

run();
