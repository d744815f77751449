//! The hostile-input matrix: requests built to hurt, each through the whole
//! layer (`SigV4Layer` over a handler that reads the body to its end),
//! asserting the exact AWS code and status of the refusal and, with a
//! counting global allocator (per thread, this test binary only), that the
//! memory used while handling the input stays under a bound far below the
//! size the input claims or carries.
//!
//! The service is S3 (`s3` in `us-east-1`), so the codes are S3's. A few
//! inputs that `http` cannot carry (raw bytes in the method or path) go
//! through the protocol core directly.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use tower::{Service, ServiceExt};
use tower_sigv4::identity::{ManualClock, StaticCredentials};
use tower_sigv4::replay::{ReplayCache, ReplaySettings};
use tower_sigv4::settings::SigV4Settings;
use tower_sigv4::sigv4::{self, Dialect, ErrorKind, Limits, RequestView, SigningKey};
use tower_sigv4::{AuthError, SigV4Layer, VerifiedBody, VerifiedBodyError};

// ---------------------------------------------------------------------------
// Memory, counted per thread (tests run in parallel; each handles its input
// on its own thread, with a current-thread runtime).

struct Counting;

thread_local! {
    static IN_USE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static TOTAL: Cell<usize> = const { Cell::new(0) };
}

fn record(delta: isize, allocated: usize) {
    let _ = IN_USE.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    let _ = TOTAL.try_with(|t| t.set(t.get() + allocated));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            record(layout.size() as isize, layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        record(-(layout.size() as isize), 0);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            record(
                new_size as isize - layout.size() as isize,
                new_size.saturating_sub(layout.size()),
            );
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Memory used by this thread while `f` ran.
#[derive(Clone, Copy, Debug)]
struct Usage {
    /// Highest number of bytes in use above the level at the start.
    peak: usize,
    /// Bytes allocated in all.
    total: usize,
}

fn measure<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    let start = IN_USE.with(Cell::get);
    PEAK.with(|p| p.set(start));
    TOTAL.with(|t| t.set(0));
    let out = f();
    let usage = Usage {
        peak: (PEAK.with(Cell::get) - start).max(0) as usize,
        total: TOTAL.with(Cell::get),
    };
    (out, usage)
}

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------
// The service under attack.

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "examplebucket.s3.amazonaws.com";
/// 2015-08-30T12:36:00Z.
const T: u64 = 1_440_938_160;
const DATE: &str = "20150830T123600Z";
const SCOPE: &str = "20150830/us-east-1/s3/aws4_request";
const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

/// What the handler saw.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// The request reached the handler and its body read to the end.
    Handled { body_bytes: u64 },
    /// The layer refused the request: the AWS code and status.
    Refused(String, u16),
    /// The request reached the handler and its body failed: the AWS code.
    BodyFailed(String),
}

/// A body delivered from a queue of frames, possibly generated on the fly.
struct FrameBody {
    frames: VecDeque<Bytes>,
    /// Frames generated after the queue: (template frames, times).
    repeat: Option<(Vec<Bytes>, usize)>,
    next: usize,
}

impl FrameBody {
    fn new(frames: Vec<Bytes>) -> Self {
        FrameBody {
            frames: frames.into(),
            repeat: None,
            next: 0,
        }
    }

    fn bytes(data: impl Into<Bytes>) -> Self {
        FrameBody::new(vec![data.into()])
    }

    fn empty() -> Self {
        FrameBody::new(Vec::new())
    }

    /// `template` (its frames in order), `times` times: a stream that never
    /// holds more than one frame.
    fn repeating(template: Vec<Bytes>, times: usize) -> Self {
        FrameBody {
            frames: VecDeque::new(),
            repeat: Some((template, times)),
            next: 0,
        }
    }
}

impl Body for FrameBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if let Some(frame) = self.frames.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(frame))));
        }
        let this = &mut *self;
        if let Some((template, times)) = &this.repeat {
            let total = template.len() * times;
            if this.next < total {
                let frame = template[this.next % template.len()].clone();
                this.next += 1;
                return Poll::Ready(Some(Ok(Frame::data(frame))));
            }
        }
        Poll::Ready(None)
    }
}

struct Target {
    rt: tokio::runtime::Runtime,
    clock: Arc<ManualClock>,
    settings: SigV4Settings,
}

impl Target {
    fn new() -> Target {
        Target::with(|s| s)
    }

