// Shared builders for the UI unit tests. Kept out of test/ because node --test runs every file there.

/** An event record with defaults; `seq` is the only field the store orders by. */
export function ev(seq, extra = {}) {
  return {
    seq,
    feedId: "f1",
    feedName: "Feed one",
    type: "message",
    data: `data ${seq}`,
    lastEventId: String(seq),
    receivedAt: 1_700_000_000_000 + seq,
    ...extra,
  };
}

/** A feed view with defaults. */
export function feed(id, extra = {}) {
  return {
    id,
    name: `Feed ${id}`,
    url: `https://example.test/${id}`,
    headerNames: [],
    demo: false,
    status: { state: "connecting", attempt: 1 },
    ...extra,
  };
}

/** A scheduler the test flushes by hand, to see how many renders a burst causes. */
export function manualScheduler() {
  const queue = [];
  return {
    schedule: (fn) => queue.push(fn),
    get pending() {
      return queue.length;
    },
    run() {
      while (queue.length) queue.shift()();
    },
  };
}

/** Seqs of a timeline, for compact assertions. */
export const seqs = (timeline) => timeline.map((e) => e.seq);
