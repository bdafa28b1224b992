// ChatChit's web chat: sign-in, conversations, messages (live, typing, read
// receipts, reactions, edit, delete, replies, history paging), people
// (friends, requests, blocks), stories (views, likes, comments), presence,
// and 1:1 WebRTC calls signaled through the server. Plain DOM, no build step;
// every user-supplied text goes in as text, never as HTML.
import { ApiError, Socket, api, h, refresh, session, signIn, signOut, uuid, when } from "./client.js";

const app = document.getElementById("app");
const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉"];
/** Seconds between `typing: true` renewals while the user keeps typing. */
const TYPING_RENEW_MS = 3000;
/** Quiet time after which the user is taken to have stopped typing. */
const TYPING_IDLE_MS = 4000;

const state = {
  me: null,
  socket: null,
  tab: "chats",
  users: new Map(),
  presence: new Map(),
  conversations: new Map(),
  current: null,
  threads: new Map(),
  reactions: new Map(),
  mine: new Map(),
  receipts: new Map(),
  typing: new Map(),
  replyTo: null,
  editing: null,
  notice: "",
  call: null,
};

// ---------------------------------------------------------------- sign-in

function showSignIn(message = "") {
  let mode = "login";
  const error = h("p", { class: "error", role: "alert" }, message);
  const display = h("div", { hidden: true },
    h("label", { for: "display-name" }, "Display name (optional)"),
    h("input", { id: "display-name", name: "displayName", maxlength: "64", autocomplete: "name" }));
  const submit = h("button", { class: "primary", type: "submit" }, "Log in");
  const title = h("h1", {}, "Log in to ChatChit");
  const toggle = h("button", { type: "button", class: "linkish" }, "Create an account");
  const form = h("form", { "aria-labelledby": "signin-title" },
    h("label", { for: "username" }, "Username"),
    h("input", { id: "username", name: "username", required: true, autocomplete: "username", maxlength: "32" }),
    h("label", { for: "password" }, "Password"),
    h("input", { id: "password", name: "password", type: "password", required: true, autocomplete: "current-password", maxlength: "128" }),
    display, submit);
  title.id = "signin-title";
  toggle.addEventListener("click", () => {
    mode = mode === "login" ? "register" : "login";
    display.hidden = mode === "login";
    title.textContent = mode === "login" ? "Log in to ChatChit" : "Create a ChatChit account";
    submit.textContent = mode === "login" ? "Log in" : "Create account";
    toggle.textContent = mode === "login" ? "Create an account" : "I have an account";
    error.textContent = "";
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form));
    if (mode === "login" || !fields.displayName) delete fields.displayName;
    submit.disabled = true;
    try {
      const signed = await signIn(mode, fields);
      start(signed.user);
    } catch (e) {
      error.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  });
  app.replaceChildren(h("main", { class: "signin" }, title, form, error, h("p", { class: "switch" }, toggle)));
}

// ------------------------------------------------------------------ start

async function start(me) {
  state.me = me;
  remember(me);
  state.conversations.clear();
  state.threads.clear();
  state.current = null;
  renderShell();
  connect();
  await loadConversations();
}

function remember(user) {
  if (user?.id) state.users.set(user.id, user);
}

function nameOf(userId) {
  if (userId === state.me?.id) return "You";
  return state.users.get(userId)?.displayName ?? "Someone";
}

function titleOf(conversation) {
  if (conversation.title) return conversation.title;
  const other = conversation.members.find((m) => m.user.id !== state.me.id);
  return other ? other.user.displayName : "Just you";
}

function otherMember(conversation) {
  if (conversation.kind !== "direct") return null;
  return conversation.members.find((m) => m.user.id !== state.me.id)?.user ?? null;
}

function say(text) {
  state.notice = text;
  renderNotice();
}

function failed(error) {
  say(error instanceof ApiError ? error.message : String(error));
}

// ----------------------------------------------------------------- socket

