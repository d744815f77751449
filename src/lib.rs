//! Verify AWS Signature Version 4 requests in any tower, hyper or axum service,
//! and know exactly who is calling.
//!
//! Add one layer: requests signed by any AWS SDK, the AWS CLI or any SigV4
//! signer (header or presigned URL, every payload mode including `aws-chunked`
//! uploads) reach your handlers verified, with the caller in the request
//! extensions; the others get the error AWS would send, in the service's own
//! protocol.
//!
//! # Quick start
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use tower::ServiceBuilder;
//! use tower_sigv4::identity::StaticCredentials;
//! use tower_sigv4::{Authenticated, SigV4Layer, SigV4Settings, VerifiedBody};
//!
//! let store = StaticCredentials::builder()
//!     .root("111122223333", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
//!     .build()
//!     .unwrap();
//! let settings = SigV4Settings::default().with_region("us-east-1").with_service("s3");
//! let service = ServiceBuilder::new()
//!     .layer(SigV4Layer::with_settings(store, settings))
//!     .service_fn(|req: Request<VerifiedBody<Full<Bytes>>>| async move {
//!         let caller: &Authenticated = req.extensions().get().expect("verified");
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(caller.principal().arn().to_owned()))))
//!     });
//! # let _ = service;
//! ```
//!
//! The same layer goes into axum 0.8's `Router::layer` or `route_layer`
//! (with the `axum` feature, handlers extract [`Authenticated`] or the
//! [`Principal`](identity::Principal) directly: see the `axum` module) and
//! into a hyper 1 server through `hyper_util::service::TowerToHyperService`.
//!
//! # The pieces
//!
//! The crate is built in layers (see `ARCHITECTURE.md` in the repository):
//!
//! - [`sigv4`]: the sans-IO protocol core. Parsing, canonicalization, the
//!   string to sign, signing keys and the checks AWS makes, over
//!   [`http::request::Parts`] and byte slices. No async, no IO.
//! - [`identity`]: who is calling. Principals, credential stores, secrets,
//!   caches and stateless temporary credentials.
//! - [`verifier`]: the core and the identity layer put together
//!   ([`Verifier`]), usable without tower.
//! - The tower shell: [`SigV4Layer`], [`SigV4Service`], [`VerifiedBody`]
//!   (the body checked as it streams), [`Authenticated`] (the caller),
//!   [`AuthError`] and the error responses ([`error`], [`response`]),
//!   [`settings`].
//! - [`policy`]: whether the caller may do what it asks, decided the way IAM
//!   and AWS KMS decide it.
//! - [`authorize`]: the policy engine as a tower layer ([`AuthorizeLayer`])
//!   inside [`SigV4Layer`], with a policy store and the request context.
//!
//! # Features
//!
//! - `axum`: `FromRequestParts` extractors for [`Authenticated`] and
//!   [`Principal`](identity::Principal), with `Option<…>` support.
//! - `tracing`: one event per failed verification (the reason, the access key
//!   id and the scope; never a secret, a derived key or an expected signature).
#![cfg_attr(docsrs, feature(doc_auto_cfg))]
#![warn(missing_docs, rust_2018_idioms, unreachable_pub)]
#![deny(unsafe_code)]

pub mod authorize;
pub mod body;
pub mod identity;
pub mod policy;
pub mod replay;
pub mod response;
pub mod sigv4;

mod authenticated;
pub mod error;
mod future;
mod layer;
mod service;
pub mod settings;
pub mod verifier;

#[cfg(feature = "axum")]
pub mod axum;

pub use authenticated::{Anonymous, Authenticated};
pub use authorize::{AuthorizeLayer, Authorizer};
pub use body::{VerifiedBody, VerifiedBodyError, VerifiedBodyErrorKind};
pub use error::{AuthError, AuthErrorKind, DefaultErrorResponse, MakeErrorResponse};
pub use future::{GatedResponseFuture, ResponseFuture};
pub use layer::SigV4Layer;
pub use response::{ErrorProtocol, ResponseBody};
pub use service::SigV4Service;
pub use settings::{ServiceConfig, SigV4Settings, UnsignedRequests};
pub use verifier::{Verification, Verified, Verifier};
