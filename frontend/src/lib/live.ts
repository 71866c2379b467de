// A pipeline's run events, live: one WebSocket to /ws/pipelines/<slug>/ that says where to start
// ({"last_event_id": n}), reconnects by itself with backoff after a drop and resumes from the
// last event it delivered. While the socket is down, the REST replay (/events/?after=n) fills in,
// so nothing is missed; events are handed over once each, in increasing id.

export interface LiveEvent {
  id: number;
  run: number;
  kind: string;
  key: Record<string, unknown> | null;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface EventPage {
  events: LiveEvent[];
  last_event_id: number;
  more: boolean;
}

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

export type LiveState = "connecting" | "live" | "reconnecting" | "closed";

export interface LiveOptions {
  /** The socket's URL (see socketUrl). */
  url: string;
  /** The REST replay: events after an id (one page). */
  replay: (after: number) => Promise<EventPage>;
  /** Opens a socket; the browser's WebSocket by default. */
  open?: (url: string) => SocketLike;
  /** First wait before a reconnect, doubled on each failure up to maxDelay (ms). */
  minDelay?: number;
  maxDelay?: number;
}

type EventsListener = (events: LiveEvent[]) => void;
type StateListener = (state: LiveState, detail?: string) => void;

const OPEN = 1;
/** How many REST pages one fill-in reads at most before waiting for the next attempt. */
const MAX_REPLAY_PAGES = 20;

/** ws(s)://<this host>/ws/pipelines/<slug>/ */
export function socketUrl(slug: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws/pipelines/${encodeURIComponent(slug)}/`;
}

export class LiveClient {
  private readonly options: Required<LiveOptions>;
  private socket: SocketLike | null = null;
  private lastId: number | null = null;
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private replaying = false;
  private readonly listeners = new Set<EventsListener>();
  private readonly stateListeners = new Set<StateListener>();
  state: LiveState = "closed";

  constructor(options: LiveOptions) {
    this.options = {
      open: (url) => new WebSocket(url) as unknown as SocketLike,
      minDelay: 500,
      maxDelay: 15_000,
      ...options,
    };
  }

  /** The id of the last event delivered (or where the server started), null before any. */
  get lastEventId(): number | null {
    return this.lastId;
  }

  /** Events, in batches, each once and in increasing id. Returns the unsubscribe function. */
  subscribe(listener: EventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Connect; start after event `after` (null: from now on). */
  start(after: number | null = null): void {
    this.stopped = false;
    this.lastId = after;
    this.connect();
  }

  /** Close for good (no reconnect). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000);
    }
    this.setState("closed");
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState(this.attempts === 0 ? "connecting" : "reconnecting");
    let socket: SocketLike;
    try {
      socket = this.options.open(this.options.url);
    } catch (error) {
      this.dropped(error instanceof Error ? error.message : String(error));
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      socket.send(JSON.stringify({ last_event_id: this.lastId }));
    };
    socket.onmessage = (message) => {
      if (this.socket === socket) this.receive(message.data);
    };
    socket.onerror = () => {
      // a close follows; reconnecting is its job
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropped(`closed (${event.code})`);
    };
  }

  private receive(data: unknown): void {
    let message: { type?: string; events?: LiveEvent[]; last_event_id?: number; message?: string };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (message.type === "hello") {
      this.attempts = 0;
      if (this.lastId === null && typeof message.last_event_id === "number") {
        this.lastId = message.last_event_id;
      }
      this.setState("live");
    } else if (message.type === "events" && Array.isArray(message.events)) {
      this.deliver(message.events);
    } else if (message.type === "error") {
      this.setState(this.state, message.message);
    }
  }

  /** Hand over the events not seen yet (ids above the last one), in order. */
  private deliver(events: LiveEvent[]): void {
    const fresh: LiveEvent[] = [];
    for (const event of [...events].sort((a, b) => a.id - b.id)) {
      if (this.lastId === null || event.id > this.lastId) {
        fresh.push(event);
        this.lastId = event.id;
      }
    }
    if (fresh.length === 0) return;
    for (const listener of [...this.listeners]) listener(fresh);
  }

  private dropped(reason: string): void {
    if (this.stopped) return;
    this.setState("reconnecting", reason);
    const delay = Math.min(this.options.maxDelay, this.options.minDelay * 2 ** this.attempts);
    this.attempts += 1;
    void this.fillIn();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, delay);
  }

  /** While the socket is down: read the missed events over REST. */
  private async fillIn(): Promise<void> {
    if (this.replaying || this.lastId === null) return;
    this.replaying = true;
    try {
      for (let page = 0; page < MAX_REPLAY_PAGES && !this.stopped; page += 1) {
        const found = await this.options.replay(this.lastId ?? 0);
        this.deliver(found.events);
        if (!found.more) break;
      }
    } catch {
      // the portal is unreachable too: the next attempt tries again
    } finally {
      this.replaying = false;
    }
  }

  private setState(state: LiveState, detail?: string): void {
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state, detail);
  }

  /** True while the socket is open (for tests and the status badge). */
  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN && this.state === "live";
  }
}
