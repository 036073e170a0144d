'use strict';
// The scripted editor session of `make demo`: starts `kairos lsp` on a copy
// of the demo workspace, behaves like an editor (open, type, pause), and
// prints what an editor would show. Plain Node, no packages.
const cp = require('child_process');
const path = require('path');
const fs = require('fs');

const KAIROS = process.env.KAIROS;
const WS = process.env.WS;
const file = path.join(WS, 'src/buffer.c');
const uri = 'file://' + file;

const proc = cp.spawn(KAIROS, ['lsp'], { stdio: ['pipe', 'pipe', 'inherit'], cwd: WS });
let buf = Buffer.alloc(0);
let nextId = 1;
const waiting = new Map();
const seen = [];
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
function onMessage(m) {
  if (m.id !== undefined && !m.method) {
    const w = waiting.get(m.id);
    if (w) { waiting.delete(m.id); m.error ? w.rej(m.error) : w.res(m.result); }
    return;
  }
  if (m.id !== undefined && m.method) { send({ id: m.id, result: null }); return; } // client side of server requests
  seen.push(m);
  show(m);
}
function show(m) {
  if (m.method === 'window/logMessage' || m.method === 'window/showMessage') console.log(`  [${m.method === 'window/showMessage' ? 'message' : 'log'}] ${m.params.message}`);
}
const say = (s) => console.log(`\n== ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  say(`kairos lsp on ${WS}`);
  const init = await request('initialize', {
    processId: process.pid, rootUri: 'file://' + WS,
    capabilities: { general: { positionEncodings: ['utf-16'] }, window: { workDoneProgress: true }, workspace: { configuration: true } },
    initializationOptions: { tick: { minInactivityMs: 300 } },
  });
  console.log(`  server ${init.serverInfo.name} ${init.serverInfo.version}, positions in ${init.capabilities.positionEncoding}`);
  console.log(`  capabilities: ${Object.keys(init.capabilities).join(', ')}`);
  notify('initialized', {});

  say('open src/buffer.c and type a line');
  const text = fs.readFileSync(file, 'utf8');
  notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const line = text.split('\n').findIndex((l) => l.includes('strcpy'));
  const typed = '\t/* 日本語 😀 */ ';
  let v = 1;
  const chars = [...typed];
  for (let i = 0; i < chars.length; i++) {
    const col = chars.slice(0, i).join('').length; // UTF-16 code units
    notify('textDocument/didChange', { textDocument: { uri, version: ++v }, contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col } }, text: chars[i] }] });
  }
  const st = await request('kairos/documentState', { textDocument: { uri }, position: { line, character: 6 } });
  console.log(`  line ${line + 1} as kairos sees it: ${JSON.stringify(st.text.split('\n')[line])}`);
  console.log(`  UTF-16 column 6 of that line is byte ${st.position.byte}`);

  await sleep(800);
  say('shutdown');
  await request('shutdown', null);
  notify('exit', null);
  proc.on('exit', (code) => { console.log(`  kairos exited with ${code}`); process.exit(code); });
})().catch((e) => { console.error('demo failed:', e); proc.kill(); process.exit(1); });
