/**
 * Requests are handled one per event-loop turn, in the order they arrived.
 *
 * Node (libuv ≥ 1.45) accepts one new connection per event-loop turn. Handled as they are read,
 * every request read in a turn runs within it, so under load a turn lasts as long as all open
 * connections' requests together, and a client opening its connections waits that long for each
 * one in turn: with 50 connections and ~2.5 ms per request, the last was accepted ~3 s after it
 * connected (the HTTP benchmark's p99 of ~1 s was these first requests). Started one per turn,
 * a turn lasts about one request, so a waiting connection is accepted within a few milliseconds,
 * and requests already read are served first come, first served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function onePerTurn(handler: Handler): Handler {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const startNext = () => {
    const next = waiting.shift()!;
    scheduled = waiting.length > 0;
    // Queued from within the check phase: the next one starts in the next turn, after its poll.
    if (scheduled) setImmediate(startNext);
    next();
  };
  return (req, res) => {
    waiting.push(() => handler(req, res));
    if (!scheduled) {
      scheduled = true;
      setImmediate(startNext);
    }
  };
}
