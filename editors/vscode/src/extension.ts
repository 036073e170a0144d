// The VS Code side of kairos: starts `kairos lsp` with vscode-languageclient,
// passes the configuration and VS Code's Workspace Trust, reports idleness
// (kairos/idle), shows dream progress and the memory count in the status
// bar, and adds the commands. The logic lives in plain modules (config,
// idle, commands, status, trust).
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from 'vscode-languageclient/node';
import { affectsServerOptions, configurationChange, documentSelector, serverCommand, toKairosOptions } from './config';
import { IdleTracker } from './idle';
import { DreamReport, Memory, dreamArgs, dreamSummary, executeParams, memoryItems, rememberArgs } from './commands';
import { ProgressValue, StatusModel } from './status';
import { TRUST_COMMAND, trustOptions, trustResult } from './trust';

let client: LanguageClient | undefined;
let idle: IdleTracker | undefined;
const status = new StatusModel();

function setting(key: string): unknown {
  return vscode.workspace.getConfiguration('kairos').get(key);
}

async function execute<T>(command: string, args?: object): Promise<T | undefined> {
  if (!client || !client.isRunning()) {
    void vscode.window.showWarningMessage('kairos: the server is not running');
    return undefined;
  }
  try {
    return (await client.sendRequest(ExecuteCommandRequest.type, executeParams(command, args))) as T;
  } catch (e) {
    void vscode.window.showErrorMessage(`kairos: ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

// A notification that may race with a stop: a client that is no longer
// running drops it (the server is gone or going).
function notify(c: LanguageClient, method: string, params: object): void {
  if (!c.isRunning()) return;
  c.sendNotification(method, params).catch((e: unknown) => {
    if (c.isRunning()) c.error(`kairos: sending ${method} failed`, e);
  });
}

async function refreshCount(): Promise<void> {
  if (!client || !client.isRunning()) return;
  try {
    const list = (await client.sendRequest(ExecuteCommandRequest.type, executeParams('kairos.memories'))) as Memory[];
    status.setMemories(Array.isArray(list) ? list.length : undefined);
  } catch {
    status.setMemories(undefined);
  }
}

// Dream progress: the extension answers window/workDoneProgress/create
// itself, so that the status bar sees each token's $/progress, and shows
// the progress in the window's progress area as well.
function watchProgress(c: LanguageClient): void {
  c.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
    let finish: (() => void) | undefined;
    let report: ((v: { message?: string; increment?: number }) => void) | undefined;
    let last = 0;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'kairos' }, (p) => {
      report = (v) => p.report(v);
      return new Promise<void>((resolve) => { finish = resolve; });
    });
    const sub = c.onProgress(WorkDoneProgress.type, token, (v) => {
      status.progress(token, v as ProgressValue);
      if (v.kind !== 'end') {
        const pct = v.percentage ?? last;
        report?.({ message: v.message ?? (v.kind === 'begin' ? v.title : undefined), increment: pct - last });
        last = pct;
      } else {
        finish?.();
        sub.dispose();
        void refreshCount();
      }
    });
    return null;
  });
}

async function dreamNow(): Promise<void> {
  const r = await execute<DreamReport>('kairos.dream', dreamArgs());
  if (r) void vscode.window.showInformationMessage(`kairos: ${dreamSummary(r)}`);
  await refreshCount();
}

async function rememberSelection(): Promise<void> {
  const ed = vscode.window.activeTextEditor;
  if (!ed || ed.selection.isEmpty) {
    const text = await vscode.window.showInputBox({ prompt: 'kairos: remember' });
    if (!text) return;
    const r = await execute<{ name: string }>('kairos.remember', rememberArgs(text));
    if (r) void vscode.window.showInformationMessage(`kairos: remembered ${r.name}`);
    await refreshCount();
    return;
  }
  const s = ed.selection;
  const args = rememberArgs(ed.document.getText(s), ed.document.uri.toString(), {
    start: { line: s.start.line, character: s.start.character },
    end: { line: s.end.line, character: s.end.character },
  });
  const r = await execute<{ name: string }>('kairos.remember', args);
  if (r) void vscode.window.showInformationMessage(`kairos: remembered ${r.name}`);
  await refreshCount();
}

async function listMemories(): Promise<void> {
  const list = await execute<Memory[]>('kairos.memories');
  if (!list) return;
  status.setMemories(list.length);
  if (!list.length) {
    void vscode.window.showInformationMessage('kairos: no memories yet');
    return;
  }
  const pick = await vscode.window.showQuickPick(memoryItems(list), { title: 'kairos memories', matchOnDetail: true });
  if (pick) await vscode.window.showTextDocument(vscode.Uri.parse(pick.uri));
}

async function undoLastChange(): Promise<void> {
  const r = await execute<{ reverted: string }>('kairos.undo');
  if (r) void vscode.window.showInformationMessage(`kairos: reverted ${r.reverted}`);
  await refreshCount();
}

// VS Code trusts the workspace (at start, or the person just granted it):
// record it with kairos, which trusts nothing the workspace says itself.
async function recordTrust(): Promise<void> {
  const r = await execute<unknown>(TRUST_COMMAND);
  if (r !== undefined && trustResult(r) !== true) {
    void vscode.window.showWarningMessage('kairos: the workspace could not be trusted; its team memories offer no fixes');
  }
}

async function toggleProactive(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('kairos');
  const on = !(cfg.get<boolean>('proactive') ?? true);
  await cfg.update('proactive', on, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`kairos: proactive suggestions ${on ? 'on' : 'off'}`);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const { command, args } = serverCommand(setting);
  const serverOptions: ServerOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(setting),
    // editorTrust can only withhold trust (Restricted Mode); recordTrust grants it
    initializationOptions: { ...toKairosOptions(setting), ...trustOptions(vscode.workspace.isTrusted) },
  };
  client = new LanguageClient('kairos', 'kairos', serverOptions, clientOptions);

  const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 10);
  item.command = 'kairos.listMemories';
  const paint = () => {
    item.text = status.text();
    item.tooltip = status.tooltip();
  };
  status.onChange(paint);
  paint();
  item.show();

  const c = client;
  idle = new IdleTracker(((setting('idleSeconds') as number) || 60) * 1000, (p) => notify(c, 'kairos/idle', p));
  const tracker = idle;

  context.subscriptions.push(
    item,
    { dispose: () => tracker.dispose() },
    vscode.commands.registerCommand('kairos.dreamNow', dreamNow),
    vscode.commands.registerCommand('kairos.rememberSelection', rememberSelection),
    vscode.commands.registerCommand('kairos.listMemories', listMemories),
    vscode.commands.registerCommand('kairos.undoLastChange', undoLastChange),
    vscode.commands.registerCommand('kairos.toggleProactive', toggleProactive),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void recordTrust()),
    vscode.workspace.onDidChangeTextDocument(() => tracker.activity()),
    vscode.window.onDidChangeTextEditorSelection(() => tracker.activity()),
    vscode.window.onDidChangeActiveTextEditor(() => tracker.activity()),
    vscode.window.onDidChangeWindowState((s) => (s.focused ? tracker.activity() : tracker.focusLost())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('kairos.idleSeconds')) tracker.setIdleMs(((setting('idleSeconds') as number) || 60) * 1000);
      if (affectsServerOptions((s) => e.affectsConfiguration(s))) {
        notify(c, 'workspace/didChangeConfiguration', configurationChange(toKairosOptions(setting)));
      }
    }),
  );

  await client.start();
  watchProgress(client);
  if (vscode.workspace.isTrusted) await recordTrust();
  await refreshCount();
}

/** The running language client (for other extensions and for tests). */
export function kairosClient(): LanguageClient | undefined {
  return client;
}

export async function deactivate(): Promise<void> {
  idle?.dispose();
  if (client) await client.stop();
  client = undefined;
}
