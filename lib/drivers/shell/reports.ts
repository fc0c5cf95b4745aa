/**
 * Parsing the agent shells' report lines (written by agent.bash):
 *   S status µs seq                       one send (0 sent, 1 rejected, 2 failed)
 *   R status µs end_µs count marks…       one receive call; count 0 = the inbox was empty
 *   H status µs | Q status µs             health query, shutdown request
 *   G status µs count marks…              end-of-cell drain
 *   X operation exit_status stderr         a failed library call (stderr lines joined by \x1f)
 * A mark is sender:seq:sent_µs, taken from the payload busbench sent.
 */
import { decodeText } from './agent-shell.ts';

export interface Mark {
  sender: number;
  seq: number;
  sentUs: number;
}

export interface CallFailure {
  operation: string;
  status: number;
  stderr: string;
}

export function fields(line: string): string[] {
  return line.split(' ');
}

export function parseMarks(parts: readonly string[], from: number): Mark[] {
  const out: Mark[] = [];
  for (let i = from; i < parts.length; i++) {
    const [a, b, c] = parts[i]!.split(':');
    out.push({ sender: Number(a), seq: Number(b), sentUs: Number(c) });
  }
  return out;
}

export function parseFailure(line: string): CallFailure {
  const [, operation = '?', status = '0', ...rest] = line.split(' ');
  return { operation, status: Number(status), stderr: decodeText(rest.join(' ')).trim() };
}

/** Failed calls of a cell, grouped by operation and exit status; the first stderr of each kept. */
export class FailureLog {
  private readonly groups = new Map<string, CallFailure & { count: number }>();
  add(f: CallFailure): void {
    const key = `${f.operation}|${f.status}`;
    const g = this.groups.get(key);
    if (g) g.count++;
    else this.groups.set(key, { ...f, count: 1 });
  }
  list(): (CallFailure & { count: number })[] {
    return [...this.groups.values()];
  }
}
