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
