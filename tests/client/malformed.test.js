'use strict';
// Malformed input, as raw bytes: every case is followed by a valid
// request that must still be answered (except a length over 1 GiB, after
// which the stream cannot be trusted and the server exits with 1).
const { test, run, assert, eq } = require('./harness');
const { raw, frame } = require('./lib');

const B = (s) => Buffer.from(s, 'binary');
const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } };
const probe = (id = 'probe') => ({ jsonrpc: '2.0', id, method: 'kairos/documentState', params: { textDocument: { uri: 'file:///nope' } } });
const req = (body) => frame(JSON.stringify(body));
const open = { jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///m.txt', languageId: 'c', version: 1, text: 'ab\ncd' } } };
const rawFrame = (body) => Buffer.concat([B(`Content-Length: ${body.length}\r\n\r\n`), body]);
const deep = '['.repeat(10000) + ']'.repeat(10000);

// [name, bytes to send, expected error reply or null, extra check]
const cases = [
  ['truncated header then a full one', B('Content-Length: 10\r\n'), null],
  ['Content-Type accepted', Buffer.concat([B('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n'), req(probe('x'))]), { id: 'x', code: -32602 }],
  ['lower-case header name', B(`content-length: ${JSON.stringify(probe('lc')).length}\r\n\r\n${JSON.stringify(probe('lc'))}`), { id: 'lc', code: -32602 }],
  ['white space around the value', B(`CONTENT-LENGTH:    ${JSON.stringify(probe('ws')).length}  \r\n\r\n${JSON.stringify(probe('ws'))}`), { id: 'ws', code: -32602 }],
  ['bare LF line endings', B(`Content-Length: ${JSON.stringify(probe('lf')).length}\n\n${JSON.stringify(probe('lf'))}`), { id: 'lf', code: -32602 }],
  ['no Content-Length', B('Content-Type: x\r\n\r\n{"jsonrpc":"2.0","id":5,"method":"shutdown"}'), null],
  ['negative length', B('Content-Length: -5\r\n\r\n'), null],
  ['non-numeric length', B('Content-Length: abc\r\n\r\n'), null],
  ['digits then junk', B('Content-Length: 12abc\r\n\r\n'), null],
  ['empty length', B('Content-Length:\r\n\r\n'), null],
  ['header block over 8 KiB', B('X-Junk: ' + 'x'.repeat(10000) + '\r\n\r\n'), null],
  ['zero-length body', B('Content-Length: 0\r\n\r\n'), { id: null, code: -32700 }],
  ['not JSON', frame('hello'), { id: null, code: -32700 }],
  ['incomplete JSON', frame('{"jsonrpc":'), { id: null, code: -32700 }],
  ['trailing garbage', frame('{"jsonrpc":"2.0","id":3,"method":"shutdown"} xyz'), { id: null, code: -32700 }],
  ['batch (JSON array)', frame('[{"jsonrpc":"2.0","id":3,"method":"shutdown"}]'), { id: null, code: -32600 }],
  ['empty array', frame('[]'), { id: null, code: -32600 }],
  ['a string', frame('"str"'), { id: null, code: -32600 }],
  ['a number', frame('42'), { id: null, code: -32600 }],
  ['null', frame('null'), { id: null, code: -32600 }],
  ['no jsonrpc member', frame('{"id":7,"method":"shutdown"}'), { id: 7, code: -32600 }],
  ['jsonrpc 1.0', frame('{"jsonrpc":"1.0","id":8,"method":"shutdown"}'), { id: 8, code: -32600 }],
  ['method is a number', frame('{"jsonrpc":"2.0","id":9,"method":12}'), { id: 9, code: -32600 }],
  ['id is an object', frame('{"jsonrpc":"2.0","id":{},"method":"shutdown"}'), { id: null, code: -32600 }],
  ['id is a float', frame('{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}'), { id: null, code: -32600 }],
  ['id is a boolean', frame('{"jsonrpc":"2.0","id":true,"method":"shutdown"}'), { id: null, code: -32600 }],
  ['id but no method', frame('{"jsonrpc":"2.0","id":11}'), { id: 11, code: -32600 }],
  ['params is a string', frame('{"jsonrpc":"2.0","id":12,"method":"kairos/documentState","params":"x"}'), { id: 12, code: -32602 }],
  ['unknown request', frame('{"jsonrpc":"2.0","id":13,"method":"no/suchThing","params":{}}'), { id: 13, code: -32601 }],
  ['unknown notification', frame('{"jsonrpc":"2.0","method":"no/suchThing","params":{}}'), null],
  ['invalid UTF-8 in a string', rawFrame(B('{"jsonrpc":"2.0","id":14,"method":"x\xff\xfeyz"}')), { id: null, code: -32700 }],
  ['NUL byte in the body', rawFrame(B('{"jsonrpc":"2.0","id":15,"method":"x\x00yz"}')), { id: null, code: -32700 }],
  ['overlong UTF-8 in a string', rawFrame(B('{"jsonrpc":"2.0","id":19,"method":"\xc0\xaf"}')), { id: null, code: -32700 }],
  ['10,000-deep nesting', frame(`{"jsonrpc":"2.0","id":16,"method":"x","params":${deep}}`), { id: null, code: -32700 }],
  ['a response to an id never used', frame('{"jsonrpc":"2.0","id":99999,"result":{}}'), null],
  ['a response with an error to an unknown id', frame('{"jsonrpc":"2.0","id":"zz","error":{"code":1,"message":"m"}}'), null],
  ['cancel of an unknown request', frame('{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":424242}}'), null],
  ['lone surrogate escape in method', frame('{"jsonrpc":"2.0","id":17,"method":"\\ud800"}'), { id: 17, code: -32601 }],
  ['1 MB method name', frame(`{"jsonrpc":"2.0","id":18,"method":"${'m'.repeat(1 << 20)}"}`), { id: 18, code: -32601 }],
  ['didOpen without text', frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///q"}}}'), null],
  ['didChange of an unknown document', frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///none","version":2},"contentChanges":[{"text":"x"}]}}'), null],
  ['out-of-range positions', Buffer.concat([req(open), req({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: 'file:///m.txt', version: 2 }, contentChanges: [{ range: { start: { line: 99, character: 5 }, end: { line: 1e9, character: 4e9 } }, text: '!' }] } })]), null,
    async (r) => { r.send({ jsonrpc: '2.0', id: 'st', method: 'kairos/documentState', params: { textDocument: { uri: 'file:///m.txt' } } }); eq((await r.reply('st')).result.text, 'ab\ncd!'); }],
  ['negative and wrong-typed positions', Buffer.concat([req(open), req({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: 'file:///m.txt', version: 2 }, contentChanges: [{ range: { start: { line: -1, character: 'a' }, end: null }, text: '!' }, { range: 'bad', text: 'x' }] } })]), null],
  ['contentChanges not an array', frame('{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///m.txt"},"contentChanges":7}}'), null],
  ['params null on a notification', frame('{"jsonrpc":"2.0","method":"textDocument/didClose","params":null}'), null],
  ['two messages in one write', Buffer.concat([req({ jsonrpc: '2.0', id: 'a1', method: 'no/x' }), req({ jsonrpc: '2.0', id: 'a2', method: 'no/y' })]), { id: 'a2', code: -32601 }],
  ['blank lines between messages', B('\r\n\r\n\r\n'), null],
  ['request and its cancel in one write', Buffer.concat([req({ jsonrpc: '2.0', id: 'c1', method: 'kairos/documentState', params: { textDocument: { uri: 'file:///nope' } } }), req({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 'c1' } })]), { id: 'c1', code: -32800 }],
  ['setTrace and a logTrace-style notification', Buffer.concat([req({ jsonrpc: '2.0', method: '$/setTrace', params: { value: 'off' } }), req({ jsonrpc: '2.0', method: '$/logTrace', params: { message: 'x' } })]), null],
];

