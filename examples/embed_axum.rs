//! A host app with ChatChit inside it.
//!
//! The host has its own users and its own sign-in: it hands each user a JWT
//! it signs (here HS256 with a secret of its own; a JWKS of RS256/ES256 keys
//! works the same, see `docs/embedding.md`). ChatChit is told to trust those
//! tokens, so the host's users chat without a ChatChit account: the first
//! time a token is seen, its subject becomes a ChatChit user named after
//! the token's `name` claim.
//!
//! ChatChit's router is mounted under `/chat` beside the host's own
//! `/hello`, and the host's middleware wraps both. Clients reach the REST API
//! at `/chat/api/v1/…` and Socket.IO at the path `/chat/socket.io/`.
//!
//! ```text
//! cargo run -p chatchit-examples --example embed_axum
//! ```

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use chatchit::parts::crypto::{ExternalJwt, ExternalKeys, ExternalTokenSettings};
use chatchit::{ChatChit, Config};
use jsonwebtoken::{EncodingKey, Header};
use std::net::SocketAddr;
use std::sync::Arc;

/// The host's token issuer (its `iss`).
const ISSUER: &str = "https://host.example";

/// The secret the host signs its tokens with (a real host loads it from its
/// own configuration).
const HOST_SECRET: &[u8] = b"the host's own signing secret, 32+ bytes";

/// The host's sign-in: a token for one of its users, valid for an hour.
fn host_token(user_id: &str, name: &str) -> anyhow::Result<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": user_id, "name": name, "iat": now, "exp": now + 3600,
    });
    Ok(jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(HOST_SECRET),
    )?)
}

/// The host's middleware: every answer, ChatChit's included, says who
/// served it.
async fn stamp(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert("x-served-by", axum::http::HeaderValue::from_static("host"));
    response
}

/// ChatChit on `config`, trusting the host's tokens.
async fn chat(config: Config) -> anyhow::Result<ChatChit> {
    let verifier = ExternalJwt::new(ExternalTokenSettings {
        keys: ExternalKeys::Secret(HOST_SECRET.to_vec()),
        issuer: ISSUER.into(),
        audience: None,
    })?;
    ChatChit::builder(config)
        .identity(Arc::new(verifier))
        .build()
        .await
}

/// The host's app: its own route, ChatChit under `/chat`, its middleware
/// around both.
fn host_app(chat: &ChatChit) -> axum::Router {
    axum::Router::new()
        .route("/hello", get(|| async { "hello from the host" }))
        .nest("/chat", chat.router())
        .layer(axum::middleware::from_fn(stamp))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let chat = chat(Config {
        data_dir: data.path().to_path_buf(),
        ..Config::default()
    })
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
    println!(
        "host on http://{}/hello, ChatChit under /chat",
        listener.local_addr()?
    );
    println!("a token for user 42: {}", host_token("42", "Ada")?);
    axum::serve(
        listener,
        host_app(&chat).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _signal = tokio::signal::ctrl_c().await;
    })
    .await?;
    chat.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_tests::{TestSocket, Transport, test_config};
    use serde_json::{Value, json};

    /// The host's app on 127.0.0.1:0; returns its base URL, ChatChit and the
    /// serving task.
    async fn start(dir: &std::path::Path) -> (String, ChatChit, tokio::task::JoinHandle<()>) {
        let chat = chat(test_config(dir).await).await.expect("chat");
        let app = host_app(&chat);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        (base, chat, task)
    }

    async fn get(http: &reqwest::Client, url: &str, token: &str) -> (reqwest::StatusCode, Value) {
        let response = http.get(url).bearer_auth(token).send().await.expect("GET");
        assert_eq!(response.headers()["x-served-by"], "host");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn the_hosts_users_chat_through_the_host_app_with_the_hosts_tokens() {
        let dir = tempfile::tempdir().expect("dir");
        let (base, chat, server) = start(dir.path()).await;
        let http = reqwest::Client::new();

        // The host's own route, under the host's middleware.
        let hello = http
            .get(format!("{base}/hello"))
            .send()
            .await
            .expect("hello");
        assert_eq!(hello.headers()["x-served-by"], "host");
        assert_eq!(hello.text().await.expect("text"), "hello from the host");

        // Two of the host's users, known to ChatChit by their tokens alone.
        let ada = host_token("42", "Ada").expect("token");
        let bob = host_token("43", "Bob").expect("token");
        let (status, me) = get(&http, &format!("{base}/chat/api/v1/me"), &ada).await;
        assert_eq!(status, 200, "{me}");
        assert_eq!(me["displayName"], "Ada");
        let (_, bob_me) = get(&http, &format!("{base}/chat/api/v1/me"), &bob).await;
        let (status, _) = get(
            &http,
            &format!("{base}/chat/api/v1/me"),
            "forged.token.here",
        )
        .await;
        assert_eq!(status, 401);

        // Ada opens a chat with Bob; Bob is connected and gets her message.
        let direct: Value = http
            .post(format!("{base}/chat/api/v1/conversations/direct"))
            .bearer_auth(&ada)
            .json(&json!({"userId": bob_me["id"]}))
            .send()
            .await
            .expect("open")
            .json()
            .await
            .expect("conversation");
        // ChatChit under /chat: its Socket.IO endpoint is /chat/socket.io/.
        let path = format!("{base}/chat");
        let mut bob_socket =
            TestSocket::connect(&path, json!({"token": bob}), Transport::WebSocket).await;
        let ada_socket =
            TestSocket::connect(&path, json!({"token": ada}), Transport::WebSocket).await;
        let ack = ada_socket
            .emit(
                "message:send",
                json!({"conversationId": direct["id"], "body": "hi Bob", "clientMsgId": "c-1"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        let delivered = bob_socket.expect("message:new").await;
        assert_eq!(delivered["body"], "hi Bob");
        assert_eq!(delivered["senderId"], me["id"]);

        // And the host can use the use cases in process.
        let actor = chat
            .services()
            .identity
            .authenticate(&bob)
            .await
            .expect("bob");
        assert_eq!(
            actor.user_id.to_string(),
            bob_me["id"].as_str().expect("id")
        );

        server.abort();
        chat.shutdown().await;
    }
}
