//! Inputs for the fuzz targets: arbitrary JSON, leaning towards what the
//! server's decoders meet (its own field names, ids, huge and tiny numbers,
//! deep nesting, control characters), drawn without shrinking so a target
//! can drive the real server from async code.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

/// How many cases each fuzz target runs: `CHATCHIT_FUZZ_CASES`, else a
/// budget small enough for every CI run.
pub fn cases() -> u32 {
    std::env::var("CHATCHIT_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48)
}

/// A runner with a random seed (`PROPTEST_RNG_SEED` pins one).
pub fn runner() -> TestRunner {
    TestRunner::new(Config::default())
}

/// One value drawn from `strategy`.
pub fn draw<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy
        .new_tree(runner)
        .expect("a strategy that can draw")
        .current()
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9_:.-]{0,12}",
        Just(String::new()),
        Just("\u{0}".to_owned()),
        Just("é".repeat(3)),
        Just(uuid::Uuid::now_v7().to_string()),
        Just("x".repeat(5000)),
    ]
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("conversationId".to_owned()),
        Just("messageId".to_owned()),
        Just("clientMsgId".to_owned()),
        Just("body".to_owned()),
        Just("emoji".to_owned()),
        Just("on".to_owned()),
        Just("afterSeq".to_owned()),
        Just("typing".to_owned()),
        Just("status".to_owned()),
        Just("callId".to_owned()),
        Just("toUserId".to_owned()),
        Just("kind".to_owned()),
        Just("type".to_owned()),
        Just("payload".to_owned()),
        Just("title".to_owned()),
        Just("memberIds".to_owned()),
        Just("userIds".to_owned()),
        Just("username".to_owned()),
        Just("password".to_owned()),
        "[a-zA-Z]{1,8}",
    ]
}

/// Arbitrary JSON, up to a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!(u64::MAX)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An arbitrary query string: pairs of known and unknown names with
/// arbitrary (percent-encoded) values, or raw bytes.
pub fn query() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("cursor".to_owned()),
        Just("limit".to_owned()),
        Just("before".to_owned()),
        Just("after".to_owned()),
        Just("query".to_owned()),
        Just("status".to_owned()),
        "[a-z]{1,6}",
    ];
    prop_oneof![
        prop::collection::vec((name, text()), 0..4).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let v: String = v.bytes().map(|b| format!("%{b:02X}")).collect();
                    format!("{k}={v}")
                })
                .collect::<Vec<_>>()
                .join("&")
        }),
        "[ -~]{0,40}",
    ]
}

/// An arbitrary bearer token: strings shaped like a JWT or not at all.
pub fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,43}",
        "[ -~]{0,64}",
        any::<String>(),
    ]
}
