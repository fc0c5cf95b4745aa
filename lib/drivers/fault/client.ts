import type { Body, ConfigClient, DrainResult, DriverClient, Receipt } from '../contract.ts';
import { Rejected } from '../contract.ts';
import { client as tmpfs } from '../tmpfs/client.ts';
import { STALL_MS, type FaultRule, type FaultSettings } from './index.ts';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** A call that never returns (a hung bus): blocks this worker until it is killed. */
function hang(): never {
  for (;;) Atomics.wait(sleeper, 0, 0, 1000);
}

export const client: DriverClient = {
  calibrate: (ctx) => tmpfs.calibrate(ctx),
  async open(ctx) {
    const rules = (ctx.settings as FaultSettings).rules.filter((r) => r.config === undefined || r.config === ctx.config);
    // Faults hit the worker that runs agent 0 only, so a plan means the same whatever the worker count.
    const active = ctx.local.includes(0) ? rules : [];
    if (active.some((r) => r.kind === 'fail-open')) throw new Error('injected fault: fail-open');
    return new FaultClient(await tmpfs.open(ctx), active);
  },
};

/** The reference bus's client, with the plan's faults on the Nth send or receive. */
class FaultClient implements ConfigClient {
  readonly sync = true;
  readonly concurrent = false;
  readonly healthQuery?: () => void;
  readonly requestShutdown?: () => void;
  private sends = 0;
  private receives = 0;

  constructor(private readonly inner: ConfigClient, private readonly rules: readonly FaultRule[]) {
    if (inner.healthQuery) this.healthQuery = () => void inner.healthQuery!();
    if (inner.requestShutdown) this.requestShutdown = () => void inner.requestShutdown!();
  }

  private hit(kind: FaultRule['kind'], n: number): boolean {
    return this.rules.some((r) => r.kind === kind && r.at === n);
  }

  send(slot: number, to: number, body: Body): void {
    const n = ++this.sends;
    if (this.hit('fail-send', n)) throw new Error(`injected fault: send ${n} failed`);
    if (this.hit('reject', n)) throw new Rejected(`injected fault: send ${n} rejected`);
    if (this.hit('hang-send', n)) hang();
    if (this.hit('stall', n)) Atomics.wait(sleeper, 0, 0, STALL_MS);
    if (this.hit('exit', n)) process.exit(3);
    if (this.hit('drop', n)) return;
    void this.inner.send(slot, to, body);
    if (this.hit('dup', n)) void this.inner.send(slot, to, body);
  }

  receive(slot: number): Receipt | null {
    const n = ++this.receives;
    if (this.hit('fail-receive', n)) throw new Error(`injected fault: receive ${n} failed`);
    if (this.hit('hang-receive', n)) hang();
    return this.inner.receive(slot) as Receipt | null;
  }

  drain(slot: number, coordinated: boolean): DrainResult {
    if (this.rules.some((r) => r.kind === 'fail-drain')) throw new Error('injected fault: drain failed');
    return this.inner.drain(slot, coordinated) as DrainResult;
  }

  close(): void {
    void this.inner.close();
  }
}
