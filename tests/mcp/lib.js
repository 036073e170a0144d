'use strict';
// Drives the real `kairos mcp` the way an agent host does: the official
// MCP TypeScript SDK client over its StdioClientTransport. Also a tiny
// runner (one "ok"/"FAIL" line per test, a closing "N passed, M failed")
// and helpers for the CLI and a raw LSP session.
const assert = require('assert');
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = process.env.ROOT || path.resolve(__dirname, '../..');
const B = path.resolve(ROOT, process.env.B || 'build');
const KAIROS = path.resolve(ROOT, process.env.KAIROS || path.join(B, 'kairos'));
const SANITIZER = /AddressSanitizer|LeakSanitizer|runtime error:/;

function tmpdir(prefix = 'kairos-mcp-') { return fs.mkdtempSync(path.join(os.tmpdir(), prefix)); }

// A clean world: its own HOME and XDG_DATA_HOME, a workspace, a store.
function world() {
  const root = tmpdir();
  const w = {
    root,
    ws: path.join(root, 'ws'),
    mem: path.join(root, 'mem'),
    env: Object.assign({}, process.env, {
      HOME: path.join(root, 'home'),
      XDG_DATA_HOME: path.join(root, 'data'),
      KAIROS_PLUGIN_DIR: B,
    }),
  };
  fs.mkdirSync(w.ws, { recursive: true });
  fs.mkdirSync(w.env.HOME, { recursive: true });
  return w;
}

// `kairos ARGS...` in w: {code, stdout, stderr}
function cli(w, args, opts = {}) {
  const r = cp.spawnSync(KAIROS, args, { env: w.env, cwd: w.ws, encoding: 'utf8', input: opts.input });
  if (SANITIZER.test(r.stderr)) throw new Error(`sanitizer report from kairos ${args.join(' ')}:\n${r.stderr}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The same, not blocking the event loop (for a CLI writing while the agent works).
function cliAsync(w, args) {
  return new Promise((res) => {
    const p = cp.spawn(KAIROS, args, { env: w.env, cwd: w.ws });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (code) => res({ code, stdout, stderr }));
  });
}

// Writes a memory file by hand (what a person or another tool would do).
function writeMemory(dir, name, fields, body) {
  fs.mkdirSync(dir, { recursive: true });
  const fm = Object.assign({ name, description: body.split('\n')[0], type: 'project',
    created: '2026-03-02T10:15:00Z', updated: '2026-03-02T10:15:00Z' }, fields);
  const lines = ['---'];
  for (const [k, v] of Object.entries(fm)) lines.push(`${k}: ${v}`);
  lines.push('---', body, '');
  fs.writeFileSync(path.join(dir, `${name}.md`), lines.join('\n'));
}

// An MCP client connected to `kairos mcp ARGS` through the SDK, with the
// tools listed first (as a host does; the SDK then checks every
// structuredContent against the tool's outputSchema).
async function connect(w, args = ['mcp', '--memory-dir', w.mem]) {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const transport = new StdioClientTransport({ command: KAIROS, args, env: w.env, cwd: w.ws, stderr: 'pipe' });
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d; });
  const client = new Client({ name: 'kairos-tests', version: '1.0.0' });
  const notes = [];
  const { ResourceListChangedNotificationSchema } = require('@modelcontextprotocol/sdk/types.js');
  client.setNotificationHandler(ResourceListChangedNotificationSchema, (n) => { notes.push(n.method); });
  await client.connect(transport);
  const tools = await client.listTools();
  return {
    client, tools, notes,
    stderr: () => stderr,
    // the tool's result: {result, data} where data is the parsed text item
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      let data;
      try { data = JSON.parse(result.content[0].text); } catch (e) { data = undefined; }
      return { result, data };
    },
    async close() {
      await client.close();
      if (SANITIZER.test(stderr)) throw new Error(`sanitizer report from kairos mcp:\n${stderr}`);
    },
  };
}

// A raw `kairos mcp`: lines in, lines out (for what the SDK would never send).
function rawMcp(w, args = ['mcp', '--memory-dir', w.mem]) {
  const p = cp.spawn(KAIROS, args, { env: w.env, cwd: w.ws });
  let buf = '', stderr = '';
  const got = [], waiters = [];
  p.stderr.on('data', (d) => { stderr += d; });
  p.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      got.push(msg);
      for (const wt of waiters.slice()) if (wt.pred(msg)) { waiters.splice(waiters.indexOf(wt), 1); wt.res(msg); }
    }
  });
  const exited = new Promise((res) => p.on('close', (code) => res(code)));
  return {
    send(obj) { p.stdin.write((typeof obj === 'string' ? obj : JSON.stringify(obj)) + '\n'); },
    next(pred, timeout = 10000) {
      const hit = got.find(pred);
      if (hit) { got.splice(got.indexOf(hit), 1); return Promise.resolve(hit); }
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('no such message from kairos mcp')), timeout);
        waiters.push({ pred: (m) => { if (!pred(m)) return false; got.splice(got.indexOf(m), 1); clearTimeout(t); return true; }, res });
      });
    },
    reply(id) { return this.next((m) => m.id === id); },
    async end() {
      p.stdin.end();
      const code = await exited;
      if (SANITIZER.test(stderr)) throw new Error(`sanitizer report from kairos mcp:\n${stderr}`);
      return code;
    },
    stderr: () => stderr,
  };
}

// A raw `kairos lsp` session (Content-Length framing), enough for one command.
function rawLsp(w, initializationOptions) {
  const p = cp.spawn(KAIROS, ['lsp'], { env: w.env, cwd: w.ws });
  let buf = Buffer.alloc(0), stderr = '', id = 0;
  const pending = new Map();
  p.stderr.on('data', (d) => { stderr += d; });
  p.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const h = buf.indexOf('\r\n\r\n');
      if (h < 0) return;
      const len = Number(/Content-Length: *(\d+)/i.exec(buf.slice(0, h).toString())[1]);
      if (buf.length < h + 4 + len) return;
      const msg = JSON.parse(buf.slice(h + 4, h + 4 + len).toString());
      buf = buf.slice(h + 4 + len);
      if (msg.id !== undefined && pending.has(msg.id) && !msg.method) { pending.get(msg.id)(msg); pending.delete(msg.id); }
    }
  });
  const exited = new Promise((res) => p.on('close', (code) => res(code)));
  function send(obj) {
    const s = JSON.stringify(Object.assign({ jsonrpc: '2.0' }, obj));
    p.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`);
  }
  function request(method, params) {
    const my = ++id;
    return new Promise((res) => { pending.set(my, res); send({ id: my, method, params }); });
  }
  return {
    async start() {
      await request('initialize', { processId: null, rootUri: 'file://' + w.ws, capabilities: {}, initializationOptions });
      send({ method: 'initialized', params: {} });
    },
    request,
    async command(command, args) {
      const r = await request('workspace/executeCommand', { command, arguments: [args] });
      if (r.error) throw new Error(`${command}: ${r.error.message}`);
      return r.result;
    },
    async stop() {
      await request('shutdown', null);
      send({ method: 'exit' });
      await exited;
      if (SANITIZER.test(stderr)) throw new Error(`sanitizer report from kairos lsp:\n${stderr}`);
    },
  };
}

