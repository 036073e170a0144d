// The configuration mapping: VS Code settings (kairos.*) to the
// configuration object of the protocol, sent as initializationOptions and
// as settings.kairos in workspace/didChangeConfiguration. No VS Code API
// here, so that node can test it.

/** Reads one setting by its key under "kairos." (e.g. "tick.minInactivityMs"). */
export type SettingReader = (key: string) => unknown;

export interface KairosOptions {
  proactive?: boolean;
  memoryDir?: string;
  tick?: { minInactivityMs?: number; maxSuggestionsPerTick?: number };
  dream?: { idleMs?: number; minHours?: number; minSignals?: number };
  llm?: { provider?: string; endpoint?: string; model?: string; apiKeyEnv?: string; timeoutMs?: number };
}

const numberKeys: Record<'tick' | 'dream', string[]> = {
  tick: ['minInactivityMs', 'maxSuggestionsPerTick'],
  dream: ['idleMs', 'minHours', 'minSignals'],
};
const llmStrings = ['provider', 'endpoint', 'model', 'apiKeyEnv'];

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The protocol's configuration object. Keys without a usable value are
 * left out (the server then keeps its default); an empty memoryDir means
 * the default personal store.
 */
export function toKairosOptions(get: SettingReader): KairosOptions {
  const o: KairosOptions = {};
  const proactive = get('proactive');
  if (typeof proactive === 'boolean') o.proactive = proactive;
  const dir = get('memoryDir');
  if (typeof dir === 'string' && dir.trim() !== '') o.memoryDir = dir;
  for (const group of ['tick', 'dream'] as const) {
    const part: Record<string, number> = {};
    for (const k of numberKeys[group]) {
      const v = num(get(`${group}.${k}`));
      if (v !== undefined) part[k] = v;
    }
    if (Object.keys(part).length) o[group] = part;
  }
  const llm: Record<string, string | number> = {};
  for (const k of llmStrings) {
    const v = get(`llm.${k}`);
    if (typeof v === 'string') llm[k] = v;
  }
  const t = num(get('llm.timeoutMs'));
  if (t !== undefined) llm.timeoutMs = t;
  if (Object.keys(llm).length) o.llm = llm;
  return o;
}

/** The params of workspace/didChangeConfiguration for these options. */
export function configurationChange(o: KairosOptions): { settings: { kairos: KairosOptions } } {
  return { settings: { kairos: o } };
}

/** The server command line from kairos.serverPath and kairos.serverArgs. */
export function serverCommand(get: SettingReader): { command: string; args: string[] } {
  const p = get('serverPath');
  const a = get('serverArgs');
  const command = typeof p === 'string' && p.trim() !== '' ? p : 'kairos';
  const args = Array.isArray(a) && a.every((x) => typeof x === 'string') && a.length ? (a as string[]) : ['lsp'];
  return { command, args };
}

/** The document selector: every file, or the listed language ids. */
export function documentSelector(get: SettingReader): { scheme: string; language?: string }[] {
  const langs = get('languages');
  if (Array.isArray(langs) && langs.length) {
    return langs.filter((l): l is string => typeof l === 'string').map((language) => ({ scheme: 'file', language }));
  }
  return [{ scheme: 'file' }];
}

/** Whether a configuration change touches what the server is told. */
export function affectsServerOptions(affects: (section: string) => boolean): boolean {
  return ['proactive', 'memoryDir', 'tick', 'dream', 'llm'].some((k) => affects(`kairos.${k}`));
}