function connect() {
  state.socket?.close();
  const socket = new Socket();
  state.socket = socket;
  socket.on("connect", () => {
    setConnection("Connected");
    for (const id of state.threads.keys()) catchUp(id);
    loadConversations();
  });
  socket.on("disconnect", () => setConnection("Reconnecting…"));
  socket.on("connect_error", async (message) => {
    if (message === "unauthorized") {
      if (await refresh(socket.token)) socket.restart();
      else endSession("Your session has ended. Please log in again.");
    } else {
      setConnection("Reconnecting…");
    }
  });
  socket.on("session:revoked", ({ reason }) => {
    endSession(reason === "banned" ? "Your account was banned by an administrator." : "You were signed out.");
  });
  socket.on("message:new", (message) => received(message));
  socket.on("message:updated", (message) => replaced(message));
  socket.on("message:deleted", ({ conversationId, messageId }) => {
    const thread = state.threads.get(conversationId);
    const message = thread?.items.find((m) => m.id === messageId);
    if (message) replaced({ ...message, body: "", attachments: [], deletedAt: new Date().toISOString() });
  });
  socket.on("message:reactions", ({ messageId, reactions }) => {
    state.reactions.set(messageId, reactions);
    renderMessages();
  });
  socket.on("conversation:read", ({ conversationId, userId, messageId }) => {
    if (!state.receipts.has(conversationId)) state.receipts.set(conversationId, new Map());
    state.receipts.get(conversationId).set(userId, messageId);
    if (conversationId === state.current) renderMessages();
  });
  socket.on("typing", ({ conversationId, userId, typing }) => {
    if (!state.typing.has(conversationId)) state.typing.set(conversationId, new Set());
    const who = state.typing.get(conversationId);
    if (typing) who.add(userId);
    else who.delete(userId);
    if (conversationId === state.current) renderTyping();
  });
  socket.on("presence", ({ userId, status }) => {
    state.presence.set(userId, status);
    renderConversationList();
    renderChatHead();
    if (state.tab === "people") renderPeople();
  });
  for (const event of ["conversation:new", "conversation:updated"]) {
    socket.on(event, (conversation) => {
      upsertConversation(conversation);
      renderConversationList();
      if (conversation.id === state.current) renderChatHead();
    });
  }
  socket.on("member:removed", ({ conversationId, userId }) => {
    if (userId === state.me.id) {
      state.conversations.delete(conversationId);
      if (state.current === conversationId) closeConversation();
      renderConversationList();
    } else {
      refreshConversation(conversationId);
    }
  });
  socket.on("member:added", ({ conversationId }) => refreshConversation(conversationId));
  for (const event of ["friend:request", "friend:accepted", "friend:removed"]) {
    socket.on(event, () => {
      if (state.tab === "people") renderPeople();
      else say(event === "friend:request" ? "You have a new friend request (People)." : "");
    });
  }
  socket.on("story:new", () => state.tab === "stories" && renderStories());
  socket.on("story:liked", ({ userId }) => {
    say(`${nameOf(userId)} liked your story.`);
    if (state.tab === "stories") renderStories();
  });
  socket.on("story:commented", (comment) => {
    say(`${nameOf(comment.authorId)} commented on your story.`);
    if (state.tab === "stories") renderStories();
  });
  socket.on("call:incoming", (call) => incomingCall(call));
  socket.on("call:accepted", (change) => callAccepted(change));
  socket.on("call:rejected", (change) => callOver(change, "The call was declined."));
  socket.on("call:ended", (change) => callOver(change, "The call ended."));
  socket.on("call:signal", (signal) => callSignal(signal));
}

function endSession(message) {
  hangUpLocally();
  state.socket?.close();
  state.socket = null;
  session.clear();
  state.me = null;
  showSignIn(message);
}

function setConnection(text) {
  const line = document.getElementById("connection");
  if (line) line.textContent = text;
}

// ---------------------------------------------------------- conversations

function upsertConversation(conversation) {
  for (const member of conversation.members) remember(member.user);
  state.conversations.set(conversation.id, conversation);
}

