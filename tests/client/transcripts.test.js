'use strict';
// Recorded transcripts under tests/data/transcripts/: "> JSON" lines are
// sent by the client, "< JSON" lines are the server messages expected next
// (in order; the string "<any>" matches any value), "exit N" is the
// expected exit status, "#" starts a comment.
const fs = require('fs');
const path = require('path');
const { test, run } = require('./harness');
const { raw, ROOT } = require('./lib');

const dir = path.join(ROOT, 'tests/data/transcripts');

function match(want, got, where) {
  if (want === '<any>') return;
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) throw new Error(`${where}: expected array of ${want.length}, got ${JSON.stringify(got)}`);
    want.forEach((w, i) => match(w, got[i], `${where}[${i}]`));
    return;
  }
  if (want && typeof want === 'object') {
    if (!got || typeof got !== 'object') throw new Error(`${where}: expected object, got ${JSON.stringify(got)}`);
    const wk = Object.keys(want).sort(), gk = Object.keys(got).sort();
    if (JSON.stringify(wk) !== JSON.stringify(gk)) throw new Error(`${where}: keys ${JSON.stringify(gk)} instead of ${JSON.stringify(wk)}`);
    for (const k of wk) match(want[k], got[k], `${where}.${k}`);
    return;
  }
  if (want !== got) throw new Error(`${where}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
  test(`transcript ${f}`, async () => {
    const r = raw();
    let seen = 0;
    const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (!line || line.startsWith('#')) continue;
      const where = `${f}:${i + 1}`;
      if (line.startsWith('> ')) r.send(line.slice(2));
      else if (line.startsWith('< ')) {
        const want = JSON.parse(line.slice(2));
        const idx = seen;
        const got = await r.waitMsg((m) => r.msgs.indexOf(m) === idx);
        seen++;
        match(want, got, where);
      } else if (line.startsWith('exit ')) {
        const e = await r.proc.exited;
        if (e.code !== +line.slice(5)) throw new Error(`${where}: exit ${e.code}`);
        if (r.msgs.length !== seen) throw new Error(`${where}: unexpected extra messages ${JSON.stringify(r.msgs.slice(seen))}`);
      } else throw new Error(`${where}: cannot read line`);
    }
  });
}

run();
