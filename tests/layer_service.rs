//! `SigV4Service` as a tower citizen: readiness passes through, and the inner
//! service that was polled ready is the one that gets the request (tower's
//! "be careful when cloning inner services").

#[path = "layer_support.rs"]
mod support;

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use support::*;
use tower::{Layer, Service, ServiceExt};
use tower_sigv4::identity::{ManualClock, StaticCredentials};
use tower_sigv4::{SigV4Layer, SigV4Settings, VerifiedBody};

/// An inner service that must be polled ready before each call, and whose
/// clones start not ready.
struct Strict {
    ready: bool,
    pending_polls: usize,
}

impl Clone for Strict {
    fn clone(&self) -> Self {
        Strict {
            ready: false,
            pending_polls: self.pending_polls,
        }
    }
}

impl Service<Request<VerifiedBody<Full<Bytes>>>> for Strict {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if self.pending_polls > 0 {
            self.pending_polls -= 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.ready = true;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<VerifiedBody<Full<Bytes>>>) -> Self::Future {
        assert!(self.ready, "called without poll_ready on this instance");
        self.ready = false;
        ready(Ok(Response::new(Full::new(Bytes::from_static(b"ok")))))
    }
}

fn layer() -> SigV4Layer<StaticCredentials> {
    let store = StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .build()
        .unwrap();
    SigV4Layer::with_settings(
        store,
        SigV4Settings::default()
            .with_region("us-east-1")
            .with_clock(Arc::new(ManualClock::new(t0()))),
    )
}

fn request() -> Request<Full<Bytes>> {
    let mut req = Request::get("http://localhost/bucket/key")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(b""));
    req
}

#[tokio::test]
async fn the_ready_inner_service_is_the_one_called() {
    let mut service = layer().layer(Strict {
        ready: false,
        pending_polls: 0,
    });
    for _ in 0..3 {
        let response = service
            .ready()
            .await
            .unwrap()
            .call(request())
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn readiness_of_the_inner_service_passes_through() {
    let mut service = layer().layer(Strict {
        ready: false,
        pending_polls: 2,
    });
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(service.poll_ready(&mut cx).is_pending());
    assert!(service.poll_ready(&mut cx).is_pending());
    assert!(service.poll_ready(&mut cx).is_ready());
    let response = service.call(request()).await.unwrap();
    assert_eq!(response.status(), 200);
}
