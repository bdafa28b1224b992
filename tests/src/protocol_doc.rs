//! The generated parts of `docs/protocol.md`: the route, command, event,
//! quota and schema tables, made from the served API documents and the
//! default configuration, between `<!-- BEGIN GENERATED: name -->` and
//! `<!-- END GENERATED: name -->` markers.

use serde_json::{Map, Value};
use std::fmt::Write;

/// Each generated section by name.
pub fn sections(
    openapi: &Value,
    asyncapi: &Value,
    config: &chatchit::Config,
) -> Vec<(&'static str, String)> {
    vec![
        ("routes", routes(openapi)),
        ("commands", commands(asyncapi)),
        ("server-events", server_events(asyncapi)),
        ("quotas", quotas(config)),
        ("engine", engine(config)),
        ("schemas", schemas(openapi, asyncapi)),
    ]
}

/// `text` with each section's body replaced by its generated one.
///
/// # Panics
/// When a section's markers are missing.
pub fn fill(text: &str, sections: &[(&'static str, String)]) -> String {
    let mut out = text.to_owned();
    for (name, body) in sections {
        let begin = format!("<!-- BEGIN GENERATED: {name} -->\n");
        let end = format!("<!-- END GENERATED: {name} -->");
        let start = out.find(&begin).unwrap_or_else(|| panic!("no {begin}")) + begin.len();
        let stop = out[start..]
            .find(&end)
            .unwrap_or_else(|| panic!("no {end}"))
            + start;
        out.replace_range(start..stop, body);
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

fn name_of(reference: &str) -> &str {
    reference.trim_start_matches("#/components/schemas/")
}

/// A schema reference or inline type as a short text.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        return format!("`{}`", name_of(r));
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let parts: Vec<String> = options
            .iter()
            .filter(|o| o["type"] != "null")
            .map(type_of)
            .collect();
        let nullable = options.iter().any(|o| o["type"] == "null");
        return format!(
            "{}{}",
            parts.join(" or "),
            if nullable { " or null" } else { "" }
        );
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let nullable = kinds.contains(&"null");
    let main = kinds
        .iter()
        .find(|k| **k != "null")
        .copied()
        .unwrap_or("any");
    let text = match main {
        "array" => format!("array of {}", type_of(&schema["items"])),
        "object" if schema["additionalProperties"].is_object() => {
            format!("map to {}", type_of(&schema["additionalProperties"]))
        }
        "string" => match schema["format"].as_str() {
            Some(format) => format!("string ({format})"),
            None => "string".to_owned(),
        },
        other => other.to_owned(),
    };
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect();
        return values.join(", ");
    }
    if nullable {
        format!("{text} or null")
    } else {
        text
    }
}

/// Length, range, pattern and size limits of a schema.
fn limits(schema: &Value) -> String {
    let mut out = Vec::new();
    let pairs = [
        ("minLength", "≥ {} chars"),
        ("maxLength", "≤ {} chars"),
        ("minimum", "≥ {}"),
        ("maximum", "≤ {}"),
        ("minItems", "≥ {} items"),
        ("maxItems", "≤ {} items"),
    ];
    for (key, shape) in pairs {
        if let Some(v) = schema.get(key).filter(|v| !v.is_null()) {
            out.push(shape.replace("{}", &v.to_string()));
        }
    }
    if let Some(p) = schema["pattern"].as_str() {
        out.push(format!("`{p}`"));
    }
    out.join(", ")
}

fn routes(openapi: &Value) -> String {
    let mut out =
        String::from("| method, path | summary | auth | body | answers |\n|---|---|---|---|---|\n");
    for (path, item) in openapi["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map_or_else(String::new, |s| type_of(&Value::Object(s.clone())));
            let answers: Vec<String> = op["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, answer)| {
                    let schema = &answer["content"]["application/json"]["schema"];
                    if schema.is_null() || schema["$ref"] == "#/components/schemas/ErrorBody" {
                        status.clone()
                    } else {
                        format!("{status} {}", type_of(schema))
                    }
                })
                .collect();
            let summary = op["summary"]
                .as_str()
                .or(op["description"].as_str())
                .unwrap_or_default();
            let auth = if op["security"].is_array() {
                "bearer"
            } else {
                "—"
            };
            let _ = writeln!(
                out,
                "| {} `{path}` | {} | {auth} | {body} | {} |",
                method.to_uppercase(),
                cell(summary),
                answers.join(", ")
            );
        }
    }
    out
}

fn messages(asyncapi: &Value) -> &Map<String, Value> {
    asyncapi["components"]["messages"]
        .as_object()
        .expect("messages")
}

fn message_of<'a>(asyncapi: &'a Value, reference: &Value) -> &'a Value {
    let key = reference["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default();
    &messages(asyncapi)[key]
}

