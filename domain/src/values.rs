//! Validated values. Each is built by a constructor that returns `Result`, so an
//! invalid username, body or title cannot exist past the edge of the system.

use crate::error::ValidationError;

/// A login name: 3–32 characters of `[a-zA-Z0-9_.]`, unique case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// How a text value may be laid out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    /// Line breaks and tabs allowed (message bodies, comments).
    Many,
    /// One line: no line breaks, and no bidirectional controls, which would
    /// let a name or title display as something it is not.
    One,
}

/// C0 controls but tab and line feed: PostgreSQL refuses NUL, and the rest
/// only spoof or break what other users see.
fn forbidden_control(c: char) -> bool {
    c.is_ascii_control() && c != '\n' && c != '\t' || c == '\u{7f}'
}

/// The bidirectional embedding, override and isolate controls.
fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: a value made only of these (and white
/// space) is empty to whoever reads it.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{034f}'
                | '\u{061c}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
        )
}

/// Trims `raw` and checks it holds 1..=`max` characters, at least one of
/// them visible, and no control character `lines` does not allow.
fn bounded_text(
    field: &'static str,
    raw: &str,
    max: usize,
    lines: Lines,
) -> Result<String, ValidationError> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if trimmed.chars().all(invisible) {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if len > max {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(forbidden_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    if lines == Lines::One && trimmed.chars().any(|c| c.is_control() || bidi_control(c)) {
        return Err(ValidationError::new(
            field,
            "must be one line without direction controls",
        ));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $lines:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Trims and checks the value.
            ///
            /// # Errors
            #[doc = concat!("`ValidationError` on field `", $field, "` when empty or too long.")]
            pub fn parse(raw: &str) -> Result<Self, ValidationError> {
                bounded_text($field, raw, $max, $lines).map(Self)
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
    4000,
    Lines::Many
);
text_value!(
    /// The name shown for a user: 1–64 characters.
    DisplayName,
    "displayName",
    64,
    Lines::One
);
text_value!(
    /// A group conversation's title: 1–128 characters.
    Title,
    "title",
    128,
    Lines::One
);

/// A reaction: exactly one emoji (one emoji grapheme cluster, such as `👍`,
/// `👍🏽` or `👨‍👩‍👧`), as Unicode lists them; free text is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emoji(String);

impl Emoji {
    /// Checks that `raw` is one emoji.
    ///
    /// # Errors
    /// `ValidationError` on field `emoji` for anything else.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        if raw.len() > 64 || emojis::get(raw).is_none() {
            return Err(ValidationError::new("emoji", "must be one emoji"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The emoji.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Gives the text back.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A client-chosen idempotency key for `message:send`: 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        if raw.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "clientMsgId",
                "must not contain control characters",
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaUrl(String);

impl MediaUrl {
    /// Checks the URL shape.
    ///
    /// # Errors
    /// `ValidationError` on `field`.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let ok_scheme = raw.starts_with("https://") || raw.starts_with("http://");
        let bad_char = |c: char| c.is_whitespace() || c.is_control();
        if !ok_scheme || raw.len() > 2048 || raw.chars().any(bad_char) {
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

    #[test]
    fn text_refuses_controls_invisible_bodies_and_direction_tricks() {
        assert!(MessageBody::parse("a\u{0}b").is_err(), "NUL");
        assert!(MessageBody::parse("\u{1b}[31mred").is_err(), "escape");
        assert!(MessageBody::parse("a\u{7f}").is_err(), "DEL");
        assert!(MessageBody::parse("two\nlines\tand a tab").is_ok());
        assert!(MessageBody::parse("\u{200b}\u{200d}\u{feff}").is_err());
        assert!(MessageBody::parse("\u{2060} \u{200b}").is_err());
        assert!(
            MessageBody::parse("a\u{200d}b").is_ok(),
            "joiners inside text stay"
        );
        assert!(DisplayName::parse("admin\u{202e}nimda").is_err());
        assert!(DisplayName::parse("\u{2066}x\u{2069}").is_err());
        assert!(DisplayName::parse("two\nlines").is_err());
        assert!(Title::parse("team\u{202d}").is_err());
        assert!(Title::parse("Ünïcödé team ✨").is_ok());
        assert!(ClientMsgId::parse("k\u{0}").is_err());
        assert!(MediaUrl::parse("avatarUrl", "https://a/\u{0}").is_err());
    }

    #[test]
    fn an_emoji_is_one_emoji() {
        for good in ["👍", "👍🏽", "❤️", "👨‍👩‍👧", "🇫🇷"] {
            assert!(Emoji::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "lol", "👍👍", "a👍", "👍 ", "\u{0}", "<b>"] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?}");
        }
    }
}
