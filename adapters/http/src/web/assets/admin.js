// ChatChit's admin dashboard: this node's figures from /api/v1/admin/stats,
// read every second and drawn as they change (sockets, messages/s, events/s
// per lane, each lane's wait against its target, queue depth, health), dead
// letters with replay, open reports to resolve, and accounts to find, ban
// and unban. Admins only: the API refuses anyone else.
import { ApiError, api, h, session, signIn, signOut, when } from "./client.js";

const app = document.getElementById("app");
const LANES = ["high", "medium", "low"];
const COLORS = { high: "#b3261e", medium: "#e0a100", low: "#2456c7", sockets: "#2456c7", messages: "#1e7b34", health: "#1e7b34" };
/** How often the figures are read. */
const POLL_MS = 1000;
/** Readings kept per chart (two minutes). */
const KEEP = 120;

const series = { sockets: [], messages: [], health: [], events: { high: [], medium: [], low: [] }, wait: { high: [], medium: [], low: [] } };
let previous = null;
let timer = null;

function push(list, value) {
  list.push(value);
  if (list.length > KEEP) list.shift();
}

/** A line chart of `lines` ({label, color, values}); `limits` draws dashed target lines. */
function draw(canvas, lines, { limits = [], unit = "" } = {}) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 300;
  const height = canvas.clientHeight || 180;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const g = canvas.getContext("2d");
  g.scale(ratio, ratio);
  g.clearRect(0, 0, width, height);
  const all = lines.flatMap((l) => l.values).concat(limits.map((l) => l.value));
  const top = Math.max(1, ...all) * 1.15;
  const left = 44;
  const bottom = height - 16;
  g.font = "11px system-ui, sans-serif";
  g.fillStyle = "#5d6677";
  g.strokeStyle = "#dde1e8";
  for (let i = 0; i <= 4; i++) {
    const y = bottom - (bottom - 6) * (i / 4);
    g.beginPath();
    g.moveTo(left, y);
    g.lineTo(width, y);
    g.stroke();
    const value = top * (i / 4);
    g.fillText(`${value >= 100 ? Math.round(value) : value.toFixed(1)}${unit}`, 2, y + 4);
  }
  const x = (i) => left + ((width - left) * i) / (KEEP - 1);
  const y = (v) => bottom - ((bottom - 6) * v) / top;
  for (const limit of limits) {
    g.setLineDash([5, 4]);
    g.strokeStyle = limit.color;
    g.beginPath();
    g.moveTo(left, y(limit.value));
    g.lineTo(width, y(limit.value));
    g.stroke();
    g.setLineDash([]);
  }
  for (const line of lines) {
    g.strokeStyle = line.color;
    g.lineWidth = 2;
    g.beginPath();
    const offset = KEEP - line.values.length;
    line.values.forEach((v, i) => (i ? g.lineTo(x(offset + i), y(v)) : g.moveTo(x(offset + i), y(v))));
    g.stroke();
    const last = line.values.at(-1);
    if (last !== undefined) {
      g.fillStyle = line.color;
      g.beginPath();
      g.arc(x(KEEP - 1) - 3, y(last), 3, 0, 2 * Math.PI);
      g.fill();
    }
    g.lineWidth = 1;
  }
}

function legend(entries) {
  return h("div", { class: "legend" }, entries.map(([label, key]) => h("span", { "data-series": key }, label)));
}

function chartPanel(id, title, entries, description) {
  return h("section", { class: "panel", "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title), legend(entries),
    h("canvas", { id, role: "img", "aria-label": description }));
}

function kpi(id, label) {
  return h("div", { class: "kpi" }, h("div", { class: "muted", id: `${id}-label` }, label), h("div", { class: "value", id, "aria-labelledby": `${id}-label` }, "–"));
}

function signInPage(message = "") {
  const error = h("p", { class: "error", role: "alert" }, message);
  const form = h("form", {},
    h("label", { for: "username" }, "Username"),
    h("input", { id: "username", name: "username", required: true, autocomplete: "username" }),
    h("label", { for: "password" }, "Password"),
    h("input", { id: "password", name: "password", type: "password", required: true, autocomplete: "current-password" }),
    h("button", { type: "submit", class: "primary" }, "Log in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const signed = await signIn("login", Object.fromEntries(new FormData(form)));
      if (signed.user.role !== "admin") return signInPage("This dashboard is for admins only.");
      dashboard(signed.user);
    } catch (e) {
      error.textContent = e.message;
    }
  });
  app.replaceChildren(h("main", { class: "signin" }, h("h1", {}, "ChatChit admin"), form, error, h("p", { class: "switch" }, h("a", { href: "./" }, "Back to the chat"))));
}

