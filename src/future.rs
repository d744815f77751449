//! The response futures of the crate's layers.
//!
//! [`GatedResponseFuture`], the future of
//! [`AuthorizeService`](crate::authorize::AuthorizeService): a gate (deciding
//! access) owns the request and either hands it on to the inner service or
//! answers with an error response.
//!
//! [`ResponseFuture`], the future of [`SigV4Service`](crate::SigV4Service),
//! works the same way, but verifies the request in its own first poll when
//! the credential store answers at once, so that a warm request boxes no
//! future; it falls back to a boxed gate when the store has to be awaited.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use std::sync::Arc;

use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::body::{BoxError, VerifiedBody};
use crate::response::{ErrorBody, ResponseBody};
use crate::verifier::{
    content_length, error_response, BodyRead, Gate, NeedsBodyHash, Verification,
};

/// The gate of one request: the request for the inner service, or the error
/// response for the client.
pub(crate) type GateFuture<R> =
    Pin<Box<dyn Future<Output = Result<R, Response<ErrorBody>>> + Send + 'static>>;

pin_project! {
    /// The response future of the crate's services: first the gate (which
    /// owns the request and awaits the credential or policy store and, when
    /// needed, the body), then the inner service's future with the request
    /// `R` the gate produced.
    pub struct GatedResponseFuture<I, R>
    where
        I: Service<R>,
    {
        #[pin]
        state: State<I, R>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<I, R>
    where
        I: Service<R>,
    {
        Gate {
            gate: GateFuture<R>,
            inner: Option<I>,
        },
        Calling {
            #[pin]
            future: I::Future,
        },
        Done,
    }
}

impl<I, R> GatedResponseFuture<I, R>
where
    I: Service<R>,
{
    pub(crate) fn new(gate: GateFuture<R>, inner: I) -> Self {
        GatedResponseFuture {
            state: State::Gate {
                gate,
                inner: Some(inner),
            },
        }
    }
}

impl<I, R, ResB> Future for GatedResponseFuture<I, R>
where
    I: Service<R, Response = Response<ResB>>,
{
    type Output = Result<Response<ResponseBody<ResB>>, I::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut this = self.as_mut().project();
            match this.state.as_mut().project() {
                StateProj::Gate { gate, inner } => match ready!(gate.as_mut().poll(cx)) {
                    Ok(request) => {
                        // Gate is left right after this take.
                        let mut service = inner.take().expect("the inner service is taken once");
                        let future = service.call(request);
                        this.state.set(State::Calling { future });
                    }
                    Err(response) => {
                        this.state.set(State::Done);
                        return Poll::Ready(Ok(response.map(ResponseBody::error)));
                    }
                },
                StateProj::Calling { future } => {
                    let result = ready!(future.poll(cx));
                    this.state.set(State::Done);
                    return Poll::Ready(result.map(|r| r.map(ResponseBody::inner)));
                }
                StateProj::Done => panic!("GatedResponseFuture polled after completion"),
            }
        }
    }
}

impl<I, R> fmt::Debug for GatedResponseFuture<I, R>
where
    I: Service<R>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Gate { .. } => "gate",
            State::Calling { .. } => "calling",
            State::Done => "done",
        };
        f.debug_struct("GatedResponseFuture")
            .field("state", &state)
            .finish()
    }
}

pin_project! {
    /// The response future of [`SigV4Service`](crate::SigV4Service).
    ///
    /// It verifies the request when first polled. When the credential store
    /// answers at once ([`CredentialStore::lookup_now`](crate::identity::CredentialStore::lookup_now))
    /// and the body is not needed or already there, the request goes to the
    /// inner service in that same poll, and nothing is boxed. A body whose
    /// hash is signed (KMS, STS) and that is still arriving is awaited here;
    /// a store that must be awaited gets a boxed verification future.
    pub struct ResponseFuture<I, B>
    where
        I: Service<Request<VerifiedBody<B>>>,
    {
        #[pin]
        state: SigV4State<I, B>,
    }
}

pin_project! {
    #[project = SigV4Proj]
    enum SigV4State<I, B>
    where
        I: Service<Request<VerifiedBody<B>>>,
    {
        Start {
            gate: Option<Arc<dyn Gate<B>>>,
            request: Option<Request<B>>,
            inner: Option<I>,
        },
        // The signature covers the body's hash, and the body is arriving.
        Reading {
            #[pin]
            body: B,
            gate: Option<Arc<dyn Gate<B>>>,
            parts: Option<Parts>,
            read: BodyRead,
            pending: Option<NeedsBodyHash>,
            inner: Option<I>,
        },
        // The store's answer is awaited.
        Boxed {
            gate: GateFuture<Request<VerifiedBody<B>>>,
            inner: Option<I>,
        },
        Calling {
            #[pin]
            future: I::Future,
        },
        Done,
    }
}

impl<I, B> ResponseFuture<I, B>
where
    I: Service<Request<VerifiedBody<B>>>,
{
    pub(crate) fn new(gate: Arc<dyn Gate<B>>, request: Request<B>, inner: I) -> Self {
        ResponseFuture {
            state: SigV4State::Start {
                gate: Some(gate),
                request: Some(request),
                inner: Some(inner),
            },
        }
    }
}

/// What a step of [`ResponseFuture`] leads to.
// Short-lived, on the stack: boxing the request would cost an allocation.
#[allow(clippy::large_enum_variant)]
enum Next<B> {
    Call(Request<VerifiedBody<B>>),
    Refuse(Response<ErrorBody>),
}

