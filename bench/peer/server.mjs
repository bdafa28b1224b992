// The reference peer: the subset of ChatChit that chatchit-bench drives
// (register, group create, `message:send` with an ack, `message:new` to the
// other members' sockets), on Node.js Socket.IO v4, held in memory. It is the
// stack ChatChit replaces; compare.sh runs the same scenarios against both.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "socket.io";

const port = Number(process.env.PORT || 8090);
const users = new Map(); // token -> user
const names = new Set();
const groups = new Map(); // conversation id -> { members: Set, seq }
const memberships = new Map(); // user id -> Set of conversation ids

const reply = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

const server = http.createServer(async (req, res) => {
  if (req.method !== "POST") return reply(res, 404, { error: { code: "not_found" } });
  let text = "";
  for await (const chunk of req) text += chunk;
  let input;
  try {
    input = JSON.parse(text || "{}");
  } catch {
    return reply(res, 400, { error: { code: "bad_request" } });
  }
  if (req.url === "/api/v1/auth/register") {
    if (typeof input.username !== "string" || names.has(input.username.toLowerCase())) {
      return reply(res, 409, { error: { code: "conflict" } });
    }
    names.add(input.username.toLowerCase());
    const user = { id: randomUUID(), username: input.username };
    const token = randomUUID();
    users.set(token, user);
    return reply(res, 201, { user, accessToken: token });
  }
  if (req.url === "/api/v1/conversations/group") {
    const owner = users.get((req.headers.authorization || "").replace(/^Bearer /, ""));
    if (!owner) return reply(res, 401, { error: { code: "unauthorized" } });
    const id = randomUUID();
    const members = new Set([owner.id, ...(input.memberIds || [])]);
    groups.set(id, { members, seq: 0 });
    for (const member of members) {
      if (!memberships.has(member)) memberships.set(member, new Set());
      memberships.get(member).add(id);
      io.in(`u:${member}`).socketsJoin(`c:${id}`);
    }
    return reply(res, 201, { id, kind: "group", title: input.title ?? null });
  }
  return reply(res, 404, { error: { code: "not_found" } });
});

const io = new Server(server);

io.use((socket, next) => {
  const user = users.get(socket.handshake.auth?.token);
  if (!user) return next(new Error("unauthorized"));
  socket.data.user = user;
  next();
});

io.on("connection", (socket) => {
  const user = socket.data.user;
  socket.join(`u:${user.id}`);
  for (const id of memberships.get(user.id) ?? []) socket.join(`c:${id}`);
  socket.on("message:send", (input, ack) => {
    const group = groups.get(input?.conversationId);
    if (!group || !group.members.has(user.id)) {
      return ack?.({ ok: false, error: { code: "forbidden", message: "not a member" } });
    }
    const message = {
      id: randomUUID(),
      conversationId: input.conversationId,
      seq: ++group.seq,
      senderId: user.id,
      clientMsgId: input.clientMsgId,
      body: input.body,
      createdAt: new Date().toISOString(),
    };
    socket.to(`c:${input.conversationId}`).emit("message:new", message);
    ack?.({ ok: true, data: message });
  });
});

server.listen(port, "127.0.0.1", () => console.log(`peer listening port=${port}`));
