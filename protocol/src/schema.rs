//! Gathering the JSON Schemas of the protocol's types, for the OpenAPI and
//! AsyncAPI documents alike.

use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

/// A list of named schemas, as utoipa collects them.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// Adds `T`'s schema and those it refers to.
pub fn collect<T: ToSchema>(into: &mut Schemas) {
    into.push((T::name().into_owned(), T::schema()));
    T::schemas(into);
}

/// Every schema the realtime API uses, by name: each command's payload and
/// answer, each server event's payload, and the error envelope.
pub fn realtime() -> BTreeMap<String, RefOr<Schema>> {
    let mut all = Schemas::new();
    crate::events::command_schemas(&mut all);
    crate::events::server_event_schemas(&mut all);
    collect::<crate::ErrorDetail>(&mut all);
    all.into_iter().collect()
}

/// A schema's type as the documents show it, read from its JSON form.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape<'a> {
    /// Another schema, by name.
    Named(&'a str),
    /// One of several (`null` among them for an optional value).
    OneOf(Vec<Shape<'a>>),
    /// One of these values.
    Enum(&'a [serde_json::Value]),
    /// Exactly this value.
    Const(&'a serde_json::Value),
    /// A list.
    Array(Box<Shape<'a>>),
    /// An object of any keys, each value of this shape.
    Map(Box<Shape<'a>>),
    /// A JSON type (`string`, `integer`, `object`, `null`, …) and its format.
    Plain(&'a str, Option<&'a str>),
}

impl<'a> Shape<'a> {
    /// Reads the shape of `schema`.
    pub fn of(schema: &'a serde_json::Value) -> Self {
        if let Some(name) = schema["$ref"].as_str() {
            return Self::Named(name.rsplit('/').next().unwrap_or(name));
        }
        if let Some(options) = schema["oneOf"].as_array() {
            return Self::OneOf(options.iter().map(Self::of).collect());
        }
        if let Some(values) = schema["enum"].as_array() {
            return Self::Enum(values);
        }
        if let Some(value) = schema.get("const") {
            return Self::Const(value);
        }
        let mut kinds: Vec<Self> = match &schema["type"] {
            serde_json::Value::String(kind) => vec![Self::plain(schema, kind)],
            serde_json::Value::Array(kinds) => kinds
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(|kind| Self::plain(schema, kind))
                .collect(),
            _ => vec![Self::Plain("any", None)],
        };
        if kinds.len() == 1 {
            kinds.swap_remove(0)
        } else {
            Self::OneOf(kinds)
        }
    }

    fn plain(schema: &'a serde_json::Value, kind: &'a str) -> Self {
        match kind {
            "array" => Self::Array(Box::new(Self::of(&schema["items"]))),
            "object" if schema["additionalProperties"].is_object() => {
                Self::Map(Box::new(Self::of(&schema["additionalProperties"])))
            }
            "null" => Self::Plain("null", None),
            other => Self::Plain(other, schema["format"].as_str()),
        }
    }
}

/// One field of an object schema, read for documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its type.
    pub shape: Shape<'a>,
    /// Whether it must be there.
    pub required: bool,
    /// Its rules: length, range, size and pattern, as `(keyword, value)`.
    pub rules: Vec<(&'static str, &'a serde_json::Value)>,
    /// What it means.
    pub description: &'a str,
}

/// The fields of an object schema; `None` for a schema without properties.
pub fn fields(schema: &serde_json::Value) -> Option<Vec<Field<'_>>> {
    const RULES: [&str; 7] = [
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "maxItems",
        "pattern",
    ];
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let properties = schema["properties"].as_object()?;
    Some(
        properties
            .iter()
            .map(|(name, property)| {
                // An optional value is `oneOf [its schema, null]`: its rules
                // and words sit on the first.
                let inner = property["oneOf"]
                    .as_array()
                    .and_then(|o| o.iter().find(|s| s["type"] != "null"))
                    .unwrap_or(property);
                let rules = RULES
                    .into_iter()
                    .filter_map(|rule| {
                        [property, inner]
                            .into_iter()
                            .find_map(|s| s.get(rule).filter(|v| !v.is_null()))
                            .map(|v| (rule, v))
                    })
                    .collect();
                Field {
                    name,
                    shape: Shape::of(property),
                    required: required.contains(&name.as_str()),
                    rules,
                    description: property["description"]
                        .as_str()
                        .or(inner["description"].as_str())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_reads_back_as_fields_with_their_rules() {
        let schema =
            serde_json::to_value(<crate::messages::SendMessage as utoipa::PartialSchema>::schema())
                .expect("json");
        let fields = fields(&schema).expect("an object");
        let body = fields.iter().find(|f| f.name == "body").expect("body");
        assert!(body.required);
        assert_eq!(body.shape, Shape::Plain("string", None));
        assert!(
            body.rules
                .contains(&("maxLength", &serde_json::json!(4000)))
        );
        let reply = fields
            .iter()
            .find(|f| f.name == "replyToId")
            .expect("replyToId");
        assert!(!reply.required);
        assert!(
            matches!(&reply.shape, Shape::OneOf(options) if options.contains(&Shape::Plain("null", None)))
        );
        let attachments = fields
            .iter()
            .find(|f| f.name == "attachments")
            .expect("attachments");
        assert_eq!(
            attachments.shape,
            Shape::Array(Box::new(Shape::Named("Attachment")))
        );
    }
}
