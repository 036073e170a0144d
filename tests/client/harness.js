'use strict';
// A tiny sequential test runner: test(name, fn); run() prints one line per
// failure and closes with "N passed, M failed".
const tests = [];
function test(name, fn, opts = {}) { tests.push({ name, fn, timeout: opts.timeout || 20000 }); }
async function run() {
  let passed = 0, failed = 0;
  const only = process.env.ONLY;
  for (const t of tests) {
    if (only && !t.name.includes(only)) continue;
    let timer;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`timed out after ${t.timeout} ms`)), t.timeout); }),
      ]);
      passed++;
      if (process.env.VERBOSE) console.log(`ok ${t.name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}: ${e && e.stack ? e.stack : e}`);
    } finally { clearTimeout(timer); }
  }
  if (global.kairosSanitizerReports) { failed += global.kairosSanitizerReports; console.log(`${global.kairosSanitizerReports} sanitizer report(s)`); }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
function assert(cond, msg) { if (!cond) throw new Error(msg || 'assertion failed'); }
function eq(a, b, msg) {
  const sa = JSON.stringify(a), sb = JSON.stringify(b);
  if (sa !== sb) throw new Error(`${msg || 'not equal'}: expected ${sb}, got ${sa}`);
}
module.exports = { test, run, assert, eq };
