//! The layer's heap allocations per request, counted with a counting global
//! allocator (issue 6's "bounded allocations per request in the layer").
//!
//! Each case runs the same requests through the bare inner service and
//! through `SigV4Layer` in front of it, with a warm signing-key cache, and
//! asserts the difference: what the layer itself costs. The figures are the
//! ones documented on `SigV4Layer` ("Cost per request"). Run with
//! `--nocapture` to see them.

#[path = "layer_support.rs"]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::sync::Arc;

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use support::*;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_sigv4::identity::{ManualClock, StaticCredentials};
use tower_sigv4::{SigV4Layer, SigV4Settings};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call goes to the system allocator unchanged; the counter is a
// const-initialised thread-local, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

type Inner = Full<Bytes>;

async fn drain<B>(req: Request<B>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let mut body = std::pin::pin!(req.into_body());
    while let Some(frame) = body.frame().await {
        frame.expect("a verified body");
    }
    Ok(Response::new(Full::new(Bytes::from_static(b"ok"))))
}

fn settings(at: std::time::SystemTime) -> SigV4Settings {
    SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_service("kms")
        .with_clock(Arc::new(ManualClock::new(at)))
}

fn store() -> StaticCredentials {
    StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .build()
        .unwrap()
}

/// Median allocations of `n` runs of `make()` through `service`.
fn measure<S, ResB>(
    rt: &tokio::runtime::Runtime,
    mut service: S,
    make: &dyn Fn() -> Request<Inner>,
) -> u64
where
    S: Service<Request<Inner>, Response = Response<ResB>, Error = Infallible>,
    ResB: Body<Data = Bytes>,
    ResB::Error: std::fmt::Debug,
{
    let mut runs = Vec::new();
    for i in 0..21 {
        let request = make();
        let before = allocations();
        let status = rt.block_on(async {
            let response = service.ready().await.unwrap().call(request).await.unwrap();
            let status = response.status();
            let _ = response.into_body().collect().await.unwrap();
            status
        });
        let used = allocations() - before;
        assert_eq!(status, 200);
        // The first run warms the signing-key cache and the runtime.
        if i > 0 {
            runs.push(used);
        }
    }
    runs.sort_unstable();
    runs[runs.len() / 2]
}

/// Median allocations of the protocol core alone (parse, check, signature)
/// on `make()`'s request: its own budget, not the layer's.
fn core_allocations(at: std::time::SystemTime, make: &dyn Fn() -> Request<Inner>) -> u64 {
    use sha2::Digest;
    use tower_sigv4::sigv4::{self, RequestView, SigningKey};
    let settings = settings(at);
    let core = settings.verify_settings();
    let mut runs = Vec::new();
    for _ in 0..21 {
        let (parts, body) = make().into_parts();
        let data = futures_lite_collect(body);
        let hash: [u8; 32] = sha2::Sha256::digest(&data).into();
        let key = {
            let view = RequestView::from_parts(&parts);
            let signed = sigv4::parse(&view, core).unwrap().unwrap();
            let scope = signed.scope();
            SigningKey::derive(
                ROOT_SECRET.as_bytes(),
                scope.date(),
                scope.region(),
                scope.service(),
            )
        };
        let before = allocations();
        let view = RequestView::from_parts(&parts);
        let signed = sigv4::parse(&view, core).unwrap().unwrap();
        sigv4::check(&signed, &view, core, at).unwrap();
        sigv4::verify_signature(&signed, &view, &key, Some(&hash)).unwrap();
        drop(signed);
        runs.push(allocations() - before);
    }
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn futures_lite_collect(body: Inner) -> Bytes {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { body.collect().await.unwrap().to_bytes() })
}

/// Asserts that the layer, beyond the protocol core's own allocations, adds
/// at most `budget` allocations per request.
fn case(name: &str, at: std::time::SystemTime, make: &dyn Fn() -> Request<Inner>, budget: u64) {
    let core = core_allocations(at, make);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let bare = measure(&rt, tower::service_fn(drain::<Inner>), make);
    let layered = measure(
        &rt,
        ServiceBuilder::new()
            .layer(SigV4Layer::with_settings(store(), settings(at)))
            .service_fn(drain::<tower_sigv4::VerifiedBody<Inner>>),
        make,
    );
    let added = layered.saturating_sub(bare);
    let shell = added.saturating_sub(core);
    println!(
        "{name}: {added} allocations added by the layer ({bare} without it, {layered} with it), \
         of which {core} in the protocol core and {shell} in the tower shell"
    );
    assert!(
        shell <= budget,
        "{name}: the tower shell added {shell} allocations, over its budget of {budget}"
    );
}

#[test]
fn header_auth_with_a_signed_hash() {
    let make = || {
        let mut req = Request::get("http://localhost/bucket/key")
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        Signing::new("s3").sign(&mut req, SignableBody::Bytes(b""));
        req
    };
    case("S3 GET, header, signed hash", t0(), &make, 3);
}