async function loadConversations() {
  try {
    let cursor = null;
    do {
      const page = await api("GET", `conversations?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      for (const conversation of page.items) upsertConversation(conversation);
      cursor = page.nextCursor;
    } while (cursor);
    renderConversationList();
    renderChatHead();
  } catch (e) {
    failed(e);
  }
}

async function refreshConversation(id) {
  try {
    upsertConversation(await api("GET", `conversations/${id}`));
    renderConversationList();
    if (id === state.current) renderChatHead();
  } catch (e) {
    failed(e);
  }
}

function activity(conversation) {
  return conversation.lastMessage?.createdAt ?? conversation.createdAt;
}

function renderConversationList() {
  const list = document.getElementById("conversation-list");
  if (!list) return;
  const sorted = [...state.conversations.values()].sort((a, b) => activity(b).localeCompare(activity(a)));
  list.replaceChildren(...sorted.map((c) => {
    const other = otherMember(c);
    const last = c.lastMessage;
    const preview = !last ? "No messages yet" : last.deletedAt ? "Message deleted" : `${nameOf(last.senderId)}: ${last.body}`;
    const unread = c.unreadCount > 0 ? h("span", { class: "badge", "aria-label": `${c.unreadCount} unread` }, c.unreadCount) : "";
    return h("li", {},
      h("button", { type: "button", "aria-current": c.id === state.current ? "true" : "false", onclick: () => openConversation(c.id) },
        h("span", { class: "name" }, other ? presenceDot(other.id) : "", titleOf(c)),
        unread,
        h("span", { class: "last" }, preview)));
  }));
  if (!sorted.length) list.replaceChildren(h("li", { class: "muted" }, "No conversations yet. Find people under People, or start a group."));
}

function presenceDot(userId) {
  const status = state.presence.get(userId) ?? "offline";
  return h("span", { class: `dot ${status}`, role: "img", "aria-label": status });
}

function newGroupForm() {
  const error = h("p", { class: "error", role: "alert" });
  const choices = h("fieldset", {}, h("legend", {}, "Members"));
  const form = h("form", { class: "card", "aria-label": "New group" },
    h("h2", {}, "New group"),
    h("label", { for: "group-title" }, "Group name"),
    h("input", { id: "group-title", name: "title", required: true, maxlength: "128" }),
    choices,
    h("button", { type: "submit", class: "primary" }, "Create group"), error);
  api("GET", "friends?limit=100").then((page) => {
    for (const { user } of page.items) {
      remember(user);
      choices.append(h("label", { class: "inline" }, h("input", { type: "checkbox", name: "member", value: user.id }), user.displayName));
    }
    if (!page.items.length) choices.append(h("p", { class: "muted" }, "Add friends first (People)."));
  }).catch(failed);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const conversation = await api("POST", "conversations/group", { title: data.get("title"), memberIds: data.getAll("member") });
      upsertConversation(conversation);
      form.remove();
      renderConversationList();
      openConversation(conversation.id);
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

// --------------------------------------------------------------- messages

async function openConversation(id) {
  state.current = id;
  state.replyTo = null;
  state.editing = null;
  document.querySelector(".shell")?.classList.add("in-chat");
  renderMain();
  renderConversationList();
  if (!state.threads.has(id)) {
    state.threads.set(id, { items: [], hasMore: true });
    await loadOlder(id);
  }
  renderMessages();
  markRead();
}

function closeConversation() {
  state.current = null;
  document.querySelector(".shell")?.classList.remove("in-chat");
  renderMain();
  renderConversationList();
}

async function loadOlder(id) {
  const thread = state.threads.get(id);
  const before = thread.items[0]?.id;
  try {
    const page = await api("GET", `conversations/${id}/messages?limit=50${before ? `&before=${before}` : ""}`);
    thread.items.unshift(...page.items.reverse().filter((m) => !thread.items.some((x) => x.id === m.id)));
    thread.hasMore = page.hasMore;
    keepReactions(page);
    if (id === state.current) renderMessages({ keepScroll: Boolean(before) });
  } catch (e) {
    failed(e);
  }
}

/** A history page's reactions: the counts, and which are the user's own. */
function keepReactions(page) {
  for (const { messageId, reactions, mine } of page.reactions ?? []) {
    state.reactions.set(messageId, reactions);
    state.mine.set(messageId, new Set(mine));
  }
}

/** After a reconnect: whatever was sent meanwhile, oldest first. */
async function catchUp(id) {
  const thread = state.threads.get(id);
  const after = thread?.items.at(-1)?.id;
  if (!after) return;
  try {
    const page = await api("GET", `conversations/${id}/messages?after=${after}&limit=100`);
    keepReactions(page);
    for (const message of page.items) received(message, { quiet: true });
  } catch (e) {
    failed(e);
  }
}

function received(message, { quiet = false } = {}) {
  const conversation = state.conversations.get(message.conversationId);
  const thread = state.threads.get(message.conversationId);
  if (thread && !thread.items.some((m) => m.id === message.id)) {
    thread.items.push(message);
    thread.items.sort((a, b) => a.seq - b.seq);
  }
  state.typing.get(message.conversationId)?.delete(message.senderId);
  if (conversation) {
    if (!conversation.lastMessage || conversation.lastMessage.seq <= message.seq) conversation.lastMessage = message;
    const open = message.conversationId === state.current && document.visibilityState === "visible";
    if (message.senderId !== state.me.id && !open && !quiet) conversation.unreadCount += 1;
  } else {
    refreshConversation(message.conversationId);
  }
  renderConversationList();
  if (message.conversationId === state.current) {
    renderMessages();
    renderTyping();
    markRead();
  }
}

function replaced(message) {
  const thread = state.threads.get(message.conversationId);
  const index = thread?.items.findIndex((m) => m.id === message.id) ?? -1;
  if (index >= 0) thread.items[index] = message;
  const conversation = state.conversations.get(message.conversationId);
  if (conversation?.lastMessage?.id === message.id) conversation.lastMessage = message;
  renderConversationList();
  if (message.conversationId === state.current) renderMessages();
}

let lastMarked = null;
function markRead() {
  const id = state.current;
  const thread = state.threads.get(id);
  const newest = thread?.items.filter((m) => m.senderId !== state.me.id).at(-1);
  const conversation = state.conversations.get(id);
  if (conversation) conversation.unreadCount = 0;
  renderConversationList();
  if (!newest || lastMarked === newest.id || document.visibilityState !== "visible") return;
  lastMarked = newest.id;
  state.socket?.emit("conversation:read", { conversationId: id, messageId: newest.id }).catch(() => {
    lastMarked = null;
  });
}
document.addEventListener("visibilitychange", () => state.current && markRead());

function renderMain() {
  const main = document.getElementById("main");
  if (!main) return;
  const id = state.current;
  if (!id || !state.conversations.has(id)) {
    main.replaceChildren(h("div", { class: "empty" }, h("p", {}, "Pick a conversation, or start one from People.")));
    return;
  }
  const input = h("textarea", { id: "composer", name: "body", maxlength: "4000", rows: "1", placeholder: "Write a message" });
  const form = h("form", { class: "composer", "aria-label": "Send a message" },
    h("label", { for: "composer", class: "sr-only" }, "Message"), input,
    h("button", { type: "submit", class: "primary" }, "Send"));
  let typingSince = 0;
  let idle = null;
  const stopTyping = () => {
    clearTimeout(idle);
    if (typingSince) state.socket?.emit("typing", { conversationId: id, typing: false }).catch(() => {});
    typingSince = 0;
  };
  input.addEventListener("input", () => {
    const now = Date.now();
    if (input.value.trim() && now - typingSince > TYPING_RENEW_MS) {
      typingSince = now;
      state.socket?.emit("typing", { conversationId: id, typing: true }).catch(() => {});
    }
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  input.addEventListener("blur", stopTyping);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
    if (event.key === "Escape") cancelCompose();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    clearTimeout(idle);
    typingSince = 0;
    try {
      if (state.editing) {
        const edited = await state.socket.emit("message:edit", { messageId: state.editing, body });
        replaced(edited);
      } else {
        const payload = { conversationId: id, clientMsgId: uuid(), body };
        if (state.replyTo) payload.replyToId = state.replyTo;
        received(await sendWithRetry(payload));
      }
      input.value = "";
      cancelCompose();
    } catch (e) {
      failed(e);
    }
  });
  main.replaceChildren(
    h("header", { class: "chat-head", id: "chat-head" }),
    h("section", { class: "messages", id: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages" }),
    h("div", { class: "typing", id: "typing", "aria-live": "polite" }),
    h("div", { id: "compose-state" }),
    form);
  renderChatHead();
  renderMessages();
  renderTyping();
}

/** `message:send` over the socket; the same `clientMsgId` again if the connection dropped before the ack. */
async function sendWithRetry(payload) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await state.socket.emit("message:send", payload);
    } catch (e) {
      if (e.code !== "unavailable" || attempt >= 2) {
        if (e.code === "unavailable") return api("POST", `conversations/${payload.conversationId}/messages`, payload);
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function cancelCompose() {
  state.replyTo = null;
  state.editing = null;
  renderComposeState();
}

function renderComposeState() {
  const box = document.getElementById("compose-state");
  if (!box) return;
  const target = state.editing ?? state.replyTo;
  if (!target) {
    box.replaceChildren();
    return;
  }
  const message = state.threads.get(state.current)?.items.find((m) => m.id === target);
  box.replaceChildren(h("div", { class: "reply-to row" },
    h("span", { class: "grow" }, state.editing ? "Editing your message" : `Replying to ${nameOf(message?.senderId)}: ${message?.body ?? ""}`),
    h("button", { type: "button", onclick: cancelCompose }, "Cancel")));
}

function renderChatHead() {
  const head = document.getElementById("chat-head");
  const conversation = state.conversations.get(state.current);
  if (!head || !conversation) return;
  const other = otherMember(conversation);
  const status = other ? (state.presence.get(other.id) ?? "offline") : `${conversation.members.length} members`;
  const controls = [];
  if (other) {
    controls.push(h("button", { type: "button", onclick: () => startCall(conversation.id, other.id, "audio") }, "Call"));
    controls.push(h("button", { type: "button", onclick: () => startCall(conversation.id, other.id, "video") }, "Video call"));
    controls.push(h("button", { type: "button", onclick: () => report("user", other.id) }, "Report"));
  } else {
    controls.push(h("button", { type: "button", onclick: () => leaveGroup(conversation.id) }, "Leave group"));
  }
  head.replaceChildren(
    h("button", { type: "button", class: "back", onclick: closeConversation }, "Back"),
    h("div", { class: "grow" }, h("h2", {}, other ? presenceDot(other.id) : "", titleOf(conversation)), h("span", { class: "muted" }, status)),
    ...controls);
}

function renderTyping() {
  const line = document.getElementById("typing");
  if (!line) return;
  const who = [...(state.typing.get(state.current) ?? [])].filter((u) => u !== state.me.id).map(nameOf);
  line.textContent = who.length ? `${who.join(", ")} ${who.length > 1 ? "are" : "is"} typing…` : "";
}

function renderMessages({ keepScroll = false } = {}) {
  const box = document.getElementById("messages");
  const thread = state.threads.get(state.current);
  if (!box || !thread) return;
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const fromBottom = box.scrollHeight - box.scrollTop;
  const receipts = state.receipts.get(state.current) ?? new Map();
  const readBy = new Map();
  for (const [userId, messageId] of receipts) {
    if (userId === state.me.id) continue;
    if (!readBy.has(messageId)) readBy.set(messageId, []);
    readBy.get(messageId).push(nameOf(userId));
  }
  const rows = [];
  if (thread.hasMore) rows.push(h("button", { type: "button", onclick: () => loadOlder(state.current) }, "Load older messages"));
  for (const message of thread.items) rows.push(renderMessage(message, readBy.get(message.id)));
  box.replaceChildren(...rows);
  if (keepScroll) box.scrollTop = box.scrollHeight - fromBottom;
  else if (nearBottom || !box.dataset.seen) box.scrollTop = box.scrollHeight;
  box.dataset.seen = "1";
  renderComposeState();
}

function renderMessage(message, readers) {
  const mine = message.senderId === state.me.id;
  const deleted = Boolean(message.deletedAt);
  const reply = message.replyToId ? state.threads.get(message.conversationId)?.items.find((m) => m.id === message.replyToId) : null;
  const counts = state.reactions.get(message.id) ?? {};
  const myOwn = state.mine.get(message.id) ?? new Set();
  const article = h("article", { class: `message${mine ? " mine" : ""}${deleted ? " deleted" : ""}`, "aria-label": `Message from ${nameOf(message.senderId)}` },
    h("div", { class: "meta" }, `${nameOf(message.senderId)} · ${when(message.createdAt)}${message.editedAt && !deleted ? " · edited" : ""}`),
    reply ? h("div", { class: "muted" }, `↪ ${nameOf(reply.senderId)}: ${reply.deletedAt ? "deleted" : reply.body}`) : "",
    h("div", { class: "body" }, deleted ? "This message was deleted." : message.body),
    ...(deleted ? [] : message.attachments.map((a) => h("a", { href: a.url, rel: "noopener noreferrer", target: "_blank" }, `📎 ${a.name}`))));
  const shown = Object.entries(counts).filter(([, n]) => n > 0);
  if (shown.length) {
    article.append(h("div", { class: "reactions", "aria-label": "Reactions" }, shown.map(([emoji, n]) =>
      h("button", { type: "button", "aria-pressed": myOwn.has(emoji) ? "true" : "false", "aria-label": `${emoji} ${n}`, onclick: () => react(message.id, emoji) }, `${emoji} ${n}`))));
  }
  if (!deleted) {
    const actions = h("div", { class: "actions" },
      QUICK_REACTIONS.map((emoji) => h("button", { type: "button", "aria-label": `React ${emoji}`, onclick: () => react(message.id, emoji) }, emoji)),
      h("button", { type: "button", onclick: () => { state.replyTo = message.id; state.editing = null; renderComposeState(); document.getElementById("composer")?.focus(); } }, "Reply"));
    if (mine) {
      actions.append(
        h("button", { type: "button", onclick: () => editMessage(message) }, "Edit"),
        h("button", { type: "button", class: "danger", onclick: () => deleteMessage(message) }, "Delete"));
    } else {
      actions.append(h("button", { type: "button", onclick: () => report("message", message.id) }, "Report"));
    }
    article.append(actions);
  }
  if (readers?.length && mine) article.append(h("div", { class: "receipt" }, `Seen by ${readers.join(", ")}`));
  return article;
}

async function react(messageId, emoji) {
  const own = state.mine.get(messageId) ?? new Set();
  const on = !own.has(emoji);
  try {
    const answer = await state.socket.emit("message:react", { messageId, emoji, on });
    if (on) own.add(emoji);
    else own.delete(emoji);
    state.mine.set(messageId, own);
    state.reactions.set(messageId, answer.reactions);
    renderMessages();
  } catch (e) {
    failed(e);
  }
}

function editMessage(message) {
  state.editing = message.id;
  state.replyTo = null;
  const input = document.getElementById("composer");
  if (input) {
    input.value = message.body;
    input.focus();
  }
  renderComposeState();
}

async function deleteMessage(message) {
  if (!confirm("Delete this message for everyone?")) return;
  try {
    await state.socket.emit("message:delete", { messageId: message.id });
    replaced({ ...message, body: "", attachments: [], deletedAt: new Date().toISOString() });
  } catch (e) {
    failed(e);
  }
}

async function leaveGroup(id) {
  if (!confirm("Leave this group?")) return;
  try {
    await api("DELETE", `conversations/${id}/members/${state.me.id}`);
    state.conversations.delete(id);
    closeConversation();
  } catch (e) {
    failed(e);
  }
}

async function report(targetType, targetId) {
  const reason = prompt("Why are you reporting this?");
  if (!reason?.trim()) return;
  try {
    await api("POST", "reports", { targetType, targetId, reason: reason.trim().slice(0, 200) });
    say("Thanks, the report was sent to the admins.");
  } catch (e) {
    failed(e);
  }
}

// ----------------------------------------------------------------- people

async function openDirect(userId) {
  try {
    const conversation = await api("POST", "conversations/direct", { userId });
    upsertConversation(conversation);
    switchTab("chats");
    openConversation(conversation.id);
  } catch (e) {
    failed(e);
  }
}

function personRow(user, ...buttons) {
  remember(user);
  return h("li", { class: "card row" }, h("span", { class: "grow" }, presenceDot(user.id), h("strong", {}, user.displayName), " ", h("span", { class: "muted" }, `@${user.username}`)), ...buttons);
}

function action(label, run, extra = {}) {
  return h("button", { type: "button", ...extra, onclick: async () => {
    try {
      await run();
      renderPeople();
    } catch (e) {
      failed(e);
    }
  } }, label);
}

async function renderPeople() {
  const panel = document.getElementById("panel-people");
  if (!panel) return;
  const results = h("ul", { class: "plain", "aria-label": "Search results" });
  const search = h("input", { id: "people-search", type: "search", autocomplete: "off", maxlength: "32" });
  const form = h("form", { role: "search" }, h("label", { for: "people-search" }, "Find people"), search);
  let pending = null;
  const find = async () => {
    const query = search.value.trim();
    if (!query) {
      results.replaceChildren();
      return;
    }
    try {
      const users = await api("GET", `users?query=${encodeURIComponent(query)}&limit=20`);
      results.replaceChildren(...users.filter((u) => u.id !== state.me.id).map((u) => personRow(u,
        action("Add friend", () => api("POST", "friends/requests", { userId: u.id })),
        h("button", { type: "button", onclick: () => openDirect(u.id) }, "Message"))));
      if (!users.length) results.replaceChildren(h("li", { class: "muted" }, "Nobody by that name."));
    } catch (e) {
      failed(e);
    }
  };
  search.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(find, 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    find();
  });
  const requests = h("section", { "aria-label": "Friend requests" });
  const friends = h("section", { "aria-label": "Friends" });
  const blocks = h("section", { "aria-label": "Blocked" });
  panel.replaceChildren(form, results, requests, friends, blocks);
  try {
    const [pendingRequests, friendPage, blockPage] = await Promise.all([
      api("GET", "friends/requests?limit=50"), api("GET", "friends?limit=100"), api("GET", "blocks?limit=100")]);
    requests.append(h("h2", {}, "Friend requests"));
    for (const request of pendingRequests.incoming) {
      requests.append(personRow(request.from,
        action("Accept", () => api("POST", `friends/requests/${request.id}/accept`), { class: "primary" }),
        action("Decline", () => api("POST", `friends/requests/${request.id}/decline`))));
    }
    for (const request of pendingRequests.outgoing) {
      requests.append(personRow(request.to, h("span", { class: "muted" }, "asked"),
        action("Withdraw", () => api("DELETE", `friends/requests/${request.id}`))));
    }
    if (!pendingRequests.incoming.length && !pendingRequests.outgoing.length) requests.append(h("p", { class: "muted" }, "None."));
    friends.append(h("h2", {}, "Friends"));
    for (const { user } of friendPage.items) {
      friends.append(personRow(user,
        h("button", { type: "button", onclick: () => openDirect(user.id) }, "Message"),
        action("Unfriend", () => api("DELETE", `friends/${user.id}`)),
        action("Block", () => api("PUT", `blocks/${user.id}`), { class: "danger" })));
    }
    if (!friendPage.items.length) friends.append(h("p", { class: "muted" }, "No friends yet: find people above."));
    blocks.append(h("h2", {}, "Blocked"));
    for (const { user } of blockPage.items) blocks.append(personRow(user, action("Unblock", () => api("DELETE", `blocks/${user.id}`))));
    if (!blockPage.items.length) blocks.append(h("p", { class: "muted" }, "Nobody."));
  } catch (e) {
    failed(e);
  }
}

// ---------------------------------------------------------------- stories

async function renderStories() {
  const panel = document.getElementById("panel-stories");
  if (!panel) return;
  const error = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", "aria-label": "Post a story" },
    h("h2", {}, "Post a story"),
    h("label", { for: "story-text" }, "Story text"),
    h("textarea", { id: "story-text", name: "body", maxlength: "2000", rows: "2" }),
    h("label", { for: "story-media" }, "Picture URL (optional)"),
    h("input", { id: "story-media", name: "mediaUrl", type: "url", maxlength: "2048", placeholder: "https://…" }),
    h("button", { type: "submit", class: "primary" }, "Post story"), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = {};
    if (data.body.trim()) body.body = data.body.trim();
    if (data.mediaUrl.trim()) {
      body.mediaUrl = data.mediaUrl.trim();
      body.mediaType = "image/*";
    }
    try {
      const story = await api("POST", "stories", body);
      ownStories.add(story.id);
      form.reset();
      say("Your story is up for 24 hours.");
      renderStories();
    } catch (e) {
      error.textContent = e.message;
    }
  });
  const yours = h("section", { "aria-label": "Your stories" });
  const feed = h("section", { "aria-label": "Stories from friends" }, h("h2", {}, "Friends' stories"));
  panel.replaceChildren(form, yours, feed);
  try {
    const mine = [];
    for (const id of ownStories.list()) {
      try {
        mine.push(await api("GET", `stories/${id}`));
      } catch (e) {
        if (e.status === 404 || e.status === 403) ownStories.remove(id);
        else throw e;
      }
    }
    if (mine.length) yours.append(h("h2", {}, "Your stories"), ...mine.reverse().map((story) => storyCard(state.me, story)));
    const entries = await api("GET", "stories");
    for (const entry of entries) {
      remember(entry.author);
      for (const story of entry.stories) feed.append(storyCard(entry.author, story));
    }
    if (!entries.length) feed.append(h("p", { class: "muted" }, "No stories from friends right now."));
  } catch (e) {
    failed(e);
  }
}

function storyCard(author, story) {
  const own = author.id === state.me.id;
  const details = h("div");
  const card = h("article", { class: `card story${story.seenByMe ? " seen" : ""}`, "aria-label": `Story by ${author.displayName}` },
    h("div", { class: "meta muted" }, `${own ? "You" : author.displayName} · ${when(story.createdAt)}`),
    story.body ? h("p", { class: "body" }, story.body) : "",
    story.mediaUrl ? h("img", { src: story.mediaUrl, alt: story.body ? "" : `Picture by ${author.displayName}`, loading: "lazy", referrerpolicy: "no-referrer" }) : "",
    h("div", { class: "row muted" }, `${story.viewCount} views · ${story.likeCount} likes · ${story.commentCount} comments`),
    h("div", { class: "row" },
      own ? "" : h("button", { type: "button", "aria-pressed": story.likedByMe ? "true" : "false", onclick: () => like(story) }, story.likedByMe ? "Unlike" : "Like"),
      h("button", { type: "button", onclick: () => openStory(author, story, details) }, own ? "Viewers and comments" : "Open"),
      own ? h("button", { type: "button", class: "danger", onclick: () => deleteStory(story) }, "Delete story") : ""),
    details);
  return card;
}

/**
 * The caller's own live stories: the feed lists friends' only, so the page
 * keeps the ids of what it posted (per user, in localStorage) and reads each
 * back; a story gone (expired, deleted) is forgotten.
 */
const ownStories = {
  key: () => `chatchit.stories.${state.me.id}`,
  list() {
    try {
      return JSON.parse(localStorage.getItem(this.key())) ?? [];
    } catch {
      return [];
    }
  },
  save(ids) {
    localStorage.setItem(this.key(), JSON.stringify(ids.slice(-50)));
  },
  add(id) {
    this.save([...this.list(), id]);
  },
  remove(id) {
    this.save(this.list().filter((x) => x !== id));
  },
};

async function like(story) {
  try {
    await api(story.likedByMe ? "DELETE" : "PUT", `stories/${story.id}/like`);
    renderStories();
  } catch (e) {
    failed(e);
  }
}

async function deleteStory(story) {
  try {
    await api("DELETE", `stories/${story.id}`);
    ownStories.remove(story.id);
    renderStories();
  } catch (e) {
    failed(e);
  }
}

async function openStory(author, story, details) {
  try {
    if (author.id !== state.me.id && !story.seenByMe) await api("POST", `stories/${story.id}/views`);
    const comments = await api("GET", `stories/${story.id}/comments?limit=50`);
    const list = h("ul", { class: "plain", "aria-label": "Comments" }, comments.items.map((c) =>
      h("li", {}, h("strong", {}, nameOf(c.authorId)), ": ", c.body)));
    const parts = [list];
    if (author.id === state.me.id) {
      const viewers = await api("GET", `stories/${story.id}/views`);
      parts.unshift(h("p", { class: "muted" }, viewers.length ? `Seen by ${viewers.map((v) => { remember(v.user); return v.user.displayName; }).join(", ")}` : "Nobody has seen it yet."));
    }
    const input = h("input", { id: `comment-${story.id}`, name: "body", required: true, maxlength: "1000" });
    const form = h("form", { class: "row" }, h("label", { for: `comment-${story.id}`, class: "sr-only" }, "Comment"), input, h("button", { type: "submit" }, "Comment"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const comment = await api("POST", `stories/${story.id}/comments`, { body: input.value });
        list.append(h("li", {}, h("strong", {}, "You"), ": ", comment.body));
        input.value = "";
      } catch (e) {
        failed(e);
      }
    });
    details.replaceChildren(...parts, form);
  } catch (e) {
    failed(e);
  }
}

// ------------------------------------------------------------------ calls

/**
 * The call's panel. Its video elements are made once per call and never
 * moved (a media element taken out of the page stops playing); each render
 * updates the words and the buttons only.
 */
function renderCall() {
  const call = state.call;
  if (!call) {
    document.getElementById("call")?.remove();
    return;
  }
  const peer = nameOf(call.peer);
  if (!call.panel) {
    call.title = h("h2", {});
    call.statusLine = h("p", { id: "call-status", role: "status" });
    call.remoteVideo = h("video", { id: "remote-video", autoplay: true, playsinline: true, "aria-label": `${peer}'s video` });
    call.localVideo = h("video", { class: "local", autoplay: true, playsinline: true, muted: true, "aria-label": "Your video" });
    call.localVideo.muted = true;
    call.videos = h("div", { hidden: true }, call.remoteVideo, call.kind === "video" ? call.localVideo : "");
    call.buttons = h("div", { class: "row" });
    call.panel = h("aside", { id: "call", class: "call", role: "dialog", "aria-label": "Call" }, call.title, call.statusLine, call.videos, call.buttons);
    document.getElementById("call")?.remove();
    document.body.append(call.panel);
  }
  call.title.textContent = `${call.kind === "video" ? "Video call" : "Call"} with ${peer}`;
  call.statusLine.textContent = call.status;
  call.videos.hidden = call.state !== "active";
  if (call.remoteStream && call.remoteVideo.srcObject !== call.remoteStream) call.remoteVideo.srcObject = call.remoteStream;
  if (call.localStream && call.localVideo.srcObject !== call.localStream) call.localVideo.srcObject = call.localStream;
  const ringing = call.incoming && call.state === "ringing";
  if (call.buttons.dataset.ringing !== String(ringing)) {
    call.buttons.dataset.ringing = String(ringing);
    call.buttons.replaceChildren(...(ringing
      ? [h("button", { type: "button", class: "primary", onclick: acceptCall }, "Accept"),
        h("button", { type: "button", class: "danger", onclick: rejectCall }, "Decline")]
      : [h("button", { type: "button", class: "danger", onclick: endCall }, "Hang up")]));
  }
}

function setCall(changes) {
  Object.assign(state.call, changes);
  renderCall();
}

async function startCall(conversationId, peer, kind) {
  if (state.call) return say("You are already in a call.");
  try {
    const { callId } = await state.socket.emit("call:invite", { conversationId, kind });
    state.call = { id: callId, peer, kind, incoming: false, state: "ringing", status: `Calling ${nameOf(peer)}…`, pending: [] };
    renderCall();
  } catch (e) {
    failed(e.message === "busy" ? "They are in another call." : e);
  }
}

function incomingCall({ callId, from, kind }) {
  if (state.call) return;
  state.call = { id: callId, peer: from, kind, incoming: true, state: "ringing", status: `${nameOf(from)} is calling…`, pending: [] };
  renderCall();
}

async function acceptCall() {
  const call = state.call;
  try {
    await media(call);
    await state.socket.emit("call:accept", { callId: call.id });
    setCall({ state: "active", status: "Connecting…" });
  } catch (e) {
    failed(e);
    endCall();
  }
}

async function rejectCall() {
  const call = state.call;
  hangUpLocally();
  await state.socket?.emit("call:reject", { callId: call.id }).catch(() => {});
}

async function endCall() {
  const call = state.call;
  if (!call) return;
  hangUpLocally();
  await state.socket?.emit("call:end", { callId: call.id }).catch(() => {});
}

function hangUpLocally() {
  const call = state.call;
  if (!call) return;
  call.pc?.close();
  for (const track of call.localStream?.getTracks() ?? []) track.stop();
  state.call = null;
  renderCall();
}

function callOver({ callId }, message) {
  if (state.call?.id !== callId) return;
  hangUpLocally();
  say(message);
}

async function media(call) {
  call.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: call.kind === "video" });
  const pc = new RTCPeerConnection({ iceServers: [] });
  call.pc = pc;
  for (const track of call.localStream.getTracks()) pc.addTrack(track, call.localStream);
  pc.onicecandidate = ({ candidate }) => {
    if (candidate) signal(call, "ice", candidate.toJSON());
  };
  pc.ontrack = ({ streams }) => {
    call.remoteStream = streams[0];
    renderCall();
  };
  pc.onconnectionstatechange = () => {
    if (state.call !== call) return;
    if (pc.connectionState === "connected") setCall({ status: `Connected with ${nameOf(call.peer)}` });
    if (pc.connectionState === "failed") setCall({ status: "The connection failed." });
  };
  return pc;
}