    fn with(configure: impl FnOnce(SigV4Settings) -> SigV4Settings) -> Target {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T)));
        let settings = configure(
            SigV4Settings::default()
                .with_region("us-east-1")
                .with_service("s3")
                .with_clock(clock.clone()),
        );
        Target {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            clock,
            settings,
        }
    }

    fn store() -> StaticCredentials {
        StaticCredentials::builder()
            .root("111122223333", AKID, SECRET)
            .root(
                "444455556666",
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
            .build()
            .unwrap()
    }

    /// Sends `req` through the layer (built inside the measurement, as a
    /// server would have built it once: its own allocations are small and
    /// counted against the bound too).
    fn send(&self, req: Request<FrameBody>) -> (Outcome, Usage) {
        let layer = SigV4Layer::with_settings(Target::store(), self.settings.clone());
        measure(|| {
            self.rt.block_on(async {
                let handler =
                    tower::service_fn(|req: Request<VerifiedBody<FrameBody>>| async move {
                        let mut body = req.into_body();
                        let mut n = 0u64;
                        // Frame by frame, keeping nothing: what the layer holds is
                        // what is measured.
                        while let Some(frame) = body.frame().await {
                            match frame {
                                Ok(f) => n += f.data_ref().map_or(0, |d| d.len() as u64),
                                Err(e) => {
                                    let code = e
                                        .downcast_ref::<VerifiedBodyError>()
                                        .map(|e| e.code().to_owned())
                                        .unwrap_or_else(|| format!("unexpected: {e}"));
                                    return Ok::<_, Infallible>(Response::new(
                                        HandlerResult::from(Err(code)),
                                    ));
                                }
                            }
                        }
                        Ok(Response::new(HandlerResult::from(Ok(n))))
                    });
                let mut svc = tower::ServiceBuilder::new().layer(layer).service(handler);
                let response = svc.ready().await.unwrap().call(req).await.unwrap();
                let status = response.status().as_u16();
                if let Some(e) = response.extensions().get::<AuthError>() {
                    let code = e.code().into_owned();
                    // The rendered body names the same code.
                    let body = response.into_body().collect().await.unwrap().to_bytes();
                    let text = String::from_utf8_lossy(&body);
                    assert!(
                        text.contains(&format!("<Code>{code}</Code>")),
                        "the error body does not carry {code}: {text}"
                    );
                    return Outcome::Refused(code, status);
                }
                let body = response.into_body().collect().await.unwrap().to_bytes();
                Outcome::from_handler_body(&body)
            })
        })
    }
}

impl Outcome {
    /// The layer's response body wraps the handler's `Result` (a `ResponseBody`
    /// over `Result<u64, String>` is not a body); the handler's result is
    /// carried through a small text encoding instead.
    fn from_handler_body(body: &[u8]) -> Outcome {
        let text = String::from_utf8_lossy(body);
        match text.split_once(':') {
            Some(("ok", n)) => Outcome::Handled {
                body_bytes: n.parse().unwrap(),
            },
            Some(("body", code)) => Outcome::BodyFailed(code.to_owned()),
            _ => panic!("unexpected handler response {text:?}"),
        }
    }
}

/// `Result<u64, String>` as a response body: `ok:<n>` or `body:<code>`.
impl Body for HandlerResult {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|b| Ok(Frame::data(b))))
    }
}

struct HandlerResult(Option<Bytes>);

impl From<Result<u64, String>> for HandlerResult {
    fn from(r: Result<u64, String>) -> Self {
        HandlerResult(Some(Bytes::from(match r {
            Ok(n) => format!("ok:{n}"),
            Err(code) => format!("body:{code}"),
        })))
    }
}

// ---------------------------------------------------------------------------
// Requests

fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &[u8])],
    body: FrameBody,
) -> Request<FrameBody> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap();
    for (n, v) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_bytes(v).unwrap(),
        );
    }
    req
}

