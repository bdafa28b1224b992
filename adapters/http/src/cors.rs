//! Cross-origin access for browser pages served from elsewhere: REST and
//! Socket.IO long-polling alike, preflights answered. Off unless origins are
//! configured.

use axum::http::{HeaderName, HeaderValue, Method, header};
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// An allowed origin that is not `*` or `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cors.allowed_origins: {0:?} is not an origin (scheme://host[:port], or *)")]
pub struct InvalidOrigin(pub String);

/// The layer for `origins` (`*` for any); `None` when there are none.
///
/// # Errors
/// [`InvalidOrigin`] for an entry that is not an origin.
pub fn cors(origins: &[String]) -> Result<Option<CorsLayer>, InvalidOrigin> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|origin| parse(origin).ok_or_else(|| InvalidOrigin(origin.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("retry-after")])
            .max_age(Duration::from_secs(600)),
    ))
}

/// `scheme://host[:port]`, nothing after.
fn parse(origin: &str) -> Option<HeaderValue> {
    let (scheme, rest) = origin.split_once("://")?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    let ok = matches!(scheme, "http" | "https") && !rest.is_empty() && rest.chars().all(plain);
    ok.then(|| HeaderValue::from_str(origin).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        assert!(cors(&[]).expect("none").is_none());
        assert!(cors(&["*".into()]).expect("any").is_some());
        assert!(
            cors(&[
                "http://localhost:3000".into(),
                "https://chat.example.com".into()
            ])
            .expect("two")
            .is_some()
        );
        for bad in [
            "localhost:3000",
            "http://x/path",
            "ftp://x",
            "http://",
            "http://a b",
        ] {
            assert_eq!(
                cors(&[bad.into()]).err(),
                Some(InvalidOrigin(bad.into())),
                "{bad}"
            );
        }
    }
}
