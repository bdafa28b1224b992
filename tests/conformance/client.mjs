// Conformance run of the stock npm socket.io-client against a ChatChit
// server. Usage: node client.mjs <base-url> <alice-token> <bob-token> <conversation-id>
// Prints one JSON line and exits 0 when every step held, 1 otherwise.
import { io } from "socket.io-client";

const [base, aliceToken, bobToken, conversationId] = process.argv.slice(2);
const WAIT_MS = 10_000;

function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function connected(socket, what) {
  if (socket.connected) return Promise.resolve();
  return within(
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", (e) => reject(new Error(`${what}: ${e.message}`)));
    }),
    what,
  );
}

function refused(socket, what) {
  return within(
    new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error(`${what}: connected`)));
      socket.once("connect_error", (e) => resolve(e.message));
    }),
    what,
  );
}

function next(socket, event, what) {
  return within(new Promise((resolve) => socket.once(event, resolve)), what);
}

async function send(socket, body) {
  const ack = await within(
    socket.emitWithAck("message:send", { conversationId, clientMsgId: crypto.randomUUID(), body }),
    `ack of ${body}`,
  );
  if (!ack.ok) throw new Error(`send ${body}: ${JSON.stringify(ack)}`);
  return ack.data;
}

const opened = [];
function open(path, options) {
  const socket = io(base + path, { reconnection: false, ...options });
  opened.push(socket);
  return socket;
}

async function run() {
  const stranger = open("/", { auth: { token: "not-a-token" }, transports: ["websocket"] });
  const unauthorized = await refused(stranger, "bad token");
  if (unauthorized !== "unauthorized") throw new Error(`bad token: ${unauthorized}`);

  const elsewhere = open("/elsewhere", { auth: { token: aliceToken } });
  const namespace = await refused(elsewhere, "other namespace");
  if (namespace !== "Invalid namespace") throw new Error(`namespace: ${namespace}`);

  // Default options: long-polling first, then the upgrade to a websocket.
  const bob = open("/", { auth: { token: bobToken } });
  const upgraded = within(
    new Promise((resolve) => bob.io.engine.once("upgrade", (t) => resolve(t.name))),
    "upgrade",
  );
  await connected(bob, "bob (polling, then upgrade)");
  if ((await upgraded) !== "websocket") throw new Error("bob did not upgrade");

  const aliceWs = open("/", { auth: { token: aliceToken }, transports: ["websocket"] });
  const alicePolling = open("/", { auth: { token: aliceToken }, transports: ["polling"] });
  await connected(aliceWs, "alice (websocket only)");
  await connected(alicePolling, "alice (polling only)");

  const seqs = [];
  let bobGets = next(bob, "message:new", "bob receives");
  let pollingGets = next(alicePolling, "message:new", "alice's polling socket receives");
  seqs.push((await send(aliceWs, "over a websocket")).seq);
  if ((await bobGets).body !== "over a websocket") throw new Error("bob got the wrong message");
  if ((await pollingGets).body !== "over a websocket") throw new Error("polling got the wrong message");

  const wsGets = next(aliceWs, "message:new", "alice's websocket receives");
  pollingGets = next(alicePolling, "message:new", "alice's polling socket receives");
  seqs.push((await send(bob, "after an upgrade")).seq);
  if ((await wsGets).body !== "after an upgrade") throw new Error("websocket got the wrong message");
  if ((await pollingGets).body !== "after an upgrade") throw new Error("polling got the wrong message");

  bobGets = next(bob, "message:new", "bob receives from polling");
  seqs.push((await send(alicePolling, "over long-polling")).seq);
  if ((await bobGets).body !== "over long-polling") throw new Error("bob got the wrong message");

  return { ok: true, seqs, transports: [bob.io.engine.transport.name, aliceWs.io.engine.transport.name, alicePolling.io.engine.transport.name] };
}

try {
  console.log(JSON.stringify(await run()));
  process.exitCode = 0;
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e.message ?? e) }));
  process.exitCode = 1;
} finally {
  for (const socket of opened) socket.close();
}
