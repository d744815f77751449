//! Verify AWS Signature Version 4 requests in any tower, hyper or axum service,
//! and know exactly who is calling.
//!
//! The crate is built in layers (see `ARCHITECTURE.md` in the repository):
//!
//! - [`sigv4`]: the sans-IO protocol core. Parsing, canonicalization, the
//!   string to sign, signing keys and the checks AWS makes, over
//!   [`http::request::Parts`] and byte slices. No async, no IO.
//! - [`identity`]: who is calling. Principals, credential stores, secrets,
//!   caches and stateless temporary credentials.
//! - [`policy`]: whether the caller may do what it asks, decided the way IAM
//!   and AWS KMS decide it.
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
#![warn(missing_docs, rust_2018_idioms, unreachable_pub)]
#![deny(unsafe_code)]

pub mod body;
pub mod identity;
pub mod policy;
pub mod response;
pub mod sigv4;
