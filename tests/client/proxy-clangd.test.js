'use strict';
// Proxy mode in front of the real clangd: one connection delivers clangd's
// diagnostics, completion, hover and code actions beside kairos's, and a
// clangd killed during the session comes back with its diagnostics.
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const { test, run, assert, eq } = require('./harness');
const { client, tmpdir } = require('./lib');

const CLANGD = process.env.CLANGD || '/usr/bin/clangd';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SRC = [
  '#include <string.h>',
  'int main(void) {',
  '\tint n = strlen("x");',
  '\treturn undefined_thing + n;',
  '}',
  '',
].join('\n');

function workspace() {
  const dir = tmpdir('kairos-clangd-');
  fs.writeFileSync(path.join(dir, 'compile_flags.txt'), '-std=c11\n');
  fs.writeFileSync(path.join(dir, 'a.c'), SRC);
  return { dir, uri: `file://${dir}/a.c` };
}

function start(ws) {
  const c = client({ args: ['lsp', '--', CLANGD, '--log=error'], cwd: ws.dir, rootUri: `file://${ws.dir}` });
  return c;
}

// The clangd children of pid (kairos also starts short-lived children of
// its own, e.g. `kairos __cochange`).
function childPids(pid) {
  let all = [];
  try { all = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number); } catch (e) { return []; }
  return all.filter((c) => { try { return path.basename(fs.readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0')[0]).startsWith('clangd'); } catch (e) { return false; } });
}

const undeclared = (p) => p.diagnostics.some((d) => d.severity === 1 && /undefined_thing/.test(d.message));

if (!fs.existsSync(CLANGD)) {
  console.log('clangd is not installed: proxy-clangd tests not run');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

test('clangd through kairos: error diagnostics, completion, hover, code actions', async () => {
  const ws = workspace();
  const c = start(ws);
  const r = await c.initialize({ capabilities: { textDocument: { publishDiagnostics: {}, completion: { completionItem: { snippetSupport: false } } } } });
  assert(r.capabilities.completionProvider, 'clangd\'s completion advertised');
  assert(r.capabilities.hoverProvider, 'clangd\'s hover advertised');
  eq(r.serverInfo.name, 'kairos');
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ws.uri, languageId: 'c', version: 1, text: SRC } });
  const d = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === ws.uri && undeclared(p), 20000);
  const err = d.diagnostics.find((x) => /undefined_thing/.test(x.message));
  eq(err.range.start.line, 3);
  const comp = await c.conn.sendRequest('textDocument/completion', { textDocument: { uri: ws.uri }, position: { line: 2, character: 13 } });
  const items = Array.isArray(comp) ? comp : comp.items;
  assert(items.some((i) => /strlen/.test(i.label) || /strlen/.test(i.filterText || '')), 'strlen offered');
  const hover = await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: ws.uri }, position: { line: 2, character: 11 } });
  assert(hover && /strlen/.test(JSON.stringify(hover.contents)), 'hover names strlen');
  // a missing semicolon: clangd offers a fix-it
  const broken = SRC.replace('\tint n = strlen("x");', '\tint n = strlen("x")');
  c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: ws.uri, version: 2 }, contentChanges: [{ text: broken }] });
  const d2 = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === ws.uri && p.diagnostics.some((x) => /expected ';'/i.test(x.message)), 20000);
  const semi = d2.diagnostics.find((x) => /expected ';'/i.test(x.message));
  const params = { textDocument: { uri: ws.uri }, range: semi.range, context: { diagnostics: [semi] } };
  const acts = await c.conn.sendRequest('textDocument/codeAction', params);
  assert(acts.length >= 1 && /;/.test(acts[0].title), `clangd's fix first: ${JSON.stringify(acts).slice(0, 300)}`);
  // kairos's own actions for the same request follow clangd's
  const alone = client({ cwd: ws.dir, rootUri: `file://${ws.dir}` });
  await alone.initialize();
  alone.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ws.uri, languageId: 'c', version: 2, text: broken } });
  let mine = [];
  try { mine = (await alone.conn.sendRequest('textDocument/codeAction', params)) || []; } catch (e) { mine = []; }
  // clangd 14 has no pull diagnostics: kairos answers those alone
  const pull = async (conn) => { try { return await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: ws.uri } }); } catch (e) { return { error: e.code }; } };
  const pulledAlone = await pull(alone.conn);
  eq(await pull(c.conn), pulledAlone, 'pull diagnostics: kairos\'s answer');
  await alone.stop();
  const titles = acts.map((a) => a.title);
  for (const m of mine) assert(titles.indexOf(m.title) >= 1, `kairos's "${m.title}" after clangd's`);
  eq((await c.stop()).code, 0);
}, { timeout: 60000 });

