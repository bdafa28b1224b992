// Runs against a real server: CHATCHIT_URL names it (the Rust e2e suite
// starts one on 127.0.0.1:0 and runs `npm test` with it).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { ChatChit, ChatChitError, unwrap } from "../src/index.js";

const baseUrl = process.env.CHATCHIT_URL;
if (baseUrl === undefined) {
  throw new Error("set CHATCHIT_URL to a running server");
}
const unique = () => Math.random().toString(36).slice(2, 10);

test("two users chat through typed REST calls and typed socket commands", async () => {
  const ann = new ChatChit({ baseUrl });
  const bob = new ChatChit({ baseUrl, transports: ["websocket"] });
  const annSession = await ann.register(`ann_${unique()}`, "correct horse battery");
  const bobSession = await bob.register(`bob_${unique()}`, "correct horse battery");
  const me = unwrap(await ann.rest.GET("/api/v1/me"));
  assert.equal(me.id, annSession.user.id);

  unwrap(await ann.rest.POST("/api/v1/friends/requests", { body: { userId: bobSession.user.id } }));
  unwrap(await bob.rest.POST("/api/v1/friends/requests", { body: { userId: annSession.user.id } }));
  const direct = unwrap(await ann.rest.POST("/api/v1/conversations/direct", { body: { userId: bobSession.user.id } }));

  const annLive = await ann.connect();
  const bobLive = await bob.connect();
  try {
    const arrival = bobLive.next("message:new", (m) => m.conversationId === direct.id);
    const sent = await annLive.send("message:send", {
      conversationId: direct.id,
      clientMsgId: `c-${unique()}`,
      body: "hello from TypeScript",
    });
    assert.equal(sent.seq, 1);
    const received = await arrival;
    assert.equal(received.id, sent.id);
    assert.equal(received.body, "hello from TypeScript");

    const reactions = await bobLive.send("message:react", { messageId: sent.id, emoji: "👍", on: true });
    assert.equal(reactions.reactions["👍"], 1);

    const page = unwrap(
      await bob.rest.GET("/api/v1/conversations/{id}/messages", {
        params: { path: { id: direct.id }, query: { limit: 10 } },
      }),
    );
    assert.deepEqual(
      page.items.map((m) => m.id),
      [sent.id],
    );
  } finally {
    annLive.close();
    bobLive.close();
  }
});

test("a refused command rejects with the protocol's code", async () => {
  const cat = new ChatChit({ baseUrl });
  await cat.register(`cat_${unique()}`, "correct horse battery");
  const live = await cat.connect();
  try {
    await assert.rejects(
      live.send("message:edit", { messageId: "00000000-0000-0000-0000-000000000000", body: "x" }),
      (e: unknown) => e instanceof ChatChitError && e.code === "not_found",
    );
  } finally {
    live.close();
  }
  const stranger = new ChatChit({ baseUrl });
  await assert.rejects(stranger.connect(), /unauthorized/);
});
