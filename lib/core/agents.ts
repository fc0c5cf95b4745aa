/** An agent's id on every bus: its index at the scale, zero-padded so ids sort as indices do. */
export function agentId(i: number): string {
  return `agent-${String(i).padStart(5, '0')}`;
}
