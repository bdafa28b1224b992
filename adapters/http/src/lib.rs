//! chatchit-http
