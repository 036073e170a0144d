'use strict';
// Workspace trust through a real client (protocol.md, "Workspace trust"):
// an untrusted team store shows its diagnostics but offers no quick fix
// and says so once; kairos.trust (or `kairos trust`) changes that, for
// this session and the next; nothing inside the workspace can grant it
// (settings files, initializationOptions, a memoryDir pointing into it);
// the personal and user stores are always trusted; the editor's own
// trust can withhold it for a session, never grant it.
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('./harness');
const { client, env, tmpdir, KAIROS } = require('./lib');
const { workspace, memoryFile, noStrcpy, trust } = require('./fixtures');

const R = (l1, c1, l2, c2) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });
const text = 'void g(char *dst, const char *src)\n{\n    strcpy(dst, src);\n}\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(ws, { opts = {}, caps = {}, env: e } = {}) {
  const c = client({ cwd: ws, env: e || env() });
  await c.initialize({
    rootUri: 'file://' + ws,
    capabilities: Object.assign({ window: { showMessage: {} } }, caps),
    initializationOptions: Object.assign({ tick: { minInactivityMs: 100 }, dream: { idleMs: 0 } }, opts),
  });
  return c;
}
// Opens the document and returns its kairos diagnostics once published.
async function diagnostics(c, ws, rel = 'g.c', body = text) {
  const uri = 'file://' + path.join(ws, rel);
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: body } });
  const p = await c.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.source === 'kairos'));
  return { uri, diags: p.diagnostics.filter((d) => d.source === 'kairos') };
}
async function actions(c, uri, d) {
  return c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
}
const quickFixes = (acts) => acts.filter((a) => a.kind === 'quickfix' && a.isPreferred);
const rejects = (acts) => acts.filter((a) => a.command && a.command.arguments && a.command.arguments[0].verdict === 'reject');
const trustMessages = (c) => c.notes.filter((n) => n.method === 'window/showMessage' && /not trusted|Restricted Mode/.test(n.params.message));
const status = (ws, e) => JSON.parse(cp.execFileSync(KAIROS, ['trust', '--workspace', ws, '--status', '--json'], { env: e }).toString());

test('an untrusted team store: diagnostics, no quick fix, one message that says how to trust it', async () => {
  const ws = workspace({ 'g.c': text });
  const c = await start(ws, { caps: { textDocument: { codeAction: { resolveSupport: { properties: ['edit'] }, dataSupport: true } } } });
  const { uri, diags } = await diagnostics(c, ws);
  eq(diags.length, 1, 'the team memory shows its diagnostic');
  eq(diags[0].data.store, 'team');
  eq(diags[0].message, noStrcpy.rule.message);
  const acts = await actions(c, uri, diags[0]);
  eq(quickFixes(acts).length, 0, `no quick fix: ${JSON.stringify(acts)}`);
  assert(!acts.some((a) => a.edit), 'no edit of any kind');
  eq(rejects(acts).length, 1, '"don\'t suggest this again" is still offered');
  // without diagnostics in the context (clients that send none), by range
  const byRange = await c.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: R(2, 0, 2, 0), context: { diagnostics: [] } });
  eq(quickFixes(byRange).length, 0, 'none by range either');
  // a quick fix forged from the diagnostic's id resolves to no edit
  const forged = await c.conn.sendRequest('codeAction/resolve', { title: 'Fix', kind: 'quickfix', data: { id: diags[0].data.id, uri } });
  assert(!forged.edit, `resolve gave an edit: ${JSON.stringify(forged)}`);
  const msgs = trustMessages(c);
  eq(msgs.length, 1, 'one message');
  assert(/kairos trust/.test(msgs[0].params.message) && /no fixes/.test(msgs[0].params.message), msgs[0].params.message);
  // a reload of the stores does not say it again
  fs.writeFileSync(path.join(ws, '.kairos/memory/no-gets.md'), memoryFile({ name: 'no-gets', description: 'Never use gets', rule: { literal: 'gets(', message: 'gets is unsafe', fix: 'fgets(' } }));
  await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.tick' });
  await sleep(100);
  eq(trustMessages(c).length, 1, 'said once per session');
  assert(!fs.readdirSync(path.join(ws, '.kairos')).some((f) => /trust/.test(f)), 'nothing about trust written into the workspace');
  await c.stop();
});

test('kairos.trust offers the fix at once, is recorded for the next session; revoke takes it back', async () => {
  const ws = workspace({ 'g.c': text });
  const home = env();
  const c = await start(ws, { env: home });
  const { uri, diags } = await diagnostics(c, ws);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0, 'no fix before');
  const r = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.trust' });
  eq(r, { trusted: true });
  const fix = quickFixes(await actions(c, uri, diags[0]));
  eq(fix.length, 1, 'the quick fix, now');
  eq(fix[0].edit.changes[uri], [{ range: R(2, 4, 2, 11), newText: 'strlcpy(' }]);
  eq(status(ws, home).trusted, true, 'recorded where `kairos trust` sees it');
  await c.stop();
  const again = await start(ws, { env: home });
  const d2 = await diagnostics(again, ws);
  eq(quickFixes(await actions(again, d2.uri, d2.diags[0])).length, 1, 'trusted in a new session');
  eq(trustMessages(again).length, 0, 'no message in a trusted workspace');
  const rv = await again.conn.sendRequest('workspace/executeCommand', { command: 'kairos.trust', arguments: [{ revoke: true }] });
  eq(rv, { trusted: false });
  eq(quickFixes(await actions(again, d2.uri, d2.diags[0])).length, 0, 'no fix after revoke');
  eq(status(ws, home).trusted, false, 'revoke recorded');
  let bad = null;
  try { await again.conn.sendRequest('workspace/executeCommand', { command: 'kairos.trust', arguments: [{ revoke: 'yes' }] }); } catch (e) { bad = e; }
  assert(bad && bad.code === -32602, `bad params: ${bad && bad.code}`);
  await again.stop();
});

