// The browser side of ChatChit's wire contract (docs/protocol.md), shared by
// the chat page and the admin dashboard: REST calls with the session's token
// (refreshed once on a 401), and a small Socket.IO v4 client over one
// WebSocket (Engine.IO v4 framing: open, ping/pong, CONNECT with the token,
// events and acks).

const base = new URL(".", document.baseURI);
const SESSION_KEY = "chatchit.session";

/** An error answer: `code` from the envelope, `message` for people. */
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** The signed-in session (user and tokens), kept in localStorage. */
export const session = {
  get() {
    try {
      return JSON.parse(localStorage.getItem(SESSION_KEY));
    } catch {
      return null;
    }
  },
  set(value) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  clear() {
    localStorage.removeItem(SESSION_KEY);
  },
};

/**
 * Trades the refresh token for a new pair; null when the session is over.
 * `failed` is the access token that was refused: if another tab of the same
 * browser has refreshed meanwhile (the session in localStorage holds a
 * different token), that session is used as is. Tabs take turns (Web Locks),
 * since spending one refresh token twice ends the whole session by design.
 */
export async function refresh(failed) {
  const run = async () => {
    const current = session.get();
    if (!current) return null;
    if (failed && current.accessToken !== failed) return current;
    try {
      const answer = await fetch(new URL("api/v1/auth/refresh", base), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!answer.ok) {
        if (answer.status === 401) session.clear();
        return null;
      }
      const next = await answer.json();
      session.set(next);
      return next;
    } catch {
      return null;
    }
  };
  return navigator.locks ? navigator.locks.request("chatchit.refresh", run) : run();
}

/**
 * Calls `/api/v1/<path>`; answers the parsed JSON (null for 204) or throws
 * an ApiError. A 401 with a session refreshes it once and retries.
 */
export async function api(method, path, body, { retry = true } = {}) {
  const headers = {};
  const current = session.get();
  if (current) headers.authorization = `Bearer ${current.accessToken}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let answer;
  try {
    answer = await fetch(new URL(`api/v1/${path}`, base), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("unavailable", "The server cannot be reached.", 0);
  }
  if (answer.status === 401 && current && retry && !path.startsWith("auth/")) {
    if (await refresh(current.accessToken)) return api(method, path, body, { retry: false });
  }
  if (answer.status === 204) return null;
  const text = await answer.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!answer.ok) {
    const error = parsed?.error ?? {};
    throw new ApiError(error.code ?? "internal", error.message ?? answer.statusText, answer.status);
  }
  return parsed;
}

/** Logs in or registers; stores and answers the session. */
export async function signIn(kind, fields) {
  const next = await api("POST", `auth/${kind}`, fields);
  session.set(next);
  return next;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function signOut() {
  const current = session.get();
  session.clear();
  if (current) {
    await api("POST", "auth/logout", { refreshToken: current.refreshToken }).catch(() => {});
  }
}

/** How long an ack may take before the command is reported as failed. */
const ACK_TIMEOUT_MS = 15000;
/** Longest pause between reconnection attempts. */
const MAX_BACKOFF_MS = 10000;

/**
 * A Socket.IO v4 connection to namespace `/`, reconnecting with backoff
 * until `close()`. Handlers: `on(event, fn)` for server events and for
 * `connect`, `disconnect` and `connect_error` (with the error's message).
 */
export class Socket {
  constructor() {
    this.handlers = new Map();
    this.acks = new Map();
    this.nextAck = 0;
    this.backoff = 500;
    this.closed = false;
    this.connected = false;
    this.open();
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  fire(event, payload) {
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        console.error(`handler of ${event} failed`, error);
      }
    }
  }

  open() {
    const url = new URL("socket.io/?EIO=4&transport=websocket", base);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (message) => this.receive(String(message.data));
    ws.onclose = () => this.dropped();
  }

  receive(frame) {
    const type = frame[0];
    if (type === "0") {
      this.token = session.get()?.accessToken ?? "";
      this.ws.send(`40${JSON.stringify({ token: this.token })}`);
    } else if (type === "2") {
      this.ws.send("3");
    } else if (type === "4") {
      this.packet(frame.slice(1));
    }
  }

  packet(text) {
    const type = text[0];
    let rest = text.slice(1);
    if (type === "0") {
      this.connected = true;
      this.backoff = 500;
      this.fire("connect");
      return;
    }
    if (type === "1") {
      this.ws.close();
      return;
    }
    if (type === "4") {
      let message = "unavailable";
      try {
        message = JSON.parse(rest).message ?? message;
      } catch {}
      this.fire("connect_error", message);
      this.ws.close();
      return;
    }
    const digits = /^\d+/.exec(rest);
    const id = digits ? Number(digits[0]) : null;
    if (digits) rest = rest.slice(digits[0].length);
    let data;
    try {
      data = JSON.parse(rest);
    } catch {
      return;
    }
    if (type === "2" && Array.isArray(data)) {
      this.fire(data[0], data[1]);
    } else if (type === "3" && id !== null && this.acks.has(id)) {
      const { resolve, timer } = this.acks.get(id);
      clearTimeout(timer);
      this.acks.delete(id);
      resolve(Array.isArray(data) ? data[0] : data);
    }
  }

  dropped() {
    const was = this.connected;
    this.connected = false;
    for (const { reject, timer } of this.acks.values()) {
      clearTimeout(timer);
      reject(new ApiError("unavailable", "The connection dropped.", 0));
    }
    this.acks.clear();
    if (was) this.fire("disconnect");
    if (this.closed) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    setTimeout(() => {
      if (!this.closed) this.open();
    }, wait);
  }

  /** Sends a command; resolves with the ack's `data` or throws an ApiError. */
  emit(event, payload) {
    if (!this.connected) {
      return Promise.reject(new ApiError("unavailable", "Not connected.", 0));
    }
    const id = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new ApiError("unavailable", "The server did not answer.", 0));
      }, ACK_TIMEOUT_MS);
      this.acks.set(id, { resolve, reject, timer });
      this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    }).then((ack) => {
      if (ack?.ok) return ack.data;
      const error = ack?.error ?? {};
      throw new ApiError(error.code ?? "internal", error.message ?? "failed", 0);
    });
  }

  /** Reconnects now (after a token refresh). */
  restart() {
    this.backoff = 500;
    this.ws.close();
  }

  close() {
    this.closed = true;
    this.ws.close();
  }
}

/** A random id for `clientMsgId`. */
export function uuid() {
  return crypto.randomUUID();
}

/** Creates an element: `h("p", {class: "x"}, "text", child)`. Text is never parsed as HTML. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A time of day, or a date for older times. */
export function when(timestamp) {
  const date = new Date(timestamp);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString();
}
