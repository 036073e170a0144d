'use strict';
// The extension's client logic (out/config.js, idle.js, commands.js,
// status.js: compiled from src/), first alone, then wired to the real
// kairos binary through vscode-jsonrpc with the capabilities VS Code's
// language client advertises (pull diagnostics, work done progress).
// Steps that need a server feature run only when the server advertises
// it; then they must pass. Env: KAIROS (binary), ROOT (checkout).
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const rpc = require('vscode-jsonrpc/node');
const { toKairosOptions, configurationChange, serverCommand, documentSelector, affectsServerOptions } = require('../out/config');
const { IdleTracker } = require('../out/idle');
const { dreamArgs, dreamSummary, executeParams, memoryItems, rememberArgs } = require('../out/commands');
const { StatusModel } = require('../out/status');
const { TRUST_COMMAND, trustOptions, trustResult } = require('../out/trust');

const ROOT = process.env.ROOT || path.resolve(__dirname, '../../..');
const KAIROS = process.env.KAIROS || path.join(ROOT, 'build/kairos');

let passed = 0, failed = 0;
const tests = [];
function test(name, fn) { tests.push({ name, fn }); }
function skip(name, why) { tests.push({ name, skip: why }); }
function assert(c, msg) { if (!c) throw new Error(msg || 'assertion failed'); }
function eq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg || 'not equal'}: expected ${sb}, got ${sa}`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(ms, pred) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) return v;
    await sleep(50);
  }
}

// ---- the plain modules ----

function reader(map) { return (k) => map[k]; }

test('settings map to the protocol configuration object', () => {
  const o = toKairosOptions(reader({
    proactive: false, memoryDir: '/m', 'tick.minInactivityMs': 200, 'tick.maxSuggestionsPerTick': 5,
    'dream.idleMs': 1000, 'dream.minHours': 0.5, 'dream.minSignals': 0,
    'llm.provider': 'none', 'llm.endpoint': '', 'llm.model': '', 'llm.apiKeyEnv': 'KEY', 'llm.timeoutMs': 100,
    serverPath: '/bin/kairos',
  }));
  eq(o, { proactive: false, memoryDir: '/m', tick: { minInactivityMs: 200, maxSuggestionsPerTick: 5 },
    dream: { idleMs: 1000, minHours: 0.5, minSignals: 0 },
    llm: { provider: 'none', endpoint: '', model: '', apiKeyEnv: 'KEY', timeoutMs: 100 } });
  eq(toKairosOptions(reader({ memoryDir: '  ', 'tick.minInactivityMs': 'x', 'dream.idleMs': NaN })), {},
    'unusable values are left out');
  eq(configurationChange({ proactive: true }), { settings: { kairos: { proactive: true } } });
  eq(serverCommand(reader({})), { command: 'kairos', args: ['lsp'] });
  eq(serverCommand(reader({ serverPath: '/x/kairos', serverArgs: ['lsp', '--', 'clangd'] })),
    { command: '/x/kairos', args: ['lsp', '--', 'clangd'] });
  eq(documentSelector(reader({ languages: [] })), [{ scheme: 'file' }]);
  eq(documentSelector(reader({ languages: ['c', 'cpp'] })), [{ scheme: 'file', language: 'c' }, { scheme: 'file', language: 'cpp' }]);
  assert(affectsServerOptions((s) => s === 'kairos.tick'), 'tick changes go to the server');
  assert(!affectsServerOptions((s) => s === 'kairos.idleSeconds'), 'idleSeconds is the client\'s own');
});

function fakeClock(early = 0) {
  let t = 0; let timers = [];
  return {
    now: () => t,
    // early: timers fire that many ms before their time, as node's may.
    setTimeout: (fn, ms) => { const h = { at: t + Math.max(0, ms - early), fn }; timers.push(h); return h; },
    clearTimeout: (h) => { timers = timers.filter((x) => x !== h); },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift(); t = next.at; next.fn();
      }
      t = end;
    },
  };
}

test('idle: reports after idleMs, again every idleMs; activity resets; focus loss reports at once', () => {
  const clock = fakeClock(); const sent = [];
  const idle = new IdleTracker(1000, (p) => sent.push(p.idleMs), clock);
  clock.advance(999); eq(sent, [], 'nothing before the threshold');
  clock.advance(1); eq(sent, [1000]);
  clock.advance(2000); eq(sent, [1000, 2000, 3000]);
  idle.activity(); clock.advance(500); idle.activity(); clock.advance(999);
  eq(sent, [1000, 2000, 3000], 'activity restarts the period');
  clock.advance(1); eq(sent, [1000, 2000, 3000, 1000]);
  clock.advance(200); idle.focusLost(); eq(sent.slice(-1), [1200], 'focus loss reports the idle time at once');
  clock.advance(800); eq(sent.slice(-1), [2000], 'the periodic reports go on');
  idle.dispose(); clock.advance(5000); eq(sent.length, 6, 'nothing after dispose');
  const early = fakeClock(1); const got = [];
  const idle2 = new IdleTracker(300, (p) => got.push(p.idleMs), early);
  early.advance(1000);
  eq(got, [299, 599, 899], 'a timer that fires early does not double a report');
  idle2.dispose();
});

test('status: memory count, "dreaming…" while progress runs', () => {
  const s = new StatusModel(); let changes = 0; s.onChange(() => changes++);
  eq(s.text(), '$(book) kairos');
  s.setMemories(3); eq(s.text(), '$(book) kairos: 3 memories');
  s.progress('t1', { kind: 'begin', title: 'Dreaming' });
  assert(s.dreaming && s.text().includes('dreaming…'), s.text());
  s.progress('t1', { kind: 'report', message: 'merge' }); eq(s.phase, 'merge');
  s.progress('t1', { kind: 'end' }); assert(!s.dreaming); eq(s.text(), '$(book) kairos: 3 memories');
  s.setMemories(1); eq(s.text(), '$(book) kairos: 1 memory');
  eq(changes, 5);
});

test('command arguments and results', () => {
  eq(executeParams('kairos.memories'), { command: 'kairos.memories', arguments: [] });
  eq(executeParams('kairos.dream', dreamArgs()), { command: 'kairos.dream', arguments: [{ force: true }] });
  eq(dreamArgs(true), { force: true, dryRun: true });
  const r = { start: { line: 1, character: 2 }, end: { line: 1, character: 5 } };
  eq(rememberArgs('abc', 'file:///a.c', r), { text: 'abc', uri: 'file:///a.c', range: r });
  eq(rememberArgs('abc', undefined, r, 'team'), { text: 'abc', store: 'team' });
  eq(memoryItems([{ name: 'n', description: 'd', type: 'feedback', store: 'team', uri: 'file:///n.md' }]),
    [{ label: 'n', description: 'feedback · team', detail: 'd', uri: 'file:///n.md' }]);
  eq(dreamSummary({ changed: false, kept: 4 }), 'dream: nothing to change (4 kept)');
  eq(dreamSummary({ changed: true, merged: 1, contradictions: 0, pruned: 2, kept: 7 }), 'dream: 1 merged, 2 pruned; 7 kept');
});

test('trust: editorTrust mirrors VS Code\'s, and the answer of kairos.trust is read', () => {
  eq(trustOptions(true), { editorTrust: true });
  eq(trustOptions(false), { editorTrust: false });
  eq(TRUST_COMMAND, 'kairos.trust');
  eq(trustResult({ trusted: true }), true);
  eq(trustResult({ trusted: false }), false);
  eq(trustResult(null), undefined);
  eq(trustResult({ trusted: 'yes' }), undefined);
});

test('package.json: commands registered, none clashing with the server\'s; settings cover the protocol', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  const src = fs.readFileSync(path.join(__dirname, '..', 'src', 'extension.ts'), 'utf8');
  const registered = [...src.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]).sort();
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  eq(registered, contributed, 'every contributed command is registered and vice versa');
  // vscode-languageclient registers the server's executeCommandProvider
  // commands under their own names: the extension's must differ.
  const server = ['kairos.remember', 'kairos.forget', 'kairos.memories', 'kairos.tick', 'kairos.dream', 'kairos.undo', 'kairos.feedback', 'kairos.trust'];
  for (const c of contributed) assert(!server.includes(c), `${c} clashes with a server command`);
  assert(pkg.engines && pkg.engines.vscode, 'engines.vscode');
  assert(pkg.activationEvents && pkg.activationEvents.length, 'activationEvents');
  const props = Object.keys(pkg.contributes.configuration.properties);
  // Workspace Trust: kairos runs in Restricted Mode, limited; a workspace's
  // settings cannot choose the program, the store or where text is sent
  const ut = pkg.capabilities && pkg.capabilities.untrustedWorkspaces;
  assert(ut && ut.supported === 'limited' && typeof ut.description === 'string' && ut.description, 'untrustedWorkspaces declared');
  for (const k of ['kairos.serverPath', 'kairos.serverArgs', 'kairos.memoryDir', 'kairos.llm.endpoint', 'kairos.llm.apiKeyEnv']) {
    assert(ut.restrictedConfigurations.includes(k), `${k} is not restricted`);
  }
  for (const k of ut.restrictedConfigurations) assert(props.includes(k), `restricted ${k} is no setting`);
  for (const k of ['proactive', 'memoryDir', 'tick.minInactivityMs', 'tick.maxSuggestionsPerTick', 'dream.idleMs',
    'dream.minHours', 'dream.minSignals', 'llm.provider', 'llm.endpoint', 'llm.model', 'llm.apiKeyEnv', 'llm.timeoutMs']) {
    assert(props.includes(`kairos.${k}`), `no setting kairos.${k}`);
  }
  // Defaults of the settings, mapped, are the protocol's defaults.
  const defaults = {};
  for (const p of props) defaults[p.slice('kairos.'.length)] = pkg.contributes.configuration.properties[p].default;
  eq(toKairosOptions(reader(defaults)), { proactive: true, tick: { minInactivityMs: 1500, maxSuggestionsPerTick: 20 },
    dream: { idleMs: 600000, minHours: 24, minSignals: 5 },
    llm: { provider: 'none', endpoint: '', model: '', apiKeyEnv: '', timeoutMs: 30000 } });
});

// ---- against the real server ----

function tmp(prefix) { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }
function copyDir(from, to) { fs.cpSync(from, to, { recursive: true }); return fs.realpathSync(to); }

const base = tmp('kairos-vscode-');
const WS = copyDir(path.join(ROOT, 'tests/data/editor-ws'), path.join(base, 'ws'));
const PERSONAL = copyDir(path.join(ROOT, 'tests/data/editor-personal'), path.join(base, 'personal'));
const HOME = path.join(base, 'home'); fs.mkdirSync(HOME);
const MAIN = path.join(WS, 'src/main.c');
const MAIN_URI = 'file://' + MAIN;

// What VS Code 1.82's language client advertises, as far as kairos cares.
const vscodeCaps = {
  general: { positionEncodings: ['utf-16'] },
  window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } } },
  workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true },
    diagnostics: { refreshSupport: true }, executeCommand: { dynamicRegistration: true } },
  textDocument: {
    synchronization: { didSave: true, dynamicRegistration: true },
    diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: false, codeDescriptionSupport: true, dataSupport: true },
    codeAction: { dynamicRegistration: true, isPreferredSupport: true, dataSupport: true, disabledSupport: true,
      resolveSupport: { properties: ['edit'] },
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } } },
  },
};

let proc, conn, caps = {}, commands = new Set();
const shown = [];
const status = new StatusModel();
const settings = {
  memoryDir: PERSONAL, proactive: true, 'tick.minInactivityMs': 200,
  'dream.idleMs': 3600000, 'dream.minHours': 0, 'dream.minSignals': 0, 'llm.provider': 'none',
};

async function start() {
  const { command, args } = serverCommand(reader({ serverPath: KAIROS }));
  proc = cp.spawn(command, args, { cwd: WS, env: Object.assign({}, process.env, { HOME, XDG_DATA_HOME: path.join(HOME, 'data') }) });
  proc.stderr.on('data', () => {});
  proc.exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
  conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  conn.onNotification('window/showMessage', (p) => shown.push(p));
  // The extension's progress watcher: create → follow that token.
  conn.onRequest('window/workDoneProgress/create', ({ token }) => {
    const sub = conn.onProgress(new rpc.ProgressType(), token, (v) => {
      status.progress(token, v);
      if (v.kind === 'end') sub.dispose();
    });
    return null;
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.onRequest(() => null);
  conn.listen();
  const r = await conn.sendRequest('initialize', {
    processId: process.pid, rootUri: 'file://' + WS, workspaceFolders: [{ uri: 'file://' + WS, name: 'ws' }],
    capabilities: vscodeCaps,
    // as the extension sends them in a workspace VS Code trusts
    initializationOptions: Object.assign(toKairosOptions(reader(settings)), trustOptions(true)),
    clientInfo: { name: 'Visual Studio Code', version: '1.82.0' },
  });
  conn.sendNotification('initialized', {});
  return r;
}

async function exec(command, args) { return conn.sendRequest('workspace/executeCommand', executeParams(command, args)); }

const text = fs.readFileSync(path.join(ROOT, 'tests/data/editor-ws/src/main.c'), 'utf8');

async function startTest() {
  const r = await start();
  eq(r.serverInfo && r.serverInfo.name, 'kairos');
  eq(r.capabilities.positionEncoding, 'utf-16');
  caps = r.capabilities;
  for (const c of (caps.executeCommandProvider || {}).commands || []) commands.add(c);
  // VS Code trusts the workspace: the extension records it with kairos
  if (commands.has(TRUST_COMMAND)) eq(trustResult(await exec(TRUST_COMMAND)), true, 'trust recorded');
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MAIN_URI, languageId: 'c', version: 1, text } });
  conn.sendNotification('workspace/didChangeConfiguration', configurationChange(toKairosOptions(reader(settings))));
  const st = await conn.sendRequest('kairos/documentState', { textDocument: { uri: MAIN_URI }, position: { line: 6, character: 11 } });
  eq(st.text, text, 'the server holds the opened text');
  eq(st.position.byte, 14, 'utf-16 column 11 is byte 14');
}
test('the server starts with the mapped configuration and speaks utf-16', startTest);

const later = [];
later.push(() => {
  if (!(caps.diagnosticProvider && caps.codeActionProvider)) {
    skip('pull diagnostics and quick fix (VS Code pulls)', 'server advertises no diagnosticProvider/codeActionProvider yet');
    return;
  }
  test('VS Code pulls the kairos diagnostic; the quick fix carries the edit', async () => {
    let items = [];
    await until(8000, async () => {
      const r = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: MAIN_URI } });
      items = (r.items || []).filter((d) => d.source === 'kairos');
      return items.length;
    });
    assert(items.length === 1, `diagnostics: ${JSON.stringify(items)}`);
    const d = items[0];
    eq(d.range, { start: { line: 6, character: 11 }, end: { line: 6, character: 18 } }, 'range in utf-16');
    eq(d.code, 'no-strcpy');
    const actions = await conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: MAIN_URI }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
    let fix = actions.find((a) => a.kind === 'quickfix' && /strlcpy/.test(a.title));
    assert(fix, `no strlcpy quick fix: ${JSON.stringify(actions)}`);
    if (!fix.edit) fix = await conn.sendRequest('codeAction/resolve', fix);
    const edits = (fix.edit.changes && fix.edit.changes[MAIN_URI]) ||
      (fix.edit.documentChanges || []).flatMap((c) => (c.textDocument && c.textDocument.uri === MAIN_URI ? c.edits : []));
    assert(edits.length === 1, `edits: ${JSON.stringify(fix.edit)}`);
    const lines = text.split('\n'); const e = edits[0];
    assert(e.range.start.line === 6 && e.range.end.line === 6, JSON.stringify(e));
    const units = Array.from(lines[6]).flatMap((ch) => (ch.codePointAt(0) > 0xffff ? [ch, ''] : [ch]));
    const fixed = units.slice(0, e.range.start.character).join('') + e.newText + units.slice(e.range.end.character).join('');
    eq(fixed, '\t/* é😀 */ strlcpy(dst, src);', 'the edit applied in utf-16');
  });
});

later.push(() => {
  if (!(commands.has('kairos.memories') && commands.has('kairos.remember') && commands.has('kairos.undo'))) {
    skip('memories, remember, undo', 'server does not advertise kairos.memories/remember/undo yet');
    return;
  }
  test('memory list → quick pick and count; remember a selection; undo', async () => {
    const list = await exec('kairos.memories');
    const items = memoryItems(list);
    const rule = items.find((i) => i.label === 'no-strcpy');
    assert(rule && rule.description.includes('team'), `no team rule in ${JSON.stringify(items)}`);
    assert(fs.existsSync(new URL(rule.uri)), `${rule.uri} does not exist`);
    status.setMemories(list.length);
    assert(status.text().endsWith(`${list.length} memories`), status.text());
    const r = await exec('kairos.remember', rememberArgs('strcpy', MAIN_URI,
      { start: { line: 6, character: 11 }, end: { line: 6, character: 17 } }));
    assert(r && r.name && r.uri, JSON.stringify(r));
    eq((await exec('kairos.memories')).length, list.length + 1, 'one more memory');
    const u = await exec('kairos.undo');
    assert(u && typeof u.reverted === 'string', JSON.stringify(u));
    eq((await exec('kairos.memories')).length, list.length, 'undo took it back');
  });
});

later.push(() => {
  if (!commands.has('kairos.dream')) {
    skip('idle → dream with progress; dream now', 'server does not advertise kairos.dream yet');
    return;
  }
  test('idle reports make the server dream; the status bar says "dreaming…" meanwhile', async () => {
    const texts = [];
    status.onChange(() => texts.push(status.text()));
    // The server's own idle clock is off (dream.idleMs is an hour): the
    // tracker's first kairos/idle is what starts this dream.
    assert(!fs.existsSync(path.join(PERSONAL, 'archive')), 'a dream ran before any kairos/idle');
    const idle = new IdleTracker(300, (p) => conn.sendNotification('kairos/idle', p));
    await until(15000, async () => {
      await conn.sendRequest('kairos/documentState', { textDocument: { uri: MAIN_URI } });
      return shown.length > 0 && !status.dreaming;
    });
    idle.dispose();
    assert(shown.length > 0, 'no window/showMessage after idle reports');
    assert(texts.some((t) => t.includes('dreaming…')), `the status never said dreaming: ${JSON.stringify(texts)}`);
    assert(!status.dreaming, 'still dreaming');
    eq(fs.readdirSync(path.join(PERSONAL, 'archive')).filter((f) => f.endsWith('.md')).length, 1, 'one duplicate archived');
  });
  test('dream now: the report, summarised', async () => {
    const r = await exec('kairos.dream', dreamArgs());
    assert(typeof r.kept === 'number', JSON.stringify(r));
    eq(dreamSummary(r), `dream: nothing to change (${r.kept} kept)`);
  });
});

async function run() {
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i];
    if (t.skip) { console.log(`skip ${t.name}: ${t.skip}`); continue; }
    try {
      await Promise.race([t.fn(), sleep(30000).then(() => { throw new Error('timed out'); })]);
      passed++;
      console.log(`ok ${t.name}`);
      // The server is up: add the steps of the features it advertises.
      if (t.fn === startTest) for (const f of later) f();
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  try {
    if (conn) {
      await conn.sendRequest('shutdown');
      conn.sendNotification('exit');
      const r = await Promise.race([proc.exited, sleep(5000).then(() => null)]);
      if (r && r.code === 0) { passed++; console.log('ok the server stops cleanly'); } else { failed++; console.log(`FAIL the server stops cleanly: ${JSON.stringify(r)}`); }
    }
  } catch (e) { failed++; console.log(`FAIL the server stops cleanly: ${e}`); }
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  fs.rmSync(base, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
run();
