'use strict';
// The memory commands through a real client: remember, memories, forget,
// undo, "Remember this…" on a selection, invalid memory files reported.
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('./harness');
const { client, env } = require('./lib');
const { workspace } = require('./fixtures');

const R = (l1, c1, l2, c2) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
const exec = (c, command, arg) => c.conn.sendRequest('workspace/executeCommand', { command, arguments: arg === undefined ? [] : [arg] });

async function start(ws, e) {
  const c = client({ cwd: ws, env: e || env() });
  await c.initialize({ rootUri: 'file://' + ws, capabilities: {}, initializationOptions: { tick: { minInactivityMs: 100 }, dream: { idleMs: 0 } } });
  return c;
}

test('remember, list, forget (archived, never deleted), undo', async () => {
  const ws = workspace({ 'a.c': 'int x;\n' }, []);
  const c = await start(ws);
  const r = await exec(c, 'kairos.remember', { text: 'Prefer early returns over nested ifs.\n\n**Why:** easier to review.' });
  assert(/^prefer-early-returns/.test(r.name), `derived name ${r.name}`);
  assert(r.uri.startsWith('file://'), 'uri');
  const file = decodeURIComponent(r.uri.slice(7));
  const text = fs.readFileSync(file, 'utf8');
  assert(/^description: Prefer early returns over nested ifs\.$/m.test(text), 'description from the first line');
  let list = await exec(c, 'kairos.memories');
  const mine = list.find((m) => m.name === r.name);
  eq(mine && [mine.type, mine.store], ['feedback', 'personal']);
  const idx = fs.readFileSync(path.join(path.dirname(file), 'MEMORY.md'), 'utf8');
  assert(idx.includes(`(${r.name}.md)`), 'index rebuilt');
  eq(await exec(c, 'kairos.forget', { name: r.name }), { archived: true });
  assert(!fs.existsSync(file), 'gone from the active set');
  assert(fs.existsSync(path.join(path.dirname(file), 'archive', `${r.name}.md`)), 'archived');
  list = await exec(c, 'kairos.memories');
  assert(!list.some((m) => m.name === r.name), 'not listed');
  const u = await exec(c, 'kairos.undo');
  assert(/^[0-9a-f]{40}$/.test(u.reverted), 'a commit id');
  eq(fs.readFileSync(file, 'utf8'), text, 'undo restored the memory byte for byte');
  let err = null;
  try { await exec(c, 'kairos.forget', { name: 'no-such-memory' }); } catch (e) { err = e; }
  assert(err && err.code < 0, 'forgetting an unknown name is an error');
  await c.stop();
});

test('remember with name, type, store team and a rule; the rule fires', async () => {
  const ws = workspace({ 'b.c': 'x = gets(buf);\n' }, []);
  const c = await start(ws);
  const r = await exec(c, 'kairos.remember', { text: 'Never use gets', name: 'No Gets!', type: 'feedback', store: 'team', rule: { literal: 'gets(', message: 'gets is unsafe', severity: 'error' } });
  eq(r.name, 'no-gets');
  assert(fs.existsSync(path.join(ws, '.kairos/memory/no-gets.md')), 'in the team store');
  const uri = 'file://' + path.join(ws, 'b.c');
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: 'x = gets(buf);\n' } });
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 1);
  eq([p.diagnostics[0].severity, p.diagnostics[0].code, p.diagnostics[0].range], [1, 'no-gets', R(0, 4, 0, 9)]);
  let err = null;
  try { await exec(c, 'kairos.remember', { text: 'x', name: '../../etc/passwd' }); } catch (e) { err = e; }
  assert(err, 'path traversal in a name is refused');
  await c.stop();
});

test('"Remember this…" on a selection makes a project memory whose refs name the file', async () => {
  const text = 'int main(void)\n{\n\treturn parse_args();\n}\n';
  const ws = workspace({ 'src/main.c': text }, []);
  const c = await start(ws);
  const uri = 'file://' + path.join(ws, 'src/main.c');
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const actions = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: R(2, 8, 2, 20), context: { diagnostics: [] } });
  const rem = actions.find((a) => a.command && a.command.command === 'kairos.remember');
  assert(rem, 'offered on a non-empty selection');
  eq(rem.command.arguments[0].text, 'parse_args()');
  const empty = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: R(2, 8, 2, 8), context: { diagnostics: [] } });
  assert(!empty.some((a) => a.command && a.command.command === 'kairos.remember'), 'not on an empty selection');
  const r = await c.conn.sendRequest('workspace/executeCommand', rem.command);
  const body = fs.readFileSync(decodeURIComponent(r.uri.slice(7)), 'utf8');
  assert(/^type: project$/m.test(body), 'a project memory');
  assert(/refs:.*src\/main\.c/.test(body.replace(/\n\s*-\s*/g, ' ')), 'refs name the file');
  await c.stop();
});

test('an invalid memory file is reported, never changed, and shown on the file when open', async () => {
  const ws = workspace({}, []);
  const bad = path.join(ws, '.kairos/memory/broken.md');
  const content = '---\nname: broken\ndescription: [unclosed\n---\nbody\n';
  fs.writeFileSync(bad, content);
  const c = await start(ws);
  const log = await c.waitFor('window/logMessage', (p) => p.message.includes('broken.md'));
  assert(/invalid memory/.test(log.message), 'logged');
  const uri = 'file://' + bad;
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text: content } });
  await exec(c, 'kairos.tick');
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
  eq(p.diagnostics[0].code, 'invalid-memory');
  eq(fs.readFileSync(bad, 'utf8'), content, 'untouched');
  await c.stop();
});

run();
