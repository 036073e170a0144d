'use strict';
// An agent and a CLI writing to one store at the same moment: every
// memory of both lands on disk and in history, and the agent sees the
// CLI's at its next call.
const { assert, world, cli, cliAsync, connect, test, run } = require('./lib');

const N = 15;

test(`the agent adds ${N} memories while the CLI adds ${N}: nothing is lost`, async () => {
  const w = world();
  const a = await connect(w);
  try {
    const fromCli = (async () => {
      for (let i = 0; i < N; i++) {
        const r = await cliAsync(w, ['memory', 'add', '--memory-dir', w.mem, '--name', `cli-${i}`, `Written by the CLI, number ${i}, about walruses`]);
        assert.strictEqual(r.code, 0, r.stderr);
      }
    })();
    const fromAgent = (async () => {
      for (let i = 0; i < N; i++) {
        const { result } = await a.call('memory_add', { name: `agent-${i}`, text: `Written by the agent, number ${i}, about narwhals` });
        assert.strictEqual(result.isError, false, result.content[0].text);
      }
    })();
    await Promise.all([fromCli, fromAgent]);

    const want = [];
    for (let i = 0; i < N; i++) want.push(`agent-${i}`, `cli-${i}`);
    want.sort();
    const { data } = await a.call('memory_list', {});
    assert.deepStrictEqual(data.memories.map((m) => m.name).sort(), want, 'the agent sees all of them');
    const listed = JSON.parse(cli(w, ['memory', 'list', '--memory-dir', w.mem, '--json']).stdout);
    assert.deepStrictEqual(listed.map((m) => m.name).sort(), want, 'the CLI sees all of them');
    const log = cli(w, ['log', '--memory-dir', w.mem]).stdout;
    for (const name of want) assert(log.includes(`remember: ${name}`), `history holds ${name}`);
    const found = (await a.call('memory_search', { query: 'walrus', limit: 100 })).data.memories;
    assert.strictEqual(found.length, N, 'the agent finds what the CLI wrote');
    assert(found.every((m) => m.name.startsWith('cli-')));
  } finally {
    await a.close();
  }
});

test('an agent forgets while the CLI adds: the forget and every add are kept', async () => {
  const w = world();
  for (let i = 0; i < 5; i++) cli(w, ['memory', 'add', '--memory-dir', w.mem, '--name', `old-${i}`, `Old note ${i}`]);
  const a = await connect(w);
  try {
    await Promise.all([
      (async () => { for (let i = 0; i < 5; i++) assert.strictEqual((await cliAsync(w, ['memory', 'add', '--memory-dir', w.mem, '--name', `new-${i}`, `New note ${i}`])).code, 0); })(),
      (async () => { for (let i = 0; i < 5; i++) assert.strictEqual((await a.call('memory_forget', { name: `old-${i}` })).result.isError, false); })(),
    ]);
    const { data } = await a.call('memory_list', {});
    assert.deepStrictEqual(data.memories.map((m) => m.name).sort(), ['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
  } finally {
    await a.close();
  }
});

run();
