//! Hosts that embed ChatChit, as runnable examples:
//!
//! - `embed_axum`: ChatChit's router mounted under `/chat` in a host's axum
//!   app, beside the host's own route and under its own middleware, with the
//!   host's users signed in by the host's own JWTs.
//! - `custom_store`: ChatChit with no database, its accounts in a store the
//!   host wrote (a member directory kept in step with them).
//!
//! Run one with `cargo run -p chatchit-examples --example embed_axum`.
