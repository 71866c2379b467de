import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveClient, socketUrl, type EventPage, type LiveEvent, type SocketLike } from "./live";

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: unknown[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  // --- the server's side ---
  accept(head: number): void {
    this.readyState = 1;
    this.onopen?.({});
    this.push({ type: "hello", pipeline: "lab", role: "viewer", last_event_id: head });
  }
  push(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  events(...ids: number[]): void {
    this.push({ type: "events", events: ids.map(event) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function event(id: number): LiveEvent {
  return { id, run: 1, kind: "key_done", key: { n: id }, payload: {}, created_at: "" };
}

let sockets: FakeSocket[];
let received: number[][];
let replays: number[];
let replayAnswer: (after: number) => EventPage;

function client(): LiveClient {
  const live = new LiveClient({
    url: "ws://portal/ws/pipelines/lab/",
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    replay: async (after) => {
      replays.push(after);
      return replayAnswer(after);
    },
    minDelay: 100,
    maxDelay: 1000,
  });
  live.subscribe((events) => received.push(events.map((e) => e.id)));
  return live;
}

const last = () => sockets[sockets.length - 1];

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  received = [];
  replays = [];
  replayAnswer = (after) => ({ events: [], last_event_id: after, more: false });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("socketUrl", () => {
  it("uses wss behind https and escapes the slug", () => {
    expect(socketUrl("my lab", { protocol: "https:", host: "portal.org" })).toBe(
      "wss://portal.org/ws/pipelines/my%20lab/",
    );
    expect(socketUrl("lab", { protocol: "http:", host: "127.0.0.1:8000" })).toBe(
      "ws://127.0.0.1:8000/ws/pipelines/lab/",
    );
  });
});

describe("LiveClient", () => {
  it("says where to start once open and delivers events in batches", () => {
    const live = client();
    live.start(5);
    last().accept(9);
    expect(last().sent).toEqual([{ last_event_id: 5 }]);
    expect(live.state).toBe("live");
    last().events(6, 7);
    last().events(8);
    expect(received).toEqual([[6, 7], [8]]);
    expect(live.lastEventId).toBe(8);
  });

  it("starts from the server's head when asked to start from now", () => {
    const live = client();
    live.start(null);
    last().accept(41);
    expect(last().sent).toEqual([{ last_event_id: null }]);
    expect(live.lastEventId).toBe(41);
  });

  it("reconnects after a drop and resumes from the last delivered id", async () => {
    const live = client();
    live.start(0);
    last().accept(0);
    last().events(1, 2, 3);
    last().drop();
    expect(live.state).toBe("reconnecting");
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(2);
    last().accept(5);
    expect(last().sent).toEqual([{ last_event_id: 3 }]);
    last().events(4, 5);
    expect(received).toEqual([[1, 2, 3], [4, 5]]);
  });

  it("backs off, doubling the wait up to the maximum, and resets once connected", async () => {
    const live = client();
    live.start(0);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const before = sockets.length;
      last().drop();
      let waited = 0;
      while (sockets.length === before) {
        await vi.advanceTimersByTimeAsync(50);
        waited += 50;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1000]);
    last().accept(0);
    last().drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(sockets).toHaveLength(7);
    expect(live.state).toBe("reconnecting");
  });

  it("fills the gap over REST while the socket is down, paging until done", async () => {
    replayAnswer = (after) =>
      after === 2
        ? { events: [event(3), event(4)], last_event_id: 4, more: true }
        : { events: after === 4 ? [event(5)] : [], last_event_id: 5, more: false };
    const live = client();
    live.start(0);
    last().accept(0);
    last().events(1, 2);
    last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(replays).toEqual([2, 4]);
    expect(received).toEqual([[1, 2], [3, 4], [5]]);
    await vi.advanceTimersByTimeAsync(100);
    last().accept(5);
    expect(last().sent).toEqual([{ last_event_id: 5 }]);
    expect(live.lastEventId).toBe(5);
  });

  it("never delivers an event twice, and keeps increasing order", () => {
    const live = client();
    live.start(10);
    last().accept(12);
    last().events(9, 10, 11);
    last().events(11, 12);
    last().events(14, 13);
    last().events(12, 15);
    expect(received).toEqual([[11], [12], [13, 14], [15]]);
    expect(live.lastEventId).toBe(15);
  });

  it("ignores a replayed batch the socket already delivered", async () => {
    replayAnswer = () => ({ events: [event(2), event(3)], last_event_id: 3, more: false });
    const live = client();
    live.start(0);
    last().accept(0);
    last().events(1, 2, 3);
    last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(received).toEqual([[1, 2, 3]]);
    expect(live.lastEventId).toBe(3);
  });

  it("survives a failing REST replay and keeps trying", async () => {
    let calls = 0;
    const live = new LiveClient({
      url: "ws://x/",
      open: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      replay: async () => {
        calls += 1;
        throw new Error("offline");
      },
      minDelay: 100,
    });
    live.start(7);
    last().drop();
    await vi.advanceTimersByTimeAsync(100);
    last().drop();
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(2);
    expect(sockets).toHaveLength(3);
  });

  it("stops for good: no reconnect, no more events", async () => {
    const live = client();
    live.start(0);
    const socket = last();
    socket.accept(0);
    live.stop();
    expect(socket.closedWith).toBe(1000);
    socket.events(1);
    socket.drop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sockets).toHaveLength(1);
    expect(received).toEqual([]);
    expect(live.state).toBe("closed");
  });

  it("reports a server error message without dropping the connection", () => {
    const live = client();
    const states: [string, string | undefined][] = [];
    live.onState((state, detail) => states.push([state, detail]));
    live.start(0);
    last().accept(0);
    last().push({ type: "error", message: "last_event_id is a whole number or null." });
    expect(states.at(-1)).toEqual(["live", "last_event_id is a whole number or null."]);
    expect(live.connected).toBe(true);
  });

  it("lets a listener unsubscribe", () => {
    const live = client();
    const other: number[] = [];
    const unsubscribe = live.subscribe((events) => other.push(...events.map((e) => e.id)));
    live.start(0);
    last().accept(0);
    last().events(1);
    unsubscribe();
    last().events(2);
    expect(other).toEqual([1]);
    expect(received).toEqual([[1], [2]]);
  });
});
