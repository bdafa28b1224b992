//! The end-to-end suite: the whole server on 127.0.0.1:0, driven by real HTTP
//! and Socket.IO clients. One test binary (one link of the whole server
//! instead of one per file) keeps a fresh build small and quick.

mod auth;
mod authorization;
mod bad_input;
mod browser;
mod calls;
mod clients_js;
mod conformance;
mod contract;
mod conversations;
mod fuzz;
mod identity;
mod messaging;
mod moderation;
mod operations;
mod presence;
mod rate_limits;
mod security;
mod social;
mod stories;
mod typed_client;
