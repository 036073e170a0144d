'use strict';
// node test/vsix.js FILE.vsix: checks that the package holds what VS Code
// needs to run the extension (manifest, compiled entry point, the language
// client library, README, license). Reads the zip's central directory.
const fs = require('fs');

function entries(file) {
  const b = fs.readFileSync(file);
  let eocd = -1;
  for (let i = b.length - 22; i >= Math.max(0, b.length - 65557); i--) {
    if (b.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = b.readUInt16LE(eocd + 10);
  let p = b.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (b.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const nl = b.readUInt16LE(p + 28), xl = b.readUInt16LE(p + 30), cl = b.readUInt16LE(p + 32);
    names.push(b.slice(p + 46, p + 46 + nl).toString('utf8'));
    p += 46 + nl + xl + cl;
  }
  return names;
}

const file = process.argv[2];
const names = new Set(entries(file));
const manifest = JSON.parse(fs.readFileSync(require('path').join(__dirname, '..', 'package.json'), 'utf8'));
const want = [
  'extension.vsixmanifest', 'extension/package.json', 'extension/readme.md',
  `extension/${manifest.main.replace(/^\.\//, '')}`, 'extension/out/config.js', 'extension/out/idle.js',
  'extension/out/commands.js', 'extension/out/status.js',
  'extension/node_modules/vscode-languageclient/package.json', 'extension/node_modules/vscode-jsonrpc/package.json',
];
let failed = 0;
for (const w of want) {
  if (![...names].some((n) => n.toLowerCase() === w.toLowerCase())) { console.log(`FAIL ${file} lacks ${w}`); failed++; }
}
for (const n of names) {
  if (/^extension\/(src|test)\//.test(n) || /\.ts$/.test(n)) { console.log(`FAIL ${file} holds ${n}`); failed++; }
}
if (![...names].some((n) => /^extension\/license/i.test(n))) { console.log(`FAIL ${file} has no license`); failed++; }
console.log(failed ? `${failed} problems` : `ok ${file}: ${names.size} entries`);
process.exit(failed ? 1 : 0);
