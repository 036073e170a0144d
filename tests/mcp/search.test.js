'use strict';
// One ranking everywhere: the cases a person checks, and the same order
// from `kairos memory search --json`, the server's kairos.search and the
// MCP tool memory_search.
const { assert, world, cli, connect, rawLsp, seed, test, run } = require('./lib');

const QUERIES = ['npm', 'indent-with-spaces', 'spaces-in-makefiles', 'running tests', 'deploying',
  'spaces tabs', 'CAFÉ', 'テスト', 'zebra', 'the'];

function cliSearch(w, q, extra = []) {
  const r = cli(w, ['memory', 'search', '--memory-dir', w.mem, '--json', ...extra, q]);
  assert.strictEqual(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('an exact name comes first, even when other memories say its words more often', () => {
  const w = world();
  seed(w.mem);
  assert.strictEqual(cliSearch(w, 'indent-with-spaces')[0].name, 'indent-with-spaces');
  assert.strictEqual(cliSearch(w, 'spaces-in-makefiles')[0].name, 'spaces-in-makefiles');
  assert.strictEqual(cliSearch(w, 'Spaces in Makefiles')[0].name, 'spaces-in-makefiles');
});

test('a stemmed word matches: "running tests" finds "Run the test suites", "deploying" finds "Deploys"', () => {
  const w = world();
  seed(w.mem);
  assert.strictEqual(cliSearch(w, 'running tests')[0].name, 'running-tests');
  assert.deepStrictEqual(cliSearch(w, 'deploying').map((m) => m.name), ['deploy-note']);
});

test('"npm" finds "Use pnpm, not npm" and the other wording, and nothing else', () => {
  const w = world();
  seed(w.mem);
  const names = cliSearch(w, 'npm').map((m) => m.name).sort();
  assert.deepStrictEqual(names, ['always-pnpm', 'use-pnpm-not-npm']);
});

test('no match gives an empty list (exit 0), also through the text output', () => {
  const w = world();
  seed(w.mem);
  assert.deepStrictEqual(cliSearch(w, 'zebra'), []);
  const r = cli(w, ['memory', 'search', '--memory-dir', w.mem, 'zebra']);
  assert.strictEqual(r.code, 0);
  assert.strictEqual(r.stdout, '');
});

test('Unicode: case folded and normalised (CAFÉ finds café), ideographs match one by one', () => {
  const w = world();
  seed(w.mem);
  assert.strictEqual(cliSearch(w, 'CAFÉ')[0].name, 'cafe-note');
  assert.strictEqual(cliSearch(w, 'ＣＡＦÉ')[0].name, 'cafe-note');
  assert.strictEqual(cliSearch(w, 'テスト')[0].name, 'nightly-tests-ja');
});

test('results are the kairos.memories objects with a score, best first; --limit cuts', () => {
  const w = world();
  seed(w.mem);
  const r = cliSearch(w, 'spaces tabs');
  assert(r.length >= 2);
  for (const m of r) {
    for (const k of ['name', 'description', 'type', 'store', 'uri']) assert.strictEqual(typeof m[k], 'string', k);
    assert.strictEqual(typeof m.score, 'number');
    assert(m.uri.startsWith('file://'));
  }
  for (let i = 1; i < r.length; i++) assert(r[i - 1].score >= r[i].score, 'best first');
  assert.strictEqual(cliSearch(w, 'spaces tabs', ['--limit', '1']).length, 1);
});

test('bad usage exits 2 with one line: no query, a bad --limit', () => {
  const w = world();
  seed(w.mem);
  for (const args of [['memory', 'search'], ['memory', 'search', '--limit', '0', 'x'],
    ['memory', 'search', '--limit', 'ten', 'x'], ['memory', 'search', '   ']]) {
    const r = cli(w, [...args, '--memory-dir', w.mem]);
    assert.strictEqual(r.code, 2, args.join(' '));
    assert(r.stderr.trim().length > 0);
  }
});

test('the same order and scores from the CLI, kairos.search and memory_search', async () => {
  const w = world();
  seed(w.mem);
  const lsp = rawLsp(w, { memoryDir: w.mem });
  await lsp.start();
  const agent = await connect(w);
  try {
    for (const q of QUERIES) {
      const fromCli = cliSearch(w, q);
      const fromLsp = await lsp.command('kairos.search', { query: q });
      const { result, data } = await agent.call('memory_search', { query: q });
      assert(!result.isError, q);
      const order = (a) => a.map((m) => `${m.name} ${m.score}`);
      assert.deepStrictEqual(order(fromLsp), order(fromCli), `kairos.search "${q}"`);
      assert.deepStrictEqual(order(data.memories), order(fromCli), `memory_search "${q}"`);
      assert.deepStrictEqual(fromLsp, fromCli, `the same objects for "${q}"`);
    }
    assert.deepStrictEqual(await lsp.command('kairos.search', { query: 'npm', limit: 1 }),
      cliSearch(w, 'npm', ['--limit', '1']));
  } finally {
    await agent.close();
    await lsp.stop();
  }
});

test('kairos.search refuses a missing query or a bad limit with -32602', async () => {
  const w = world();
  seed(w.mem);
  const lsp = rawLsp(w, { memoryDir: w.mem });
  await lsp.start();
  try {
    for (const args of [{}, { query: 3 }, { query: 'x', limit: 0 }, { query: 'x', limit: 'ten' }]) {
      const r = await lsp.request('workspace/executeCommand', { command: 'kairos.search', arguments: [args] });
      assert(r.error && r.error.code === -32602, JSON.stringify(args));
    }
  } finally {
    await lsp.stop();
  }
});

test('the server sees a memory added by the CLI at its next search', async () => {
  const w = world();
  seed(w.mem);
  const lsp = rawLsp(w, { memoryDir: w.mem });
  await lsp.start();
  try {
    assert.deepStrictEqual(await lsp.command('kairos.search', { query: 'flamingo' }), []);
    assert.strictEqual(cli(w, ['memory', 'add', '--memory-dir', w.mem, 'The flamingo service owns the login page']).code, 0);
    const r = await lsp.command('kairos.search', { query: 'flamingo' });
    assert.deepStrictEqual(r.map((m) => m.name), ['the-flamingo-service-owns-the-login-page']);
  } finally {
    await lsp.stop();
  }
});

run();