const tests = [];
function test(name, fn) { tests.push({ name, fn }); }

async function run() {
  let passed = 0, failed = 0;
  for (const t of tests) {
    try {
      await t.fn();
      passed++;
      console.log(`ok ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

module.exports = { ROOT, B, KAIROS, assert, world, cli, cliAsync, writeMemory, connect, rawMcp, rawLsp, test, run, tmpdir };

// The memories the tests rank and read: some alike on purpose.
const CORPUS = [
  ['use-pnpm-not-npm', { type: 'feedback' }, 'Use pnpm, not npm\n\n**Why:** the lockfile is pnpm\'s.'],
  ['always-pnpm', { type: 'feedback', description: 'Always use `pnpm` instead of `npm`' }, 'Always use `pnpm` instead of `npm` in this repository.'],
  ['indent-with-spaces', { type: 'feedback' }, 'Indent C code with 4 spaces, never tabs'],
  ['spaces-in-makefiles', {}, 'Makefiles need tabs, not spaces, before recipes'],
  ['running-tests', {}, 'Run the test suites with make test before pushing'],
  ['deploy-note', {}, 'Deploys go through the staging cluster first'],
  ['release-checklist', { type: 'reference' }, 'The release checklist lives in docs/release.md'],
  ['user-profile', { type: 'user' }, 'The person prefers short answers, and C over C++'],
  ['cafe-note', {}, 'Le café de l\'équipe est au deuxième étage'],
  ['nightly-tests-ja', {}, 'テストは毎晩実行される'],
];

function seed(dir) {
  for (const [name, fields, body] of CORPUS) writeMemory(dir, name, fields, body);
}

module.exports.CORPUS = CORPUS;
module.exports.seed = seed;
