'use strict';
// A stand-in for the `vscode` module, just enough for the extension and
// vscode-languageclient to activate in node: every API not spelled out
// below is a do-nothing that returns a disposable do-nothing. What the
// extension does with the window (status bar item, messages, commands)
// is recorded in `recorded`.
const path = require('path');

const recorded = { commands: new Map(), messages: [], statusItems: [], notifications: [], config: {} };

function anything(name) {
  const fn = function () { return anything(`${name}()`); };
  return new Proxy(fn, {
    get(t, p) {
      if (p === 'then') return undefined; // not a promise
      if (p === 'dispose') return () => {};
      if (p === Symbol.iterator) return function* () {};
      if (p === Symbol.toPrimitive) return () => '';
      if (p === 'length') return 0;
      if (!(p in t)) t[p] = anything(`${name}.${String(p)}`);
      return t[p];
    },
  });
}

class FakeDisposable {
  constructor(fn) { this.fn = fn; }
  static from(...ds) { return new FakeDisposable(() => ds.forEach((d) => d && d.dispose && d.dispose())); }
  dispose() { if (this.fn) this.fn(); this.fn = undefined; }
}
class EventEmitter {
  constructor() { this.ls = []; this.event = (l) => { this.ls.push(l); return new FakeDisposable(() => { this.ls = this.ls.filter((x) => x !== l); }); }; }
  fire(v) { for (const l of this.ls.slice()) l(v); }
  dispose() { this.ls = []; }
}
class Uri {
  constructor(scheme, p) { this.scheme = scheme; this.path = p; this.fsPath = p; this.authority = ''; this.query = ''; this.fragment = ''; }
  static file(p) { return new Uri('file', path.resolve(p)); }
  static parse(s) { const m = /^([a-z]+):\/\/(.*)$/.exec(s); return m ? new Uri(m[1], decodeURIComponent(m[2])) : new Uri('file', s); }
  toString() { return `${this.scheme}://${this.path}`; }
  with() { return this; }
  toJSON() { return this.toString(); }
}
const event = () => new FakeDisposable();

const ev = {
  windowState: new EventEmitter(), config: new EventEmitter(), selection: new EventEmitter(),
  change: new EventEmitter(), editor: new EventEmitter(), grantTrust: new EventEmitter(),
};

const base = anything('vscode');
const fake = new Proxy({
  recorded, ev,
  version: '1.82.0',
  Disposable: FakeDisposable, EventEmitter, Uri,
  CancellationError: class CancellationError extends Error {},
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  env: { appName: 'fake', language: 'en', machineId: 'x', sessionId: 'x', uriScheme: 'vscode' },
  extensions: { getExtension: () => undefined, all: [], onDidChange: event },
  commands: {
    registerCommand: (id, fn) => { if (recorded.commands.has(id)) throw new Error(`command '${id}' already exists`); recorded.commands.set(id, fn); return new FakeDisposable(() => recorded.commands.delete(id)); },
    executeCommand: async (id, ...a) => recorded.commands.get(id) && recorded.commands.get(id)(...a),
    getCommands: async () => [...recorded.commands.keys()],
  },
  workspace: new Proxy({
    workspaceFolders: [],
    isTrusted: true, // Workspace Trust: a test sets false for Restricted Mode
    onDidGrantWorkspaceTrust: ev.grantTrust.event,
    textDocuments: [],
    notebookDocuments: [],
    getConfiguration: (section) => ({
      get: (k, d) => { const v = recorded.config[section ? `${section}.${k}` : k]; return v === undefined ? d : v; },
      has: () => false,
      inspect: () => undefined,
      update: async (k, v) => { recorded.config[`${section}.${k}`] = v; ev.config.fire({ affectsConfiguration: (s) => `${section}.${k}`.startsWith(s) || s.startsWith(`${section}.${k}`) }); },
    }),
    onDidChangeConfiguration: ev.config.event,
    onDidChangeTextDocument: ev.change.event,
    getWorkspaceFolder: () => undefined,
  }, { get: (t, p) => (p in t ? t[p] : (String(p).startsWith('on') ? event : base.workspace[p])) }),
  window: new Proxy({
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: event, onDidChangeTabGroups: event },
    activeTextEditor: undefined,
    createStatusBarItem: () => { const it = { text: '', tooltip: '', show() { this.shown = true; }, hide() {}, dispose() {} }; recorded.statusItems.push(it); return it; },
    showInformationMessage: async (m) => { recorded.messages.push(['info', m]); return undefined; },
    showWarningMessage: async (m) => { recorded.messages.push(['warning', m]); return undefined; },
    showErrorMessage: async (m) => { recorded.messages.push(['error', m]); return undefined; },
    withProgress: async (o, task) => task({ report: (v) => recorded.notifications.push(['progress', v]) }, { isCancellationRequested: false, onCancellationRequested: event }),
    createOutputChannel: () => ({ append() {}, appendLine() {}, replace() {}, clear() {}, show() {}, hide() {}, dispose() {}, name: 'kairos' }),
    onDidChangeWindowState: ev.windowState.event,
    onDidChangeTextEditorSelection: ev.selection.event,
    onDidChangeActiveTextEditor: ev.editor.event,
  }, { get: (t, p) => (p in t ? t[p] : (String(p).startsWith('on') ? event : base.window[p])) }),
}, { get: (t, p) => (p in t ? t[p] : base[p]) });

module.exports = fake;
