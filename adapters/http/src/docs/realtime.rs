//! The AsyncAPI document as one readable HTML page: the handshake, each
//! command with its payload, answer and error codes, each server event with
//! its payload and audience, and every schema's fields.

use chatchit_protocol::schema::{Field, Shape, fields};
use serde_json::Value;
use std::fmt::Write;

/// Text made safe for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// A schema as a short text, its named parts linked to their section.
fn type_of(schema: &Value) -> String {
    show(&Shape::of(schema))
}

fn show(shape: &Shape<'_>) -> String {
    match shape {
        Shape::Named(name) => format!("<a href=\"#schema-{0}\">{0}</a>", esc(name)),
        Shape::OneOf(options) => options.iter().map(show).collect::<Vec<_>>().join(" | "),
        Shape::Enum(values) => values
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&v.to_string())))
            .collect::<Vec<_>>()
            .join(" | "),
        Shape::Const(value) => format!("<code>{}</code>", esc(&value.to_string())),
        Shape::Array(item) => format!("array of {}", show(item)),
        Shape::Map(value) => format!("map to {}", show(value)),
        Shape::Plain(kind, Some(format)) => format!("{} ({})", esc(kind), esc(format)),
        Shape::Plain(kind, None) => esc(kind),
    }
}

/// A field's rules, e.g. `max length 64, pattern …`.
fn rules(field: &Field<'_>) -> String {
    field
        .rules
        .iter()
        .map(|(rule, value)| {
            let label = match *rule {
                "minLength" => "min length",
                "maxLength" => "max length",
                "minimum" => "min",
                "maximum" => "max",
                "minItems" => "min items",
                "maxItems" => "max items",
                other => other,
            };
            format!("{label} {}", esc(&value.to_string()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn message<'a>(document: &'a Value, reference: &Value) -> &'a Value {
    let key = reference["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default();
    &document["components"]["messages"][key]
}

/// The page.
pub fn render(document: &Value) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>ChatChit realtime API</title><style>\
         body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 1.5rem;color:#222}\
         table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}td,th{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\
         code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}a{color:#05a}h3{margin-bottom:.2rem}\
         </style></head><body>",
    );
    let info = &document["info"];
    let _ = write!(
        html,
        "<h1>{} <small>{}</small></h1><p>{}</p><p><a href=\"../api/asyncapi.json\">AsyncAPI document</a> · <a href=\"rest/\">REST API</a></p>",
        esc(info["title"].as_str().unwrap_or_default()),
        esc(info["version"].as_str().unwrap_or_default()),
        esc(info["description"].as_str().unwrap_or_default())
    );
    let operations = document["operations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    html.push_str("<h2 id=\"commands\">Commands (client → server, with an ack)</h2><table><tr><th>event</th><th>payload</th><th>ack data</th><th>error codes</th><th>what it does</th></tr>");
    for op in operations.values() {
        if op["action"] != "receive" {
            continue;
        }
        let request = message(document, &op["messages"][0]);
        let reply = message(document, &op["reply"]["messages"][0]);
        let answer = &reply["payload"]["oneOf"][0]["properties"]["data"];
        let codes = reply["x-error-codes"]
            .as_array()
            .map(|codes| {
                codes
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|c| format!("<code>{}</code>", esc(c)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_else(|| esc(reply["summary"].as_str().unwrap_or_default()));
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(op["title"].as_str().unwrap_or_default()),
            type_of(&request["payload"]),
            if answer.is_null() {
                String::new()
            } else {
                type_of(answer)
            },
            codes,
            esc(op["description"]
                .as_str()
                .or(op["summary"].as_str())
                .unwrap_or_default())
        );
    }
    html.push_str("</table><h2 id=\"events\">Events (server → client)</h2><table><tr><th>event</th><th>payload</th><th>sent to</th><th>what it says</th></tr>");
    for op in operations.values() {
        if op["action"] != "send" {
            continue;
        }
        let event = message(document, &op["messages"][0]);
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(op["title"].as_str().unwrap_or_default()),
            type_of(&event["payload"]),
            esc(op["x-audience"].as_str().unwrap_or_default()),
            esc(op["summary"].as_str().unwrap_or_default())
        );
    }
    html.push_str("</table><h2 id=\"schemas\">Schemas</h2>");
    for (name, schema) in document["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let _ = write!(
            html,
            "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>",
            esc(name),
            esc(schema["description"].as_str().unwrap_or_default())
        );
        let Some(fields) = fields(schema) else {
            let _ = write!(html, "<p>Type: {}</p>", type_of(schema));
            continue;
        };
        html.push_str("<table><tr><th>field</th><th>type</th><th>required</th><th>rules</th><th>meaning</th></tr>");
        for field in &fields {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field.name),
                show(&field.shape),
                if field.required { "yes" } else { "no" },
                rules(field),
                esc(field.description)
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_from_the_document_is_escaped() {
        let page = render(&json!({
            "info": {"title": "<script>", "version": "1", "description": "a & b"},
            "operations": {},
            "components": {"schemas": {}, "messages": {}}
        }));
        assert!(page.contains("&lt;script&gt;"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("a &amp; b"));
    }
}
