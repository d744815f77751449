//! The SigV4 protocol core: pure functions and small state machines over
//! [`http::request::Parts`] and byte slices. Nothing here is async or does IO,
//! so every rule can be tested (and fuzzed) from bytes.
//!
//! Verification runs in four steps, cheapest first:
//!
//! 1. [`parse`] finds the signature (an `Authorization` header or presigned
//!    `X-Amz-*` query parameters) and reads it into a borrowed
//!    [`SignedRequest`], or says the request is unsigned.
//! 2. [`check`] makes every check that needs no secret: scope, clock skew,
//!    expiry, signed-header rules, sizes.
//! 3. The caller looks up the secret of [`SignedRequest::access_key_id`] and
//!    derives (or takes from a cache) the [`SigningKey`] of its scope.
//! 4. [`verify_signature`] hashes the canonical request as it writes it,
//!    signs the string to sign and compares in constant time. When the
//!    signature covers a body that is still arriving
//!    ([`SignedRequest::needs_body_hash`]), [`PendingSignature`] does the
//!    same work up to the body's hash, owns what it needs, and finishes
//!    with the hash once the body is read.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use sha2::Digest;
//! use tower_sigv4::sigv4::{self, RequestView, SigningKey, VerifySettings};
//!
//! let req = http::Request::post("https://example.amazonaws.com/")
//!     .header("host", "example.amazonaws.com")
//!     .header("x-amz-date", "20150830T123600Z")
//!     .header(
//!         "authorization",
//!         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!          SignedHeaders=host;x-amz-date, \
//!          Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
//!     )
//!     .body(Vec::<u8>::new())
//!     .unwrap();
//! let (parts, body) = req.into_parts();
//! let view = RequestView::from_parts(&parts);
//! let settings = VerifySettings::default().with_region("us-east-1").with_service("service");
//!
//! let signed = sigv4::parse(&view, &settings)?.expect("the request is signed");
//! sigv4::check(&signed, &view, &settings, UNIX_EPOCH + Duration::from_secs(1_440_938_160))?;
//! let scope = signed.scope();
//! let key = SigningKey::derive(
//!     b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     scope.date(),
//!     scope.region(),
//!     scope.service(),
//! );
//! let body_hash: [u8; 32] = sha2::Sha256::digest(&body).into();
//! sigv4::verify_signature(&signed, &view, &key, Some(&body_hash))?;
//! # Ok::<(), sigv4::Error>(())
//! ```

pub mod auth;
mod byte_search;
pub mod canonical;
mod check;
mod encode;
pub mod error;
mod header_scan;
mod hex_digits;
pub mod key;
mod mac;
pub mod payload;
mod presigned;
pub mod request;
pub mod scope;
pub mod settings;
pub mod time;

pub mod chunked;

pub use auth::{parse, DateSource, SignatureLocation, SignedRequest};
pub use canonical::{
    canonical_request_hash, verify_signature, CanonicalRequest, PendingSignature, StringToSign,
};
pub use check::check;
pub use error::{Dialect, Error, ErrorKind, Limit};
pub use key::SigningKey;
pub use payload::PayloadMode;
pub use request::RequestView;
pub use scope::{CredentialScope, ScopeDate, SignedHeaders};
pub use settings::{
    Limits, PercentEncodingMode, PresignedPayload, ServiceRules, SessionTokenMode,
    UriPathNormalizationMode, UriPathRule, VerifySettings,
};
pub use time::AmzDate;
