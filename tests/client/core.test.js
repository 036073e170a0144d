'use strict';
// The language server core through vscode-jsonrpc: lifecycle, position
// encodings (ASCII, CJK, emoji, combining marks) and incremental edits.
const { test, run, assert, eq } = require('./harness');
const { client, raw } = require('./lib');

const uri = 'file:///tmp/kairos-client-test/doc.txt';

async function open(c, text, version = 1) {
  c.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'plaintext', version, text } });
}
async function state(c, position) {
  return c.conn.sendRequest('kairos/documentState', { textDocument: { uri }, position });
}
function change(c, version, changes) {
  c.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
}
const R = (l1, c1, l2, c2) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

test('initialize answers the spec capabilities and serverInfo', async () => {
  const c = client();
  const r = await c.initialize();
  eq(r.capabilities.positionEncoding, 'utf-16', 'default encoding');
  eq(r.capabilities.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
  eq(r.serverInfo.name, 'kairos');
  assert(/^\d+\.\d+\.\d+/.test(r.serverInfo.version), 'version');
  const e = await c.stop();
  eq(e.code, 0, 'exit code after shutdown');
});

for (const [offered, want] of [[['utf-8', 'utf-16'], 'utf-8'], [['utf-32', 'utf-16'], 'utf-16'], [['utf-32'], 'utf-32'], [[], 'utf-16'], [['latin-1'], 'utf-16']]) {
  test(`position encoding negotiated: ${JSON.stringify(offered)} -> ${want}`, async () => {
    const c = client();
    const r = await c.initialize({ capabilities: { general: { positionEncodings: offered } } });
    eq(r.capabilities.positionEncoding, want);
    await c.stop();
  });
}

test('requests before initialize get -32002, unknown methods -32601, second initialize -32600', async () => {
  const c = client();
  let err = null;
  try { await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } }); } catch (e) { err = e; }
  eq(err && err.code, -32002, 'before initialize');
  await c.initialize();
  err = null;
  try { await c.conn.sendRequest('textDocument/nothingLikeThis', {}); } catch (e) { err = e; }
  eq(err && err.code, -32601, 'unknown method');
  err = null;
  try { await c.conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} }); } catch (e) { err = e; }
  eq(err && err.code, -32600, 'second initialize');
  await c.conn.sendRequest('shutdown');
  err = null;
  try { await c.conn.sendRequest('kairos/documentState', { textDocument: { uri } }); } catch (e) { err = e; }
  eq(err && err.code, -32600, 'after shutdown');
  c.conn.sendNotification('exit');
  eq((await c.proc.exited).code, 0);
});

test('exit without shutdown exits 1; closing stdin exits', async () => {
  let c = client();
  await c.initialize();
  c.conn.sendNotification('exit');
  eq((await c.proc.exited).code, 1, 'exit without shutdown');
  c = client();
  await c.initialize();
  c.conn.dispose();
  c.proc.stdin.end();
  const r = await c.proc.exited;
  assert(r.code !== null, 'exited by itself when stdin closed');
});

const samples = {
  ascii: 'int main(void) {\n  return 0;\n}\n',
  cjk: '// 日本語のコメント\nconst 名前 = "値";\n',
  emoji: 'say("😀 hi 🎉");\nx = 1 // 👍🏽\n',
  combining: 'cafe\u0301 nai\u0308ve\nZ\u0351\u0334alg\u0315o\n',
};

