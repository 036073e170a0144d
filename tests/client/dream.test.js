'use strict';
// Dreams through a real client: kairos/idle leads to a dream reported as
// work done progress while other requests are answered; kairos.dream
// waits for a running dream; cancelling stops it with nothing written; a
// dream held by another process is an error saying so.
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { test, run, assert, eq } = require('./harness');
const { client, env, tmpdir } = require('./lib');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Distinct words for distinct facts (numbers would make every pair a
// value conflict, which a dream resolves as a contradiction).
const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');
const word = (k) => WORDS[k % 26] + WORDS[Math.floor(k / 26) % 26] + WORDS[Math.floor(k / 676) % 26];
// A personal store (memoryDir) with n memories, every tenth a duplicate.
function store(n) {
  const dir = tmpdir('kairos-dream-');
  for (let i = 0; i < n; i++) {
    const k = i % 10 === 9 ? i - 1 : i;
    const name = `note-${i}`;
    const day = `2026-01-0${1 + (i % 9)}T00:00:00Z`;
    fs.writeFileSync(path.join(dir, `${name}.md`), `---\nname: ${name}\ndescription: The parser keeps its ${word(k)} table warm\ntype: project\ncreated: ${day}\nupdated: ${day}\n---\nThe parser keeps its ${word(k)} table warm between runs.\n`);
  }
  return dir;
}
function snapshot(dir) {
  const out = {};
  for (const f of fs.readdirSync(dir)) { const p = path.join(dir, f); if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'utf8'); }
  return out;
}
async function start(mem, caps = { window: { workDoneProgress: true } }) {
  const ws = tmpdir('kairos-dws-');
  const c = client({ cwd: ws, env: env() });
  await c.initialize({ rootUri: 'file://' + ws, capabilities: caps, initializationOptions: { memoryDir: mem, dream: { idleMs: 0, minHours: 0, minSignals: 0 } } });
  return { c, ws };
}

test('kairos/idle: a dream with progress, while other requests are answered', async () => {
  const mem = store(1500);
  const { c } = await start(mem);
  c.conn.sendNotification('kairos/idle', { idleMs: 900000 });
  const created = await (async () => { for (let i = 0; i < 100; i++) { const r = c.requests.find((q) => q.method === 'window/workDoneProgress/create'); if (r) return r; await sleep(20); } return null; })();
  assert(created, 'window/workDoneProgress/create sent');
  const token = created.params.token;
  await c.waitFor('$/progress', (p) => p.token === token && p.value.kind === 'begin');
  // requests answered while the dream runs
  let answered = 0, endedBefore = false;
  for (let i = 0; i < 5; i++) {
    const list = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.memories', arguments: [] });
    assert(Array.isArray(list), 'memories listed');
    answered++;
    if (c.notes.some((n) => n.method === '$/progress' && n.params.value.kind === 'end')) endedBefore = true;
  }
  assert(!endedBefore, 'the requests were answered before the dream ended (it runs beside them)');
  const end = await c.waitFor('$/progress', (p) => p.token === token && p.value.kind === 'end', 120000);
  const reports = c.notes.filter((n) => n.method === '$/progress' && n.params.token === token && n.params.value.kind === 'report');
  assert(reports.length >= 4, `a report per phase (${reports.length})`);
  const msg = await c.waitFor('window/showMessage', (p) => /kairos dreamed: merged/.test(p.message));
  eq(msg.type, 3);
  assert(/memory consolidated/.test(end.value.message), 'end says what happened');
  eq(answered, 5);
  assert(fs.readdirSync(path.join(mem, 'archive')).length >= 100, 'duplicates archived, never deleted');
  await c.stop();
}, { timeout: 180000 });

test('kairos.dream returns the report; a second one changes nothing; dry run writes nothing', async () => {
  const mem = store(40);
  const { c } = await start(mem, {});
  const before = snapshot(mem);
  const dry = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ dryRun: true }] });
  eq(dry.changed, true);
  eq(dry.merged, 4);
  eq(snapshot(mem), before, 'dry run changed no byte');
  eq(c.requests.filter((r) => r.method === 'window/workDoneProgress/create').length, 0, 'no progress to a client that did not ask');
  const r = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ force: true }] });
  eq([r.changed, r.merged, r.kept], [true, 4, 36]);
  assert(/^[0-9a-f]{40}$/.test(r.commit), 'a commit');
  const again = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ force: true }] });
  eq([again.changed, again.commit], [false, null]);
  const u = await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.undo', arguments: [] });
  eq(u.reverted, r.commit, 'undo reverts the dream');
  eq(snapshot(mem)['note-9.md'], before['note-9.md'], 'the absorbed memory is back');
  await c.stop();
});

test('cancelling the progress stops the dream with nothing written; a waiting kairos.dream gets -32800', async () => {
  const mem = store(3000);
  const { c } = await start(mem);
  const before = snapshot(mem);
  const p = c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ force: true }] }).then((v) => ({ v }), (e) => ({ e }));
  const begin = await c.waitFor('$/progress', (x) => x.value.kind === 'begin', 10000);
  c.conn.sendNotification('window/workDoneProgress/cancel', { token: begin.token });
  const r = await p;
  if (r.e) {
    eq(r.e.code, -32800, 'cancelled');
    const after = snapshot(mem);
    eq(Object.keys(after).filter((f) => f.endsWith('.md') && f !== 'MEMORY.md').sort(), Object.keys(before).filter((f) => f.endsWith('.md')).sort(), 'every memory still there');
    for (const f of Object.keys(before)) eq(after[f], before[f], `${f} unchanged`);
  } else {
    // the dream had begun writing: it completes, nothing half-written
    assert(r.v.changed, 'finished the write it had begun');
  }
  await c.stop();
}, { timeout: 120000 });

test('a dream held by another process is an error saying so', async () => {
  const mem = store(5);
  const lock = path.join(mem, '.lock');
  fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, started: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }));
  const holder = cp.spawn('flock', [lock, 'sleep', '30'], { stdio: 'ignore' });
  await sleep(300);
  const { c } = await start(mem, {});
  let err = null;
  try { await c.conn.sendRequest('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ force: true }] }); } catch (e) { err = e; }
  holder.kill();
  assert(err && /already running/.test(err.message), `error: ${err && err.message}`);
  await c.stop();
});

run();
