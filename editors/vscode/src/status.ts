// The status bar's model: the memory count, and "dreaming…" while the
// server reports work done progress. No VS Code API here.

export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
}

export class StatusModel {
  memories: number | undefined = undefined;
  private active = new Map<string, ProgressValue>();
  private listeners: (() => void)[] = [];

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  setMemories(n: number | undefined): void {
    this.memories = n;
    this.changed();
  }

  /** Feed one $/progress value of a token. */
  progress(token: string | number, v: ProgressValue): void {
    const key = String(token);
    if (v.kind === 'end') this.active.delete(key);
    else this.active.set(key, { ...this.active.get(key), ...v, kind: v.kind });
    this.changed();
  }

  get dreaming(): boolean {
    return this.active.size > 0;
  }

  /** The phase of the running dream, if the server says one. */
  get phase(): string | undefined {
    for (const v of this.active.values()) return v.message ?? v.title;
    return undefined;
  }

  text(): string {
    if (this.dreaming) return '$(sync~spin) kairos: dreaming…';
    if (this.memories === undefined) return '$(book) kairos';
    return `$(book) kairos: ${this.memories} ${this.memories === 1 ? 'memory' : 'memories'}`;
  }

  tooltip(): string {
    if (this.dreaming) return `kairos is consolidating its memory${this.phase ? ` (${this.phase})` : ''}`;
    return 'kairos: click to list the memories';
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
