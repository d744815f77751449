//! [`SigV4Layer`]: the tower layer.

use std::fmt;

use tower_layer::Layer;

use crate::service::SigV4Service;
use crate::settings::SigV4Settings;
use crate::verifier::Verifier;

/// Verifies the AWS Signature Version 4 of every request before the inner
/// service sees it.
///
/// The layer holds only configuration (a [`Verifier`]: the settings, the
/// credential store and the signing-key cache, shared behind one reference
/// count) and hands a clone of it to each [`SigV4Service`] it builds.
///
/// # What the inner service receives
///
/// A request verified in every part the client signed:
///
/// - an [`Authenticated`](crate::Authenticated) value in its extensions (the
///   [`Principal`](crate::identity::Principal), access key id, credential
///   scope, signing time, header or presigned, session expiry), or an
///   [`Anonymous`](crate::Anonymous) marker for an unsigned request let
///   through by [`UnsignedRequests::Anonymous`](crate::settings::UnsignedRequests::Anonymous);
/// - a [`VerifiedBody`](crate::body::VerifiedBody) that checks what the
///   signature says about the body as it streams (see [`body`](crate::body));
///   for `aws-chunked` uploads, the decoded body with `Content-Length` and
///   `Content-Encoding` fixed.
///
/// # What the client receives on failure
///
/// An error response, in the protocol of the service the request was
/// scoped to (S3 XML, Query XML, AWS JSON), with the code, status and message
/// AWS answers with, a `Date` header and a request id; the
/// [`AuthError`](crate::AuthError) is in the response extensions. Failures are
/// responses, not service errors, so that axum needs no `HandleErrorLayer`.
/// The codes are listed in [`error`](crate::error).
///
/// # Examples
///
/// With [`tower::ServiceBuilder`](https://docs.rs/tower/latest/tower/struct.ServiceBuilder.html):
///
/// ```
/// use std::convert::Infallible;
/// use bytes::Bytes;
/// use http::{Request, Response};
/// use http_body_util::Full;
/// use tower::ServiceBuilder;
/// use tower_sigv4::body::VerifiedBody;
/// use tower_sigv4::identity::StaticCredentials;
/// use tower_sigv4::settings::SigV4Settings;
/// use tower_sigv4::{Authenticated, SigV4Layer};
///
/// let store = StaticCredentials::builder()
///     .user("arn:aws:iam::111122223333:user/alice", "AKIAI44QH8DHBEXAMPLE", "secret")
///     .build()
///     .unwrap();
/// let service = ServiceBuilder::new()
///     .layer(SigV4Layer::with_settings(
///         store,
///         SigV4Settings::default().with_region("us-east-1").with_service("s3"),
///     ))
///     .service_fn(|req: Request<VerifiedBody<Full<Bytes>>>| async move {
///         let caller = req.extensions().get::<Authenticated>().expect("the layer ran");
///         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(
///             caller.principal().arn().to_owned(),
///         ))))
///     });
/// # let _ = service;
/// ```
///
/// With axum 0.8 (`Router::layer` or `Router::route_layer`) and hyper 1
/// (through `hyper_util::service::TowerToHyperService`), the layer needs no
/// glue either; see the crate docs and `examples/`.
///
/// # Cost per request
///
/// With a warm signing-key cache and a store that answers at once
/// ([`CredentialStore::lookup_now`](crate::identity::CredentialStore::lookup_now):
/// [`StaticCredentials`](crate::identity::StaticCredentials), a
/// [`CachedStore`](crate::identity::CachedStore) hit, a
/// [`SessionStore`](crate::identity::SessionStore)), the request is verified
/// in the first poll of the response future, without boxing a future, and
/// the layer itself makes three heap allocations per request: the request's
/// extension map when [`Authenticated`](crate::Authenticated) is its first
/// entry (`http::Extensions` boxes its map, its table and each value;
/// `Authenticated` lives in that last box). A store that has to be awaited
/// costs one more allocation, for the boxed verification future. The
/// protocol core adds none for a typical header-signed request, and a few
/// for presigned URLs whose parameters hold percent-escapes (four for a
/// typical S3 presigned GET, whose `X-Amz-Credential` escapes its slashes).
/// Bodies read to be hashed are handed on without a copy when they arrive in
/// one frame; `aws-chunked` bodies add their decoder. The counts are
/// asserted by `tests/layer_alloc.rs`. Signing keys come from a cache, so a
/// warm request costs one HMAC, not five.
pub struct SigV4Layer<S> {
    verifier: Verifier<S>,
}

impl<S> SigV4Layer<S> {
    /// A layer with the default settings (any region, any service, ±15
    /// minutes of clock skew, unsigned requests rejected).
    pub fn new(store: S) -> Self {
        SigV4Layer::from_verifier(Verifier::new(store))
    }

    /// A layer with `settings`.
    pub fn with_settings(store: S, settings: SigV4Settings) -> Self {
        SigV4Layer::from_verifier(Verifier::with_settings(store, settings))
    }

    /// A layer around an existing verifier (sharing its store and caches).
    pub fn from_verifier(verifier: Verifier<S>) -> Self {
        SigV4Layer { verifier }
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier<S> {
        &self.verifier
    }
}

impl<S> Clone for SigV4Layer<S> {
    fn clone(&self) -> Self {
        SigV4Layer {
            verifier: self.verifier.clone(),
        }
    }
}

impl<S> fmt::Debug for SigV4Layer<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Layer")
            .field("verifier", &self.verifier)
            .finish()
    }
}

impl<S, I> Layer<I> for SigV4Layer<S> {
    type Service = SigV4Service<I, S>;

    fn layer(&self, inner: I) -> Self::Service {
        SigV4Service::new(inner, self.verifier.clone())
    }
}
