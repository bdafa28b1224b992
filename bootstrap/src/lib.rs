//! chatchit
