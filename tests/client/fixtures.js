'use strict';
// Fixture workspaces for the feature tests: a team store with rule
// memories, written into a fresh temporary directory.
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const { tmpdir, KAIROS } = require('./lib');

function memoryFile(m) {
  const lines = ['---', `name: ${m.name}`, `description: ${m.description}`, `type: ${m.type || 'feedback'}`,
    `created: ${m.created || '2026-01-01T00:00:00Z'}`, `updated: ${m.updated || '2026-01-01T00:00:00Z'}`];
  if (m.scope) lines.push(`scope: ${JSON.stringify(m.scope)}`);
  if (m.refs) lines.push(`refs: ${JSON.stringify(m.refs)}`);
  if (m.rule) {
    lines.push('rule:');
    for (const [k, v] of Object.entries(m.rule)) lines.push(`  ${k}: ${JSON.stringify(v)}`);
  }
  lines.push('---', m.body || m.description, '');
  return lines.join('\n');
}

const noStrcpy = {
  name: 'no-strcpy', description: 'Use strlcpy instead of strcpy',
  rule: { literal: 'strcpy(', message: 'strcpy does not check bounds: use strlcpy', severity: 'warning', fix: 'strlcpy(' },
};

// A workspace with files {rel: text} and team memories [m].
function workspace(files = {}, memories = [noStrcpy]) {
  const ws = tmpdir('kairos-ws-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    fs.writeFileSync(path.join(ws, rel), text);
  }
  const store = path.join(ws, '.kairos/memory');
  fs.mkdirSync(store, { recursive: true });
  for (const m of memories) fs.writeFileSync(path.join(store, `${m.name}.md`), memoryFile(m));
  return ws;
}

// `kairos trust` for ws, as the person would run it, in the environment
// (XDG_DATA_HOME) of the server that will use it; revoke: take it back.
// Returns the printed {workspace, trusted}.
function trust(ws, e, revoke = false) {
  const args = ['trust', '--workspace', ws, '--json'].concat(revoke ? ['--revoke'] : []);
  return JSON.parse(cp.execFileSync(KAIROS, args, { env: e }).toString());
}

module.exports = { workspace, memoryFile, noStrcpy, trust };
