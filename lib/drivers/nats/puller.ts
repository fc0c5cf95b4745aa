/**
 * Takes the next message of a durable pull consumer without waiting when there is none.
 *
 * Why not the client's `consumer.next()` / `fetch()`: their shortest `expires` is 1 s, and on an
 * empty inbox they wait it out (every empty receive would take a second). JetStream's pull API
 * itself has `no_wait`: the server answers at once, with the message or with a 404 "No Messages"
 * status. So a pull is one request on the consumer's NEXT subject with {batch: 1, no_wait: true},
 * answered on this puller's own inbox subscription.
 *
 * Why not `nc.request()`: a delivered JetStream message arrives with the stream subject (not the
 * reply inbox) as its subject, so the client's shared request inbox cannot route it back and the
 * request times out. A subscription of our own gets it; one pull is in flight at a time (an agent
 * awaits each receive before the next, and a second pull while one waits is refused), so the next
 * message on the subscription is the answer to the pending pull.
 */
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

const PULL = JSON.stringify({ batch: 1, no_wait: true });

/**
 * How many messages the consumer still had for its agent when the server delivered this one: the
 * `<pending>` token of the ack subject JetStream gives every delivered message
 * (`$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>`, or with
 * `<domain>.<account hash>` after `ACK` and a random token at the end). NaN when the subject is
 * neither form.
 */
export function pendingAfter(reply: string | undefined): number {
  if (reply === undefined) return Number.NaN;
  const t = reply.split('.');
  if (t[0] !== '$JS' || t[1] !== 'ACK') return Number.NaN;
  const at = t.length === 9 ? 8 : t.length >= 12 ? 10 : -1;
  return at < 0 ? Number.NaN : Number(t[at]);
}

export class Puller {
  private sub: Subscription;
  private inbox: string;
  private resolve: ((m: Msg | null) => void) | null = null;
  private reject: ((e: Error) => void) | null = null;
  private readonly next: string;
  /** Made once: `new Promise(this.wait)` allocates no closure per pull. */
  private readonly wait = (resolve: (m: Msg | null) => void, reject: (e: Error) => void) => {
    this.resolve = resolve;
    this.reject = reject;
  };
  /** One watchdog per puller, re-armed (not re-created) by each pull. */
  private readonly watchdog: NodeJS.Timeout;

  /** `steady`: --fault restart-server; a 503 (JetStream not back yet) reads as "nothing now", as a no-wait pull's 404 does. */
  constructor(private readonly nc: NatsConnection, stream: string, consumer: string, private readonly timeoutMs = 5000, private readonly steady = false) {
    this.next = `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`;
    this.inbox = createInbox();
    this.sub = this.subscribe();
    this.watchdog = setTimeout(() => this.expire(), timeoutMs);
    this.watchdog.unref();
  }

  /** The oldest message not yet delivered, or null when none is (a 404/408 status answer). */
  pull(): Promise<Msg | null> {
    // The subscription cannot tell two answers apart: one pull at a time.
    if (this.resolve !== null) return Promise.reject(new Error(`a JetStream pull on ${this.next} is already waiting: pulls on one puller must not overlap`));
    const p = new Promise<Msg | null>(this.wait);
    this.watchdog.refresh();
    this.nc.publish(this.next, PULL, { reply: this.inbox });
    return p;
  }

  /** After a reconnect: the pull waiting for an answer (if any) is asked again; a restarted server has forgotten it. */
  again(): void {
    if (this.resolve === null) return;
    this.watchdog.refresh();
    this.nc.publish(this.next, PULL, { reply: this.inbox });
  }

  close(): void {
    clearTimeout(this.watchdog);
    this.sub.unsubscribe();
    this.fail(new Error(`puller on ${this.next} closed while a pull was waiting`));
  }

  private subscribe(): Subscription {
    return this.nc.subscribe(this.inbox, {
      callback: (_err, m) => {
        const resolve = this.resolve;
        const reject = this.reject;
        if (resolve === null || reject === null) return; // a late answer to a pull that timed out: its inbox is retired already
        this.resolve = this.reject = null;
        const code = m.headers?.code ?? 0;
        if (code === 0) resolve(m);
        else if (code === 404 || code === 408 || (this.steady && code === 503)) resolve(null);
        else reject(new Error(`JetStream pull on ${this.next}: ${code} ${m.headers?.description ?? ''}`.trim()));
      },
    });
  }

  /** Fails the waiting pull, if any. */
  private fail(e: Error): void {
    const reject = this.reject;
    this.resolve = this.reject = null;
    reject?.(e);
  }

  /** The watchdog fired: a pull still waiting has had `timeoutMs` without an answer (each pull re-arms it). */
  private expire(): void {
    if (this.resolve === null) return;
    // Retire this inbox so a late answer cannot be taken for the next pull's.
    this.sub.unsubscribe();
    this.inbox = createInbox();
    this.sub = this.subscribe();
    this.fail(new Error(`no answer to a JetStream pull on ${this.next} within ${this.timeoutMs} ms`));
  }
}
