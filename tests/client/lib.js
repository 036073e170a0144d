'use strict';
// Starts the real kairos binary and talks to it, either through
// vscode-jsonrpc (client()) or with raw bytes (raw()).
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = process.env.ROOT || path.resolve(__dirname, '../..');
const KAIROS = process.env.KAIROS || path.join(ROOT, 'build/kairos');

function tmpdir(prefix = 'kairos-test-') { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

// A clean environment: its own XDG_DATA_HOME and HOME.
function env(extra = {}) {
  const home = tmpdir('kairos-home-');
  return Object.assign({}, process.env, { HOME: home, XDG_DATA_HOME: path.join(home, 'data') }, extra);
}

function spawn(args = ['lsp'], opts = {}) {
  const proc = cp.spawn(KAIROS, args, { env: opts.env || env(), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  proc.stderrText = '';
  proc.stdin.on('error', () => { /* the server went away: the test sees it in exited */ });
  proc.stderr.on('data', (d) => { proc.stderrText += d; });
  // 'close' comes after the process ended and its output was all read
  proc.exited = new Promise((res) => proc.on('close', (code, sig) => {
    // a sanitizer report fails the run even when the test itself passed
    if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(proc.stderrText)) {
      global.kairosSanitizerReports = (global.kairosSanitizerReports || 0) + 1;
      console.log(`sanitizer report from kairos ${args.join(' ')}:\n${proc.stderrText.slice(0, 4000)}`);
    }
    res({ code, sig });
  }));
  return proc;
}

function client(opts = {}) {
  const rpc = require('vscode-jsonrpc/node');
  const proc = spawn(opts.args || ['lsp'], opts);
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const notes = [];
  const waiters = [];
  conn.onNotification((method, params) => {
    notes.push({ method, params });
    for (const w of waiters.slice()) if (w.method === method && w.pred(params)) { waiters.splice(waiters.indexOf(w), 1); w.res(params); }
  });
  // vscode-jsonrpc keeps $/progress apart from other notifications
  conn.onUnhandledProgress((params) => {
    notes.push({ method: '$/progress', params });
    for (const w of waiters.slice()) if (w.method === '$/progress' && w.pred(params)) { waiters.splice(waiters.indexOf(w), 1); w.res(params); }
  });
  const requests = [];
  conn.onRequest((method, params) => {
    requests.push({ method, params });
    if (opts.onRequest) return opts.onRequest(method, params);
    return null;
  });
  conn.listen();
  function waitFor(method, pred = () => true, timeout = 10000) {
    const hit = notes.find((n) => n.method === method && pred(n.params));
    if (hit) return Promise.resolve(hit.params);
    return new Promise((res, rej) => {
      const w = { method, pred, res };
      waiters.push(w);
      setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); rej(new Error(`no ${method} within ${timeout} ms`)); } }, timeout);
    });
  }
  async function initialize(params = {}) {
    const p = Object.assign({ processId: process.pid, rootUri: opts.rootUri || null, capabilities: {} }, params);
    const r = await conn.sendRequest('initialize', p);
    conn.sendNotification('initialized', {});
    return r;
  }
  async function stop() {
    try { await conn.sendRequest('shutdown'); conn.sendNotification('exit'); } catch (e) { /* already gone */ }
    const r = await Promise.race([proc.exited, new Promise((res) => setTimeout(() => { proc.kill('SIGKILL'); res({ code: null, sig: 'SIGKILL' }); }, 5000))]);
    conn.dispose();
    return r;
  }
  return { proc, conn, notes, requests, waitFor, initialize, stop };
}

function frame(obj) {
  const body = Buffer.from(typeof obj === 'string' ? obj : JSON.stringify(obj), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

// Raw byte access: send buffers, read framed replies.
function raw(opts = {}) {
  const proc = spawn(opts.args || ['lsp'], opts);
  let buf = Buffer.alloc(0);
  const msgs = [];
  const waiters = [];
  proc.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const he = buf.indexOf('\r\n\r\n');
      if (he < 0) break;
      const m = /Content-Length: (\d+)/i.exec(buf.slice(0, he).toString());
      if (!m) throw new Error('server sent a header without Content-Length');
      const len = +m[1];
      if (buf.length < he + 4 + len) break;
      const body = JSON.parse(buf.slice(he + 4, he + 4 + len).toString('utf8'));
      buf = buf.slice(he + 4 + len);
      msgs.push(body);
      for (const w of waiters.slice()) if (w.pred(body)) { waiters.splice(waiters.indexOf(w), 1); w.res(body); }
    }
  });
  function send(b) { proc.stdin.write(Buffer.isBuffer(b) ? b : frame(b)); }
  function waitMsg(pred, timeout = 5000) {
    const hit = msgs.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((res, rej) => {
      const w = { pred, res };
      waiters.push(w);
      setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); rej(new Error(`no matching message within ${timeout} ms; got ${JSON.stringify(msgs).slice(0, 2000)}; stderr: ${proc.stderrText.slice(0, 1000)}`)); } }, timeout);
    });
  }
  const reply = (id, timeout) => waitMsg((m) => m.id === id && !m.method, timeout);
  return { proc, msgs, send, waitMsg, reply };
}

module.exports = { ROOT, KAIROS, tmpdir, env, spawn, client, raw, frame };

// vscode-jsonrpc rejects a pending write when the server has exited; the
// tests observe the exit itself, so these rejections are expected.
process.on('unhandledRejection', (e) => {
  if (e && (e.code === 'ERR_STREAM_WRITE_AFTER_END' || e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED')) return;
  console.log(`unhandled rejection: ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
});
