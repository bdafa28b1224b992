//! The edge's rule for text: no value a client sends may carry NUL or another
//! C0 control character, save tab, line feed and carriage return (the last
//! for WebRTC's SDP, whose lines end in CRLF). PostgreSQL refuses NUL in text,
//! and the others only serve to spoof or break what other users see, so they
//! are refused before any use case runs, in REST bodies, query strings and
//! socket payloads alike.

/// The message a refused value gets (`validation`).
pub const REFUSED: &str = "must not contain control characters";

/// Whether a C0 control character other than `\t`, `\n` or `\r` is `code`.
fn forbidden(code: u32) -> bool {
    code < 0x20 && !matches!(code, 0x09 | 0x0a | 0x0d)
}

/// Whether the JSON text `json` holds a forbidden character in a string.
/// JSON can carry one only as an escape, `\u00XX`, `\b` or `\f` (a raw
/// one is not JSON at all), and backslashes occur only inside strings, so
/// one pass over the escapes decides it.
pub fn json_has_control(json: &str) -> bool {
    let bytes = json.as_bytes();
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(|b| *b == b'\\') {
        let escape = i + offset;
        match bytes.get(escape + 1) {
            Some(b'u') => {
                let hex = json.get(escape + 2..escape + 6);
                if hex
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .is_some_and(forbidden)
                {
                    return true;
                }
                i = escape + 2;
            }
            Some(b'b' | b'f') => return true,
            Some(_) => i = escape + 2,
            None => return false,
        }
    }
    raw_control(json)
}

/// Whether `text` holds a forbidden character as it is.
pub fn raw_control(text: &str) -> bool {
    text.chars().any(|c| forbidden(u32::from(c)))
}

/// Whether a URL query string holds a forbidden character, raw or
/// percent-encoded.
pub fn query_has_control(query: &str) -> bool {
    let bytes = query.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        *b == b'%'
            && query
                .get(i + 1..i + 3)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .is_some_and(forbidden)
    }) || raw_control(query)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escaped_controls_are_found_and_others_pass() {
        assert!(json_has_control(r#"{"body":"a\u0000b"}"#));
        assert!(json_has_control(r#"{"body":"\u001B[31m"}"#));
        assert!(json_has_control(r#"["x",{"t":"\u0007"}]"#));
        assert!(json_has_control(r#"{"body":"back\bspace"}"#));
        assert!(json_has_control(r#"{"body":"form\ffeed"}"#));
        assert!(!json_has_control(r#"{"body":"line\nnext\ttab\r\n"}"#));
        assert!(!json_has_control(r#"{"body":"\u000a\u0009\u000D"}"#));
        assert!(!json_has_control(
            r#"{"body":"\\u0000 is how NUL is written"}"#
        ));
        assert!(!json_has_control(r#"{"body":"é \u00e9 \u2603"}"#));
        assert!(!json_has_control(r#"{"body":"\"quoted\" \\"}"#));
        assert!(!json_has_control("\\"));
        assert!(!json_has_control("\\u00"));
    }

    #[test]
    fn query_strings_are_checked_decoded() {
        assert!(query_has_control("query=a%00b"));
        assert!(query_has_control("query=%1b"));
        assert!(!query_has_control("query=a%20b%0A"));
        assert!(!query_has_control("query=%"));
        assert!(!query_has_control("query=%e9"));
    }

    proptest! {
        #[test]
        fn any_string_is_judged_as_its_json_says(text in any::<String>()) {
            let json = serde_json::to_string(&text).expect("a string serializes");
            prop_assert_eq!(json_has_control(&json), raw_control(&text));
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let _ = json_has_control(&text);
            let _ = query_has_control(&text);
        }
    }
}