fn authorization(credential: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// A header-signed GET with these headers (host, x-amz-date and
/// x-amz-content-sha256 are added unless given).
fn header_request(extra: &[(&str, &[u8])]) -> Request<FrameBody> {
    let mut headers: Vec<(&str, &[u8])> = vec![("host", HOST.as_bytes())];
    if !extra.iter().any(|(n, _)| *n == "x-amz-date") {
        headers.push(("x-amz-date", DATE.as_bytes()));
    }
    if !extra.iter().any(|(n, _)| *n == "x-amz-content-sha256") {
        headers.push(("x-amz-content-sha256", b"UNSIGNED-PAYLOAD"));
    }
    headers.extend_from_slice(extra);
    request("GET", "/object", &headers, FrameBody::empty())
}

fn good_authorization() -> String {
    authorization(
        &format!("{AKID}/{SCOPE}"),
        "host;x-amz-content-sha256;x-amz-date",
        SIG,
    )
}

/// The presigned query parameters of a request, in the order given, with
/// `replace` applied (a parameter set to `None` is left out).
fn presigned_query(replace: &[(&str, Option<&str>)]) -> String {
    let mut params = vec![
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256".to_owned()),
        (
            "X-Amz-Credential",
            format!("{AKID}%2F20150830%2Fus-east-1%2Fs3%2Faws4_request"),
        ),
        ("X-Amz-Date", DATE.to_owned()),
        ("X-Amz-Expires", "3600".to_owned()),
        ("X-Amz-SignedHeaders", "host".to_owned()),
        ("X-Amz-Signature", SIG.to_owned()),
    ];
    for (name, value) in replace {
        match params.iter().position(|(n, _)| n == name) {
            Some(i) => match value {
                Some(v) => params[i].1 = (*v).to_owned(),
                None => {
                    params.remove(i);
                }
            },
            None => params.push((name, value.unwrap_or_default().to_owned())),
        }
    }
    params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn presigned_request(replace: &[(&str, Option<&str>)]) -> Request<FrameBody> {
    request(
        "GET",
        &format!("/object?{}", presigned_query(replace)),
        &[("host", HOST.as_bytes())],
        FrameBody::empty(),
    )
}

/// A request signed by `aws-sigv4` for S3 at `T`: header signature (or
/// presigned for an hour), `body_mode` as the payload.
fn aws_signed(
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body_mode: SignableBody<'_>,
    presigned: bool,
) -> (String, Vec<(String, String)>) {
    let identity: Identity = Credentials::new(AKID, SECRET, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    if presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(3600));
    } else {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(T))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let url = format!("https://{HOST}{path_and_query}");
    let signable =
        SignableRequest::new(method, url.as_str(), headers.iter().copied(), body_mode).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = Request::builder()
        .method(method)
        .uri(url.as_str())
        .body(())
        .unwrap();
    for (n, v) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    instructions.apply_to_request_http1x(&mut req);
    let mut out = vec![("host".to_owned(), HOST.to_owned())];
    out.extend(
        req.headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned())),
    );
    (req.uri().path_and_query().unwrap().as_str().to_owned(), out)
}

fn build(
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: FrameBody,
) -> Request<FrameBody> {
    let refs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    request(method, target, &refs, body)
}

/// An `aws-chunked` upload in `STREAMING-UNSIGNED-PAYLOAD-TRAILER` framing,
/// signed by aws-sigv4, with any body.
fn unsigned_chunked_upload(decoded_length: u64, body: FrameBody) -> Request<FrameBody> {
    let len = decoded_length.to_string();
    let (target, headers) = aws_signed(
        "PUT",
        "/upload",
        &[
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", &len),
            ("x-amz-trailer", "x-amz-checksum-crc32"),
        ],
        SignableBody::StreamingUnsignedPayloadTrailer,
        false,
    );
    build("PUT", &target, &headers, body)
}

