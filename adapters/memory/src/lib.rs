//! chatchit-memory