const TAKEN: &str = "ResponseFuture polled after completion";

impl<I, B, ResB> Future for ResponseFuture<I, B>
where
    I: Service<Request<VerifiedBody<B>>, Response = Response<ResB>>,
    B: Body,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<ResponseBody<ResB>>, I::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut this = self.as_mut().project();
            let (next, inner) = match this.state.as_mut().project() {
                SigV4Proj::Start {
                    gate,
                    request,
                    inner,
                } => {
                    let gate = gate.take().expect(TAKEN);
                    let (mut parts, body) = request.take().expect(TAKEN).into_parts();
                    let inner = inner.take();
                    match gate.verify_now(&parts) {
                        None => {
                            let future = gate.authenticate_boxed(Request::from_parts(parts, body));
                            this.state.set(SigV4State::Boxed {
                                gate: future,
                                inner,
                            });
                            continue;
                        }
                        Some(Err(error)) => {
                            (Next::Refuse(error_response(gate.settings(), error)), None)
                        }
                        Some(Ok(Verification::Verified(verified))) => {
                            let body = verified.apply(&mut parts, body);
                            (Next::Call(Request::from_parts(parts, body)), inner)
                        }
                        Some(Ok(Verification::Anonymous(anonymous))) => {
                            let protocol = anonymous.protocol();
                            parts.extensions.insert(anonymous);
                            let body =
                                VerifiedBody::pass_through(body).with_error_protocol(protocol);
                            (Next::Call(Request::from_parts(parts, body)), inner)
                        }
                        Some(Ok(Verification::NeedsBodyHash(pending))) => {
                            let declared = content_length(&parts.headers);
                            let read = match BodyRead::new(&body, pending.max_body_len(), declared)
                            {
                                Ok(read) => read,
                                Err(e) => {
                                    let next = match pending.finish_read(Err(e)) {
                                        Ok(_) => unreachable!("a refused read never verifies"),
                                        Err(error) => error_response(gate.settings(), error),
                                    };
                                    this.state.set(SigV4State::Done);
                                    return Poll::Ready(Ok(next.map(ResponseBody::error)));
                                }
                            };
                            // The body goes where it can be pinned; the rest
                            // joins it only if the body is not all there yet.
                            this.state.set(SigV4State::Reading {
                                body,
                                gate: None,
                                parts: None,
                                read,
                                pending: None,
                                inner,
                            });
                            let SigV4Proj::Reading {
                                body,
                                gate: gate_slot,
                                parts: parts_slot,
                                read,
                                pending: pending_slot,
                                inner,
                            } = this.state.as_mut().project()
                            else {
                                unreachable!("the state was just set")
                            };
                            match read.poll_read(body, cx) {
                                Poll::Pending => {
                                    *pending_slot = Some(pending);
                                    *parts_slot = Some(parts);
                                    *gate_slot = Some(gate);
                                    return Poll::Pending;
                                }
                                Poll::Ready(outcome) => {
                                    let inner = inner.take();
                                    let next = match pending.finish_read(outcome) {
                                        Ok((verified, data)) => {
                                            let body = verified.apply_buffered(&mut parts, data);
                                            Next::Call(Request::from_parts(parts, body))
                                        }
                                        Err(error) => {
                                            Next::Refuse(error_response(gate.settings(), error))
                                        }
                                    };
                                    (next, inner)
                                }
                            }
                        }
                    }
                }
                SigV4Proj::Reading {
                    body,
                    gate,
                    parts,
                    read,
                    pending,
                    inner,
                } => {
                    let outcome = ready!(read.poll_read(body, cx));
                    let gate = gate.take().expect(TAKEN);
                    let mut parts = parts.take().expect(TAKEN);
                    let pending = pending.take().expect(TAKEN);
                    let inner = inner.take();
                    let next = match pending.finish_read(outcome) {
                        Ok((verified, data)) => {
                            let body = verified.apply_buffered(&mut parts, data);
                            Next::Call(Request::from_parts(parts, body))
                        }
                        Err(error) => Next::Refuse(error_response(gate.settings(), error)),
                    };
                    (next, inner)
                }
                SigV4Proj::Boxed { gate, inner } => match ready!(gate.as_mut().poll(cx)) {
                    Ok(request) => (Next::Call(request), inner.take()),
                    Err(response) => (Next::Refuse(response), None),
                },
                SigV4Proj::Calling { future } => {
                    let result = ready!(future.poll(cx));
                    this.state.set(SigV4State::Done);
                    return Poll::Ready(result.map(|r| r.map(ResponseBody::inner)));
                }
                SigV4Proj::Done => panic!("{TAKEN}"),
            };
            match next {
                Next::Call(request) => {
                    let mut service = inner.expect("the inner service is taken once");
                    let future = service.call(request);
                    this.state.set(SigV4State::Calling { future });
                }
                Next::Refuse(response) => {
                    this.state.set(SigV4State::Done);
                    return Poll::Ready(Ok(response.map(ResponseBody::error)));
                }
            }
        }
    }
}

impl<I, B> fmt::Debug for ResponseFuture<I, B>
where
    I: Service<Request<VerifiedBody<B>>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            SigV4State::Start { .. } => "start",
            SigV4State::Reading { .. } => "reading the body",
            SigV4State::Boxed { .. } => "gate",
            SigV4State::Calling { .. } => "calling",
            SigV4State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}
