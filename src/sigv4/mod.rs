//! The SigV4 protocol core: pure functions and small state machines over
//! [`http::request::Parts`] and byte slices. Nothing here is async or does IO,
//! so every rule can be tested (and fuzzed) from bytes.

pub mod key;

pub use key::SigningKey;
pub mod chunked;