test('`kairos trust` in a terminal counts in a running server', async () => {
  const ws = workspace({ 'g.c': text });
  const home = env();
  const c = await start(ws, { env: home });
  const { uri, diags } = await diagnostics(c, ws);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0);
  eq(trust(ws, home).trusted, true);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 1, 'the next request sees it');
  trust(ws, home, true);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0, 'and sees it taken back');
  await c.stop();
});

test('nothing in the workspace grants trust: settings files, initializationOptions, a memoryDir into it', async () => {
  const ws = workspace({ 'g.c': text });
  fs.mkdirSync(path.join(ws, '.vscode'));
  fs.writeFileSync(path.join(ws, '.vscode/settings.json'), JSON.stringify({ 'kairos.trust': true, 'kairos.editorTrust': true, 'security.workspace.trust.enabled': false }));
  fs.writeFileSync(path.join(ws, '.kairos/trust'), 'trusted: true\n');
  fs.writeFileSync(path.join(ws, '.kairos/trusted'), ws + '\n');
  const lies = { trust: true, trusted: true, workspaceTrust: true, editorTrust: true, 'kairos.trust': true };
  const home = env();
  const c = await start(ws, { env: home, opts: lies });
  const { uri, diags } = await diagnostics(c, ws);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0, 'initializationOptions grant nothing');
  c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { kairos: lies } });
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0, 'nor does didChangeConfiguration');
  await c.stop();
  // a memoryDir that makes the team store "personal" is still the workspace's
  const c2 = await start(ws, { env: home, opts: { memoryDir: path.join(ws, '.kairos/memory') } });
  const d2 = await diagnostics(c2, ws);
  const mine = d2.diags.find((d) => d.data.store === 'personal');
  assert(mine, `the memory read as personal: ${JSON.stringify(d2.diags)}`);
  eq(quickFixes(await actions(c2, d2.uri, mine)).length, 0, 'a memoryDir inside the workspace is not trusted');
  await c2.stop();
  eq(status(ws, home).trusted, false, 'and nothing was recorded');
});

test('the personal and user stores are always trusted', async () => {
  const ws = workspace({ 'g.c': text }, []);
  const home = env();
  const personal = tmpdir('kairos-personal-');
  fs.writeFileSync(path.join(personal, 'no-strcpy.md'), memoryFile(noStrcpy));
  const c = await start(ws, { env: home, opts: { memoryDir: personal } });
  const { uri, diags } = await diagnostics(c, ws);
  eq(diags[0].data.store, 'personal');
  eq(quickFixes(await actions(c, uri, diags[0])).length, 1, 'a personal memory offers its fix');
  await c.stop();
  const user = path.join(home.XDG_DATA_HOME, 'kairos/user');
  fs.mkdirSync(user, { recursive: true });
  fs.writeFileSync(path.join(user, 'no-strcpy.md'), memoryFile(noStrcpy));
  const c2 = await start(ws, { env: home });
  const d2 = await diagnostics(c2, ws);
  eq(d2.diags[0].data.store, 'user');
  eq(quickFixes(await actions(c2, d2.uri, d2.diags[0])).length, 1, 'a user memory offers its fix');
  eq(trustMessages(c2).length, 0, 'no team memories: no message');
  await c2.stop();
});

test('the editor\'s own trust: Restricted Mode withholds it for the session; it never grants it', async () => {
  const ws = workspace({ 'g.c': text });
  const home = env();
  trust(ws, home);
  const c = await start(ws, { env: home, opts: { editorTrust: false } });
  const { uri, diags } = await diagnostics(c, ws);
  eq(quickFixes(await actions(c, uri, diags[0])).length, 0, 'restricted: no fix, though recorded');
  const msgs = trustMessages(c);
  eq(msgs.length, 1);
  assert(/Restricted Mode/.test(msgs[0].params.message), msgs[0].params.message);
  // the person grants trust in the editor: the extension calls kairos.trust
  eq(await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.trust' }), { trusted: true });
  eq(quickFixes(await actions(c, uri, diags[0])).length, 1, 'kairos.trust lifts it');
  await c.stop();
  trust(ws, home, true);
  const c2 = await start(ws, { env: home, opts: { editorTrust: true } });
  const d2 = await diagnostics(c2, ws);
  eq(quickFixes(await actions(c2, d2.uri, d2.diags[0])).length, 0, 'editorTrust: true alone grants nothing');
  eq(trustMessages(c2).length, 0, 'the editor that trusts it says so itself (kairos.trust)');
  await c2.stop();
});

run();
