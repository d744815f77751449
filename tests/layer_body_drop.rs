//! Handlers that never read the body, or drop it half way, and requests
//! abandoned mid-verification: no panic, and every request body is dropped
//! (a live-body counter returns to zero).

#[path = "layer_support.rs"]
mod support;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use support::*;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_sigv4::identity::{
    store_fn, Credential, CredentialStore, LookupError, ManualClock, StaticCredentials,
};
use tower_sigv4::{SigV4Layer, SigV4Settings, VerifiedBody};

/// A request body that counts how many of its kind are alive.
struct Counted {
    frames: VecDeque<Bytes>,
    live: Arc<AtomicUsize>,
}

impl Counted {
    fn new(data: &[u8], frame: usize, live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Counted {
            frames: data.chunks(frame).map(Bytes::copy_from_slice).collect(),
            live: Arc::clone(live),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Body for Counted {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.frames.pop_front().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }
}

/// What the handler does with the body.
#[derive(Clone, Copy, Debug)]
enum Handling {
    Ignore,
    OneFrameThenDrop,
    ReadAll,
}

fn service<S: CredentialStore + 'static>(
    store: S,
    at: SystemTime,
    cap: usize,
    handling: Handling,
) -> impl Service<
    Request<Counted>,
    Response = Response<tower_sigv4::ResponseBody<Full<Bytes>>>,
    Error = Infallible,
    Future = impl Future + Send,
> + Clone {
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_service("kms")
        .with_max_buffered_body(cap)
        .with_clock(Arc::new(ManualClock::new(at)));
    ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store, settings))
        .service_fn(move |req: Request<VerifiedBody<Counted>>| async move {
            let mut body = req.into_body();
            let text = match handling {
                Handling::Ignore => "ignored".to_owned(),
                Handling::OneFrameThenDrop => {
                    let first = body.frame().await.map(|f| f.is_ok());
                    drop(body);
                    format!("first frame {first:?}")
                }
                Handling::ReadAll => match body.collect().await {
                    Ok(c) => format!("read {}", c.to_bytes().len()),
                    Err(e) => format!("error {e}"),
                },
            };
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(text))))
        })
}

fn store() -> StaticCredentials {
    StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .build()
        .unwrap()
}

fn s3_put(data: &'static [u8], live: &Arc<AtomicUsize>, secret: &str) -> Request<Counted> {
    let mut req = Request::put("http://localhost/bucket/key")
        .header("host", "localhost")
        .body(Counted::new(data, 3, live))
        .unwrap();
    Signing::new("s3")
        .key(ROOT_AKID, secret)
        .sign(&mut req, SignableBody::Bytes(data));
    req
}

async fn answer<S>(svc: S, req: Request<Counted>) -> (u16, String)
where
    S: Service<
        Request<Counted>,
        Response = Response<tower_sigv4::ResponseBody<Full<Bytes>>>,
        Error = Infallible,
    >,
{
    let response = svc.oneshot(req).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn bodies_never_read_or_dropped_half_way_are_released() {
    const DATA: &[u8] = b"a body of several frames, read or not";
    let live = Arc::new(AtomicUsize::new(0));
    for handling in [
        Handling::Ignore,
        Handling::OneFrameThenDrop,
        Handling::ReadAll,
    ] {
        let svc = service(store(), t0(), 1 << 20, handling);
        let (status, text) = answer(svc.clone(), s3_put(DATA, &live, ROOT_SECRET)).await;
        assert_eq!(status, 200, "{handling:?}: {text}");
        match handling {
            Handling::Ignore => assert_eq!(text, "ignored"),
            Handling::OneFrameThenDrop => assert_eq!(text, "first frame Some(true)"),
            Handling::ReadAll => assert_eq!(text, format!("read {}", DATA.len())),
        }
        drop(svc);
        assert_eq!(live.load(Ordering::SeqCst), 0, "{handling:?}");
    }
}

#[tokio::test]
async fn chunked_bodies_dropped_half_way_are_released() {
    let Some(ex) = chunked_example("chunked-upload-trailer.json") else {
        return;
    };
    let live = Arc::new(AtomicUsize::new(0));
    for handling in [
        Handling::Ignore,
        Handling::OneFrameThenDrop,
        Handling::ReadAll,
    ] {
        let svc = service(store(), s3_example_time(), 1 << 20, handling);
        let body = Counted::new(&ex.encoded, 1000, &live);
        let (status, text) = answer(svc, ex.request(&ex.path, body)).await;
        assert_eq!(status, 200, "{handling:?}: {text}");
        if let Handling::ReadAll = handling {
            assert_eq!(text, "read 66560");
        }
        assert_eq!(live.load(Ordering::SeqCst), 0, "{handling:?}");
    }
}

#[tokio::test]
async fn refused_requests_release_their_bodies() {
    let live = Arc::new(AtomicUsize::new(0));
    // A wrong signature: the layer answers and drops the body unread.
    let svc = service(store(), t0(), 1 << 20, Handling::ReadAll);
    let (status, _) = answer(svc, s3_put(b"payload", &live, "wrong")).await;
    assert_eq!(status, 403);
    assert_eq!(live.load(Ordering::SeqCst), 0);

    // A buffered body over the cap: refused part way through.
    let svc = service(store(), t0(), 8, Handling::ReadAll);
    let mut req = Request::post("http://localhost/")
        .header("host", "localhost")
        .header("x-amz-target", "TrentService.Encrypt")
        .body(Counted::new(
            b"{\"KeyId\":\"alias/too-long-for-the-cap\"}",
            4,
            &live,
        ))
        .unwrap();
    Signing::new("kms").sign(
        &mut req,
        SignableBody::Bytes(b"{\"KeyId\":\"alias/too-long-for-the-cap\"}"),
    );
    let (status, text) = answer(svc, req).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_request_abandoned_during_the_lookup_releases_everything() {
    let live = Arc::new(AtomicUsize::new(0));
    let lookups = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&lookups);
    // A store that never answers, like a database that hangs.
    let hanging = store_fn(move |_akid: &str, _token: Option<&str>| {
        counter.fetch_add(1, Ordering::SeqCst);
        std::future::pending::<Result<Credential, LookupError>>()
    });
    let mut svc = service(hanging, t0(), 1 << 20, Handling::ReadAll);
    let mut future = Box::pin(svc.ready().await.unwrap().call(s3_put(
        b"payload",
        &live,
        ROOT_SECRET,
    )));
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(future.as_mut().poll(&mut cx).is_pending());
    assert_eq!(lookups.load(Ordering::SeqCst), 1);
    assert_eq!(
        live.load(Ordering::SeqCst),
        1,
        "the body waits in the future"
    );
    drop(future);
    assert_eq!(live.load(Ordering::SeqCst), 0);
}
