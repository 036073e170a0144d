#!/usr/bin/env node
// A stand-in for the Anthropic Messages API and OpenAI-compatible chat
// completions, for kairos's model tests. Plain Node, loopback only, an
// ephemeral port. It checks every request the way the real services
// would (path, headers, key, JSON fields) and that no secret-looking text
// is in the body, and answers with replies of the recorded shapes. The
// request's "model" picks the behaviour (see SCENARIOS below).
//
//   node server.js --port-file FILE      writes the port to FILE when listening
//   env MODEL_TEST_KEY                    the key the client must send
//
// Control endpoints (POST, any body): /_stats (JSON: counts, arrival
// times, violations, transfers closed before their reply ended), /_reset.
// Every violation is also printed on stderr as a line starting VIOLATION.
'use strict';
const http = require('http');
const fs = require('fs');

const KEY = process.env.MODEL_TEST_KEY || '';
let portFile = null;
for (let i = 2; i < process.argv.length; i++)
	if (process.argv[i] === '--port-file') portFile = process.argv[++i];

// Text that looks like a credential (memory-format.md, "Secrets").
const SECRET_PATTERNS = [
	/ghp_[A-Za-z0-9]{20,}/, /gho_[A-Za-z0-9]{20,}/, /github_pat_[A-Za-z0-9_]{20,}/,
	/AKIA[0-9A-Z]{16}/, /xox[abprs]-[A-Za-z0-9-]{10,}/, /sk-[A-Za-z0-9_-]{20,}/,
	/-----BEGIN [A-Z ]*PRIVATE KEY-----/,
	/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
	/password\s*[=:]\s*[^\s\[]{4,}/i,
];

let state;
function reset() {
	state = { counts: {}, times: {}, violations: [], closedEarly: 0, hanging: 0, bodies: {} };
}
reset();

function violation(msg) {
	state.violations.push(msg);
	process.stderr.write('VIOLATION ' + msg + '\n');
}

// Replies the model "writes", by what it was asked (the user message).
const TICK_REPLY = JSON.stringify({ suggestions: [
	{ file: 'src/main.c', line: 3, message: 'Use str_copy, never strcpy', memory: 'no-strcpy',
	  fix: { find: 'strcpy(', replace: 'str_copy(' } },
	{ file: 'src/main.c', line: 99, message: 'No such line', memory: null, fix: null },
	{ file: 'src/main.c', line: 1, message: 'find not on the line', memory: null,
	  fix: { find: 'strcpy(', replace: 'x' } },
	{ file: '../etc/passwd', line: 1, message: 'outside the workspace', memory: null, fix: null },
	{ file: 'src/main.c', line: 0, message: 'line zero', memory: null, fix: null },
	{ file: 'src/main.c', line: 2, message: 'unknown key', severity: 'error' },
] }, null, 1);
const DREAM_REPLY = JSON.stringify({ operations: [
	{ op: 'merge', into: 'indent-with-spaces', from: ['indent-four'], reason: 'the same rule' },
	{ op: 'supersede', winner: 'quotes-double', loser: 'quotes-single', reason: 'newer' },
	{ op: 'merge', into: 'indent-with-spaces', from: ['no-such-memory'], reason: 'made up' },
	{ op: 'delete', names: ['quotes-double'], reason: 'not an operation' },
	{ op: 'keep', names: ['quotes-double'] },
] });
const REMEMBER_REPLY = '{"name": "release-checklist", "description": "Steps to cut a release", "type": "project"}';
const IMPROVE_REPLY = '{"replacement": "\\tstr_copy(a, b);"}';

function answerFor(user) {
	if (/Lines changed since the last tick/.test(user)) return '```json\n' + TICK_REPLY + '\n```';
	if (/Pairs to decide/.test(user)) return DREAM_REPLY;
	if (/The note to file/.test(user)) return REMEMBER_REPLY;
	if (/<<<SELECTION/.test(user)) return IMPROVE_REPLY;
	return '{"suggestions": []}';
}

function anthropicReply(model, text) {
	return { id: 'msg_01XFDUDYJgAACzvnptvVoYEL', type: 'message', role: 'assistant', model,
		content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null,
		usage: { input_tokens: 2095, output_tokens: 503 } };
}

function openaiReply(model, text) {
	return { id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', object: 'chat.completion',
		created: Math.floor(Date.now() / 1000), model,
		choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null },
			logprobs: null, finish_reason: 'stop' }],
		usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 } };
}