/// The headers of the S3 worked example with signed chunks (its seed
/// signature verifies at 2013-05-24), for bodies that lie.
fn signed_chunked_upload(target: &Target, body: FrameBody) -> Option<Request<FrameBody>> {
    let path = common::shared_path("test-suites/s3-examples/chunked-upload.json")?;
    let case: serde_json::Value = serde_json::from_slice(&common::read(&path)).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let mut headers: Vec<(String, String)> = case["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (s(&h[0]).to_ascii_lowercase(), s(&h[1])))
        .collect();
    let expected = &case["expected"];
    headers.push((
        "authorization".into(),
        authorization(
            &format!(
                "{}/20130524/us-east-1/s3/aws4_request",
                s(&case["access_key_id"])
            ),
            &s(&expected["signed_headers"]),
            &s(&expected["seed_signature"]),
        ),
    ));
    target
        .clock
        .set(UNIX_EPOCH + Duration::from_secs(1_369_353_600));
    Some(build("PUT", &s(&case["path"]), &headers, body))
}

/// Asserts a refusal with `code` and `status`, within `bound` bytes of peak memory.
#[track_caller]
fn assert_refused(result: (Outcome, Usage), code: &str, status: u16, bound: usize) {
    let (outcome, usage) = result;
    if std::env::var_os("HOSTILE_VERBOSE").is_some() {
        eprintln!(
            "{code}: peak {} bytes, {} allocated",
            usage.peak, usage.total
        );
    }
    assert_eq!(
        outcome,
        Outcome::Refused(code.to_owned(), status),
        "{usage:?}"
    );
    assert!(
        usage.peak < bound,
        "{code}: {} bytes in use at the peak, bound {bound}",
        usage.peak
    );
}

#[track_caller]
fn assert_body_failed(result: (Outcome, Usage), code: &str, bound: usize) {
    let (outcome, usage) = result;
    if std::env::var_os("HOSTILE_VERBOSE").is_some() {
        eprintln!(
            "{code} (body): peak {} bytes, {} allocated",
            usage.peak, usage.total
        );
    }
    assert_eq!(outcome, Outcome::BodyFailed(code.to_owned()), "{usage:?}");
    assert!(
        usage.peak < bound,
        "{code}: {} bytes in use at the peak, bound {bound}",
        usage.peak
    );
}

/// What a refusal costs at most, whatever the input: the layer's response,
/// the error and its rendering.
const SMALL: usize = 32 * KIB;

// ---------------------------------------------------------------------------
// Sizes

#[test]
fn a_64_kib_authorization_header() {
    let t = Target::new();
    let padded = authorization(
        &format!("{}/{SCOPE}", "A".repeat(64 * KIB)),
        "host;x-amz-content-sha256;x-amz-date",
        SIG,
    );
    let req = header_request(&[("authorization", padded.as_bytes())]);
    // The header itself (64 KiB) was allocated before; handling it costs
    // far less than one copy.
    assert_refused(t.send(req), "RequestHeaderSectionTooLarge", 400, SMALL);
}

#[test]
fn ten_thousand_signed_headers() {
    let names: Vec<String> = (0..10_000).map(|i| format!("x-h{i:05}")).collect();
    let mut list = names.clone();
    list.extend(["host", "x-amz-content-sha256", "x-amz-date"].map(String::from));
    list.sort();
    let auth = authorization(&format!("{AKID}/{SCOPE}"), &list.join(";"), SIG);
    let mut headers: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"v"[..])).collect();
    headers.push(("authorization", auth.as_bytes()));

    // Over the Authorization length bound first (the list alone is 70 KB).
    let t = Target::new();
    assert_refused(
        t.send(header_request(&headers)),
        "RequestHeaderSectionTooLarge",
        400,
        SMALL,
    );

    // With that bound raised, the signed-header count bound.
    let t = Target::with(|s| s.with_limits(Limits::default().with_max_authorization_len(MIB)));
    assert_refused(
        t.send(header_request(&headers)),
        "RequestHeaderSectionTooLarge",
        400,
        SMALL,
    );
}

#[test]
fn ten_thousand_query_parameters() {
    let t = Target::new();
    // Short pairs, so that the URI stays under what `http::Uri` holds (64 KiB).
    let query: Vec<String> = (0..10_000).map(|i| format!("k{}=v", i % 10)).collect();
    let req = request(
        "GET",
        &format!("/object?{}", query.join("&")),
        &[
            ("host", HOST.as_bytes()),
            ("x-amz-date", DATE.as_bytes()),
            ("x-amz-content-sha256", b"UNSIGNED-PAYLOAD"),
            ("authorization", good_authorization().as_bytes()),
        ],
        FrameBody::empty(),
    );
    assert_refused(t.send(req), "MaxMessageLengthExceeded", 400, SMALL);

    // Presigned, the parameters before the signature's own.
    let req = request(
        "GET",
        &format!("/object?{}&{}", query.join("&"), presigned_query(&[])),
        &[("host", HOST.as_bytes())],
        FrameBody::empty(),
    );
    assert_refused(t.send(req), "MaxMessageLengthExceeded", 400, SMALL);
}

#[test]
fn a_100_kb_session_token() {
    let token = "T".repeat(100_000);
    let t = Target::new();
    let auth = authorization(
        &format!("{AKID}/{SCOPE}"),
        "host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
        SIG,
    );
    let req = header_request(&[
        ("x-amz-security-token", token.as_bytes()),
        ("authorization", auth.as_bytes()),
    ]);
    assert_refused(t.send(req), "RequestHeaderSectionTooLarge", 400, SMALL);

    // In a presigned URL: `http::Uri` holds no URI over 64 KiB, so such a
    // request never reaches a tower layer; a server with its own parser
    // hands the core the raw bytes. The URI length bound (64 KiB) comes
    // first, and with it raised, the token bound.
    let query = presigned_query(&[("X-Amz-Security-Token", Some(&token))]);
    assert!(http::Uri::try_from(format!("/object?{query}")).is_err());
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    for (limits, kind_code) in [
        (Limits::default(), "MaxMessageLengthExceeded"),
        (
            Limits::default().with_max_uri_len(MIB),
            "RequestHeaderSectionTooLarge",
        ),
    ] {
        let settings = sigv4::VerifySettings::default().with_limits(limits);
        let view = RequestView::new(b"GET", b"/object", query.as_bytes(), &headers);
        let (e, usage) = measure(|| sigv4::parse(&view, &settings).unwrap_err());
        assert_eq!(e.kind(), ErrorKind::TooLarge);
        assert_eq!(e.aws_code(Dialect::S3), kind_code);
        assert!(usage.peak < 4 * KIB, "{usage:?}");
    }
}

