//! The AMQP front end's decode paths: batch envelopes, single events, selector filters, stored
//! events. The body is `gridlog_amqp::fuzzing::amqp`, which `amqp/tests/fuzz_corpus.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_amqp::fuzzing::amqp(data));
