//! Validated values. Each is built by a constructor that returns `Result`, so an
//! invalid username, body or title cannot exist past the edge of the system.

use crate::error::ValidationError;
use serde::Serialize;

/// A login name: 3–32 characters of `[a-zA-Z0-9_.]`, unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Checks the username rules.
    ///
    /// # Errors
    /// `ValidationError` on field `username` when the length or alphabet is wrong.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if !(3..=32).contains(&len) {
            return Err(ValidationError::new(
                "username",
                "must be 3 to 32 characters",
            ));
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(ValidationError::new(
                "username",
                "may contain only letters, digits, '_' and '.'",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The name as the user typed it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form uniqueness is checked on.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// A plain-text password on its way to the hasher: 8–128 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks the password length rule.
    ///
    /// # Errors
    /// `ValidationError` on field `password`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if !(8..=128).contains(&len) {
            return Err(ValidationError::new(
                "password",
                "must be 8 to 128 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret itself, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Trims `raw` and checks it holds 1..=`max` characters and is not made of
/// control characters only.
fn bounded_text(field: &'static str, raw: &str, max: usize) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 || trimmed.chars().all(char::is_control) {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if len > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Trims and checks the value.
            ///
            /// # Errors
            #[doc = concat!("`ValidationError` on field `", $field, "` when empty or too long.")]
            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                bounded_text($field, raw, $max).map(Self)
            }

            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Gives the text back.
            pub fn into_inner(self) -> String {
                self.0
            }
        }
    };
}

text_value!(
    /// A message body: 1–4000 characters after trimming, stored as given
    /// (HTML is never interpreted).
    MessageBody,
    "body",
    4000
);
text_value!(
    /// The name shown for a user: 1–64 characters.
    DisplayName,
    "displayName",
    64
);
text_value!(
    /// A group conversation's title: 1–128 characters.
    Title,
    "title",
    128
);
text_value!(
    /// A reaction: one emoji (a short grapheme sequence, at most 16 characters).
    Emoji,
    "emoji",
    16
);

/// A client-chosen idempotency key for `message:send`: 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// Checks the length rule (no trimming: the key is opaque).
    ///
    /// # Errors
    /// `ValidationError` on field `clientMsgId`.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if !(1..=64).contains(&len) {
            return Err(ValidationError::new(
                "clientMsgId",
                "must be 1 to 64 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link to an image or file: an absolute `http(s)` URL of at most 2048 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MediaUrl(String);

impl MediaUrl {
    /// Checks the URL shape.
    ///
    /// # Errors
    /// `ValidationError` on `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let ok_scheme = raw.starts_with("https://") || raw.starts_with("http://");
        if !ok_scheme || raw.len() > 2048 || raw.chars().any(char::is_whitespace) {
            return Err(ValidationError::new(
                field,
                "must be an http(s) URL of at most 2048 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A page size between 1 and 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit(u32);

impl PageLimit {
    /// The default page size of the protocol.
    pub const DEFAULT: Self = Self(50);

    /// Checks the 1–100 range; `None` gives the default of 50.
    ///
    /// # Errors
    /// `ValidationError` on field `limit`.
    pub fn parse(raw: Option<i64>) -> Result<Self, ValidationError> {
        match raw {
            None => Ok(Self::DEFAULT),
            Some(n) if (1..=100).contains(&n) => Ok(Self(n as u32)),
            Some(_) => Err(ValidationError::new("limit", "must be between 1 and 100")),
        }
    }

    /// The size.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_protocol_rules() {
        assert!(Username::parse("al").is_err());
        assert!(Username::parse("alice smith").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        let name = Username::parse("Alice.B_1").expect("valid");
        assert_eq!(name.canonical(), "alice.b_1");
    }

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(MessageBody::parse("  hi  ").expect("valid").as_str(), "hi");
        assert!(MessageBody::parse("   ").is_err());
        assert!(MessageBody::parse("\u{7}\u{8}").is_err());
        assert!(MessageBody::parse(&"x".repeat(4001)).is_err());
        assert!(MessageBody::parse(&"x".repeat(4000)).is_ok());
        let html = "<b>bold</b>";
        assert_eq!(MessageBody::parse(html).expect("valid").as_str(), html);
    }

    #[test]
    fn passwords_and_limits_are_bounded() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert_eq!(PageLimit::parse(None).expect("default").get(), 50);
        assert!(PageLimit::parse(Some(0)).is_err());
        assert!(PageLimit::parse(Some(101)).is_err());
    }

    #[test]
    fn client_msg_ids_and_urls_are_checked() {
        assert!(ClientMsgId::parse("").is_err());
        assert!(ClientMsgId::parse(&"k".repeat(65)).is_err());
        assert!(MediaUrl::parse("avatarUrl", "javascript:alert(1)").is_err());
        assert!(MediaUrl::parse("avatarUrl", "https://cdn.example/a.png").is_ok());
    }
}