// ---------------------------------------------------------------------------
// Invalid UTF-8 and NUL bytes in every field

#[test]
fn invalid_utf8_in_each_header_field() {
    let t = Target::new();
    let with_byte = |at: &str, byte: u8| -> Vec<u8> {
        let auth = good_authorization();
        let i = auth.find(at).unwrap() + at.len();
        let mut v = auth.into_bytes();
        v.insert(i, byte);
        v
    };
    for (what, auth) in [
        ("credential", with_byte("Credential=AKID", 0xFF)),
        ("signed headers", with_byte("SignedHeaders=host", 0xFE)),
        ("signature", with_byte("Signature=5f", 0x80)),
        ("scheme", with_byte("AWS4-HMAC", 0xC3)),
    ] {
        let req = header_request(&[("authorization", &auth)]);
        let (outcome, usage) = t.send(req);
        // A value that is not text cannot be parsed, whichever part holds
        // the byte.
        assert_eq!(
            outcome,
            Outcome::Refused("AuthorizationHeaderMalformed".into(), 400),
            "{what}"
        );
        assert!(usage.peak < SMALL, "{what}: {usage:?}");
    }

    let auth = good_authorization();
    // The date header.
    let req = header_request(&[
        ("x-amz-date", b"20150830T12\xff600Z"),
        ("authorization", auth.as_bytes()),
    ]);
    assert_refused(t.send(req), "AccessDenied", 403, SMALL);
    // The payload hash.
    let req = header_request(&[
        ("x-amz-content-sha256", b"UNSIGNED-PAYLOAD\xff"),
        ("authorization", auth.as_bytes()),
    ]);
    assert_refused(t.send(req), "InvalidArgument", 400, SMALL);
    // The session token.
    let auth_token = authorization(
        &format!("{AKID}/{SCOPE}"),
        "host;x-amz-content-sha256;x-amz-date;x-amz-security-token",
        SIG,
    );
    let req = header_request(&[
        ("x-amz-security-token", b"tok\xffen"),
        ("authorization", auth_token.as_bytes()),
    ]);
    assert_refused(t.send(req), "InvalidToken", 400, SMALL);
}

#[test]
fn invalid_utf8_and_nul_in_signed_values_only_fail_the_signature() {
    // A request signed by aws-sigv4, then one signed part given a byte that
    // is not UTF-8 (or a NUL, where the field can carry one): refused as a
    // signature mismatch, never a panic.
    let t = Target::new();
    let (target, headers) = aws_signed(
        "GET",
        "/object?k=v",
        &[("x-amz-meta-note", "hello")],
        SignableBody::UnsignedPayload,
        false,
    );
    let ok = build("GET", &target, &headers, FrameBody::empty());
    assert_eq!(t.send(ok).0, Outcome::Handled { body_bytes: 0 });

    let with_header = |name: &str, value: &[u8]| {
        let mut req = build("GET", &target, &headers, FrameBody::empty());
        req.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
        req
    };
    for (name, value) in [
        ("host", &b"examplebucket\xff.s3.amazonaws.com"[..]),
        ("x-amz-meta-note", b"hel\xfflo"),
        ("x-amz-meta-note", b"\x80\x81\xfe"),
    ] {
        assert_refused(
            t.send(with_header(name, value)),
            "SignatureDoesNotMatch",
            403,
            SMALL,
        );
    }
    for other in [
        "/object?k=%FF",
        "/object?k=%00",
        "/object?%FF=v",
        "/object?k%00=v",
        "/obj%00ect?k=v",
        "/obj%FFect?k=v",
    ] {
        let req = build("GET", other, &headers, FrameBody::empty());
        assert_refused(t.send(req), "SignatureDoesNotMatch", 403, SMALL);
    }
    // `http` refuses NUL and line breaks in a header value: such a request
    // never reaches a layer.
    assert!(HeaderValue::from_bytes(b"a\0b").is_err());
    assert!(HeaderValue::from_bytes(b"a\nb").is_err());
}

