//! The generated parts of `docs/protocol.md`: the route, command, event,
//! quota and schema tables, made from the served API documents and the
//! default configuration, between `<!-- BEGIN GENERATED: name -->` and
//! `<!-- END GENERATED: name -->` markers.

use chatchit::parts::protocol::schema::{Field, Shape, fields};
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

/// A schema reference or inline type as a short text.
fn type_of(schema: &Value) -> String {
    show(&Shape::of(schema))
}

fn show(shape: &Shape<'_>) -> String {
    match shape {
        Shape::Named(name) => format!("`{name}`"),
        Shape::OneOf(options) => {
            let null = Shape::Plain("null", None);
            let parts: Vec<String> = options.iter().filter(|o| **o != null).map(show).collect();
            let nullable = options.contains(&null);
            format!(
                "{}{}",
                parts.join(" or "),
                if nullable { " or null" } else { "" }
            )
        }
        Shape::Enum(values) => values
            .iter()
            .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", "),
        Shape::Const(value) => format!("`{value}`"),
        Shape::Array(item) => format!("array of {}", show(item)),
        Shape::Map(value) => format!("map to {}", show(value)),
        Shape::Plain(kind, Some(format)) => format!("{kind} ({format})"),
        Shape::Plain(kind, None) => (*kind).to_owned(),
    }
}

/// A field's rules, e.g. `≥ 1 chars, ≤ 64 chars`.
fn limits(field: &Field<'_>) -> String {
    field
        .rules
        .iter()
        .map(|(rule, value)| match *rule {
            "minLength" => format!("≥ {value} chars"),
            "maxLength" => format!("≤ {value} chars"),
            "minimum" => format!("≥ {value}"),
            "maximum" => format!("≤ {value}"),
            "minItems" => format!("≥ {value} items"),
            "maxItems" => format!("≤ {value} items"),
            _ => format!("`{}`", value.as_str().unwrap_or_default()),
        })
        .collect::<Vec<_>>()
        .join(", ")
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
        match fields(schema) {
            Some(fields) => {
                out.push_str(
                    "| field | type | required | limits | meaning |\n|---|---|---|---|---|\n",
                );
                for field in &fields {
                    let _ = writeln!(
                        out,
                        "| `{}` | {} | {} | {} | {} |",
                        field.name,
                        show(&field.shape),
                        if field.required { "yes" } else { "no" },
                        limits(field),
                        cell(field.description)
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
