/**
 * metrics: one JSON line per send and per received message, published on core NATS to the
 * config's metrics subject, no ack. This is how NATS users ship metrics (a collector subscribes):
 * the line goes into the connection's write buffer and out with the next flush, like the
 * reference's single O_APPEND write that nothing waits on. A JetStream stream would make every
 * line a stored, acknowledged publish: one more round trip per operation (what the calibration's
 * floor pays for its publish+ack), for durability the reference's file does not promise either
 * (it is on tmpfs).
 * Nothing in busbench subscribes: the server routes each line and drops it; the client's cost is
 * what the layer adds to an operation.
 */
import type { Ops } from '../ops.ts';

export function metricsLayer(inner: Ops, subject: string): Ops {
  const pid = process.pid;
  return {
    async send(a, to, body) {
      await inner.send(a, to, body);
      a.nc.publish(subject, `{"t_ns":"${process.hrtime.bigint()}","pid":${pid},"op":"send","from":"${a.id}","to":${to},"k":${body.k}}`);
    },
    async receive(a) {
      const m = await inner.receive(a);
      if (m !== null) a.nc.publish(subject, `{"t_ns":"${process.hrtime.bigint()}","pid":${pid},"op":"receive","from":"${m.from}","to":"${a.id}"}`);
      return m;
    },
  };
}