#[test]
fn raw_bytes_in_method_and_path_reach_the_core_without_harm() {
    // Bytes that `http::Uri` and `http::Method` refuse, given to the core as
    // a server with its own parser might: refused as a mismatch, no panic.
    let settings = sigv4::VerifySettings::default().with_region("us-east-1");
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    headers.insert("x-amz-date", HeaderValue::from_static(DATE));
    headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    headers.insert(
        "authorization",
        HeaderValue::from_str(&good_authorization()).unwrap(),
    );
    let key = SigningKey::derive(SECRET.as_bytes(), "20150830", "us-east-1", "s3");
    for (method, path, query) in [
        (&b"GET"[..], &b"/a\0b"[..], &b""[..]),
        (b"GET", b"/\xff\xfe/\x00", b"\x00=\xff"),
        (b"G\0T", b"/", b""),
        (b"\xff", b"/ space /\r\n", b"a b=c d"),
    ] {
        let view = RequestView::new(method, path, query, &headers);
        let ((), usage) = measure(|| {
            let signed = sigv4::parse(&view, &settings).unwrap().unwrap();
            sigv4::check(
                &signed,
                &view,
                &settings,
                UNIX_EPOCH + Duration::from_secs(T),
            )
            .unwrap();
            let e = sigv4::verify_signature(&signed, &view, &key, None).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::SignatureMismatch);
            assert_eq!(e.aws_code(Dialect::S3), "SignatureDoesNotMatch");
        });
        assert!(usage.peak < 4 * KIB, "{usage:?}");
    }
}

#[test]
fn invalid_utf8_and_nul_in_each_presigned_parameter() {
    let t = Target::new();
    for (param, value, code, status) in [
        (
            "X-Amz-Algorithm",
            "AWS4-HMAC-SHA256%FF",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Algorithm",
            "%00",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Credential",
            "AKID%FF%2F20150830%2Fus-east-1%2Fs3%2Faws4_request",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Credential",
            "AKID%2F2015%0030%2Fus-east-1%2Fs3%2Faws4_request",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Date",
            "20150830T1236%00Z",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Date",
            "%FF",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Expires",
            "36%000",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Expires",
            "%FF",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-SignedHeaders",
            "host%00",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-SignedHeaders",
            "ho%FFst",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Signature",
            "%FF",
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            "X-Amz-Signature",
            "%00",
            "AuthorizationQueryParametersError",
            400,
        ),
        ("X-Amz-Security-Token", "tok%00en", "InvalidToken", 400),
        ("X-Amz-Security-Token", "tok%FFen", "InvalidToken", 400),
    ] {
        let req = presigned_request(&[(param, Some(value))]);
        let (outcome, usage) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused(code.into(), status),
            "{param}={value}"
        );
        assert!(usage.peak < SMALL, "{param}={value}: {usage:?}");
    }
}

// ---------------------------------------------------------------------------
// aws-chunked bodies that lie

#[test]
fn a_chunk_declaring_two_to_the_63_bytes() {
    let t = Target::new();
    let req = unsigned_chunked_upload(
        10,
        FrameBody::bytes(&b"8000000000000000\r\n0123456789\r\n0\r\n\r\n"[..]),
    );
    assert_body_failed(t.send(req), "EntityTooLarge", SMALL);
}

#[test]
fn a_chunk_declaring_more_than_the_body_holds() {
    // 63 MiB declared (under the 64 MiB chunk bound), 10 bytes sent, then the
    // body ends: nothing of the declared size is allocated.
    let t = Target::new();
    let req = unsigned_chunked_upload(0x3f0_0000, FrameBody::bytes(&b"3f00000\r\n0123456789"[..]));
    assert_body_failed(t.send(req), "IncompleteBody", 64 * KIB);

    // Signed chunks are held until their signature checks: the buffer still
    // grows only with what arrives.
    let t = Target::new();
    let body = format!("3f00000;chunk-signature={}\r\n0123456789", "0".repeat(64));
    if let Some(req) = signed_chunked_upload(&t, FrameBody::bytes(body)) {
        assert_body_failed(t.send(req), "IncompleteBody", 64 * KIB);
    }
}

#[test]
fn a_chunk_size_that_overflows() {
    let t = Target::new();
    for size in ["1ffffffffffffffff", "ffffffffffffffffffffffffffffffff"] {
        let req = unsigned_chunked_upload(
            10,
            FrameBody::bytes(format!("{size}\r\n0123456789\r\n0\r\n\r\n")),
        );
        assert_body_failed(t.send(req), "IncompleteBody", SMALL);
    }
    // A chunk-size line that never ends.
    let req = unsigned_chunked_upload(
        10,
        FrameBody::repeating(vec![Bytes::from_static(b"f")], 1 << 20),
    );
    assert_body_failed(t.send(req), "IncompleteBody", SMALL);
}

