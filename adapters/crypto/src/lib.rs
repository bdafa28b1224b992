//! chatchit-crypto
