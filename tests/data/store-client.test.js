'use strict';
// The store through a real client (vscode-jsonrpc, tests/client/lib.js),
// run by tests/suites/30-store.sh: kairos.restore, a name holding
// "\u0000", a foreign MEMORY.md kept by a remember, and a cloned
// repository whose team journal.jsonl links to a file outside it.
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('../client/harness');
const { client, env, tmpdir } = require('../client/lib');

const exec = (c, command, arg) => c.conn.sendRequest('workspace/executeCommand', { command, arguments: arg === undefined ? [] : [arg] });
const failsWith = async (p) => { try { await p; } catch (e) { return e; } throw new Error('expected an error'); };

async function start(ws, opts = {}) {
  const c = client({ cwd: ws, env: env() });
  await c.initialize({ rootUri: 'file://' + ws, capabilities: {}, initializationOptions: Object.assign({ tick: { minInactivityMs: 50 }, dream: { idleMs: 0 } }, opts) });
  return c;
}

test('kairos.restore brings back an archived memory as one commit', async () => {
  const ws = tmpdir(), mem = path.join(ws, 'mem');
  const c = await start(ws, { memoryDir: mem });
  const r = await exec(c, 'kairos.remember', { text: 'Prefer early returns', name: 'early' });
  eq(await exec(c, 'kairos.forget', { name: r.name }), { archived: true });
  const back = await exec(c, 'kairos.restore', { name: 'early' });
  eq([back.name, back.uri], ['early', 'file://' + path.join(mem, 'early.md')]);
  const text = fs.readFileSync(path.join(mem, 'early.md'), 'utf8');
  assert(!/^archived_|^superseded_by/m.test(text), 'no archive fields left');
  assert((await exec(c, 'kairos.memories')).some((m) => m.name === 'early'), 'listed again');
  const again = await failsWith(exec(c, 'kairos.restore', { name: 'early' }));
  eq(again.code, -32602, 'an active memory of that name: invalid params');
  assert(/already/.test(again.message), again.message);
  eq((await failsWith(exec(c, 'kairos.restore', { name: 'never-was' }))).code, -32602);
  eq((await failsWith(exec(c, 'kairos.restore', {}))).code, -32602);
  await c.stop();
});

test('a restore name holding \\u0000 is refused, never cut at the NUL', async () => {
  const ws = tmpdir(), mem = path.join(ws, 'mem');
  const c = await start(ws, { memoryDir: mem });
  await exec(c, 'kairos.remember', { text: 'A memory called a', name: 'a' });
  await exec(c, 'kairos.forget', { name: 'a' });
  const e = await failsWith(exec(c, 'kairos.restore', { name: 'a\u0000b' }));
  eq(e.code, -32602);
  assert(/NUL/.test(e.message), e.message);
  assert(!fs.existsSync(path.join(mem, 'a.md')), 'a was not restored');
  await c.stop();
});

test('a remember into a store with a foreign MEMORY.md keeps its lines', async () => {
  const ws = tmpdir(), mem = path.join(ws, 'mem');
  fs.mkdirSync(mem);
  const foreign = '# Index\n\n- Only written here: deploy on Tuesdays\n';
  fs.writeFileSync(path.join(mem, 'MEMORY.md'), foreign);
  const c = await start(ws, { memoryDir: mem });
  const r = await exec(c, 'kairos.remember', { text: 'Run the linter first' });
  const idx = fs.readFileSync(path.join(mem, 'MEMORY.md'), 'utf8');
  assert(idx.includes(`(${r.name}.md)`), 'the new memory is listed');
  assert(idx.includes('\n## Notes\n# Index\n\n- Only written here: deploy on Tuesdays\n'), idx);
  await exec(c, 'kairos.undo');
  eq(fs.readFileSync(path.join(mem, 'MEMORY.md'), 'utf8'), foreign, 'undo: byte for byte');
  await c.stop();
});

test('a team journal.jsonl linking outside the repository is never written', async () => {
  const ws = tmpdir(), team = path.join(ws, '.kairos', 'memory'), outside = path.join(tmpdir(), 'bashrc');
  fs.mkdirSync(team, { recursive: true });
  fs.writeFileSync(outside, '# my shell\n');
  fs.symlinkSync(outside, path.join(team, 'journal.jsonl'));
  fs.writeFileSync(path.join(team, 'no-todo.md'), '---\nname: no-todo\ndescription: No TODO in code\ntype: feedback\nrule:\n  literal: "TODO"\n---\nNo TODO.\n');
  fs.writeFileSync(path.join(ws, 'a.c'), 'int x; // TODO\n');
  const c = await start(ws);
  const uri = 'file://' + path.join(ws, 'a.c');
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: 'int x; // TODO\n' } });
  await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length > 0);
  await exec(c, 'kairos.tick');
  eq(fs.readFileSync(outside, 'utf8'), '# my shell\n', 'the link target is untouched');
  assert(fs.lstatSync(path.join(team, 'journal.jsonl')).isSymbolicLink(), 'the link is left as it is');
  await c.stop();
});

run();
