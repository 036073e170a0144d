'use strict';
// Memories worth a dream, written into the demo's personal store the way a
// person (or another tool) would leave them: a near-duplicate, a
// contradiction, a memory about a file that no longer exists, and a
// relative date.
const fs = require('fs');
const path = require('path');

const memories = [
  ['indent-with-spaces', 'feedback', '2026-10-02T09:00:00Z', 'Indent C code with 4 spaces, never tabs', 'Indent C code with 4 spaces, never tabs.\n\n**Why:** the review tool renders tabs as 8 columns.'],
  ['indent-spaces-four', 'feedback', '2026-09-20T16:00:00Z', 'Indent C code with 4 spaces, never tabs', 'Never tabs: indent the C code with 4 spaces!'],
  ['quotes-single', 'feedback', '2026-08-01T10:00:00Z', 'Use single quotes in the JavaScript tests', 'Use single quotes in the JavaScript tests.'],
  ['quotes-double', 'feedback', '2026-10-15T10:00:00Z', 'Use double quotes in the JavaScript tests', 'Use double quotes in the JavaScript tests.'],
  ['old-lexer-note', 'project', '2026-06-01T12:00:00Z', 'The old lexer keeps a global token table', 'The old lexer keeps a global token table.', ['src/lexer_old.c']],
  ['release-freeze', 'project', '2026-11-02T08:30:00Z', 'Release freeze started yesterday', 'The release freeze started yesterday; only fixes go in.'],
];

function seed(dir) {
  for (const [name, type, ts, desc, body, refs] of memories) {
    const fm = ['---', `name: ${name}`, `description: ${desc}`, `type: ${type}`, `created: ${ts}`, `updated: ${ts}`, 'source: user'];
    if (refs) fm.push(`refs: ${JSON.stringify(refs)}`);
    fm.push('---', body, '');
    fs.writeFileSync(path.join(dir, `${name}.md`), fm.join('\n'));
  }
}
seed.describe = 'a near-duplicate (indent), a contradiction (quotes), a stale ref (src/lexer_old.c), a relative date ("yesterday")';
module.exports = seed;
