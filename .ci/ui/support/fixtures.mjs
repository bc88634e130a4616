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
    read: false,
    catchUp: false,
    silenced: false,
    ...extra,
  };
}

/** `n` events newest first, from seq `newest` down (a page as `list_events` answers it). */
export function rows(newest, n, extra = {}) {
  return Array.from({ length: n }, (_, i) => ev(newest - i, extra));
}

/** A feed view (types.js FeedView) with defaults. */
export function feed(id, extra = {}) {
  return {
    id,
    name: `Feed ${id}`,
    url: `https://example.test/${id}`,
    headerNames: [],
    demo: false,
    paused: false,
    caCert: null,
    idleTimeoutSecs: null,
    resume: "auto",
    secrets: "file",
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

/**
 * Timers the test fires by hand, for `createActions(store, api, timers)`: `later` queues,
 * `cancel` drops, `run()` fires everything due (and whatever that queues).
 */
export function manualTimers() {
  const queue = new Map();
  let next = 1;
  return {
    later(fn, ms) {
      const id = next++;
      queue.set(id, { fn, ms });
      return id;
    },
    cancel(id) {
      queue.delete(id);
    },
    get pending() {
      return [...queue.values()].map((t) => t.ms);
    },
    run() {
      while (queue.size > 0) {
        const [id, { fn }] = queue.entries().next().value;
        queue.delete(id);
        fn();
      }
    },
  };
}

/** A promise the test settles by hand. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every promise chain that can progress do so (answers of the fake api are resolved promises). */
export async function settle() {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}

/** Seqs of rows, for compact assertions. */
export const seqs = (list) => list.map((e) => e.seq);