test('clangd killed during the session is restarted and its diagnostics come back', async () => {
  const ws = workspace();
  const c = start(ws);
  await c.initialize();
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ws.uri, languageId: 'c', version: 1, text: SRC } });
  await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === ws.uri && undeclared(p), 20000);
  const pids = childPids(c.proc.pid);
  eq(pids.length, 1, 'one child');
  const before = c.notes.length;
  process.kill(pids[0], 'SIGKILL');
  const m = await c.waitFor('window/showMessage', (p) => /clangd/.test(p.message) && /restart/.test(p.message), 10000);
  eq(m.type, 2);
  for (let i = 0; i < 400; i++) {
    if (c.notes.slice(before).some((n) => n.method === 'textDocument/publishDiagnostics' && undeclared(n.params))) break;
    await sleep(50);
  }
  assert(c.notes.slice(before).some((n) => n.method === 'textDocument/publishDiagnostics' && undeclared(n.params)), 'diagnostics back from the new clangd');
  const now = childPids(c.proc.pid);
  assert(now.length === 1 && now[0] !== pids[0], 'a new clangd');
  const hover = await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: ws.uri }, position: { line: 2, character: 11 } });
  assert(hover && /strlen/.test(JSON.stringify(hover.contents)), 'hover works again');
  eq((await c.stop()).code, 0);
  await sleep(100);
  assert(!fs.existsSync(`/proc/${now[0]}`) || /Z/.test(fs.readFileSync(`/proc/${now[0]}/stat`, 'utf8').split(' ')[2]), 'clangd gone after exit');
}, { timeout: 60000 });

test('one connection delivers clangd\'s errors and kairos\'s memory diagnostics for the same file', async () => {
  const ws = workspace();
  const store = path.join(ws.dir, 'store');
  fs.mkdirSync(store);
  fs.writeFileSync(path.join(store, 'no-strlen.md'), [
    '---', 'name: no-strlen', 'description: Use str_len, not strlen', 'type: feedback',
    'created: 2026-03-02T10:15:00Z', 'updated: 2026-03-02T10:15:00Z',
    'rule:', '  literal: "strlen("', '  message: "Use str_len, not strlen"', '  severity: warning',
    '---', 'Use str_len, not strlen.', '',
  ].join('\n'));
  const init = { initializationOptions: { memoryDir: store, tick: { minInactivityMs: 100 } } };
  const isKairos = (d) => d.source === 'kairos';
  // what kairos alone publishes for this file
  const alone = client({ cwd: ws.dir, rootUri: `file://${ws.dir}` });
  await alone.initialize(init);
  alone.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ws.uri, languageId: 'c', version: 1, text: SRC } });
  let mine = null;
  try { mine = await alone.waitFor('textDocument/publishDiagnostics', (p) => p.uri === ws.uri && p.diagnostics.some(isKairos), 4000); } catch (e) { mine = null; }
  await alone.stop();
  const c = client({ args: ['lsp', '--', CLANGD, '--log=error'], cwd: ws.dir, rootUri: `file://${ws.dir}` });
  await c.initialize(init);
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: ws.uri, languageId: 'c', version: 1, text: SRC } });
  assert(mine, 'kairos alone publishes the memory diagnostic');
  {
    const both = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === ws.uri && undeclared(p) && p.diagnostics.some(isKairos), 20000);
    const k = both.diagnostics.filter(isKairos);
    eq(k.map((d) => d.code), mine.diagnostics.filter(isKairos).map((d) => d.code), 'kairos\'s diagnostics as kairos alone publishes them');
    assert(both.diagnostics.findIndex(isKairos) > both.diagnostics.findIndex((d) => /undefined_thing/.test(d.message)), 'clangd\'s first');
  }
  eq((await c.stop()).code, 0);
}, { timeout: 60000 });

run();
