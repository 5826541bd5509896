//! The messages are strict both ways, and their JSON has the documented shape.

use inf_wasi_profile::*;
use serde_json::{json, Value};

fn sampling_json() -> Value {
    serde_json::to_value(SamplingConfig::default()).unwrap()
}

#[test]
fn a_request_round_trips_and_the_defaults_come_from_the_table() {
    let config = SamplingConfig { seed: Some(7), grammar: Some("root ::= \"a\"".into()), ..Default::default() };
    let back: SamplingConfig = decode_request("config", &encode(&config)).unwrap();
    assert_eq!(back, config);
    assert_eq!(SamplingConfig::default().temperature, TEMPERATURE.default);
    assert_eq!(SamplingConfig::default().repeat_last_n, REPEAT_LAST_N.default);
}

#[test]
fn a_missing_or_unknown_key_is_an_error_not_a_default() {
    for key in ["temperature", "top_k", "seed", "grammar", "add_special"] {
        let mut value = sampling_json();
        value.as_object_mut().unwrap().remove(key);
        let error = decode_request::<SamplingConfig>("config", value.to_string().as_bytes()).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidInput);
        assert!(error.message.contains(key), "{error}");
    }
    let mut value = sampling_json();
    value["temp"] = json!(0.5);
    let error = decode_request::<SamplingConfig>("config", value.to_string().as_bytes()).unwrap_err();
    assert!(error.message.contains("unknown field `temp`"), "{error}");
    assert!(decode_request::<Configure>("config", br#"{}"#).is_err());
    assert_eq!(decode_request::<Configure>("config", br#"{"ctx_size": null}"#).unwrap(), Configure { ctx_size: None });
    assert!(decode_request::<TokenizeConfig>("config", br#"{"add_special": true}"#).is_err());
}

#[test]
fn bounds_name_the_option_and_its_range() {
    let error = TEMPERATURE.check(-0.5).unwrap_err();
    assert_eq!(error.message, "temperature must be in [0, 100], got -0.5");
    assert!(TEMPERATURE.check(f32::NAN).is_err());
    assert!(TEMPERATURE.check(0.0).is_ok());
    assert!(REPEAT_PENALTY.check(0.0).unwrap_err().message.contains("(0, 10]"));
    assert!(TOP_K.check(1_000_001).is_err());
    let blank = SamplingConfig { grammar: Some("  ".into()), ..Default::default() };
    assert!(blank.validate().unwrap_err().message.contains("grammar"));
    let reversed = SamplingConfig { literal_spans: vec![[4, 2]], ..Default::default() };
    assert!(reversed.validate().unwrap_err().message.contains("[4, 2]"));
    let overlapping = SamplingConfig { literal_spans: vec![[0, 5], [4, 8]], ..Default::default() };
    assert!(overlapping.validate().unwrap_err().message.contains("overlap"));
    let touching = SamplingConfig { literal_spans: vec![[0, 5], [5, 8]], ..Default::default() };
    assert!(touching.validate().is_ok());
    let images = SamplingConfig { image_offsets: vec![9, 3], ..Default::default() };
    assert!(images.validate().unwrap_err().message.contains("image_offsets"));
    let hot = SamplingConfig { top_p: 1.5, ..Default::default() };
    assert!(hot.validate().unwrap_err().message.contains("top-p"));
    assert!(SamplingConfig::default().validate().is_ok());
}

#[test]
fn next_replies_are_a_token_or_a_finish() {
    assert_eq!(encode_token(42, b"\xE2\x82"), b"\x2A\0\0\0\xE2\x82");
    assert_eq!(decode_token(&encode_token(-7, b"hi")).unwrap(), (-7, &b"hi"[..]));
    assert_eq!(decode_token(&encode_token(262_143, b"")).unwrap(), (262_143, &b""[..]));
    assert_eq!(decode_token(b"\x01\0\0").unwrap_err().code, ErrorCode::Backend, "shorter than an id");
    assert_eq!(encode(&Finished { finish: Finish::ContextFull }), br#"{"finish":"context-full"}"#);
    assert_eq!(decode_reply::<Finished>("next", br#"{"finish":"eog"}"#).unwrap(), Finished { finish: Finish::Eog });
    assert!(decode_reply::<Finished>("next", br#"{"token":42}"#).is_err(), "a token is never a status");
    let unknown = decode_reply::<Finished>("next", br#"{"finish":"tired"}"#).unwrap_err();
    assert_eq!(unknown.code, ErrorCode::Backend, "an unknown finish breaks the profile: {unknown}");
}

#[test]
fn a_status_is_the_reply_or_the_error() {
    let error = ProfileError::new(ErrorCode::ContextOverflow, "too long");
    let status = encode_status::<Prompted>(&Err(error.clone()));
    assert_eq!(decode_reply::<Prompted>("prompt", &status).unwrap_err(), error);
    let reply = Prompted { prompt_tokens: 5, cached_tokens: 4, context_size: 256 };
    assert_eq!(decode_reply::<Prompted>("prompt", &encode_status(&Ok(reply))).unwrap(), reply);
    let missing = decode_reply::<Prompted>("prompt", br#"{"prompt_tokens": 5}"#).unwrap_err();
    assert_eq!(missing.code, ErrorCode::Backend);
    assert!(decode_reply::<NoReply>("reset", br#"{"surprise": 1}"#).is_err());
    for code in ErrorCode::ALL {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(code.name()));
    }
    for op in Op::ALL {
        assert_eq!(Op::parse(op.name()), Some(op));
    }
}
