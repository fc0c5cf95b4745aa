/** An agent's id on every bus: its index at the scale, zero-padded so ids sort as indices do. */
export function agentId(i: number): string {
  return `agent-${String(i).padStart(5, '0')}`;
}

/** The agent index in a name that holds an agent id (the id itself, a heartbeat file's path); null when none does. */
export function agentIndexIn(name: string): number | null {
  const m = /agent-(\d+)(?!.*agent-\d)/.exec(name);
  return m ? Number(m[1]) : null;
}

/** Agent indices named in a list of names, each once, in order. */
export function agentIndices(names: readonly string[]): number[] {
  const out = new Set<number>();
  for (const n of names) {
    const i = agentIndexIn(n);
    if (i !== null) out.add(i);
  }
  return [...out];
}
