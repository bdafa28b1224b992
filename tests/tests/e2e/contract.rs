//! The wire contract as documents: `/api/openapi.json` and
//! `/api/asyncapi.json` are what is committed in `docs/` (run with
//! `CHATCHIT_BLESS=1` to rewrite them after a protocol change), the
//! realtime document lists exactly the commands the server registers and
//! every server event, and the REST document keeps the rules a generator
//! needs.

use chatchit_tests::TestServer;
use serde_json::Value;
use std::collections::HashSet;
use std::path::PathBuf;

async fn fetch(s: &TestServer, path: &str) -> Value {
    s.http
        .get(format!("{}{path}", s.base))
        .send()
        .await
        .expect("served")
        .json()
        .await
        .expect("json")
}

/// The committed copy of a document, or (with `CHATCHIT_BLESS` set) the
/// served one written in its place.
fn committed(name: &str, served: &Value) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../docs")
        .join(name);
    if std::env::var_os("CHATCHIT_BLESS").is_some() {
        let text = serde_json::to_string_pretty(served).expect("json") + "\n";
        std::fs::write(&path, text).expect("write the document");
    }
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with CHATCHIT_BLESS=1)", path.display()));
    serde_json::from_str(&text).expect("committed JSON")
}

#[tokio::test]
async fn the_committed_documents_are_what_the_server_serves() {
    let s = TestServer::start().await;
    for (route, file) in [
        ("/api/openapi.json", "openapi.json"),
        ("/api/asyncapi.json", "asyncapi.json"),
    ] {
        let served = fetch(&s, route).await;
        assert!(
            committed(file, &served) == served,
            "docs/{file} is stale: run `CHATCHIT_BLESS=1 cargo test -p chatchit-tests --test e2e contract` and commit it"
        );
    }
}

#[tokio::test]
async fn the_tables_of_docs_protocol_md_are_made_from_the_documents() {
    let s = TestServer::start().await;
    let openapi = fetch(&s, "/api/openapi.json").await;
    let asyncapi = fetch(&s, "/api/asyncapi.json").await;
    let sections =
        chatchit_tests::protocol_doc::sections(&openapi, &asyncapi, &chatchit::Config::default());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/protocol.md");
    let text = std::fs::read_to_string(&path).expect("docs/protocol.md");
    let filled = chatchit_tests::protocol_doc::fill(&text, &sections);
    if std::env::var_os("CHATCHIT_BLESS").is_some() {
        std::fs::write(&path, &filled).expect("write docs/protocol.md");
    }
    assert!(
        filled == text,
        "docs/protocol.md's tables are stale: run `CHATCHIT_BLESS=1 cargo test -p chatchit-tests --test e2e contract` and commit it"
    );
}

#[test]
fn nothing_in_the_repository_points_at_a_document_outside_it() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(&root)
        .output()
        .expect("git runs");
    let outside = ["PROTOCOL", "DESIGN", "STYLE", "DEPENDENCIES"].map(|n| format!("{n}.md"));
    let mut found = Vec::new();
    for file in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(text) = std::fs::read_to_string(root.join(file)) else {
            continue;
        };
        for name in &outside {
            if text.contains(name.as_str()) && !file.ends_with("contract.rs") {
                found.push(format!("{file} mentions {name}"));
            }
        }
        if text.contains("../shared") && !file.ends_with("contract.rs") {
            found.push(format!("{file} points at ../shared"));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[tokio::test]
async fn asyncapi_lists_every_registered_command_and_every_server_event_with_a_schema() {
    let s = TestServer::start().await;
    let doc = fetch(&s, "/api/asyncapi.json").await;
    assert_eq!(doc["asyncapi"], "3.0.0");
    let operations = doc["operations"].as_object().expect("operations");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let messages = doc["components"]["messages"].as_object().expect("messages");
    let schema_of = |message: &str| -> String {
        let payload = &messages[message]["payload"];
        let reference = payload["$ref"]
            .as_str()
            .or_else(|| payload["oneOf"][0]["properties"]["data"]["$ref"].as_str())
            .unwrap_or_else(|| panic!("{message} has no schema"));
        reference
            .trim_start_matches("#/components/schemas/")
            .to_owned()
    };
    let received: HashSet<String> = operations
        .iter()
        .filter(|(name, op)| op["action"] == "receive" && *name != "connect")
        .map(|(_, op)| op["title"].as_str().expect("title").to_owned())
        .collect();
    let registered: HashSet<String> = s.events.iter().map(|e| (*e).to_owned()).collect();
    assert_eq!(
        received, registered,
        "commands in the document vs the registry"
    );
    for (key, op) in operations {
        if key == "connect" {
            continue;
        }
        let message = key.as_str();
        assert!(schemas.contains_key(&schema_of(message)), "{key}");
        if op["action"] == "receive" {
            assert!(
                schemas.contains_key(&schema_of(&format!("{key}.ack"))),
                "{key} ack"
            );
        }
    }
    let sent: HashSet<&str> = operations
        .values()
        .filter(|op| op["action"] == "send")
        .filter_map(|op| op["title"].as_str())
        .collect();
    for event in chatchit::parts::protocol::events::server_events() {
        assert!(sent.contains(event.name), "{} missing", event.name);
    }
    // The handshake is described.
    assert_eq!(operations["connect"]["action"], "receive");
    assert!(schemas.contains_key("Handshake"));
}

#[tokio::test]
async fn openapi_has_unique_ids_query_parameters_in_the_query_and_described_answers() {
    let s = TestServer::start().await;
    let doc = fetch(&s, "/api/openapi.json").await;
    assert!(doc["servers"].as_array().is_some_and(|s| !s.is_empty()));
    let mut ids = HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "{id} repeats");
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().expect("name");
                if param["in"] == "path" {
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is not in the path"
                    );
                }
            }
            for (status, answer) in op["responses"].as_object().expect("responses") {
                assert!(
                    answer["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status} has no description"
                );
                // (Readiness answers 503 with its own body: it is a health check.)
                if (status.starts_with('4') || status.starts_with('5'))
                    && !path.starts_with("/health")
                {
                    assert_eq!(
                        answer["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
            }
            if op["security"].is_array() {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path} lacks 401"
                );
            }
        }
    }
    let codes = &doc["components"]["schemas"]["ErrorCode"]["enum"];
    assert!(codes.as_array().is_some_and(|c| c.len() == 11), "{codes}");
}
