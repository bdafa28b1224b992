//! Bad input of every kind gets a clear protocol error, keeps the connection
//! up and changes nothing stored (docs/protocol.md, conventions).

use chatchit_tests::TestServer;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn rest_bodies_get_400_422_and_413() {
    let s = TestServer::start().await;
    let alice = s.register("alice").await;
    let url = format!("{}/api/v1/conversations/group", s.base);
    let send = |body: Vec<u8>| {
        s.http
            .post(&url)
            .bearer_auth(&alice.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let res = send(b"{not json".to_vec()).await.expect("send");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: serde_json::Value = res.json().await.expect("json");
    assert_eq!(v["error"]["code"], "bad_request");

    let res = send(br#"{"title": 5, "memberIds": []}"#.to_vec())
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = res.json().await.expect("json");
    assert_eq!(v["error"]["code"], "validation");
    assert!(
        v["error"]["message"]
            .as_str()
            .expect("text")
            .starts_with("title"),
        "{v}"
    );

    let res = send(br#"{"title": "   ", "memberIds": []}"#.to_vec())
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let huge = format!(
        r#"{{"title": "{}", "memberIds": []}}"#,
        "x".repeat(1024 * 1024 + 1)
    );
    let res = send(huge.into_bytes()).await.expect("send");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = res.json().await.expect("json");
    assert_eq!(v["error"]["code"], "payload_too_large");

    let (_, list) = s.get("/api/v1/conversations", &alice.token).await;
    assert_eq!(list["items"], json!([]), "nothing was created");

    let res = s
        .http
        .get(format!("{}/api/v1/nope", s.base))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, v) = s.get("/api/v1/users/not-a-uuid", &alice.token).await;
    assert_eq!(
        (status, v["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("validation"))
    );
}

#[tokio::test]
async fn wrong_socket_payloads_are_validation_errors_and_the_socket_stays_up() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let cases = [
        json!("just a string"),
        json!({"conversationId": c}),
        json!({"conversationId": "not-a-uuid", "clientMsgId": "1", "body": "x"}),
        json!({"conversationId": c, "clientMsgId": "", "body": "x"}),
        json!({"conversationId": c, "clientMsgId": "1", "body": "\u{0007}\u{0008}"}),
        json!({"conversationId": c, "clientMsgId": "1", "body": "x".repeat(4001)}),
        json!({"conversationId": c, "clientMsgId": "1", "body": "x", "attachments": [{"url": "javascript:x", "mime": "a/b", "size": 1, "name": "n"}]}),
        json!({"conversationId": c, "clientMsgId": "1", "body": "x", "extra": true}),
    ];
    for payload in cases {
        let ack = a.emit("message:send", payload.clone()).await;
        assert_eq!(ack["ok"], false, "{payload}");
        assert_eq!(ack["error"]["code"], "validation", "{payload} → {ack}");
    }
    let ack = a
        .emit("sync", json!({"conversationId": c, "afterSeq": -1}))
        .await;
    assert_eq!(ack["error"]["code"], "validation");
    let ok = a
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "1", "body": "still here"}),
        )
        .await;
    assert_eq!(ok["ok"], true, "the connection survived");
    assert_eq!(ok["data"]["seq"], 1, "no bad input was stored");
}
