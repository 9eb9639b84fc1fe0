//! The MQTT front end's own parsing and decisions: client-group queries, topic templates, topic
//! rules, matching and coverage, routed events. The body is `gridlog_mqtt::fuzzing::mqtt`, which
//! `mqtt/tests/fuzz_corpus.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_mqtt::fuzzing::mqtt(data));
