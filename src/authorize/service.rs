//! [`AuthorizeService`] and the body it hands on, [`AuthorizeBody`].

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::decision::{AuthorizeError, AuthorizeErrorKind, RequestChecks};
use super::future::ResponseFuture;
use super::layer::Authorizer;
use super::store::PolicyStore;
use crate::body::BoxError;
use crate::policy::DecisionRecord;
use crate::response::{ErrorBody, ErrorProtocol, ResponseBody};
use crate::VerifiedBodyError;

/// Decides each request, then calls the inner service with a
/// `Request<AuthorizeBody<B>>` holding [`Authorized`](super::Authorized) and
/// the first check's [`DecisionRecord`] in its extensions. Built by
/// [`AuthorizeLayer`](super::AuthorizeLayer).
pub struct AuthorizeService<I, P, F> {
    inner: I,
    authorizer: Authorizer<P>,
    checks: Arc<F>,
}

impl<I, P, F> AuthorizeService<I, P, F> {
    pub(crate) fn new(inner: I, authorizer: Authorizer<P>, checks: Arc<F>) -> Self {
        AuthorizeService {
            inner,
            authorizer,
            checks,
        }
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
}

impl<I: Clone, P, F> Clone for AuthorizeService<I, P, F> {
    fn clone(&self) -> Self {
        AuthorizeService {
            inner: self.inner.clone(),
            authorizer: self.authorizer.clone(),
            checks: Arc::clone(&self.checks),
        }
    }
}

impl<I: fmt::Debug, P, F> fmt::Debug for AuthorizeService<I, P, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeService")
            .field("inner", &self.inner)
            .field("authorizer", &self.authorizer)
            .finish_non_exhaustive()
    }
}

fn refuse(error: AuthorizeError) -> Response<ErrorBody> {
    let mut response = error.render();
    response.extensions_mut().insert(error);
    response
}

/// Reads the body for [`RequestChecks`], up to `limit` bytes.
async fn read_body<B>(
    body: B,
    limit: usize,
    protocol: ErrorProtocol,
    now: SystemTime,
) -> Result<(Bytes, Option<HeaderMap>), Response<ErrorBody>>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let trailers = collected.trailers().cloned();
            Ok((collected.to_bytes(), trailers))
        }
        Err(e) => {
            if e.is::<LengthLimitError>() {
                return Err(refuse(AuthorizeError::new(
                    AuthorizeErrorKind::BodyTooLarge,
                    protocol,
                    now,
                    format!("Request body must be no larger than {limit} bytes"),
                )));
            }
            // The signature layer's verdict on the body is the answer.
            if let Some(v) = e.downcast_ref::<VerifiedBodyError>() {
                return Err(v.to_report().render(v.protocol(), now));
            }
            Err(refuse(AuthorizeError::new(
                AuthorizeErrorKind::BodyRead,
                protocol,
                now,
                "The request body terminated unexpectedly".to_owned(),
            )))
        }
    }
}

impl<I, P, F, B, ResB> Service<Request<B>> for AuthorizeService<I, P, F>
where
    I: Service<Request<AuthorizeBody<B>>, Response = Response<ResB>> + Clone,
    P: PolicyStore + 'static,
    F: RequestChecks,
    B: Body<Data = Bytes> + Send + 'static,
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
        // The service polled ready goes into the future; its clone stays.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let authorizer = self.authorizer.clone();
        let checks = Arc::clone(&self.checks);
        ResponseFuture::new(
            Box::pin(async move {
                let (mut parts, body) = request.into_parts();
                let protocol = authorizer.protocol_of(&parts).map_err(refuse)?;
                let now = authorizer.settings().clock().now();
                let (body, bytes) = match authorizer.settings().body_limit {
                    None => (AuthorizeBody::streaming(body), Bytes::new()),
                    Some(limit) => {
                        let (bytes, trailers) = read_body(body, limit, protocol, now).await?;
                        (AuthorizeBody::buffered(bytes.clone(), trailers), bytes)
                    }
                };
                let list = checks
                    .checks(&parts, &bytes)
                    .map_err(|report| report.render(protocol, now))?;
                let authorized = authorizer.authorize(&parts, &list).await.map_err(refuse)?;
                if let Some(first) = authorized.decision() {
                    parts.extensions.insert::<DecisionRecord>(first.clone());
                }
                parts.extensions.insert(authorized);
                Ok(Request::from_parts(parts, body))
            }),
            inner,
        )
    }
}

pin_project! {
    /// The request body the inner service of
    /// [`AuthorizeService`] receives: the body as it came, or, when the
    /// layer read it ([`AuthorizeSettings::with_body_limit`](super::AuthorizeSettings::with_body_limit)),
    /// the bytes it read (and their trailers).
    pub struct AuthorizeBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<B> {
        Streaming { #[pin] body: B },
        Buffered { data: Option<Bytes>, trailers: Option<HeaderMap>, len: u64 },
    }
}

impl<B> AuthorizeBody<B> {
    /// The body as it came.
    pub fn streaming(body: B) -> Self {
        AuthorizeBody {
            kind: Kind::Streaming { body },
        }
    }

    /// A body already read.
    pub fn buffered(data: Bytes, trailers: Option<HeaderMap>) -> Self {
        let len = data.len() as u64;
        AuthorizeBody {
            kind: Kind::Buffered {
                data: (!data.is_empty()).then_some(data),
                trailers,
                len,
            },
        }
    }

    /// The bytes the layer read, while none has been polled out: a handler
    /// can take them without collecting the body.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Buffered { data, .. } => data.as_ref(),
            Kind::Streaming { .. } => None,
        }
    }
}

impl<B> Body for AuthorizeBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.project().kind.project() {
            KindProj::Streaming { body } => body.poll_frame(cx),
            KindProj::Buffered { data, trailers, .. } => Poll::Ready(
                data.take()
                    .map(Frame::data)
                    .or_else(|| trailers.take().map(Frame::trailers))
                    .map(Ok),
            ),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Streaming { body } => body.is_end_stream(),
            Kind::Buffered { data, trailers, .. } => data.is_none() && trailers.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Streaming { body } => body.size_hint(),
            Kind::Buffered { data, len, .. } => {
                SizeHint::with_exact(if data.is_some() { *len } else { 0 })
            }
        }
    }
}

impl<B> fmt::Debug for AuthorizeBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Streaming { .. } => "streaming",
            Kind::Buffered { .. } => "buffered",
        };
        f.debug_struct("AuthorizeBody")
            .field("kind", &kind)
            .finish()
    }
}
