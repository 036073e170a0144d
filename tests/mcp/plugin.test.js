'use strict';
// The Claude Code plugin (editors/claude-code) against the shape Claude
// Code documents for plugins (plugins reference: .claude-plugin/plugin.json
// holds only the manifest; components at the plugin root: .lsp.json with
// command, args, extensionToLanguage per server; .mcp.json with command,
// args per server), and the commands it names really start and answer.
const cp = require('child_process');
const fs = require('fs');
const path = require('path');
const { assert, ROOT, KAIROS, world, test, run } = require('./lib');

const DIR = path.join(ROOT, 'editors/claude-code');
const read = (f) => JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8'));

// The manifest's documented fields (metadata, and the component paths).
const MANIFEST_KEYS = ['name', 'version', 'description', 'author', 'homepage', 'repository',
  'license', 'keywords', 'commands', 'agents', 'skills', 'hooks', 'mcpServers', 'outputStyles',
  'lspServers'];
const LSP_KEYS = ['command', 'args', 'extensionToLanguage', 'transport', 'env', 'initializationOptions',
  'settings', 'workspaceFolder', 'startupTimeout', 'shutdownTimeout', 'restartOnCrash', 'maxRestarts'];
const MCP_KEYS = ['command', 'args', 'env', 'cwd', 'type', 'url', 'headers'];

// Claude Code runs `command` from PATH: the one under test comes first.
function envWithKairos(w) {
  return Object.assign({}, w.env, { PATH: `${path.dirname(KAIROS)}:${process.env.PATH}` });
}

test('.claude-plugin/ holds the manifest alone; the components sit at the plugin root', () => {
  assert.deepStrictEqual(fs.readdirSync(path.join(DIR, '.claude-plugin')), ['plugin.json']);
  assert(fs.existsSync(path.join(DIR, '.lsp.json')));
  assert(fs.existsSync(path.join(DIR, '.mcp.json')));
});

test('plugin.json: a kebab-case name, the binary\'s version, a description, documented fields only', () => {
  const m = read('.claude-plugin/plugin.json');
  assert.match(m.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  assert.strictEqual(typeof m.description, 'string');
  assert(m.description.length > 20);
  const version = cp.execFileSync(KAIROS, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
  assert.strictEqual(m.version, version);
  assert.match(m.version, /^\d+\.\d+\.\d+$/);
  for (const k of Object.keys(m)) assert(MANIFEST_KEYS.includes(k), `unknown manifest field ${k}`);
  assert.strictEqual(typeof m.author.name, 'string');
});

test('.lsp.json: one server, kairos lsp, with an extension-to-language map', () => {
  const l = read('.lsp.json');
  const names = Object.keys(l);
  assert.deepStrictEqual(names, ['kairos']);
  const s = l.kairos;
  for (const k of Object.keys(s)) assert(LSP_KEYS.includes(k), `unknown LSP server field ${k}`);
  assert.strictEqual(s.command, 'kairos');
  assert.deepStrictEqual(s.args, ['lsp']);
  const map = s.extensionToLanguage;
  assert(map && typeof map === 'object' && Object.keys(map).length > 5);
  for (const [ext, lang] of Object.entries(map)) {
    assert.match(ext, /^\.[A-Za-z0-9]+$/, ext);
    assert.match(lang, /^[a-z][a-z0-9-]*$/, lang);
  }
  for (const ext of ['.c', '.h', '.py', '.ts', '.go', '.rs', '.md']) assert(map[ext], `maps ${ext}`);
});

test('.mcp.json: one server, kairos mcp over stdio', () => {
  const m = read('.mcp.json');
  const servers = m.mcpServers || m;
  assert.deepStrictEqual(Object.keys(servers), ['kairos']);
  for (const k of Object.keys(servers.kairos)) assert(MCP_KEYS.includes(k), `unknown MCP server field ${k}`);
  assert.strictEqual(servers.kairos.command, 'kairos');
  assert.deepStrictEqual(servers.kairos.args, ['mcp']);
});

test('the language server the plugin names starts and answers initialize', async () => {
  const w = world();
  const s = read('.lsp.json').kairos;
  const p = cp.spawn(s.command, s.args, { env: envWithKairos(w), cwd: w.ws });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: 'file://' + w.ws, capabilities: {} } });
  let out = '';
  const got = new Promise((res) => p.stdout.on('data', (d) => { out += d; if (out.includes('"serverInfo"')) res(); }));
  p.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await got;
  p.kill();
  const reply = JSON.parse(out.slice(out.indexOf('{')));
  assert.strictEqual(reply.result.serverInfo.name, 'kairos');
  assert(reply.result.capabilities.executeCommandProvider.commands.includes('kairos.search'));
});

test('the MCP server the plugin names starts under the SDK client and lists the memory tools', async () => {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const w = world();
  const s = read('.mcp.json').kairos;
  const client = new Client({ name: 'plugin-test', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: s.command, args: s.args, env: envWithKairos(w), cwd: w.ws, stderr: 'pipe' }));
  try {
    const { tools } = await client.listTools();
    assert(tools.some((t) => t.name === 'memory_search'));
    const r = await client.callTool({ name: 'memory_add', arguments: { text: 'Remembered through the plugin' } });
    assert.strictEqual(r.isError, false, r.content[0].text);
    // the workspace's personal store: where the editor looks too
    assert.strictEqual(r.structuredContent.store, 'personal');
    assert(r.structuredContent.file.startsWith('file://' + path.join(w.env.XDG_DATA_HOME, 'kairos/projects/ws-')));
  } finally {
    await client.close();
  }
});

run();
