//! Stories end to end: friends see them, strangers and blocked users do not;
//! views, likes and comments; the feed orders unseen authors first.

use chatchit_tests::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn friends_see_like_and_comment_on_stories() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    s.befriend(&alice, &bob).await;
    let mut alice_socket = s.socket(&alice.token).await;
    let mut bob_socket = s.socket(&bob.token).await;
    let mut carol_socket = s.socket(&carol.token).await;

    let (status, story) = s
        .post("/api/v1/stories", &alice.token, json!({"body": "sunset", "mediaUrl": "https://cdn.example/s.jpg", "mediaType": "image/jpeg"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{story}");
    let id = story["id"].as_str().expect("id").to_owned();
    assert_eq!(bob_socket.expect("story:new").await["id"], id.as_str());
    carol_socket
        .expect_none("story:new", Duration::from_millis(200))
        .await;

    let (_, feed) = s.get("/api/v1/stories", &bob.token).await;
    assert_eq!(feed[0]["author"]["id"], alice.id.as_str());
    assert_eq!(feed[0]["hasUnseen"], true);
    assert_eq!(feed[0]["stories"][0]["seenByMe"], false);
    let (status, _) = s.get(&format!("/api/v1/stories/{id}"), &carol.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "strangers cannot see it");

    let (status, _) = s
        .post(
            &format!("/api/v1/stories/{id}/views"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, feed) = s.get("/api/v1/stories", &bob.token).await;
    assert_eq!(feed[0]["hasUnseen"], false);
    let (_, viewers) = s
        .get(&format!("/api/v1/stories/{id}/views"), &alice.token)
        .await;
    assert_eq!(viewers[0]["user"]["id"], bob.id.as_str());
    let (status, _) = s
        .get(&format!("/api/v1/stories/{id}/views"), &bob.token)
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the author sees viewers"
    );

    let (_, liked) = s
        .call(
            Method::PUT,
            &format!("/api/v1/stories/{id}/like"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(
        (liked["likeCount"].clone(), liked["likedByMe"].clone()),
        (json!(1), json!(true))
    );
    assert_eq!(
        alice_socket.expect("story:liked").await,
        json!({"storyId": id, "userId": bob.id})
    );
    let (status, comment) = s
        .post(
            &format!("/api/v1/stories/{id}/comments"),
            &bob.token,
            json!({"body": "wow"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        alice_socket.expect("story:commented").await["id"],
        comment["id"]
    );
    for n in 0..4 {
        let (status, _) = s
            .post(
                &format!("/api/v1/stories/{id}/comments"),
                &bob.token,
                json!({"body": format!("more {n}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, first) = s
        .get(
            &format!("/api/v1/stories/{id}/comments?limit=3"),
            &alice.token,
        )
        .await;
    let bodies = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["body"].as_str().expect("body").to_owned())
            .collect()
    };
    assert_eq!(bodies(&first), ["wow", "more 0", "more 1"], "oldest first");
    let cursor = first["nextCursor"].as_str().expect("a next page");
    let (_, rest) = s
        .get(
            &format!("/api/v1/stories/{id}/comments?limit=3&cursor={cursor}"),
            &alice.token,
        )
        .await;
    assert_eq!(bodies(&rest), ["more 2", "more 3"]);
    assert!(rest["nextCursor"].is_null(), "the last page");
    let (_, mine) = s.get(&format!("/api/v1/stories/{id}"), &alice.token).await;
    assert_eq!(
        (mine["viewCount"].clone(), mine["commentCount"].clone()),
        (json!(1), json!(5))
    );
    let (_, unliked) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/stories/{id}/like"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(unliked["likeCount"], 0);

    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/stories/{id}"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/stories/{id}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get(&format!("/api/v1/stories/{id}"), &bob.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_block_hides_stories() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.befriend(&alice, &bob).await;
    let (_, story) = s
        .post("/api/v1/stories", &alice.token, json!({"body": "hello"}))
        .await;
    s.call(
        Method::PUT,
        &format!("/api/v1/blocks/{}", bob.id),
        Some(&alice.token),
        None,
    )
    .await;
    let (_, feed) = s.get("/api/v1/stories", &bob.token).await;
    assert_eq!(feed, json!([]));
    let (status, _) = s
        .get(
            &format!("/api/v1/stories/{}", story["id"].as_str().expect("id")),
            &bob.token,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.post("/api/v1/stories", &alice.token, json!({})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a story needs content"
    );
}
