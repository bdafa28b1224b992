//! Time as the protocol writes it: RFC 3339 UTC with millisecond precision.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant, kept at millisecond precision so that what is stored, compared
/// and sent to clients is always the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Wraps an instant, dropping anything finer than a millisecond.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self::from_millis(at.timestamp_millis())
    }

    /// The instant `millis` milliseconds after the Unix epoch.
    pub fn from_millis(millis: i64) -> Self {
        Self(DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::UNIX_EPOCH))
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The instant as a chrono value.
    pub fn datetime(self) -> DateTime<Utc> {
        self.0
    }

    /// This instant moved forward by `delta`.
    pub fn plus(self, delta: TimeDelta) -> Self {
        Self(self.0 + delta)
    }

    /// The protocol's text form, e.g. `2026-11-27T13:47:10.123Z`.
    pub fn to_rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|at| Self::from_datetime(at.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_milliseconds_and_z() {
        let at = Timestamp::from_millis(1_795_787_230_123);
        assert_eq!(at.to_rfc3339(), "2026-11-27T13:47:10.123Z");
        assert_eq!(
            serde_json::to_string(&at).expect("json"),
            "\"2026-11-27T13:47:10.123Z\""
        );
    }
}