function apiError(provider, status, message) {
	if (provider === 'anthropic')
		return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' :
			status >= 500 ? 'api_error' : 'invalid_request_error', message } };
	return { error: { message, type: status === 429 ? 'requests' : 'server_error', param: null,
		code: null } };
}

function isInt(v) { return typeof v === 'number' && Number.isInteger(v); }

// Returns a list of problems with the request's shape.
function checkShape(provider, req, body, raw) {
	const p = [];
	const h = req.headers;
	if (!/^application\/json\b/.test(h['content-type'] || '')) p.push('content-type is not application/json');
	if (h['expect']) p.push('Expect header sent');
	if (provider === 'anthropic') {
		if (h['x-api-key'] !== KEY) p.push('x-api-key missing or wrong');
		if (h['anthropic-version'] !== '2023-06-01') p.push('anthropic-version missing or wrong');
		if (h['authorization']) p.push('authorization header sent to anthropic');
	} else {
		const noKey = /^nokey/.test(body && body.model || '');
		if (noKey && h['authorization']) p.push('authorization sent though no key is configured');
		if (!noKey && h['authorization'] !== 'Bearer ' + KEY) p.push('authorization missing or wrong');
		if (h['x-api-key']) p.push('x-api-key sent to an openai server');
	}
	if (KEY && raw.includes(KEY)) p.push('the API key is in the body');
	for (const re of SECRET_PATTERNS)
		if (re.test(raw)) p.push('secret-looking text in the body: ' + re);
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		p.push('body is not a JSON object');
		return p;
	}
	if (typeof body.model !== 'string' || !body.model) p.push('model missing');
	if (!Array.isArray(body.messages) || body.messages.length === 0) p.push('messages missing');
	const known = provider === 'anthropic'
		? ['model', 'max_tokens', 'system', 'messages', 'temperature', 'stream', 'stop_sequences', 'top_p', 'metadata']
		: ['model', 'messages', 'max_tokens', 'temperature', 'stream', 'top_p', 'response_format', 'stop', 'seed'];
	for (const k of Object.keys(body)) if (!known.includes(k)) p.push('unknown field ' + k);
	if (provider === 'anthropic') {
		if (!isInt(body.max_tokens) || body.max_tokens < 1) p.push('max_tokens must be a positive integer');
		if ('system' in body && typeof body.system !== 'string') p.push('system must be a string');
	} else if ('max_tokens' in body && (!isInt(body.max_tokens) || body.max_tokens < 1)) {
		p.push('max_tokens must be a positive integer');
	}
	if ('stream' in body && body.stream !== false) p.push('stream must be false');
	if ('temperature' in body && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2))
		p.push('bad temperature');
	const roles = provider === 'anthropic' ? ['user', 'assistant'] : ['system', 'user', 'assistant'];
	for (const m of body.messages || []) {
		if (!m || !roles.includes(m.role)) p.push('bad message role');
		if (!m || typeof m.content !== 'string' || !m.content) p.push('message content must be a non-empty string');
	}
	if (provider === 'anthropic' && body.messages && body.messages[0] && body.messages[0].role !== 'user')
		p.push('first message must be from the user');
	return p;
}

function userText(provider, body) {
	const msgs = (body && body.messages) || [];
	return msgs.filter((m) => m && m.role === 'user').map((m) => m.content).join('\n');
}

function send(res, status, obj, headers) {
	const text = typeof obj === 'string' ? obj : JSON.stringify(obj);
	res.writeHead(status, Object.assign({ 'content-type': 'application/json',
		'content-length': Buffer.byteLength(text) }, headers || {}));
	res.end(text);
}

