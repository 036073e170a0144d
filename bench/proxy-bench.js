'use strict';
// make bench, proxy mode: the latency kairos adds to a forwarded request.
// Two sessions on one workspace, clangd alone and `kairos lsp -- clangd`;
// hover and completion round trips sent alternately to each, many times,
// in one run. Prints both medians, the ratio and the added median; asserts
// nothing. (Target: at most 0.2 ms added median.)
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const B = path.resolve(ROOT, process.env.B || 'build');
const KAIROS = path.join(B, 'kairos');
const CLANGD = process.env.CLANGD || 'clangd';
const N = +(process.env.RUNS || 400);
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kairos-proxy-bench-'));
const SRC = '#include <string.h>\nint main(void) {\n\tint n = strlen("x");\n\treturn n;\n}\n';
fs.writeFileSync(path.join(ws, 'a.c'), SRC);
fs.writeFileSync(path.join(ws, 'compile_flags.txt'), '-std=c11\n');
const env = Object.assign({}, process.env, { HOME: ws, XDG_DATA_HOME: path.join(ws, 'data') });
const uri = `file://${ws}/a.c`;

function frame(o) { const b = Buffer.from(JSON.stringify(o)); return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]); }

// A minimal client: resolves replies by id, remembers notifications.
function session(cmd, args) {
  const p = cp.spawn(cmd, args, { env, cwd: ws, stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = Buffer.alloc(0);
  const waiting = new Map();
  const s = { p, diags: false, nextId: 1 };
  p.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const he = buf.indexOf('\r\n\r\n');
      if (he < 0) return;
      const len = +/Content-Length: (\d+)/i.exec(buf.slice(0, he).toString())[1];
      if (buf.length < he + 4 + len) return;
      const m = JSON.parse(buf.slice(he + 4, he + 4 + len));
      buf = buf.slice(he + 4 + len);
      if (m.method === 'textDocument/publishDiagnostics') s.diags = true;
      else if (m.method && m.id !== undefined) p.stdin.write(frame({ jsonrpc: '2.0', id: m.id, result: null }));
      else if (m.id !== undefined && waiting.has(m.id)) { waiting.get(m.id)(m); waiting.delete(m.id); }
    }
  });
  s.request = (method, params) => new Promise((res) => { const id = s.nextId++; waiting.set(id, res); p.stdin.write(frame({ jsonrpc: '2.0', id, method, params })); });
  s.notify = (method, params) => p.stdin.write(frame({ jsonrpc: '2.0', method, params }));
  return s;
}

async function ready(s) {
  await s.request('initialize', { processId: process.pid, rootUri: `file://${ws}`, capabilities: {} });
  s.notify('initialized', {});
  s.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: SRC } });
  for (let i = 0; i < 400 && !s.diags; i++) await new Promise((r) => setTimeout(r, 25));
}

const median = (a) => { const s = a.slice().sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function rtt(s, method, params) {
  const t0 = process.hrtime.bigint();
  await s.request(method, params);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main() {
  const direct = session(CLANGD, ['--log=error']);
  const proxied = session(KAIROS, ['lsp', '--', CLANGD, '--log=error']);
  await Promise.all([ready(direct), ready(proxied)]);
  const kinds = {
    hover: ['textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 11 } }],
    completion: ['textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 13 } }],
  };
  for (const [name, [method, params]] of Object.entries(kinds)) {
    const a = [], b = [];
    for (let i = 0; i < 20; i++) { await rtt(direct, method, params); await rtt(proxied, method, params); }
    for (let i = 0; i < N; i++) {
      if (i % 2) { a.push(await rtt(direct, method, params)); b.push(await rtt(proxied, method, params)); }
      else { b.push(await rtt(proxied, method, params)); a.push(await rtt(direct, method, params)); }
    }
    const ma = median(a), mb = median(b);
    console.log(`${name.padEnd(10)} clangd ${ma.toFixed(3)} ms   kairos -- clangd ${mb.toFixed(3)} ms   ratio ${(mb / ma).toFixed(2)}   added ${(mb - ma).toFixed(3)} ms (target <= 0.2)   n=${N}`);
  }
  for (const s of [direct, proxied]) {
    await s.request('shutdown', null);
    s.notify('exit', null);
    setTimeout(() => s.p.kill('SIGKILL'), 2000).unref();
  }
}

main().catch((e) => { console.log(`proxy-bench failed: ${e.stack || e}`); process.exitCode = 1; });
