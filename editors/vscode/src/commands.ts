// Arguments and results of the server's commands (workspace/executeCommand),
// as the extension's commands use them. No VS Code API here.

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }

export interface Memory {
  name: string;
  description: string;
  type: string;
  store: string;
  uri: string;
}

export interface DreamReport {
  changed: boolean;
  merged?: number;
  contradictions?: number;
  pruned?: number;
  datesFixed?: number;
  promoted?: number;
  kept?: number;
  archived?: number;
  durationMs?: number;
  commit?: string | null;
}

/** The params of workspace/executeCommand: one object argument, or none. */
export function executeParams(command: string, args?: object): { command: string; arguments: object[] } {
  return { command, arguments: args ? [args] : [] };
}

/** "Dream now": the gates are skipped (not the lock). */
export function dreamArgs(dryRun = false): { force: true; dryRun?: true } {
  return dryRun ? { force: true, dryRun: true } : { force: true };
}

/** kairos.remember for a selection of a document. */
export function rememberArgs(text: string, uri?: string, range?: Range, store?: 'personal' | 'team' | 'user'):
  { text: string; uri?: string; range?: Range; store?: string } {
  const a: { text: string; uri?: string; range?: Range; store?: string } = { text };
  if (uri) a.uri = uri;
  if (uri && range) a.range = range;
  if (store) a.store = store;
  return a;
}

/** Quick pick items for a memory list. */
export function memoryItems(list: Memory[]): { label: string; description: string; detail: string; uri: string }[] {
  return list.map((m) => ({
    label: m.name,
    description: `${m.type} · ${m.store}`,
    detail: m.description,
    uri: m.uri,
  }));
}

/** One line that says what a dream report changed. */
export function dreamSummary(r: DreamReport | null | undefined): string {
  if (!r) return 'dream: no report';
  const kept = r.kept ?? 0;
  if (!r.changed) return `dream: nothing to change (${kept} kept)`;
  const parts: string[] = [];
  const names: [keyof DreamReport, string][] = [
    ['merged', 'merged'], ['contradictions', 'contradictions resolved'], ['pruned', 'pruned'],
    ['datesFixed', 'dates fixed'], ['promoted', 'promoted'], ['archived', 'archived'],
  ];
  for (const [k, label] of names) {
    const n = r[k];
    if (typeof n === 'number' && n > 0) parts.push(`${n} ${label}`);
  }
  return `dream: ${parts.join(', ')}; ${kept} kept`;
}
