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
    case("S3 GET, header, signed hash", t0(), &make, 5);
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
    case("S3 GET, presigned", t0(), &make, 5);
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
    case("KMS POST, buffered body", t0(), &make, 5);
}
