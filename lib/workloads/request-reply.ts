import type { Pattern } from './pattern.ts';
import { peerOf } from './rotation.ts';
import { sendMessage } from './state.ts';

/**
 * Request-reply: every agent sends requests to its peers in rotation; an agent answers each
 * request it takes at once, with one message back to the requester, numbered replyBase + the
 * request's number (unique: in each round of the rotation every agent receives exactly one
 * request). When the answer comes back, the requester records the round trip (`round_trip`):
 * from the start of its request's send call to the end of the receive call that took the answer,
 * so it includes the time the request waited in the peer's inbox for the peer's turn to look.
 */
export const requestReply: Pattern = {
  name: 'request-reply',
  minAgents: 2,
  perRound: () => 1,
  to: peerOf,
  answers: {
    onTake(cur, p, slot, from, seq, endNs) {
      if (seq < cur.replyBase) return sendMessage(cur, p, slot, from, cur.replyBase + seq);
      const ns = Number(endNs) - p.requestAt![slot]![seq - cur.replyBase]!;
      p.roundTrip!.record(ns);
      p.roundTripRaw?.push(ns);
    },
  },
};