for (const [name, bytes, expect, extra] of cases) {
  test(`malformed: ${name}`, async () => {
    const r = raw();
    r.send(init);
    await r.reply(1);
    r.send(bytes);
    if (expect) {
      const m = await r.waitMsg((m) => m.error && m.error.code === expect.code && m.id === expect.id);
      assert(typeof m.error.message === 'string' && m.error.message.length > 0, 'error has a message');
    }
    if (extra) await extra(r);
    r.send(probe('after'));
    const rep = await r.reply('after');
    eq(rep.error && rep.error.code, -32602, 'the valid request after it is answered');
    r.send({ jsonrpc: '2.0', id: 'bye', method: 'shutdown' });
    await r.reply('bye');
    r.send({ jsonrpc: '2.0', method: 'exit' });
    eq((await r.proc.exited).code, 0, 'clean exit');
  });
}

test('malformed: byte-by-byte delivery', async () => {
  const r = raw();
  const bytes = Buffer.concat([req(init), req(probe('bb'))]);
  for (let i = 0; i < bytes.length; i++) { r.proc.stdin.write(bytes.slice(i, i + 1)); if (i % 16 === 0) await new Promise((res) => setImmediate(res)); }
  eq((await r.reply('bb')).error.code, -32602);
  r.proc.kill();
});

test('malformed: a body over the 64 MiB cap is skipped without holding it', async () => {
  const r = raw();
  r.send(init);
  await r.reply(1);
  const n = (64 << 20) + 10;
  r.send(B(`Content-Length: ${n}\r\n\r\n`));
  const chunk = Buffer.alloc(1 << 20, 0x20);
  let left = n;
  while (left > 0) { const c = chunk.slice(0, Math.min(left, chunk.length)); left -= c.length; if (!r.proc.stdin.write(c)) await new Promise((res) => r.proc.stdin.once('drain', res)); }
  r.send(probe('big'));
  eq((await r.reply('big', 20000)).error.code, -32602);
  assert(/over the/.test(r.proc.stderrText), 'one line on stderr');
  r.proc.kill();
}, { timeout: 60000 });

test('malformed: a Content-Length over 1 GiB ends the server with status 1', async () => {
  const r = raw();
  r.send(init);
  await r.reply(1);
  r.send(B('Content-Length: 1073741825\r\n\r\n'));
  eq((await r.proc.exited).code, 1);
  assert(/cannot be trusted/.test(r.proc.stderrText), 'says why on stderr');
});

test('malformed: an overflowing Content-Length ends the server with status 1', async () => {
  const r = raw();
  r.send(init);
  await r.reply(1);
  r.send(B('Content-Length: 999999999999999999999999999\r\n\r\n'));
  eq((await r.proc.exited).code, 1);
});

test('malformed: requests before initialize get -32002, notifications are dropped', async () => {
  const r = raw();
  r.send(open);
  r.send(probe('early'));
  eq((await r.reply('early')).error.code, -32002);
  r.send(init);
  await r.reply(1);
  r.send({ jsonrpc: '2.0', id: 'st', method: 'kairos/documentState', params: { textDocument: { uri: 'file:///m.txt' } } });
  eq((await r.reply('st')).error.code, -32602, 'the early didOpen was dropped');
  r.proc.kill();
});

run();