#[test]
fn an_endless_chunk_stream_without_a_final_chunk() {
    // 16 MiB in 64 KiB chunks, generated as they are read, no final chunk:
    // the layer holds about one chunk at a time, hands every byte to the
    // handler, and fails the body when it ends.
    static DATA: [u8; 64 * 1024] = [b'a'; 64 * 1024];
    let chunks = 256;
    let t = Target::new();
    let req = unsigned_chunked_upload(
        u64::MAX / 2,
        FrameBody::repeating(
            vec![
                Bytes::from_static(b"10000\r\n"),
                Bytes::from_static(&DATA),
                Bytes::from_static(b"\r\n"),
            ],
            chunks,
        ),
    );
    let (outcome, usage) = t.send(req);
    assert_eq!(outcome, Outcome::BodyFailed("IncompleteBody".into()));
    assert!(usage.peak < 512 * KIB, "{usage:?}");
    eprintln!(
        "endless stream: {} MiB streamed, peak {} KiB in use, {} KiB allocated in all",
        chunks * 64 / 1024,
        usage.peak / KIB,
        usage.total / KIB
    );
}

// ---------------------------------------------------------------------------
// Wrong algorithms, SigV2, SigV4a

#[test]
fn wrong_algorithms() {
    let t = Target::new();
    for (auth, code) in [
        (
            good_authorization().replace("SHA256", "SHA512"),
            "InvalidArgument",
        ),
        (
            "Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo".into(),
            "InvalidArgument",
        ),
        ("Basic QUtJREVYQU1QTEU6c2VjcmV0".into(), "InvalidArgument"),
        (
            good_authorization().replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"),
            "InvalidRequest",
        ),
    ] {
        let req = header_request(&[("authorization", auth.as_bytes())]);
        let status = 400;
        assert_refused(t.send(req), code, status, SMALL);
    }
    for algorithm in ["AWS4-HMAC-SHA1", "AWS4-HMAC-SHA512", "aws4-hmac-sha256", ""] {
        let req = presigned_request(&[("X-Amz-Algorithm", Some(algorithm))]);
        assert_refused(t.send(req), "AuthorizationQueryParametersError", 400, SMALL);
    }
    let req = presigned_request(&[("X-Amz-Algorithm", Some("AWS4-ECDSA-P256-SHA256"))]);
    assert_refused(t.send(req), "InvalidRequest", 400, SMALL);
}

#[test]
fn sigv2_requests() {
    let t = Target::new();
    let req = header_request(&[(
        "authorization",
        b"AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
    )]);
    assert_refused(t.send(req), "InvalidRequest", 400, SMALL);
    let req = request(
        "GET",
        "/object?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D",
        &[("host", HOST.as_bytes())],
        FrameBody::empty(),
    );
    assert_refused(t.send(req), "InvalidRequest", 400, SMALL);
}

// ---------------------------------------------------------------------------
// Dates, scopes, repeated and conflicting parameters, expiry

#[test]
fn malformed_dates() {
    let t = Target::new();
    for date in [
        "20150830T123600",
        "2015-08-30T12:36:00Z",
        "20151330T123600Z",
        "20150230T123600Z",
        "20150830T246000Z",
        "20150830T123660Z",
        "99999999T999999Z",
        "",
        "20150830T123600Z ",
        "+0150830T123600Z",
    ] {
        let req = header_request(&[
            ("x-amz-date", date.as_bytes()),
            ("authorization", good_authorization().as_bytes()),
        ]);
        let (outcome, _) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused("AccessDenied".into(), 403),
            "x-amz-date {date:?}"
        );
        let encoded = date.replace(' ', "%20").replace('+', "%2B");
        let req = presigned_request(&[("X-Amz-Date", Some(&encoded))]);
        let (outcome, _) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused("AuthorizationQueryParametersError".into(), 400),
            "X-Amz-Date {date:?}"
        );
    }
    // The Date header, when it carries the date: an HTTP date or nothing.
    let req = request(
        "GET",
        "/object",
        &[
            ("host", HOST.as_bytes()),
            ("date", b"Sun, 30 Aug 2015 12:36:00 XYZ"),
            ("x-amz-content-sha256", b"UNSIGNED-PAYLOAD"),
            (
                "authorization",
                authorization(
                    &format!("{AKID}/{SCOPE}"),
                    "date;host;x-amz-content-sha256",
                    SIG,
                )
                .as_bytes(),
            ),
        ],
        FrameBody::empty(),
    );
    assert_refused(t.send(req), "AccessDenied", 403, SMALL);
}

