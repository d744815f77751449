//! [`ResponseFuture`]: the future of [`AuthorizeService`](super::AuthorizeService).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_service::Service;

use super::service::AuthorizeBody;
use crate::response::{ErrorBody, ResponseBody};

/// The decision on one request: the request for the inner service, or the
/// error response for the client.
pub(crate) type DecideFuture<B> = Pin<
    Box<
        dyn Future<Output = Result<Request<AuthorizeBody<B>>, Response<ErrorBody>>>
            + Send
            + 'static,
    >,
>;

pin_project! {
    /// The response future of [`AuthorizeService`](super::AuthorizeService):
    /// first the decision (which awaits the policy store and, when asked to,
    /// reads the body), then the inner service's future.
    pub struct ResponseFuture<I, B>
    where
        I: Service<Request<AuthorizeBody<B>>>,
    {
        #[pin]
        state: State<I, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<I, B>
    where
        I: Service<Request<AuthorizeBody<B>>>,
    {
        Deciding {
            decide: DecideFuture<B>,
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
    I: Service<Request<AuthorizeBody<B>>>,
{
    pub(crate) fn new(decide: DecideFuture<B>, inner: I) -> Self {
        ResponseFuture {
            state: State::Deciding {
                decide,
                inner: Some(inner),
            },
        }
    }
}

impl<I, B, ResB> Future for ResponseFuture<I, B>
where
    I: Service<Request<AuthorizeBody<B>>, Response = Response<ResB>>,
{
    type Output = Result<Response<ResponseBody<ResB>>, I::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            let mut this = self.as_mut().project();
            match this.state.as_mut().project() {
                StateProj::Deciding { decide, inner } => match ready!(decide.as_mut().poll(cx)) {
                    Ok(request) => {
                        // Deciding is left right after this take.
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
                StateProj::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

impl<I, B> fmt::Debug for ResponseFuture<I, B>
where
    I: Service<Request<AuthorizeBody<B>>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Deciding { .. } => "deciding",
            State::Calling { .. } => "calling",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}
