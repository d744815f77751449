//! [`GatedResponseFuture`]: the response future of the crate's layers.
//!
//! [`SigV4Service`](crate::SigV4Service) and
//! [`AuthorizeService`](crate::authorize::AuthorizeService) work the same
//! way: a gate (verifying the signature, deciding access) owns the request
//! and either hands it on to the inner service or answers with an error
//! response. One future serves both.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::body::VerifiedBody;
use crate::response::{ErrorBody, ResponseBody};

/// The gate of one request: the request for the inner service, or the error
/// response for the client.
pub(crate) type GateFuture<R> =
    Pin<Box<dyn Future<Output = Result<R, Response<ErrorBody>>> + Send + 'static>>;

/// The response future of [`SigV4Service`](crate::SigV4Service).
pub type ResponseFuture<I, B> = GatedResponseFuture<I, Request<VerifiedBody<B>>>;

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