#[test]
fn scopes_with_extra_or_missing_parts() {
    let t = Target::new();
    for credential in [
        format!("{AKID}/20150830/us-east-1/s3"),
        format!("{AKID}/20150830/us-east-1/s3/aws4_request/extra"),
        format!("{AKID}/20150830/s3/aws4_request"),
        "/20150830/us-east-1/s3/aws4_request".to_owned(),
        format!("{AKID}/2015083/us-east-1/s3/aws4_request"),
        format!("{AKID}/20150830//s3/aws4_request"),
        format!("{AKID}/20150830/us-east-1/s3/aws5_request"),
        AKID.to_owned(),
        String::new(),
    ] {
        let auth = authorization(&credential, "host;x-amz-content-sha256;x-amz-date", SIG);
        let req = header_request(&[("authorization", auth.as_bytes())]);
        let (outcome, _) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused("AuthorizationHeaderMalformed".into(), 400),
            "Credential={credential}"
        );
        let encoded = credential.replace('/', "%2F");
        let req = presigned_request(&[("X-Amz-Credential", Some(&encoded))]);
        let (outcome, _) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused("AuthorizationQueryParametersError".into(), 400),
            "X-Amz-Credential={credential}"
        );
    }
}

#[test]
fn repeated_parameters() {
    let t = Target::new();
    for param in [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ] {
        let query = presigned_query(&[]);
        let first = query
            .split('&')
            .find(|p| p.starts_with(&format!("{param}=")))
            .unwrap();
        let req = request(
            "GET",
            &format!("/object?{query}&{first}"),
            &[("host", HOST.as_bytes())],
            FrameBody::empty(),
        );
        assert_refused(t.send(req), "AuthorizationQueryParametersError", 400, SMALL);
    }
    // Twice the token.
    let req = presigned_request(&[("X-Amz-Security-Token", Some("a"))]);
    let uri = format!("{}&X-Amz-Security-Token=b", req.uri());
    let req = request(
        "GET",
        &uri,
        &[("host", HOST.as_bytes())],
        FrameBody::empty(),
    );
    assert_refused(t.send(req), "AuthorizationQueryParametersError", 400, SMALL);
    // Twice a parameter inside the Authorization header, and the header twice.
    let auth = format!("{}, Signature={SIG}", good_authorization());
    let req = header_request(&[("authorization", auth.as_bytes())]);
    assert_refused(t.send(req), "AuthorizationHeaderMalformed", 400, SMALL);
    let auth = good_authorization();
    let req = header_request(&[
        ("authorization", auth.as_bytes()),
        ("authorization", auth.as_bytes()),
    ]);
    assert_refused(t.send(req), "AuthorizationHeaderMalformed", 400, SMALL);
}

#[test]
fn header_and_query_signatures_together() {
    let t = Target::new();
    let mut req = presigned_request(&[]);
    req.headers_mut().insert(
        "authorization",
        HeaderValue::from_str(&good_authorization()).unwrap(),
    );
    assert_refused(t.send(req), "InvalidArgument", 400, SMALL);
}

#[test]
fn presigned_expiry_of_zero_and_over_a_week() {
    let t = Target::new();
    for expires in ["0", "604801", "-1", "99999999999999999999999", "1e3", "000"] {
        let req = presigned_request(&[("X-Amz-Expires", Some(expires))]);
        let (outcome, _) = t.send(req);
        assert_eq!(
            outcome,
            Outcome::Refused("AuthorizationQueryParametersError".into(), 400),
            "X-Amz-Expires={expires}"
        );
    }
}

// ---------------------------------------------------------------------------
// Replay protection: the documented memory per entry.

#[test]
fn replay_cache_memory_per_entry() {
    const N: u64 = 20_000;
    let now = SystemTime::now();
    let (cache, usage) = measure(|| {
        let cache = ReplayCache::with_settings(ReplaySettings::default().with_max_entries(N));
        for n in 0..N {
            let mut sig = [0u8; 32];
            sig[..8].copy_from_slice(&n.to_le_bytes());
            cache
                .check(&sig, now + Duration::from_secs(900), now)
                .unwrap();
        }
        cache.run_pending_tasks();
        cache
    });
    let in_use = IN_USE.with(Cell::get);
    drop(cache);
    let freed = in_use - IN_USE.with(Cell::get);
    let per_entry = freed as u64 / N;
    eprintln!(
        "replay cache: {N} entries hold {} KiB ({per_entry} bytes per entry), peak {} KiB",
        freed / 1024,
        usage.peak / KIB
    );
    // The figure SECURITY.md and the replay module document.
    assert!(per_entry <= 400, "{per_entry} bytes per entry");
}

#[test]
fn the_allocation_counter_counts() {
    let (v, usage) = measure(|| vec![1u8; MIB]);
    assert!(usage.peak >= MIB && usage.total >= MIB, "{usage:?}");
    drop(v);
    let ((), usage) = measure(|| ());
    assert_eq!(usage.peak, 0);
}
