// A typed client for a ChatChit server: `rest` is an openapi-fetch client
// over the REST API (paths, bodies and answers typed from the OpenAPI
// document), and `connect` opens a Socket.IO connection whose commands and
// events are typed from the AsyncAPI document.
import createClient, { type Client } from "openapi-fetch";
import { io, type Socket } from "socket.io-client";
import type { Commands, ErrorDetail, ServerEvents } from "./generated/events.js";
import type { components, paths } from "./generated/rest.js";

export type { Commands, ErrorDetail, ServerEvents } from "./generated/events.js";
export type { components, paths } from "./generated/rest.js";

/** A REST answer's user and tokens. */
export type Session = components["schemas"]["Session"];

/** What an ack is: the answer, or why the command was refused. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorDetail };

/** A refused or failed command or request, with the server's code. */
export class ChatChitError extends Error {
  readonly code: ErrorDetail["code"];

  constructor(detail: ErrorDetail) {
    super(`${detail.code}: ${detail.message}`);
    this.name = "ChatChitError";
    this.code = detail.code;
  }
}

type Listeners = {
  [K in keyof ServerEvents]: (payload: ServerEvents[K]) => void;
};

type Emitters = {
  [K in keyof Commands]: (
    payload: Commands[K]["payload"],
    ack: (answer: Ack<Commands[K]["answer"]>) => void,
  ) => void;
};

/** How to reach the server. */
export interface Options {
  /** `http://host:port` of the server (the origin of the REST API and of `/socket.io/`). */
  baseUrl: string;
  /** How long a command waits for its ack, in milliseconds (default 10 000). */
  ackTimeoutMs?: number;
  /** Socket.IO transports, in order (default: polling, upgraded to websocket). */
  transports?: ("polling" | "websocket")[];
}

/** A signed-in connection: typed commands and events. */
export class RealtimeConnection {
  readonly socket: Socket<Listeners, Emitters>;
  readonly #timeout: number;

  constructor(socket: Socket<Listeners, Emitters>, timeout: number) {
    this.socket = socket;
    this.#timeout = timeout;
  }

  /** Emits a command and resolves with its answer; rejects with a {@link ChatChitError} when refused. */
  async send<K extends keyof Commands>(
    name: K,
    payload: Commands[K]["payload"],
  ): Promise<Commands[K]["answer"]> {
    // socket.io-client's emitWithAck cannot name a generic event; the
    // event map above is what makes this call typed for callers.
    const emit = this.socket.timeout(this.#timeout).emitWithAck as (
      name: string,
      payload: unknown,
    ) => Promise<Ack<Commands[K]["answer"]>>;
    const ack = await emit.call(this.socket.timeout(this.#timeout), name, payload);
    if (!ack.ok) {
      throw new ChatChitError(ack.error);
    }
    return ack.data;
  }

  /** Calls `listener` with each `name` event; returns a function that stops it. */
  on<K extends keyof ServerEvents>(name: K, listener: (payload: ServerEvents[K]) => void): () => void {
    // The map above types `name` and `listener` for callers; the untyped
    // face of the socket takes any name.
    const socket = this.socket as unknown as Socket;
    const handler = listener as (...args: unknown[]) => void;
    socket.on(name as string, handler);
    return () => {
      socket.off(name as string, handler);
    };
  }

  /** The next `name` event (optionally the next one `accept` takes). */
  next<K extends keyof ServerEvents>(
    name: K,
    accept: (payload: ServerEvents[K]) => boolean = () => true,
    timeoutMs = this.#timeout,
  ): Promise<ServerEvents[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no ${name} in ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.on(name, (payload) => {
        if (accept(payload)) {
          clearTimeout(timer);
          stop();
          resolve(payload);
        }
      });
    });
  }

  /** Closes the connection. */
  close(): void {
    this.socket.disconnect();
  }
}

/** The REST API and a way to open the realtime connection. */
export class ChatChit {
  readonly rest: Client<paths>;
  readonly #options: Options;
  #token: string | undefined;

  constructor(options: Options) {
    this.#options = options;
    this.rest = createClient<paths>({ baseUrl: options.baseUrl });
    this.rest.use({
      onRequest: ({ request }) => {
        if (this.#token !== undefined) {
          request.headers.set("Authorization", `Bearer ${this.#token}`);
        }
        return request;
      },
    });
  }

  /** Uses `token` on every REST call from now on (and for {@link connect}). */
  useToken(token: string): void {
    this.#token = token;
  }

  /** Creates an account and signs in as it. */
  async register(username: string, password: string, displayName?: string): Promise<Session> {
    const body = displayName === undefined ? { username, password } : { username, password, displayName };
    return this.#signIn(await this.rest.POST("/api/v1/auth/register", { body }));
  }

  /** Signs in. */
  async login(username: string, password: string): Promise<Session> {
    return this.#signIn(await this.rest.POST("/api/v1/auth/login", { body: { username, password } }));
  }

  #signIn(answer: { data?: Session; error?: components["schemas"]["ErrorBody"] }): Session {
    if (answer.data === undefined) {
      throw new ChatChitError(answer.error?.error ?? { code: "internal", message: "no answer" });
    }
    this.useToken(answer.data.accessToken);
    return answer.data;
  }

  /** Opens the realtime connection with the current token; resolves once the server accepted it. */
  connect(): Promise<RealtimeConnection> {
    const socket: Socket<Listeners, Emitters> = io(this.#options.baseUrl, {
      auth: { token: this.#token ?? "" },
      transports: this.#options.transports ?? ["polling", "websocket"],
      reconnection: false,
    });
    return new Promise((resolve, reject) => {
      socket.once("connect", () => {
        resolve(new RealtimeConnection(socket, this.#options.ackTimeoutMs ?? 10_000));
      });
      socket.once("connect_error", (error: Error) => {
        socket.disconnect();
        reject(error);
      });
    });
  }
}

/** The answer of a REST call, or a {@link ChatChitError}. */
export function unwrap<T>(answer: { data?: T; error?: unknown }): T {
  if (answer.data !== undefined) {
    return answer.data;
  }
  const body = answer.error as components["schemas"]["ErrorBody"] | undefined;
  throw new ChatChitError(body?.error ?? { code: "internal", message: "no answer" });
}