function signal(call, type, payload) {
  state.socket?.emit("call:signal", { callId: call.id, toUserId: call.peer, type, payload }).catch(failed);
}

async function callAccepted({ callId }) {
  const call = state.call;
  if (call?.id !== callId || call.incoming) return;
  try {
    setCall({ state: "active", status: "Connecting…" });
    const pc = await media(call);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    signal(call, "offer", { type: offer.type, sdp: offer.sdp });
  } catch (e) {
    failed(e);
    endCall();
  }
}

async function callSignal({ callId, type, payload }) {
  const call = state.call;
  if (call?.id !== callId || !call.pc) return;
  try {
    if (type === "offer") {
      await call.pc.setRemoteDescription(payload);
      const answer = await call.pc.createAnswer();
      await call.pc.setLocalDescription(answer);
      signal(call, "answer", { type: answer.type, sdp: answer.sdp });
      for (const candidate of call.pending.splice(0)) await call.pc.addIceCandidate(candidate);
    } else if (type === "answer") {
      await call.pc.setRemoteDescription(payload);
      for (const candidate of call.pending.splice(0)) await call.pc.addIceCandidate(candidate);
    } else if (type === "ice") {
      if (call.pc.remoteDescription) await call.pc.addIceCandidate(payload);
      else call.pending.push(payload);
    }
  } catch (e) {
    console.error("signal failed", e);
  }
}

