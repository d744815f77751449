//! [`SigV4Service`]: the tower service.

use std::fmt;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use tower_service::Service;

use crate::body::{BoxError, VerifiedBody};
use crate::future::ResponseFuture;
use crate::identity::CredentialStore;
use crate::layer::SigV4Layer;
use crate::response::ResponseBody;
use crate::verifier::Verifier;

/// Verifies the signature of each request, then calls the inner service with
/// a `Request<VerifiedBody<B>>`. Built by [`SigV4Layer`]; see there for what
/// it does.
pub struct SigV4Service<I, S> {
    inner: I,
    verifier: Verifier<S>,
}

impl<I, S> SigV4Service<I, S> {
    /// Wraps `inner`.
    pub fn new(inner: I, verifier: Verifier<S>) -> Self {
        SigV4Service { inner, verifier }
    }

    /// A [`SigV4Layer`] with the default settings.
    pub fn layer(store: S) -> SigV4Layer<S> {
        SigV4Layer::new(store)
    }

    /// The inner service.
    pub fn get_ref(&self) -> &I {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut I {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> I {
        self.inner
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier<S> {
        &self.verifier
    }
}

impl<I: Clone, S> Clone for SigV4Service<I, S> {
    fn clone(&self) -> Self {
        SigV4Service {
            inner: self.inner.clone(),
            verifier: self.verifier.clone(),
        }
    }
}

impl<I: fmt::Debug, S> fmt::Debug for SigV4Service<I, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Service")
            .field("inner", &self.inner)
            .field("verifier", &self.verifier)
            .finish()
    }
}

impl<I, S, B, ResB> Service<Request<B>> for SigV4Service<I, S>
where
    I: Service<Request<VerifiedBody<B>>, Response = Response<ResB>> + Clone,
    S: CredentialStore + 'static,
    B: Body + Send + 'static,
    B::Error: Into<BoxError>,
    ResB: Body<Data = Bytes>,
{
    type Response = Response<ResponseBody<ResB>>;
    type Error = I::Error;
    type Future = ResponseFuture<I, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The service that was polled ready goes into the future; the clone
        // stays behind for the next request (tower's "be careful when
        // cloning inner services").
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        ResponseFuture::new(self.verifier.gate(), request, inner)
    }
}
