import { closeSync, openSync, writeSync } from 'node:fs';
import type { Bus, Message } from '../types.ts';
import { Layer } from './wrapper.ts';

/**
 * metrics: appends one JSON line per send and per received message to one metrics file shared by
 * every process. The file is opened once with O_APPEND and each line goes out in a single write,
 * so lines from concurrent processes never interleave (no lock needed: nothing is read back).
 */
export class MetricsLayer extends Layer {
  readonly name = 'metrics';
  private readonly fd: number;
  private lines = 0;
  constructor(inner: Bus, file: string) {
    super(inner);
    this.fd = openSync(file, 'a');
  }
  override send(from: string, to: string, payload: unknown): Message {
    const msg = this.inner.send(from, to, payload);
    this.emit('send', msg);
    return msg;
  }
  override receive(agent: string): Message | null {
    const msg = this.inner.receive(agent);
    if (msg !== null) this.emit('receive', msg);
    return msg;
  }
  override close(): void {
    closeSync(this.fd);
    super.close();
  }
  counters(): Record<string, number> {
    return { lines: this.lines };
  }
  private emit(op: 'send' | 'receive', msg: Message): void {
    const line = `{"t_ns":"${process.hrtime.bigint()}","pid":${process.pid},"op":"${op}","id":"${msg.id}","from":"${msg.from}","to":"${msg.to}"}\n`;
    writeSync(this.fd, line);
    this.lines++;
  }
}