// ------------------------------------------------------------------ shell

function switchTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", button.dataset.tab === tab ? "true" : "false");
  }
  for (const panel of document.querySelectorAll(".tabpanel")) panel.hidden = panel.id !== `panel-${tab}`;
  if (tab === "people") renderPeople();
  if (tab === "stories") renderStories();
}

function renderNotice() {
  const box = document.getElementById("notice");
  if (!box) return;
  box.hidden = !state.notice;
  box.replaceChildren(state.notice ? h("div", { class: "row" }, h("span", { class: "grow" }, state.notice),
    h("button", { type: "button", onclick: () => say("") }, "Dismiss")) : "");
}

function renderShell() {
  const presence = h("select", { id: "presence", "aria-label": "Your status" },
    ["online", "away", "dnd", "invisible"].map((s) => h("option", { value: s }, { online: "Online", away: "Away", dnd: "Do not disturb", invisible: "Invisible" }[s])));
  presence.addEventListener("change", () => state.socket?.emit("presence:set", { status: presence.value }).catch(failed));
  const tab = (id, label) => h("button", { type: "button", role: "tab", id: `tab-${id}`, "data-tab": id, "aria-controls": `panel-${id}`, "aria-selected": id === state.tab ? "true" : "false", onclick: () => switchTab(id) }, label);
  const chats = h("div", { class: "tabpanel", id: "panel-chats", role: "tabpanel", "aria-labelledby": "tab-chats" },
    h("div", { class: "row" }, h("h2", { class: "grow" }, "Conversations"),
      h("button", { type: "button", onclick: (event) => {
        const existing = document.querySelector('form[aria-label="New group"]');
        if (existing) existing.remove();
        else event.currentTarget.closest(".tabpanel").insertBefore(newGroupForm(), document.getElementById("conversation-list"));
      } }, "New group")),
    h("ul", { class: "plain conversations", id: "conversation-list", "aria-label": "Conversations" }));
  const shell = h("div", { class: "shell" },
    h("header", { class: "topbar" },
      h("span", { class: "brand" }, "ChatChit"),
      h("span", { class: "grow" }, h("span", { class: "signed-in" }, "Signed in as "), h("strong", { id: "me" }, state.me.displayName), " ", h("span", { id: "connection", class: "status-line", role: "status" }, "Connecting…")),
      presence,
      state.me.role === "admin" ? h("a", { href: "admin" }, "Dashboard") : "",
      h("button", { type: "button", onclick: async () => {
        hangUpLocally();
        state.socket?.close();
        await signOut();
        showSignIn();
      } }, "Log out")),
    h("nav", { class: "sidebar", "aria-label": "Sidebar" },
      h("div", { class: "tabs", role: "tablist" }, tab("chats", "Chats"), tab("people", "People"), tab("stories", "Stories")),
      chats,
      h("div", { class: "tabpanel", id: "panel-people", role: "tabpanel", "aria-labelledby": "tab-people", hidden: true }),
      h("div", { class: "tabpanel", id: "panel-stories", role: "tabpanel", "aria-labelledby": "tab-stories", hidden: true })),
    h("main", { class: "main", id: "main-pane" }, h("div", { id: "notice", class: "notice", role: "status", hidden: true }), h("div", { id: "main", class: "main grow" })));
  app.replaceChildren(shell);
  switchTab(state.tab);
  renderMain();
  renderNotice();
}

async function boot() {
  const current = session.get();
  if (!current) return showSignIn();
  try {
    const me = await api("GET", "me");
    start(me);
  } catch (e) {
    if (e.status === 401 || e.status === 403) {
      session.clear();
      showSignIn();
    } else {
      showSignIn(e.message);
    }
  }
}

boot();
