//! The AsyncAPI document as one readable HTML page: the handshake, each
//! command with its payload, answer and error codes, each server event with
//! its payload and audience, and every schema's fields.

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
    if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        return format!("<a href=\"#schema-{0}\">{0}</a>", esc(name));
    }
    if let Some(options) = schema["oneOf"].as_array() {
        return options.iter().map(type_of).collect::<Vec<_>>().join(" | ");
    }
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|v| format!("<code>{}</code>", esc(&v.to_string())))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(value) = schema.get("const") {
        return format!("<code>{}</code>", esc(&value.to_string()));
    }
    let kinds: Vec<String> = match &schema["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => vec!["any".to_owned()],
    };
    kinds
        .iter()
        .map(|kind| match kind.as_str() {
            "array" => format!("array of {}", type_of(&schema["items"])),
            "object" if schema["additionalProperties"].is_object() => {
                format!("map to {}", type_of(&schema["additionalProperties"]))
            }
            "string" => schema["format"]
                .as_str()
                .map_or_else(|| "string".to_owned(), |f| format!("string ({})", esc(f))),
            other => esc(other),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The length, range and pattern rules of a property.
fn rules(schema: &Value) -> String {
    let inner = schema["oneOf"]
        .as_array()
        .and_then(|o| o.iter().find(|s| s["type"] != "null"))
        .unwrap_or(schema);
    let mut out = Vec::new();
    for (key, label) in [
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "min"),
        ("maximum", "max"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("pattern", "pattern"),
    ] {
        for s in [schema, inner] {
            if let Some(v) = s.get(key).filter(|v| !v.is_null()) {
                out.push(format!("{label} {}", esc(&v.to_string())));
                break;
            }
        }
    }
    out.join(", ")
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
        let Some(properties) = schema["properties"].as_object() else {
            let _ = write!(html, "<p>Type: {}</p>", type_of(schema));
            continue;
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        html.push_str("<table><tr><th>field</th><th>type</th><th>required</th><th>rules</th><th>meaning</th></tr>");
        for (field, property) in properties {
            let meaning = property["description"]
                .as_str()
                .or(property["oneOf"][0]["description"].as_str())
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(field),
                type_of(property),
                if required.contains(&field.as_str()) {
                    "yes"
                } else {
                    "no"
                },
                rules(property),
                esc(meaning)
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