#[test]
fn presigned_get() {
    let make = || {
        let mut req = Request::get("http://localhost/bucket/key")
            .header("host", "localhost")
            .body(Full::new(Bytes::new()))
            .unwrap();
        Signing::new("s3")
            .presigned(std::time::Duration::from_secs(60))
            .sign(&mut req, SignableBody::UnsignedPayload);
        req
    };
    case("S3 GET, presigned", t0(), &make, 3);
}

#[test]
fn kms_post_with_a_buffered_body() {
    const BODY: &[u8] = br#"{"KeyId":"alias/demo","Plaintext":"aGVsbG8="}"#;
    let make = || {
        let mut req = Request::post("http://localhost/")
            .header("host", "localhost")
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", "TrentService.Encrypt")
            .body(Full::new(Bytes::from_static(BODY)))
            .unwrap();
        Signing::new("kms").sign(&mut req, SignableBody::Bytes(BODY));
        req
    };
    case("KMS POST, buffered body", t0(), &make, 3);
}

// ---------------------------------------------------------------------------
// The slower paths: a body that is not there at the first poll, a store that
// has to be awaited. They verify alike, and cost what is documented.

/// A body whose bytes arrive after one `Pending` (the waker is called).
struct Late {
    data: Option<Bytes>,
    waited: bool,
}

impl Body for Late {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        if !self.waited {
            self.waited = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        std::task::Poll::Ready(self.data.take().map(|d| Ok(http_body::Frame::data(d))))
    }
}

const KMS_BODY: &[u8] = br#"{"KeyId":"alias/demo","Plaintext":"aGVsbG8="}"#;

fn kms_request<B>(body: B, signed_body: &[u8]) -> Request<B> {
    let mut req = Request::post("http://localhost/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "TrentService.Encrypt")
        .body(())
        .unwrap();
    Signing::new("kms").sign(&mut req, SignableBody::Bytes(signed_body));
    let (parts, ()) = req.into_parts();
    Request::from_parts(parts, body)
}

/// Polls `future` to its end on this thread (no runtime, no allocation).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// A future that is pending once.
struct PendingOnce(bool);

impl std::future::Future for PendingOnce {
    type Output = ();
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

/// Status and allocations of one request through `service`, response body
/// read (after a warm-up request from `make`).
fn through<S, B, ResB>(service: &mut S, make: &dyn Fn() -> Request<B>) -> (u16, u64)
where
    S: Service<Request<B>, Response = Response<ResB>>,
    S::Error: std::fmt::Debug,
    ResB: Body,
    ResB::Error: std::fmt::Debug,
{
    let mut run = |request: Request<B>| {
        let before = allocations();
        let status = block_on(async {
            let response = service.ready().await.unwrap().call(request).await.unwrap();
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await.unwrap();
            status
        });
        (status, allocations() - before)
    };
    run(make());
    run(make())
}

#[test]
fn a_late_body_is_awaited_without_a_boxed_future() {
    let late = |data: &'static [u8]| Late {
        data: Some(Bytes::from_static(data)),
        waited: false,
    };
    let mut bare = tower::service_fn(drain::<Late>);
    let mut layered = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store(), settings(t0())))
        .service_fn(drain::<tower_sigv4::VerifiedBody<Late>>);
    let make = || kms_request(late(KMS_BODY), KMS_BODY);
    let (status, bare_n) = through(&mut bare, &make);
    assert_eq!(status, 200);
    let (status, n) = through(&mut layered, &make);
    assert_eq!(status, 200);
    let shell = n.saturating_sub(bare_n);
    println!("KMS POST, body late: {shell} allocations added by the layer");
    assert!(shell <= 3, "{shell} allocations");
    // A body that is not the one signed is refused on this path too.
    let (status, _) = through(&mut layered, &|| {
        kms_request(late(br#"{"KeyId":"alias/other"}"#), KMS_BODY)
    });
    assert_eq!(status, 400);
}

#[test]
fn a_store_that_must_be_awaited_costs_one_boxed_future() {
    use tower_sigv4::identity::{store_fn, CredentialStore};
    let inner = Arc::new(store());
    let awaited = store_fn(move |akid: &str, token: Option<&str>| {
        let found = inner.get(akid, token);
        async move {
            PendingOnce(false).await;
            found
        }
    });
    assert!(!awaited.answers_now());
    assert!(awaited.lookup_now(ROOT_AKID, None).is_none());
    assert!(store().answers_now());
    assert!(store()
        .lookup_now(ROOT_AKID, None)
        .is_some_and(|r| r.is_ok()));
    let mut fast = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store(), settings(t0())))
        .service_fn(drain::<tower_sigv4::VerifiedBody<Inner>>);
    let mut slow = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(awaited, settings(t0())))
        .service_fn(drain::<tower_sigv4::VerifiedBody<Inner>>);
    let make = || kms_request(Full::new(Bytes::from_static(KMS_BODY)), KMS_BODY);
    let (status, fast_n) = through(&mut fast, &make);
    assert_eq!(status, 200);
    let (status, slow_n) = through(&mut slow, &make);
    assert_eq!(status, 200);
    println!(
        "KMS POST: {fast_n} allocations with a store that answers at once, {slow_n} with one \
         awaited"
    );
    assert_eq!(slow_n, fast_n + 1, "the boxed verification future");
}
