//! Unit tests of the conversation use cases.
