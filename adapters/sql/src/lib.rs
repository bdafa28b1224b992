//! chatchit-sql