fn commands(asyncapi: &Value) -> String {
    let mut out = String::from(
        "| event | payload | ack `data` | error codes | what it does |\n|---|---|---|---|---|\n",
    );
    for op in asyncapi["operations"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, op)| op)
    {
        if op["action"] != "receive" || op["title"] == "Connect" {
            continue;
        }
        let request = message_of(asyncapi, &op["messages"][0]);
        let ack = message_of(asyncapi, &op["reply"]["messages"][0]);
        let codes: Vec<String> = ack["x-error-codes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|c| format!("`{c}`"))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            op["title"].as_str().unwrap_or_default(),
            type_of(&request["payload"]),
            type_of(&ack["payload"]["oneOf"][0]["properties"]["data"]),
            codes.join(", "),
            cell(op["summary"].as_str().unwrap_or_default())
        );
    }
    out
}

fn server_events(asyncapi: &Value) -> String {
    let mut out = String::from("| event | payload | sent to | what it says |\n|---|---|---|---|\n");
    for op in asyncapi["operations"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, op)| op)
    {
        if op["action"] != "send" {
            continue;
        }
        let message = message_of(asyncapi, &op["messages"][0]);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            op["title"].as_str().unwrap_or_default(),
            type_of(&message["payload"]),
            cell(op["x-audience"].as_str().unwrap_or_default()),
            cell(op["summary"].as_str().unwrap_or_default())
        );
    }
    out
}

fn quotas(config: &chatchit::Config) -> String {
    let limits = serde_json::to_value(&config.rate_limits).expect("limits");
    let mut out = String::from("| quota (`rate_limits.…`) | per minute | burst |\n|---|---|---|\n");
    for (name, limit) in limits.as_object().into_iter().flatten() {
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} |",
            limit["per_minute"], limit["burst"]
        );
    }
    out
}

fn engine(config: &chatchit::Config) -> String {
    format!(
        "| setting | value |\n|---|---|\n\
         | path | `/socket.io/` (under the mount point when embedded) |\n\
         | Engine.IO version | 4 (`EIO=4`); transports `websocket` and `polling`, polling upgraded to websocket |\n\
         | `pingInterval` | {} ms (`ping_interval_ms`) |\n\
         | `pingTimeout` | {} ms (`ping_timeout_ms`) |\n\
         | `maxPayload` | 1048576 bytes (a frame or polling body over it closes the session) |\n\
         | namespace join deadline | {} ms after the handshake (`connect_timeout_ms`) |\n\
         | sessions per client address (IPv6 /64) | {} (`max_sessions_per_ip`) |\n\
         | access token lifetime | {} s (`access_token_ttl_secs`) |\n\
         | refresh token lifetime | {} days (`refresh_token_ttl_days`) |\n\
         | `typing: true` lapses after | {} ms (`typing_timeout_ms`) |\n\
         | a call rings for | {} ms (`call_ring_timeout_ms`) |\n",
        config.ping_interval_ms,
        config.ping_timeout_ms,
        config.connect_timeout_ms,
        config.max_sessions_per_ip,
        config.access_token_ttl_secs,
        config.refresh_token_ttl_days,
        config.typing_timeout_ms,
        config.call_ring_timeout_ms,
    )
}

fn schemas(openapi: &Value, asyncapi: &Value) -> String {
    let mut all: std::collections::BTreeMap<String, Value> = Default::default();
    for doc in [openapi, asyncapi] {
        for (name, schema) in doc["components"]["schemas"]
            .as_object()
            .into_iter()
            .flatten()
        {
            all.entry(name.clone()).or_insert_with(|| schema.clone());
        }
    }
    let mut out = String::new();
    for (name, schema) in &all {
        let _ = writeln!(out, "#### `{name}`\n");
        if let Some(text) = schema["description"].as_str() {
            let _ = writeln!(out, "{}\n", text.replace('\n', " "));
        }
        match schema["properties"].as_object() {
            Some(properties) => {
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                out.push_str(
                    "| field | type | required | limits | meaning |\n|---|---|---|---|---|\n",
                );
                for (field, property) in properties {
                    let inner = property["oneOf"]
                        .as_array()
                        .and_then(|o| o.iter().find(|s| s["type"] != "null"))
                        .unwrap_or(property);
                    let meaning = property["description"]
                        .as_str()
                        .or(inner["description"].as_str())
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "| `{field}` | {} | {} | {} | {} |",
                        type_of(property),
                        if required.contains(&field.as_str()) {
                            "yes"
                        } else {
                            "no"
                        },
                        {
                            let own = limits(property);
                            if own.is_empty() { limits(inner) } else { own }
                        },
                        cell(meaning)
                    );
                }
            }
            None => {
                let _ = writeln!(out, "Type: {}.", type_of(schema));
            }
        }
        if schema["additionalProperties"] == false {
            out.push_str("\nOther fields are refused (`validation`).\n");
        }
        out.push('\n');
    }
    out
}