function handleModel(provider, req, res, raw) {
	let body = null;
	try { body = JSON.parse(raw); } catch (e) { body = null; }
	const model = body && typeof body.model === 'string' ? body.model : '?';
	const now = Date.now();
	state.counts[model] = (state.counts[model] || 0) + 1;
	(state.times[model] = state.times[model] || []).push(now);
	state.bodies[model] = raw;
	const n = state.counts[model];
	const expectViolation = req.headers['x-test-expect-violation'] === '1';
	const problems = checkShape(provider, req, body, raw);
	if (problems.length) {
		if (!expectViolation)
			for (const p of problems) violation(provider + ' ' + model + ': ' + p);
		return send(res, 400, apiError(provider, 400, 'test server: ' + problems.join('; ')));
	}
	if (expectViolation) {
		violation('a request planted with a violation passed every check');
		return send(res, 400, apiError(provider, 400, 'test server: expected a violation'));
	}
	const reply = (text) => send(res, 200, provider === 'anthropic' ? anthropicReply(model, text) : openaiReply(model, text));
	const ok = () => reply(answerFor(userText(provider, body)));
	const scenario = model.replace(/^nokey-?/, '') || 'ok';
	switch (scenario) {
	case 'ok': return ok();
	case '429':
		return send(res, 429, apiError(provider, 429, 'rate limited'), { 'retry-after': '1' });
	case '429-then-ok':
		// longer than kairos's own first backoff (at most 1.5 s), so waiting it shows
		if (n <= 2) return send(res, 429, apiError(provider, 429, 'rate limited'), { 'retry-after': '2' });
		return ok();
	case '500-then-ok':
		if (n <= 1) return send(res, 500, apiError(provider, 500, 'internal error'));
		return ok();
	case '500':
		return send(res, 500, apiError(provider, 500, 'internal error'));
	case 'retry-long':
		return send(res, 503, apiError(provider, 503, 'overloaded'), { 'retry-after': '600' });
	case '401':
		return send(res, 401, apiError(provider, 401, 'invalid x-api-key'));
	case 'malformed': {
		const full = JSON.stringify(provider === 'anthropic' ? anthropicReply(model, '{"suggestions": []}')
			: openaiReply(model, '{"suggestions": []}'));
		return send(res, 200, full.slice(0, full.length - 17));
	}
	case 'wrong-api-shape':
		return send(res, 200, { result: 'ok', text: '{"suggestions": []}' });
	case 'wrong-shape':
		return reply('{"suggestions": "none", "mood": "sleepy"}');
	case 'prose':
		return reply('I looked at your change and it looks fine to me!');
	case 'big':
		return reply('x'.repeat(5 * 1024 * 1024));
	case 'hang':
		// headers and the start of a body, then nothing, ever
		state.hanging++;
		res.writeHead(200, { 'content-type': 'application/json' });
		res.write('{"id": "msg_01", "type": "message", "content": [');
		return;
	case 'hang-silent':
		state.hanging++;
		return;
	case 'reset':
		return req.socket.resetAndDestroy();
	default:
		violation('unknown scenario ' + model);
		return send(res, 400, apiError(provider, 400, 'test server: unknown model ' + model));
	}
}

const server = http.createServer((req, res) => {
	const chunks = [];
	let ended = false;
	req.on('data', (c) => chunks.push(c));
	res.on('finish', () => { ended = true; });
	res.on('close', () => { if (!ended && !req.url.startsWith('/_')) state.closedEarly++; });
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		if (req.method === 'POST' && req.url === '/_stats') return send(res, 200, state);
		if (req.method === 'POST' && req.url === '/_reset') { reset(); return send(res, 200, {}); }
		if (req.method !== 'POST') {
			violation('method ' + req.method + ' ' + req.url);
			return send(res, 405, { error: { message: 'method not allowed' } });
		}
		if (req.url === '/v1/messages') return handleModel('anthropic', req, res, raw);
		if (req.url === '/v1/chat/completions') return handleModel('openai', req, res, raw);
		violation('unexpected path ' + req.url);
		return send(res, 404, { error: { message: 'not found' } });
	});
});
server.keepAliveTimeout = 2000;
server.listen(0, '127.0.0.1', () => {
	const port = server.address().port;
	if (portFile) {
		fs.writeFileSync(portFile + '.tmp', String(port));
		fs.renameSync(portFile + '.tmp', portFile);
	}
	process.stdout.write('listening on 127.0.0.1:' + port + '\n');
});
process.on('SIGTERM', () => process.exit(state.violations.length ? 3 : 0));
