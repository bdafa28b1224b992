//! chatchit-application
