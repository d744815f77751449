//! Authorization: whether the authenticated caller may do what it asks,
//! decided by the [`policy`](crate::policy) engine, as a tower layer.
//!
//! [`AuthorizeLayer`] goes inside [`SigV4Layer`](crate::SigV4Layer). For each
//! request it:
//!
//! 1. reads the caller: the [`Authenticated`](crate::Authenticated) the
//!    signature layer put in the extensions, or the
//!    [`Anonymous`](crate::Anonymous) marker (evaluated as the anonymous
//!    principal, whom only `"Principal": "*"` statements reach). A request with
//!    neither means the layers are misordered: a 500 with a message saying
//!    so, never an allow;
//! 2. asks the application's [`RequestChecks`] what the request is: one or
//!    more [`Check`]s (action, resource, extra condition keys such as
//!    `kms:EncryptionContext:…`). For protocols that carry the resource in the
//!    body (KMS's `KeyId`), [`AuthorizeSettings::with_body_limit`] has the
//!    layer read the body first and hand it over;
//! 3. asks the [`PolicyStore`] for the caller's identity policies,
//!    permissions boundary, session policies and tags, and for each
//!    resource's policy and grants;
//! 4. builds the [`RequestContext`](crate::policy::RequestContext) (see
//!    [`context`] for the keys and where each comes from) and evaluates every
//!    check; all must allow;
//! 5. on allow, calls the inner service with [`Authorized`] and the first
//!    check's [`DecisionRecord`](crate::policy::DecisionRecord) in the
//!    extensions; on deny, answers `AccessDenied` in the protocol of the
//!    request's service, with AWS's message (see [`AuthorizeError`]).
//!
//! Handlers that must parse the request before they know what to check can
//! call an [`Authorizer`] themselves.
//!
//! # Example
//!
//! A public-read bucket behind the signature layer: anonymous reads of its
//! objects pass, anonymous writes get S3's `AccessDenied`.
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use tower::{ServiceBuilder, ServiceExt};
//! use tower_sigv4::authorize::{AuthorizeBody, AuthorizeLayer, Check, MemoryPolicyStore};
//! use tower_sigv4::identity::StaticCredentials;
//! use tower_sigv4::policy::{Decision, DecisionRecord, PolicyDocument, PolicyKind};
//! use tower_sigv4::{SigV4Layer, SigV4Settings, UnsignedRequests, VerifiedBody};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let bucket_policy = PolicyDocument::parse(
//!     r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow",
//!         "Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#,
//!     PolicyKind::ResourceBased,
//! )?;
//! let policies = MemoryPolicyStore::new()
//!     .with_resource_policy("arn:aws:s3:::amzn-s3-demo-bucket", bucket_policy)
//!     .with_resource_account("arn:aws:s3:::amzn-s3-demo-bucket", "111122223333");
//!
//! // The application's part: what each request asks for.
//! let checks = |parts: &http::request::Parts, _body: &[u8]| {
//!     let action = if parts.method == http::Method::GET { "s3:GetObject" } else { "s3:PutObject" };
//!     let resource = format!("arn:aws:s3::{}", parts.uri.path().replacen('/', ":", 1));
//!     Ok(vec![Check::new(action, resource)])
//! };
//!
//! let credentials = StaticCredentials::builder().build()?;
//! let settings = SigV4Settings::default()
//!     .with_service("s3")
//!     .with_unsigned_requests(UnsignedRequests::Anonymous);
//! let service = ServiceBuilder::new()
//!     .layer(SigV4Layer::with_settings(credentials, settings))
//!     .layer(AuthorizeLayer::new(policies, checks))
//!     .service_fn(|req: Request<AuthorizeBody<VerifiedBody<Full<Bytes>>>>| async move {
//!         let decision = req.extensions().get::<DecisionRecord>().expect("decided");
//!         let sid = decision.allowing_statements()[0].sid().unwrap_or("").to_owned();
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(sid))))
//!     });
//!
//! let get = Request::get("/amzn-s3-demo-bucket/cat.jpg").body(Full::default())?;
//! let response = service.clone().oneshot(get).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.into_body().collect().await?.to_bytes(), "PublicRead");
//!
//! let put = Request::put("/amzn-s3-demo-bucket/cat.jpg").body(Full::default())?;
//! let response = service.oneshot(put).await?;
//! assert_eq!(response.status(), 403);
//! let body = response.into_body().collect().await?.to_bytes();
//! assert!(std::str::from_utf8(&body)?.contains("<Code>AccessDenied</Code>"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub mod context;
mod decision;
mod future;
mod layer;
mod service;
mod store;

pub use context::{SecureTransport, SourceIp};
pub use decision::{
    AuthorizeError, AuthorizeErrorKind, AuthorizeSettings, Authorized, Check, CheckDecision,
    RequestChecks,
};
pub use future::ResponseFuture;
pub use layer::{AuthorizeLayer, Authorizer};
pub use service::{AuthorizeBody, AuthorizeService};
pub use store::{
    policy_store_fn, MemoryPolicyStore, PolicyStore, PolicyStoreError, PolicyStoreFn,
    PrincipalPolicies, ResourcePolicies,
};
