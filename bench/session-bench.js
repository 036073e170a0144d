'use strict';
// make bench, measured as an editor sees the server (protocol.md
// "Measuring"): the round trip of kairos.tick after a one-character edit
// of a 5,000-line file with 500 rule memories (a full tick, nothing
// cached); code action latency while a model request hangs; and resident
// memory after a session that opened documents, ticked, remembered,
// dreamt and used a model. Prints figures; asserts nothing.
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const ROOT = path.resolve(__dirname, '..');
const B = path.resolve(ROOT, process.env.B || 'build');
const KAIROS = path.join(B, 'kairos');
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kairos-sbench-'));
const KEY = 'bench-key';
const env = Object.assign({}, process.env, { HOME: ws, XDG_DATA_HOME: path.join(ws, 'data'), KAIROS_BENCH_KEY: KEY, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' });
for (const k of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) delete env[k];

const store = path.join(ws, '.kairos/memory');
fs.mkdirSync(store, { recursive: true });
for (let i = 0; i < 500; i++) {
  const rule = i % 2 ? `  literal: "call_${i}("` : `  pattern: "ident_${i}[0-9]+"`;
  fs.writeFileSync(path.join(store, `rule-${i}.md`), `---\nname: rule-${i}\ndescription: rule number ${i}\ntype: feedback\nrule:\n${rule}\n  message: "rule ${i}"\n---\nRule ${i}.\n`);
}
const lines = [];
// ordinary code: one line in 50 calls something a rule is about
for (let i = 0; i < 5000; i++) lines.push(i % 50 ? `\tint v${i} = compute(value_${i % 700}, helper_${(i * 7) % 600}(x), ${i});` : `\tint v${i} = call_${(i * 7) % 500 | 1}(ident_${i % 500}${i % 10});`);
const text = lines.join('\n') + '\n';
fs.mkdirSync(path.join(ws, 'src'));
fs.writeFileSync(path.join(ws, 'src/big.c'), text);
const uri = 'file://' + path.join(ws, 'src/big.c');

function frame(o) { const b = Buffer.from(JSON.stringify(o)); return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]); }
function server(initOptions) {
  const wrap = process.env.KAIROS_WRAP ? process.env.KAIROS_WRAP.split(' ') : [];
  const p = cp.spawn(wrap.length ? wrap[0] : KAIROS, wrap.length ? wrap.slice(1).concat([KAIROS, 'lsp']) : ['lsp'], { env, cwd: ws, stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = Buffer.alloc(0), id = 0;
  const waits = new Map();
  p.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const he = buf.indexOf('\r\n\r\n'); if (he < 0) return;
      const len = +/Content-Length: (\d+)/i.exec(buf.slice(0, he).toString())[1];
      if (buf.length < he + 4 + len) return;
      const m = JSON.parse(buf.slice(he + 4, he + 4 + len).toString());
      buf = buf.slice(he + 4 + len);
      if (m.id !== undefined && m.method) p.stdin.write(frame({ jsonrpc: '2.0', id: m.id, result: null }));
      else if (m.id !== undefined && waits.has(m.id)) { waits.get(m.id)(m); waits.delete(m.id); }
    }
  });
  const req = (method, params) => new Promise((res) => { const i = ++id; waits.set(i, res); p.stdin.write(frame({ jsonrpc: '2.0', id: i, method, params })); });
  const note = (method, params) => p.stdin.write(frame({ jsonrpc: '2.0', method, params }));
  return { p, req, note, init: async () => { await req('initialize', { rootUri: 'file://' + ws, capabilities: {}, initializationOptions: initOptions }); note('initialized', {}); } };
}
const median = (a) => { const s = a.slice().sort((x, y) => x - y); return s[Math.floor((s.length - 1) / 2)]; };
const pct = (a, q) => { const s = a.slice().sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]; };
const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rss = (pid) => +/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1] / 1024;

(async () => {
  // 1. tick round trip
  let s = server({ tick: { minInactivityMs: 600000 }, dream: { idleMs: 0 } });
  await s.init();
  s.note('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  const warm = await s.req('workspace/executeCommand', { command: 'kairos.tick', arguments: [] });
  const t = [];
  for (let i = 0; i < 41; i++) {
    const line = (i * 97) % 5000;
    s.note('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range: { start: { line, character: 1 }, end: { line, character: 1 } }, text: ' ' }] });
    const t0 = now();
    await s.req('workspace/executeCommand', { command: 'kairos.tick', arguments: [] });
    t.push(now() - t0);
  }
  console.log(`kairos.tick after a one-character edit, 5,000 lines x 500 rules (${warm.result.suggestions} suggestions held): median ${median(t).toFixed(2)} ms (target <= 5 ms), p90 ${pct(t, 0.9).toFixed(2)} ms`);
  s.p.kill();
  if (process.env.BENCH_ONLY === 'tick') return;

  // 2. the model test server, hanging
  const pf = path.join(ws, 'port');
  const ms = cp.spawn('node', [path.join(ROOT, 'tests/model-server/server.js'), '--port-file', pf], { env: Object.assign({}, env, { MODEL_TEST_KEY: KEY }), stdio: 'ignore' });
  for (let i = 0; i < 100 && !fs.existsSync(pf); i++) await sleep(50);
  const port = +fs.readFileSync(pf, 'utf8');
  s = server({ tick: { minInactivityMs: 50 }, dream: { idleMs: 0 }, llm: { provider: 'openai', endpoint: `http://127.0.0.1:${port}`, model: 'hang', apiKeyEnv: 'KAIROS_BENCH_KEY', timeoutMs: 60000 } });
  await s.init();
  const small = 'int main(void)\n{\n\tstrcpy(a, b);\n\treturn 0;\n}\n';
  const suri = 'file://' + path.join(ws, 'src/small.c');
  s.note('textDocument/didOpen', { textDocument: { uri: suri, languageId: 'c', version: 1, text: small } });
  s.note('textDocument/didChange', { textDocument: { uri: suri, version: 2 }, contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: ' ' }] });
  await sleep(1000); // the tick asked the model, which now hangs
  const ca = [];
  const until = now() + 5000;
  while (now() < until) {
    const t0 = now();
    await s.req('textDocument/codeAction', { textDocument: { uri: suri }, range: { start: { line: 2, character: 1 }, end: { line: 2, character: 8 } }, context: { diagnostics: [] } });
    ca.push(now() - t0);
  }
  console.log(`code actions on a small document while a model request hangs: ${ca.length} requests, p50 ${pct(ca, 0.5).toFixed(2)} ms, p99 ${pct(ca, 0.99).toFixed(2)} ms (target p99 <= 5 ms)`);

  // 3. a whole session's memory: documents, ticks, remember, dream, model
  s.note('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
  await s.req('workspace/executeCommand', { command: 'kairos.tick', arguments: [] });
  await s.req('workspace/executeCommand', { command: 'kairos.remember', arguments: [{ text: 'Benchmarks print; they never assert.', name: 'bench-note', type: 'feedback' }] });
  await s.req('workspace/executeCommand', { command: 'kairos.dream', arguments: [{ force: true }] });
  await sleep(1500);
  console.log(`resident memory after a session that opened documents, ticked, remembered, dreamt and used a model: ${rss(s.p.pid).toFixed(1)} MB (target <= 20 MB)`);
  s.p.kill();
  ms.kill();
  fs.rmSync(ws, { recursive: true, force: true });
})();
