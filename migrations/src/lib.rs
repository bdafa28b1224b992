//! chatchit-migrations
