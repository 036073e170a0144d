'use strict';
// The scripted editor session of `make demo`: starts `kairos lsp` on a copy
// of the demo workspace, behaves like an editor (open, type, pause, apply a
// quick fix, reject a suggestion, remember, undo, go idle), and prints what
// an editor would show. Plain Node, no packages.
const cp = require('child_process');
const path = require('path');
const fs = require('fs');

const { KAIROS, WS, PERSONAL } = process.env;
const file = path.join(WS, 'src/buffer.c');
const uri = 'file://' + file;

const proc = cp.spawn(KAIROS, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'], cwd: WS });
let buf = Buffer.alloc(0);
let nextId = 1;
const waiting = new Map();
const seen = [];
const watchers = [];
proc.stdout.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const he = buf.indexOf('\r\n\r\n');
    if (he < 0) return;
    const len = +/Content-Length: (\d+)/i.exec(buf.slice(0, he).toString())[1];
    if (buf.length < he + 4 + len) return;
    const msg = JSON.parse(buf.slice(he + 4, he + 4 + len).toString('utf8'));
    buf = buf.slice(he + 4 + len);
    onMessage(msg);
  }
});
function send(msg) {
  const body = Buffer.from(JSON.stringify(Object.assign({ jsonrpc: '2.0' }, msg)));
  proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
}
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((res, rej) => waiting.set(id, { res, rej }));
}
const notify = (method, params) => send({ method, params });
const command = (name, arg) => request('workspace/executeCommand', { command: name, arguments: arg ? [arg] : [] });
function onMessage(m) {
  if (m.id !== undefined && !m.method) {
    const w = waiting.get(m.id);
    if (w) { waiting.delete(m.id); m.error ? w.rej(new Error(m.error.message)) : w.res(m.result); }
    return;
  }
  if (m.id !== undefined && m.method) { send({ id: m.id, result: null }); return; } // the client side of server requests
  seen.push(m);
  show(m);
  for (const w of watchers.slice()) if (w.pred(m)) { watchers.splice(watchers.indexOf(w), 1); w.res(m); }
}
function waitFor(pred, ms = 15000) {
  const hit = seen.find(pred);
  if (hit) { seen.splice(seen.indexOf(hit), 1); return Promise.resolve(hit); }
  return new Promise((res, rej) => {
    const w = { pred: (m) => { if (pred(m)) { seen.splice(seen.indexOf(m), 1); return true; } return false; }, res };
    watchers.push(w);
    setTimeout(() => { if (watchers.includes(w)) { watchers.splice(watchers.indexOf(w), 1); rej(new Error('timed out waiting')); } }, ms);
  });
}
function show(m) {
  if (m.method === 'window/showMessage') console.log(`  [message] ${m.params.message}`);
  else if (m.method === 'window/logMessage' && !/^model:/.test(m.params.message)) console.log(`  [log] ${m.params.message}`);
  else if (m.method === '$/progress') {
    const v = m.params.value;
    console.log(`  [progress ${v.kind}] ${v.title || v.message || ''}${v.percentage !== undefined ? ` (${v.percentage}%)` : ''}`);
  }
}
const say = (s) => console.log(`\n== ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let text = fs.readFileSync(file, 'utf8');
let version = 1;
function printDiags(p) {
  if (!p.params.diagnostics.length) console.log('  (no kairos diagnostics)');
  for (const d of p.params.diagnostics) {
    const sev = ['', 'error', 'warning', 'information', 'hint'][d.severity];
    console.log(`  ${path.relative(WS, file)}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${sev}: ${d.message} [${d.code}]`);
  }
}
const diags = () => waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri);
function edit(range, newText) {
  const lines = text.split('\n');
  const a = lines.slice(0, range.start.line).join('\n').length + (range.start.line ? 1 : 0) + range.start.character;
  const b = lines.slice(0, range.end.line).join('\n').length + (range.end.line ? 1 : 0) + range.end.character;
  text = text.slice(0, a) + newText + text.slice(b);
  notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ range, text: newText }] });
}

(async () => {
  say(`kairos lsp on a copy of examples/demo`);
  const init = await request('initialize', {
    processId: process.pid, rootUri: 'file://' + WS,
    capabilities: { general: { positionEncodings: ['utf-16'] }, window: { workDoneProgress: true, showMessage: {} } },
    initializationOptions: { memoryDir: PERSONAL, tick: { minInactivityMs: 400 }, dream: { minHours: 0, minSignals: 0, idleMs: 0 } },
  });
  console.log(`  ${init.serverInfo.name} ${init.serverInfo.version}; positions in ${init.capabilities.positionEncoding}; commands: ${init.capabilities.executeCommandProvider.commands.join(', ')}`);
  notify('initialized', {});

  say('open src/buffer.c: after a pause, the team memory no-strcpy and the history speak');
  notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } });
  let p = await diags();
  if (!p.params.diagnostics.some((d) => d.code === 'co-change')) { await sleep(1500); await command('kairos.tick'); p = await diags(); }
  printDiags(p);

  say('apply the quick fix');
  const fixable = p.params.diagnostics.find((d) => d.code === 'no-strcpy');
  const actions = await request('textDocument/codeAction', { textDocument: { uri }, range: fixable.range, context: { diagnostics: [fixable] } });
  for (const a of actions) console.log(`  action: ${a.title}`);
  const fix = actions.find((a) => a.edit);
  for (const e of fix.edit.changes[uri]) edit(e.range, e.newText);
  await command(fix.command.command, fix.command.arguments[0]);
  console.log(`  line ${fixable.range.start.line + 1} now reads: ${text.split('\n')[fixable.range.start.line].trim()}`);

  say('type a new strcpy( call, pause, and reject the suggestion');
  const at = text.split('\n').findIndex((l) => l.includes('b->len = 0;'));
  edit({ start: { line: at, character: 12 }, end: { line: at, character: 12 } }, ' strcpy(b->data, "");');
  p = await waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && m.params.diagnostics.some((d) => d.code === 'no-strcpy'));
  printDiags(p);
  const again = p.params.diagnostics.find((d) => d.code === 'no-strcpy');
  await command('kairos.feedback', { id: again.data.id, verdict: 'reject' });
  p = await diags();
  printDiags(p);
  const t = await command('kairos.tick');
  console.log(`  kairos.tick: ${t.suggestions} suggestion(s) left; the rejection sticks`);

  say('remember, list, forget, and undo');
  const r = await command('kairos.remember', { text: 'Run the fuzzers before every release.\n\n**Why:** the parser has bitten us twice.' });
  console.log(`  remembered ${r.name} (${path.relative(PERSONAL, decodeURIComponent(r.uri.slice(7)))} in the personal store)`);
  for (const m of await command('kairos.memories')) console.log(`  - ${m.name} [${m.type}, ${m.store}]: ${m.description}`);
  await command('kairos.forget', { name: r.name });
  console.log(`  forgot ${r.name}: archived, ${fs.existsSync(path.join(PERSONAL, 'archive', r.name + '.md')) ? 'archive/' + r.name + '.md exists' : 'missing'}`);
  const u = await command('kairos.undo');
  console.log(`  undo reverted ${u.reverted.slice(0, 12)}: ${fs.existsSync(path.join(PERSONAL, r.name + '.md')) ? r.name + '.md is back' : 'not restored'}`);

  say('seed the personal store for a dream, then report idle');
  const seed = require('./demo-seed');
  seed(PERSONAL);
  console.log(`  seeded: ${seed.describe}`);
  notify('kairos/idle', { idleMs: 600000 });
  const msg = await waitFor((m) => m.method === 'window/showMessage' && /dreamed/.test(m.params.message), 30000).catch(() => null);
  const report = await command('kairos.dream', { dryRun: true });
  console.log(`  a second (dry-run) dream right after: changed=${report.changed}, kept=${report.kept}`);
  if (!msg) console.log('  (the dream changed nothing)');
  await sleep(300);

  say('shutdown');
  await request('shutdown', null);
  notify('exit', null);
  proc.on('exit', (code) => { console.log(`  kairos exited with ${code}`); process.exit(code); });
})().catch((e) => { console.error('demo failed:', e); proc.kill(); process.exit(1); });
