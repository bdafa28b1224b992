//! Unit tests of the message use cases.