function dashboard(me) {
  const replay = h("button", { type: "button", onclick: replayDeadLetters }, "Replay dead letters");
  const search = h("input", { id: "user-search", type: "search", autocomplete: "off" });
  const userForm = h("form", { role: "search" }, h("label", { for: "user-search" }, "Find users"), search);
  userForm.addEventListener("submit", (event) => {
    event.preventDefault();
    findUsers();
  });
  search.addEventListener("input", () => findUsers());
  app.replaceChildren(h("div", { class: "wrap" },
    h("header", { class: "row" }, h("h1", { class: "grow" }, "ChatChit — this node"),
      h("span", { class: "muted", id: "updated", role: "status" }, ""),
      h("span", {}, `Signed in as ${me.displayName}`),
      h("a", { href: "./" }, "Chat"),
      h("button", { type: "button", onclick: async () => { stop(); await signOut(); signInPage(); } }, "Log out")),
    h("section", { class: "kpis", "aria-label": "Now" },
      kpi("kpi-sockets", "Live sockets"), kpi("kpi-messages", "Messages/s"), kpi("kpi-events", "Events/s"),
      kpi("kpi-health", "Health score"), kpi("kpi-dead", "Dead letters"), kpi("kpi-uptime", "Uptime")),
    h("div", { class: "panels" },
      chartPanel("chart-traffic", "Sockets and messages/s", [["sockets", "sockets"], ["messages/s", "messages"]], "Live sockets and messages per second over the last two minutes"),
      chartPanel("chart-events", "Events/s by lane", LANES.map((l) => [l, l]), "Events processed per second in each lane"),
      chartPanel("chart-wait", "Queue wait p99, % of each lane's target", LANES.map((l) => [l, l]), "99th percentile queue wait per lane as a share of its target (high 100 ms, medium 500 ms, low 2 s); the dashed line is the target"),
      chartPanel("chart-health", "Health score", [["score", "health"]], "Health score from 0 to 100 over time"),
      h("section", { class: "panel wide", "aria-labelledby": "lanes-title" },
        h("h2", { id: "lanes-title" }, "Lanes against their targets"),
        h("table", {}, h("thead", {}, h("tr", {}, ["lane", "depth", "events/s", "wait p50", "wait p99", "target", ""].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", { id: "lanes" }))),
      h("section", { class: "panel", "aria-labelledby": "dead-title" },
        h("h2", { id: "dead-title" }, "Dead letters"),
        h("p", {}, "Events that failed every retry: ", h("strong", { id: "dead-count" }, "–"), "."),
        replay, h("p", { id: "replayed", role: "status", class: "muted" }))),
    h("div", { class: "panels" },
      h("section", { class: "panel", "aria-labelledby": "reports-title" },
        h("h2", { id: "reports-title" }, "Open reports"), h("div", { id: "reports" })),
      h("section", { class: "panel", "aria-labelledby": "users-title" },
        h("h2", { id: "users-title" }, "Users"), userForm, h("div", { id: "users" })))));
  poll();
  loadReports();
  findUsers();
}

function stop() {
  clearTimeout(timer);
  timer = null;
}

function set(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

function duration(seconds) {
  const d = Math.floor(seconds / 86400);
  const hms = new Date(seconds * 1000).toISOString().slice(11, 19);
  return d ? `${d}d ${hms}` : hms;
}

async function poll() {
  stop();
  try {
    const stats = await api("GET", "admin/stats");
    record(stats);
    set("updated", `updated ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    if (e.status === 401 || e.status === 403) return signInPage(e.status === 403 ? "This dashboard is for admins only." : "Please log in again.");
    set("updated", `not updated: ${e.message}`);
  }
  timer = setTimeout(poll, POLL_MS);
}

function record(stats) {
  const now = performance.now();
  const seconds = previous ? (now - previous.at) / 1000 : 0;
  const rate = (value, before) => (seconds > 0 ? Math.max(0, value - before) / seconds : 0);
  const messages = previous ? rate(stats.messagesStored, previous.stats.messagesStored) : 0;
  const events = {};
  for (const lane of LANES) {
    events[lane] = previous ? rate(stats.processed[lane] ?? 0, previous.stats.processed[lane] ?? 0) : 0;
    push(series.events[lane], events[lane]);
    const wait = stats.queueWait[lane];
    push(series.wait[lane], wait ? (100 * wait.p99Ms) / wait.targetMs : 0);
  }
  push(series.sockets, stats.connectedSockets);
  push(series.messages, messages);
  push(series.health, stats.healthScore);
  previous = { at: now, stats };

  set("kpi-sockets", stats.connectedSockets);
  set("kpi-messages", messages.toFixed(1));
  set("kpi-events", Object.values(events).reduce((a, b) => a + b, 0).toFixed(1));
  set("kpi-health", stats.healthScore);
  set("kpi-dead", stats.deadLetters);
  set("kpi-uptime", duration(stats.uptimeSeconds));
  set("dead-count", stats.deadLetters);

  const rows = LANES.map((lane) => {
    const wait = stats.queueWait[lane];
    const verdict = !wait ? h("span", { class: "muted" }, "no events yet")
      : wait.withinTarget ? h("span", { class: "ok" }, "within target") : h("span", { class: "late" }, "over target");
    return h("tr", { "data-lane": lane },
      h("th", { scope: "row" }, lane), h("td", { class: "figure" }, stats.queueDepth[lane] ?? 0), h("td", { class: "figure" }, events[lane].toFixed(1)),
      h("td", { class: "figure" }, wait ? `${wait.p50Ms.toFixed(2)} ms` : "–"), h("td", { class: "figure" }, wait ? `${wait.p99Ms.toFixed(2)} ms` : "–"),
      h("td", { class: "figure" }, `${wait?.targetMs ?? { high: 100, medium: 500, low: 2000 }[lane]} ms`), h("td", {}, verdict));
  });
  document.getElementById("lanes")?.replaceChildren(...rows);
  redraw();
}

/** Draws the charts from the kept readings. */
function redraw() {
  const canvas = (id) => document.getElementById(id);
  if (!canvas("chart-traffic")) return;
  canvas("chart-traffic").dataset.readings = String(series.sockets.length);
  draw(canvas("chart-traffic"), [
    { color: COLORS.sockets, values: series.sockets },
    { color: COLORS.messages, values: series.messages }]);
  draw(canvas("chart-events"), LANES.map((l) => ({ color: COLORS[l], values: series.events[l] })));
  draw(canvas("chart-wait"), LANES.map((l) => ({ color: COLORS[l], values: series.wait[l] })), {
    unit: "%",
    limits: [{ color: "#5d6677", value: 100 }],
  });
  draw(canvas("chart-health"), [{ color: COLORS.health, values: series.health }]);
}

async function replayDeadLetters() {
  try {
    const { replayed } = await api("POST", "admin/dead-letters/replay");
    set("replayed", `${replayed} event${replayed === 1 ? "" : "s"} put back on the queue.`);
  } catch (e) {
    set("replayed", e.message);
  }
}

async function loadReports() {
  const box = document.getElementById("reports");
  if (!box) return;
  try {
    const reports = await api("GET", "admin/reports?status=open");
    if (!reports.length) return box.replaceChildren(h("p", { class: "muted" }, "No open reports."));
    box.replaceChildren(h("table", {},
      h("thead", {}, h("tr", {}, ["reported", "what", "why", ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, reports.map((r) => h("tr", {},
        h("td", {}, when(r.createdAt)), h("td", {}, `${r.targetType} ${r.targetId.slice(0, 8)}`),
        h("td", {}, r.reason, r.details ? h("div", { class: "muted" }, r.details) : ""),
        h("td", {}, h("div", { class: "row" },
          resolveButton(r, "dismiss", "Dismiss"), resolveButton(r, "remove_content", "Remove content"), resolveButton(r, "ban_user", "Ban author"))))))));
  } catch (e) {
    box.replaceChildren(h("p", { class: "error" }, e.message));
  }
}

function resolveButton(report, action, label) {
  return h("button", { type: "button", class: action === "dismiss" ? "" : "danger", "aria-label": `${label}: ${report.reason}`, onclick: async () => {
    try {
      await api("POST", `admin/reports/${report.id}/resolve`, { action });
      loadReports();
      findUsers();
    } catch (e) {
      alert(e.message);
    }
  } }, label);
}

let searching = null;
function findUsers() {
  clearTimeout(searching);
  searching = setTimeout(async () => {
    const box = document.getElementById("users");
    if (!box) return;
    const query = document.getElementById("user-search")?.value.trim() ?? "";
    try {
      const accounts = await api("GET", `admin/users?limit=50${query ? `&query=${encodeURIComponent(query)}` : ""}`);
      if (!accounts.length) return box.replaceChildren(h("p", { class: "muted" }, "Nobody by that name."));
      box.replaceChildren(h("table", {},
        h("thead", {}, h("tr", {}, ["user", "role", "status", ""].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, accounts.map(({ user, banned }) => h("tr", {},
          h("td", {}, h("strong", {}, user.displayName), " ", h("span", { class: "muted" }, `@${user.username}`)),
          h("td", {}, user.role), h("td", {}, banned ? h("span", { class: "late" }, "banned") : "active"),
          h("td", {}, user.role === "admin" ? "" : h("button", { type: "button", class: banned ? "" : "danger", "aria-label": `${banned ? "Unban" : "Ban"} ${user.username}`, onclick: () => setBan(user, !banned) }, banned ? "Unban" : "Ban")))))));
    } catch (e) {
      box.replaceChildren(h("p", { class: "error" }, e.message));
    }
  }, 200);
}

async function setBan(user, ban) {
  try {
    await api("POST", `admin/users/${user.id}/${ban ? "ban" : "unban"}`);
    findUsers();
  } catch (e) {
    alert(e.message);
  }
}

async function boot() {
  if (!session.get()) return signInPage();
  try {
    const me = await api("GET", "me");
    if (me.role !== "admin") return signInPage("This dashboard is for admins only.");
    dashboard(me);
  } catch (e) {
    signInPage(e instanceof ApiError && e.status !== 401 ? e.message : "");
  }
}

window.addEventListener("resize", () => previous && redraw());
boot();
