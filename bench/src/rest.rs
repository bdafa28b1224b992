//! The REST setup every scenario needs: users and groups.

use anyhow::{Context, bail};
use futures_util::StreamExt;
use serde_json::{Value, json};

/// A registered user.
#[derive(Debug, Clone)]
pub struct User {
    /// User id.
    pub id: String,
    /// Access token.
    pub token: String,
}

/// Registers `count` users named `<prefix>_<n>`, `parallel` at a time.
///
/// # Errors
/// When the server refuses a registration.
pub async fn register(
    http: &reqwest::Client,
    base: &str,
    prefix: &str,
    count: usize,
    parallel: usize,
) -> anyhow::Result<Vec<User>> {
    let results: Vec<anyhow::Result<User>> = futures_util::stream::iter(0..count)
        .map(|n| {
            let body = json!({"username": format!("{prefix}_{n}"), "password": "password123"});
            async move {
                let answer: Value = post(http, base, "/api/v1/auth/register", None, body).await?;
                Ok(User {
                    id: answer["user"]["id"].as_str().context("user id")?.to_owned(),
                    token: answer["accessToken"].as_str().context("token")?.to_owned(),
                })
            }
        })
        .buffered(parallel)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Creates a group owned by `owner` with `members`; returns its id.
///
/// # Errors
/// When the server refuses it.
pub async fn group(
    http: &reqwest::Client,
    base: &str,
    owner: &User,
    members: &[User],
) -> anyhow::Result<String> {
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    let answer = post(
        http,
        base,
        "/api/v1/conversations/group",
        Some(&owner.token),
        json!({"title": "bench", "memberIds": ids}),
    )
    .await?;
    Ok(answer["id"].as_str().context("group id")?.to_owned())
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> anyhow::Result<Value> {
    let mut request = http.post(format!("{base}{path}")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("POST {path}"))?;
    let status = response.status();
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("POST {path}: {status} {answer}");
    }
    Ok(answer)
}