// Apply an LSP edit to a JS string the way the spec says, in code units of enc.
function toIndex(text, pos, enc) {
  const lines = text.split('\n');
  let idx = 0;
  for (let i = 0; i < pos.line && i < lines.length; i++) idx += lines[i].length + 1;
  const line = lines[Math.min(pos.line, lines.length - 1)];
  if (enc === 'utf-16') return idx + Math.min(pos.character, line.length);
  let units = 0, k = 0;
  for (const ch of line) {
    const u = enc === 'utf-8' ? Buffer.byteLength(ch) : 1;
    if (units + u > pos.character) break;
    units += u; k += ch.length;
  }
  return idx + k;
}
function applyEdit(text, range, newText, enc) {
  const a = toIndex(text, range.start, enc), b = toIndex(text, range.end, enc);
  return text.slice(0, a) + newText + text.slice(b);
}
function unitsOf(s, enc) { return enc === 'utf-16' ? s.length : enc === 'utf-8' ? Buffer.byteLength(s) : [...s].length; }

for (const enc of ['utf-16', 'utf-8', 'utf-32']) {
  for (const [name, text] of Object.entries(samples)) {
    test(`incremental edits in ${enc} on ${name} text`, async () => {
      const c = client();
      const r = await c.initialize({ capabilities: { general: { positionEncodings: [enc] } } });
      eq(r.capabilities.positionEncoding, enc);
      await open(c, text);
      let expect = text;
      const lines = text.split('\n');
      // insert after the 3rd character of line 1, in enc units
      const chars = [...lines[1]];
      const col = unitsOf(chars.slice(0, 3).join(''), enc);
      const edits = [
        [R(1, col, 1, col), '✓'],
        [R(0, 0, 0, unitsOf([...lines[0]].slice(0, 2).join(''), enc)), 'XY'],
        [R(0, 1, 1, 2 * 0 + unitsOf([...lines[1]][0] || '', enc)), '\n🎉\n'],
        [R(5, 0, 9, 0), 'tail'],
      ];
      let v = 1;
      for (const [range, t] of edits) {
        expect = applyEdit(expect, range, t, enc);
        change(c, ++v, [{ range, text: t }]);
      }
      const st = await state(c);
      eq(st.text, expect, 'document text after edits');
      eq(st.version, v, 'version');
      await c.stop();
    });
  }
}

test('a surrogate pair position in utf-16 clamps to the character start; past the end clamps', async () => {
  const c = client();
  await c.initialize();
  await open(c, 'a😀b\nxyz');
  let st = await state(c, { line: 0, character: 2 });
  eq(st.position.byte, 1, 'inside the pair -> start of the emoji');
  st = await state(c, { line: 0, character: 99 });
  eq(st.position, { line: 0, byte: 6, character: 4 });
  st = await state(c, { line: 42, character: 3 });
  eq(st.position.line, 1, 'line past the end -> last line');
  change(c, 2, [{ range: R(0, 99, 7, 99), text: '!' }]);
  st = await state(c);
  eq(st.text, 'a😀b!', 'out-of-range edit clamps to the end');
  await c.stop();
});

test('full-text change, CRLF lines and didClose', async () => {
  const c = client();
  await c.initialize();
  await open(c, 'one\r\ntwo\r\nthree');
  change(c, 2, [{ range: R(1, 3, 2, 0), text: '' }]);
  let st = await state(c);
  eq(st.text, 'one\r\ntwothree');
  change(c, 3, [{ text: 'fresh\ntext' }]);
  st = await state(c);
  eq(st.text, 'fresh\ntext');
  eq(st.lineCount, 2);
  c.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  let err = null;
  try { await state(c); } catch (e) { err = e; }
  eq(err && err.code, -32602, 'closed document is gone');
  await c.stop();
});

test('ids are echoed exactly, numbers and strings', async () => {
  const r = raw();
  r.send({ jsonrpc: '2.0', id: 'abc-1', method: 'initialize', params: { capabilities: {} } });
  eq((await r.reply('abc-1')).id, 'abc-1');
  r.send({ jsonrpc: '2.0', id: 9007199254740991, method: 'shutdown' });
  const rep = await r.reply(9007199254740991);
  eq(rep.result, null);
  r.send({ jsonrpc: '2.0', method: 'exit', params: null });
  eq((await r.proc.exited).code, 0);
});

run();
