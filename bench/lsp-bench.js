'use strict';
// make bench, the language server core: initialize round trip (process
// start included) and resident memory, beside a do-nothing server and
// clangd in the same run, interleaved; and 10,000 single-character edits
// at spread-out positions of a 1 MB document. Prints figures; asserts
// nothing.
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const B = path.resolve(ROOT, process.env.B || 'build');
const KAIROS = path.join(B, 'kairos');
const NULL_LSP = path.join(B, 'tests/null_lsp');
const RUNS = +(process.env.RUNS || 20);
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kairos-bench-'));
fs.writeFileSync(path.join(ws, 'a.c'), 'int main(void) { return 0; }\n');
const env = Object.assign({}, process.env, { HOME: ws, XDG_DATA_HOME: path.join(ws, 'data') });

function frame(o) { const b = Buffer.from(JSON.stringify(o)); return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]); }

function session(cmd, args, { rss = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = cp.spawn(cmd, args, { env, cwd: ws, stdio: ['pipe', 'pipe', 'ignore'] });
    let out = Buffer.alloc(0), rtt = null;
    p.on('error', reject);
    p.stdout.on('data', (d) => {
      out = Buffer.concat([out, d]);
      if (rtt === null && out.includes('"id":1')) {
        rtt = Number(process.hrtime.bigint() - t0) / 1e6;
        p.stdin.write(frame({ jsonrpc: '2.0', method: 'initialized', params: {} }));
        const finish = () => {
          let kb = null;
          try { kb = +/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p.pid}/status`, 'utf8'))[1]; } catch (e) { /* gone */ }
          p.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'shutdown' }));
          p.stdin.write(frame({ jsonrpc: '2.0', method: 'exit' }));
          setTimeout(() => p.kill('SIGKILL'), 2000).unref();
          p.on('exit', () => resolve({ rtt, kb }));
        };
        rss ? setTimeout(finish, 1500) : finish();
      }
    });
    p.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: 'file://' + ws, capabilities: {} } }));
  });
}

const median = (a) => { const s = a.slice().sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const f = (x, d = 2) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));

async function edits() {
  const p = cp.spawn(KAIROS, ['lsp'], { env, cwd: ws, stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  const got = (id) => new Promise((res) => { const h = (d) => { out += d; if (out.includes(`"id":${id},`)) { p.stdout.off('data', h); res(); } }; p.stdout.on('data', h); });
  p.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } }));
  await got(1);
  const lines = [];
  for (let i = 0; lines.join('\n').length < 1 << 20 && i < 100000; i++) lines.push(`line ${i}: ` + 'abcdefghij'.repeat(4));
  const text = lines.join('\n');
  const uri = 'file://' + path.join(ws, 'big.txt');
  p.stdin.write(frame({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'plaintext', version: 1, text } } }));
  const msgs = [];
  let seed = 42;
  for (let i = 0; i < 10000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const line = seed % lines.length;
    msgs.push(frame({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri, version: i + 2 }, contentChanges: [{ range: { start: { line, character: 5 }, end: { line, character: 5 } }, text: 'x' }] } }));
  }
  const all = Buffer.concat(msgs);
  const t0 = process.hrtime.bigint();
  p.stdin.write(all);
  p.stdin.write(frame({ jsonrpc: '2.0', id: 2, method: 'kairos/documentState', params: { textDocument: { uri } } }));
  await got(2);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  p.kill();
  return { ms, mb: text.length / (1 << 20) };
}

(async () => {
  const hasClangd = (() => { try { cp.execFileSync('clangd', ['--version'], { stdio: 'ignore' }); return true; } catch (e) { return false; } })();
  const k = [], n = [], c = [], kr = [], cr = [];
  for (let i = 0; i < RUNS; i++) {
    k.push((await session(KAIROS, ['lsp'])).rtt);
    n.push((await session(NULL_LSP, [])).rtt);
    if (hasClangd) c.push((await session('clangd', [])).rtt);
  }
  for (let i = 0; i < 3; i++) {
    kr.push((await session(KAIROS, ['lsp'], { rss: true })).kb);
    if (hasClangd) cr.push((await session('clangd', [], { rss: true })).kb);
  }
  const km = median(k), nm = median(n), cm = hasClangd ? median(c) : null;
  console.log(`initialize round trip, median of ${RUNS} (process start included):`);
  console.log(`  kairos          ${f(km)} ms`);
  console.log(`  do-nothing      ${f(nm)} ms   kairos/do-nothing = ${f(km / nm)} (target <= 1.3)`);
  if (hasClangd) console.log(`  clangd          ${f(cm)} ms   kairos/clangd = ${f(km / cm, 3)}`);
  const krm = median(kr) / 1024, crm = hasClangd ? median(cr) / 1024 : null;
  console.log('resident memory 1.5 s after initialized, median of 3:');
  console.log(`  kairos          ${f(krm)} MB (target <= 6 MB)`);
  if (hasClangd) console.log(`  clangd          ${f(crm)} MB   kairos/clangd = ${f(krm / crm, 3)}`);
  const e = await edits();
  console.log(`10,000 single-character edits at spread-out positions of a ${f(e.mb)} MB document: ${f(e.ms, 1)} ms in total (target < 1000 ms)`);
  fs.rmSync(ws, { recursive: true, force: true });
})();
