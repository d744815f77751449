//! Mutation properties: random requests signed by the `aws-sigv4` crate (the
//! signer of the AWS SDK for Rust, never our code) verify through the
//! [`Verifier`], body read to the end; every single change to a signed
//! component is refused; changes to unsigned headers that are not `x-amz-*`
//! do not matter.
//!
//! Each generated request is signed once and then changed in every way
//! that applies to it (the method; each byte of each path segment that
//! survives normalization; each query key and value, a pair added, removed
//! or repeated; each signed header value, removed or repeated; the date;
//! the scope's region, service and date; the access key; the signed-header
//! list; the signature; the session token; the body), each change verified
//! on its own. The `aws-chunked` properties change the S3 worked examples
//! (signed chunks and a signed trailer) and bodies in
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER` framing, fed in random frame splits.
//!
//! A change counts as a "mutation" only when it alters what is signed, and
//! each must be refused: a single accepted one fails the test. At the end
//! each test prints its counts (`cargo test --test properties -- --nocapture`).
//! `PROPTEST_CASES` scales the run (default 256 requests per test).

mod common;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tower_sigv4::identity::{Credential, ManualClock, Principal, StaticCredentials};
use tower_sigv4::settings::SigV4Settings;
use tower_sigv4::verifier::Verifier;
use tower_sigv4::{Authenticated, VerifiedBodyError};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_AKID: &str = "ASIAIOSFODNN7EXAMPLE";
const TEMP_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvb+EXAMPLE=KEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Ex4mPl3/tok+en==";
const AUTHORITY: &str = "bucket.example.amazonaws.com";
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const METHODS: [&str; 6] = ["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"];
/// Signed headers the generator adds (besides the ones the signer adds).
const SIGNED_NAMES: [&str; 6] = [
    "x-amz-meta-color",
    "x-amz-meta-size",
    "content-type",
    "x-app-tenant",
    "if-match",
    "x-amz-tagging",
];
/// Headers added after signing: unsigned, not `x-amz-*`.
const UNSIGNED_NAMES: [&str; 10] = [
    "user-agent",
    "accept",
    "accept-language",
    "x-forwarded-for",
    "x-request-id",
    "x-amzn-trace-id",
    "via",
    "referer",
    "cookie",
    "cache-control",
];

// ---------------------------------------------------------------------------
// Counting

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    mutations: AtomicU64,
    neutral: AtomicU64,
    /// How the mutations were refused, by AWS code.
    codes: Mutex<BTreeMap<String, u64>>,
}

impl Counts {
    fn refused(&self, code: String) {
        self.mutations.fetch_add(1, Ordering::Relaxed);
        *self.codes.lock().unwrap().entry(code).or_default() += 1;
    }

    fn report(&self, test: &str) {
        eprintln!(
            "{test}: {} signed requests verified, {} mutations refused, {} unsigned changes accepted; refusals by code: {:?}",
            self.requests.load(Ordering::Relaxed),
            self.mutations.load(Ordering::Relaxed),
            self.neutral.load(Ordering::Relaxed),
            self.codes.lock().unwrap(),
        );
    }
}

fn cases(divisor: u32) -> u32 {
    let base = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256u32);
    (base / divisor).max(4)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

// ---------------------------------------------------------------------------
// The server side: the Verifier, the body read to its end.

/// A body delivered in frames of the given sizes.
struct FramedBody {
    frames: std::collections::VecDeque<Bytes>,
}

impl FramedBody {
    fn new(data: &[u8], splits: &[usize]) -> Self {
        let mut frames = std::collections::VecDeque::new();
        let mut at = 0;
        let mut i = 0;
        while at < data.len() {
            let len = splits
                .get(i % splits.len().max(1))
                .copied()
                .unwrap_or(data.len())
                .max(1);
            let end = data.len().min(at + len);
            frames.push_back(Bytes::copy_from_slice(&data[at..end]));
            at = end;
            i += 1;
        }
        FramedBody { frames }
    }
}

impl Body for FramedBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.frames.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

struct Server {
    rt: tokio::runtime::Runtime,
    clock: Arc<ManualClock>,
    verifier: Verifier<StaticCredentials>,
}

impl Server {
    fn new(credentials: &[(&str, &str, Option<&str>)]) -> Server {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH));
        let principal: Arc<Principal> =
            Arc::new("arn:aws:iam::111122223333:user/properties".parse().unwrap());
        let mut store = StaticCredentials::builder();
        for (akid, secret, token) in credentials {
            store = store.credential(akid, Credential::new(*secret, principal.clone()), *token);
        }
        let mut settings = SigV4Settings::default()
            .with_clock(clock.clone())
            .with_service("s3")
            .with_service("webhook");
        for region in REGIONS {
            settings = settings.with_region(region);
        }
        Server {
            rt: tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap(),
            clock,
            verifier: Verifier::with_settings(store.build().unwrap(), settings),
        }
    }

    /// `Ok` when the request is authenticated and its body reads to the end
    /// without error; otherwise the AWS code of the refusal.
    fn outcome(&self, rx: &Received, splits: &[usize]) -> Result<(), String> {
        let mut req = http::Request::builder()
            .method(rx.method.as_str())
            .uri(rx.uri())
            .body(FramedBody::new(&rx.body, splits))
            .map_err(|e| format!("unbuildable request: {e}"))?;
        for (n, v) in &rx.headers {
            req.headers_mut().append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        self.rt.block_on(async {
            let req = self
                .verifier
                .authenticate(req)
                .await
                .map_err(|e| e.code().into_owned())?;
            if req.extensions().get::<Authenticated>().is_none() {
                return Err("not authenticated".to_owned());
            }
            req.into_body().collect().await.map(|_| ()).map_err(|e| {
                match e.downcast_ref::<VerifiedBodyError>() {
                    Some(e) => format!("body {}", e.code()),
                    None => format!("body: {e}"),
                }
            })
        })
    }
}

// ---------------------------------------------------------------------------
// The client side: requests generated, then signed by aws-sigv4.

#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Seg(Vec<u8>),
    Dot,
    DotDot,
    Empty,
}

#[derive(Clone, Debug)]
struct Spec {
    s3: bool,
    method: &'static str,
    path: Vec<Piece>,
    trailing_slash: bool,
    query: Vec<(Vec<u8>, Vec<u8>)>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// `X-Amz-Expires` of a presigned URL.
    presigned: Option<u64>,
    session: bool,
    /// HTTP/2: an absolute URI and no `Host` header.
    h2: bool,
    unsigned_payload: bool,
    time: u64,
    /// Seconds from the signing time to the server's clock.
    clock_offset: i64,
    region: &'static str,
}

impl Spec {
    fn service(&self) -> &'static str {
        if self.s3 {
            "s3"
        } else {
            "webhook"
        }
    }

    fn credentials(&self) -> (&'static str, &'static str, Option<&'static str>) {
        if self.session {
            (TEMP_AKID, TEMP_SECRET, Some(TOKEN))
        } else {
            (AKID, SECRET, None)
        }
    }

    /// The path on the wire. S3 keys go out as the SDK writes them: every
    /// byte but the unreserved set percent-encoded, `/` kept between
    /// segments. Other services get segments in which only letters and
    /// digits stay raw (so no segment is ever a dot segment by accident),
    /// with explicit `.`, `..` and empty segments to be normalized.
    fn wire_path(&self) -> String {
        let mut p = String::new();
        for piece in &self.path {
            p.push('/');
            match piece {
                Piece::Seg(bytes) => p.push_str(&encode(bytes, self.s3)),
                Piece::Dot => p.push('.'),
                Piece::DotDot => p.push_str(".."),
                Piece::Empty => {}
            }
        }
        if p.is_empty() || self.trailing_slash {
            p.push('/');
        }
        p
    }

    fn wire_query(&self) -> Vec<String> {
        self.query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k, true), encode(v, true)))
            .collect()
    }

    /// Indices of the segments left after normalization (all of them for S3).
    fn surviving_segments(&self) -> Vec<usize> {
        let mut kept = Vec::new();
        for (i, piece) in self.path.iter().enumerate() {
            match piece {
                Piece::Seg(b) if !b.is_empty() => kept.push(i),
                Piece::Seg(_) if self.s3 => {}
                Piece::DotDot if !self.s3 => {
                    kept.pop();
                }
                _ => {}
            }
        }
        kept
    }
}

fn encode(bytes: &[u8], unreserved_raw: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        let raw = b.is_ascii_alphanumeric() || (unreserved_raw && b"-._~".contains(&b));
        if raw {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A request as the server receives it.
#[derive(Clone)]
struct Received {
    method: String,
    /// `Some` for HTTP/2 (absolute URI, no Host header).
    authority: Option<String>,
    path: String,
    query: Vec<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Received")
            .field("method", &self.method)
            .field("uri", &self.uri())
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field(
                "body_start",
                &String::from_utf8_lossy(&self.body[..self.body.len().min(32)]),
            )
            .finish()
    }
}

impl Received {
    fn uri(&self) -> String {
        let mut uri = match &self.authority {
            Some(a) => format!("https://{a}{}", self.path),
            None => self.path.clone(),
        };
        if !self.query.is_empty() {
            uri.push('?');
            uri.push_str(&self.query.join("&"));
        }
        uri
    }

    fn header_index(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|(n, _)| n == name)
    }

    fn query_index(&self, key: &str) -> Option<usize> {
        self.query
            .iter()
            .position(|p| p.split('=').next() == Some(key))
    }

    /// The signed header names, from the Authorization header or the query.
    fn signed_headers(&self) -> Vec<String> {
        if let Some(i) = self.header_index("authorization") {
            let v = &self.headers[i].1;
            let list = v.split("SignedHeaders=").nth(1).unwrap();
            let list = list.split(',').next().unwrap();
            return list.split(';').map(str::to_owned).collect();
        }
        let i = self.query_index("X-Amz-SignedHeaders").unwrap();
        let list = self.query[i].split('=').nth(1).unwrap().replace("%3B", ";");
        list.split(';').map(str::to_owned).collect()
    }
}

fn sign_request(spec: &Spec) -> Received {
    let (akid, secret, token) = spec.credentials();
    let identity: Identity =
        Credentials::new(akid, secret, token.map(str::to_owned), None, "test").into();
    let mut settings = SigningSettings::default();
    if spec.s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        if spec.presigned.is_none() {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    if let Some(expires) = spec.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(expires));
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(spec.region)
        .name(spec.service())
        .time(UNIX_EPOCH + Duration::from_secs(spec.time))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let path = spec.wire_path();
    let query = spec.wire_query();
    let mut url = format!("https://{AUTHORITY}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    let body = if spec.s3 && (spec.unsigned_payload || spec.presigned.is_some()) {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&spec.body)
    };
    let signable = SignableRequest::new(
        spec.method,
        url.as_str(),
        spec.headers.iter().map(|(n, v)| (*n, v.as_str())),
        body,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .method(spec.method)
        .uri(url.as_str())
        .body(())
        .unwrap();
    for (n, v) in &spec.headers {
        req.headers_mut()
            .append(*n, HeaderValue::from_str(v).unwrap());
    }
    instructions.apply_to_request_http1x(&mut req);

    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    if !spec.h2 {
        headers.insert(0, ("host".to_owned(), AUTHORITY.to_owned()));
    }
    let uri = req.uri();
    Received {
        method: spec.method.to_owned(),
        authority: spec.h2.then(|| AUTHORITY.to_owned()),
        path: uri.path().to_owned(),
        query: uri
            .query()
            .filter(|q| !q.is_empty())
            .map(|q| q.split('&').map(str::to_owned).collect())
            .unwrap_or_default(),
        headers,
        body: spec.body.clone(),
    }
}

// ---------------------------------------------------------------------------
// Strategies

fn bytes(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Any byte.
        prop::collection::vec(any::<u8>(), len.clone()),
        // Mostly printable, with the characters keys are made of.
        prop::collection::vec(
            prop::sample::select(b"abcXYZ019-._~+=:@!*'(),;$&/ %?#[]\x00\x7f\xc3\xa9".to_vec()),
            len
        ),
    ]
}

/// UTF-8 text as bytes: `aws-sigv4` decodes query components into strings,
/// lossily (`%80` becomes U+FFFD before it is encoded again), so a query
/// that is not UTF-8 once decoded is signed differently from what AWS's
/// byte-wise rule (and this crate) canonicalizes. Paths are bytes.
fn text(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<char>(), len.clone()),
        prop::collection::vec(
            prop::sample::select(
                "abcXYZ019-._~+=:@!*'(),;$&/ %?#[]\0\u{7f}é€😀"
                    .chars()
                    .collect::<Vec<_>>()
            ),
            len
        ),
    ]
    .prop_map(|chars| chars.into_iter().collect::<String>().into_bytes())
}

fn header_value() -> impl Strategy<Value = String> {
    let word = "[A-Za-z0-9!#$%&'*+.^_`|~/:;=?@(),\\[\\]{}\"-]{1,12}";
    (
        prop::collection::vec((word, 1usize..4), 1..4),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(words, lead, trail)| {
            let mut v = String::new();
            if lead {
                v.push_str("  ");
            }
            for (i, (w, spaces)) in words.iter().enumerate() {
                if i > 0 {
                    v.push_str(&" ".repeat(*spaces));
                }
                v.push_str(w);
            }
            if trail {
                v.push(' ');
            }
            v
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    let piece = prop_oneof![
        6 => bytes(0..=10).prop_map(Piece::Seg),
        1 => Just(Piece::Dot),
        1 => Just(Piece::DotDot),
        1 => Just(Piece::Empty),
    ];
    let query_key = text(1..=8).prop_map(|mut k| {
        if k.to_ascii_lowercase().starts_with(b"x-amz-") {
            k.insert(0, b'p');
        }
        k
    });
    (
        (
            any::<bool>(),
            prop::sample::select(&METHODS[..]),
            prop::collection::vec(piece, 0..5),
            any::<bool>(),
            prop::collection::vec((query_key, text(0..=8)), 0..5),
            prop::collection::vec(
                (prop::sample::select(&SIGNED_NAMES[..]), header_value()),
                0..4,
            ),
        ),
        (
            prop_oneof![
                3 => Just(Vec::new()),
                2 => prop::collection::vec(any::<u8>(), 1..64),
                1 => prop::collection::vec(any::<u8>(), 64..4096),
            ],
            prop_oneof![2 => Just(None), 1 => (1u64..=604_800).prop_map(Some)],
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            // 2001-09-09 .. 2033-05-18
            1_000_000_000u64..2_000_000_000,
            any::<i16>(),
            prop::sample::select(&REGIONS[..]),
        ),
    )
        .prop_map(
            |(
                (s3, method, path, trailing_slash, query, headers),
                (body, presigned, session, h2, unsigned_payload, time, offset, region),
            )| {
                // Within the window the request is valid in: ±15 minutes for
                // a header signature; from 15 minutes early to the expiry
                // for a presigned URL.
                let clock_offset = match presigned {
                    None => i64::from(offset) % 900,
                    Some(expires) => {
                        let late = i64::from(offset.unsigned_abs()) % (expires.min(900) as i64);
                        if offset < 0 {
                            -(late.min(899))
                        } else {
                            late
                        }
                    }
                };
                Spec {
                    s3,
                    method,
                    path,
                    trailing_slash,
                    query,
                    headers,
                    body,
                    presigned,
                    session,
                    h2,
                    unsigned_payload,
                    time,
                    clock_offset,
                    region,
                }
            },
        )
}

// ---------------------------------------------------------------------------
// Mutations

/// One change to a received request, and whether it alters what is signed.
struct Mutation {
    what: String,
    request: Received,
    signed: bool,
}

fn other_char(c: u8) -> char {
    if c == b'x' {
        'y'
    } else {
        'x'
    }
}

/// Replaces the first occurrence of `from` in header `name` or query key `key`.
fn replace_in(rx: &Received, name: &str, key: &str, from: &str, to: &str) -> Option<Received> {
    let mut m = rx.clone();
    if let Some(i) = m.header_index(name) {
        if m.headers[i].1.contains(from) {
            m.headers[i].1 = m.headers[i].1.replacen(from, to, 1);
            return Some(m);
        }
    }
    let i = m.query_index(key)?;
    if !m.query[i].contains(from) {
        return None;
    }
    m.query[i] = m.query[i].replacen(from, to, 1);
    Some(m)
}

fn mutations(spec: &Spec, rx: &Received) -> Vec<Mutation> {
    let mut out = Vec::new();
    let mut push = |what: String, request: Received, signed: bool| {
        out.push(Mutation {
            what,
            request,
            signed,
        })
    };
    let presigned = spec.presigned.is_some();

    // The method.
    for m in METHODS.iter().filter(|m| **m != spec.method) {
        let mut r = rx.clone();
        r.method = (*m).to_owned();
        push(format!("method {m}"), r, true);
    }

    // Each byte of each segment that survives normalization, and a slash
    // added at the end.
    for i in spec.surviving_segments() {
        let Piece::Seg(seg) = &spec.path[i] else {
            unreachable!()
        };
        for j in 0..seg.len() {
            let mut s = spec.clone();
            if let Piece::Seg(seg) = &mut s.path[i] {
                seg[j] ^= 1;
            }
            let mut r = rx.clone();
            r.path = s.wire_path();
            push(format!("path segment {i} byte {j}"), r, true);
        }
    }
    // (Other services normalize `/a/.` to `/a/`: only a path that ends in a
    // segment changes when a slash is added.)
    let ends_in_segment = matches!(spec.path.last(), Some(Piece::Seg(s)) if !s.is_empty());
    if !spec.trailing_slash && (spec.s3 || ends_in_segment) {
        let mut r = rx.clone();
        r.path.push('/');
        push("trailing slash".into(), r, true);
    }

    // The query: each key and value byte, pairs removed and repeated, a pair added.
    // The signer appends its X-Amz-* parameters after the request's own.
    let user_pairs: Vec<usize> = (0..rx.query.len())
        .filter(|&i| !rx.query[i].starts_with("X-Amz-"))
        .collect();
    assert_eq!(user_pairs.len(), spec.query.len());
    for (n, (k, v)) in spec.query.iter().enumerate() {
        let at = user_pairs[n];
        for j in 0..k.len() {
            let mut k2 = k.clone();
            k2[j] ^= 1;
            if k2.to_ascii_lowercase().starts_with(b"x-amz-") {
                continue;
            }
            let mut r = rx.clone();
            r.query[at] = format!("{}={}", encode(&k2, true), encode(v, true));
            push(format!("query key {n} byte {j}"), r, true);
        }
        for j in 0..v.len() {
            let mut v2 = v.clone();
            v2[j] ^= 1;
            let mut r = rx.clone();
            r.query[at] = format!("{}={}", encode(k, true), encode(&v2, true));
            push(format!("query value {n} byte {j}"), r, true);
        }
        let mut r = rx.clone();
        r.query[at].push('z');
        push(format!("query value {n} longer"), r, true);
        let mut r = rx.clone();
        r.query.remove(at);
        push(format!("query pair {n} removed"), r, true);
        let mut r = rx.clone();
        let copy = r.query[at].clone();
        r.query.push(copy);
        push(format!("query pair {n} repeated"), r, true);
    }
    let mut r = rx.clone();
    r.query.push("added=1".into());
    push("query pair added".into(), r, true);

    // Signed headers: a character of the value, removed, repeated.
    let signed_names = rx.signed_headers();
    for name in &signed_names {
        if name == "host" && spec.h2 {
            let mut r = rx.clone();
            r.authority = Some(AUTHORITY.replacen("bucket", "bucket2", 1));
            push("authority".into(), r, true);
            continue;
        }
        let Some(i) = rx.header_index(name) else {
            continue;
        };
        let value = rx.headers[i].1.clone();
        let visible: Vec<usize> = value
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b != b' ')
            .map(|(i, _)| i)
            .collect();
        let picks = [
            visible.first(),
            visible.get(visible.len() / 2),
            visible.last(),
        ];
        for (n, j) in picks.into_iter().flatten().enumerate() {
            let mut bytes = value.clone().into_bytes();
            bytes[*j] = other_char(bytes[*j]) as u8;
            let mut r = rx.clone();
            r.headers[i].1 = String::from_utf8(bytes).unwrap();
            push(format!("header {name} char {n}"), r, true);
        }
        let mut r = rx.clone();
        r.headers.remove(i);
        push(format!("header {name} removed"), r, true);
        let mut r = rx.clone();
        r.headers.push((name.clone(), "x".into()));
        push(format!("header {name} repeated"), r, true);
    }

    // The date, one second later (still valid, still the same scope date
    // unless it was the last second of the day).
    {
        let (name, key) = ("x-amz-date", "X-Amz-Date");
        let date = rx
            .header_index(name)
            .map(|i| rx.headers[i].1.clone())
            .or_else(|| {
                rx.query_index(key)
                    .map(|i| rx.query[i].split('=').nth(1).unwrap().to_owned())
            })
            .unwrap();
        let seconds: u32 = date[13..15].parse().unwrap();
        let other = format!(
            "{}{:02}Z",
            &date[..13],
            if seconds == 59 { 58 } else { seconds + 1 }
        );
        let r = replace_in(rx, name, key, &date, &other).unwrap();
        push("date".into(), r, true);
    }

    // The credential scope and the access key.
    let (akid, _, token) = spec.credentials();
    let sep = if presigned { "%2F" } else { "/" };
    let region = spec.region;
    let other_region = REGIONS.iter().find(|r| **r != region).unwrap();
    let service = spec.service();
    let other_service = if spec.s3 { "webhook" } else { "s3" };
    let scope_date = &AmzDateParts::of(spec.time).date;
    let day_before = &AmzDateParts::of(spec.time - 86_400).date;
    for (what, from, to) in [
        (
            "scope region",
            format!("{sep}{region}{sep}"),
            format!("{sep}{other_region}{sep}"),
        ),
        (
            "scope service",
            format!("{sep}{service}{sep}"),
            format!("{sep}{other_service}{sep}"),
        ),
        (
            "scope date",
            format!("{akid}{sep}{scope_date}"),
            format!("{akid}{sep}{day_before}"),
        ),
        (
            "access key",
            format!("{akid}{sep}"),
            format!("{}Q{sep}", &akid[..akid.len() - 1]),
        ),
    ] {
        let r = replace_in(rx, "authorization", "X-Amz-Credential", &from, &to).unwrap();
        push(what.into(), r, true);
    }

    // The signed-header list: one name left out, one unsigned name claimed.
    let list = signed_names.join(if presigned { "%3B" } else { ";" });
    for drop in &signed_names {
        let shorter: Vec<&str> = signed_names
            .iter()
            .filter(|n| *n != drop)
            .map(String::as_str)
            .collect();
        if shorter.is_empty() {
            continue;
        }
        let to = shorter.join(if presigned { "%3B" } else { ";" });
        let r = replace_in(rx, "authorization", "X-Amz-SignedHeaders", &list, &to).unwrap();
        push(format!("signed headers without {drop}"), r, true);
    }

    // The signature, at four positions.
    let marker = if presigned {
        "X-Amz-Signature="
    } else {
        "Signature="
    };
    let sig = {
        let whole = rx
            .header_index("authorization")
            .map(|i| rx.headers[i].1.clone())
            .unwrap_or_else(|| rx.query.join("&"));
        let at = whole.rfind(marker).unwrap() + marker.len();
        whole[at..at + 64].to_owned()
    };
    for j in [0, 21, 42, 63] {
        let mut other = sig.clone().into_bytes();
        other[j] = if other[j] == b'0' { b'1' } else { b'0' };
        let other = String::from_utf8(other).unwrap();
        let r = replace_in(rx, "authorization", "X-Amz-Signature", &sig, &other).unwrap();
        push(format!("signature digit {j}"), r, true);
    }

    // The session token: a character changed, or the token left out.
    if token.is_some() {
        let r = replace_in(
            rx,
            "x-amz-security-token",
            "X-Amz-Security-Token",
            "IQoJ",
            "IQoK",
        )
        .unwrap();
        push("session token".into(), r, true);
        let mut r = rx.clone();
        if let Some(i) = r.header_index("x-amz-security-token") {
            r.headers.remove(i);
        } else {
            let i = r.query_index("X-Amz-Security-Token").unwrap();
            r.query.remove(i);
        }
        push("session token removed".into(), r, true);
    }

    // The body: signed unless S3 says UNSIGNED-PAYLOAD (presigned S3 URLs too).
    let body_signed = !(spec.s3 && (spec.unsigned_payload || presigned));
    let n = rx.body.len();
    let mut body_changes: Vec<(String, Vec<u8>)> =
        vec![("body byte appended".into(), [&rx.body[..], b"!"].concat())];
    if n > 0 {
        for j in [0, n / 3, n / 2, n - 1] {
            let mut b = rx.body.clone();
            b[j] ^= 0x20;
            body_changes.push((format!("body byte {j}"), b));
        }
        body_changes.push(("body truncated".into(), rx.body[..n - 1].to_vec()));
    }
    for (what, body) in body_changes {
        let mut r = rx.clone();
        r.body = body;
        push(what, r, body_signed);
    }

    // An unsigned x-amz-* header: refused, as AWS refuses it.
    let mut r = rx.clone();
    r.headers
        .push(("x-amz-meta-unsigned".into(), "sneaky".into()));
    push("unsigned x-amz-meta header".into(), r, true);

    // Unsigned headers that are not x-amz-*: added, changed, repeated.
    for (k, name) in UNSIGNED_NAMES.iter().enumerate() {
        let mut r = rx.clone();
        r.headers.push(((*name).to_owned(), format!("value {k}")));
        push(format!("unsigned {name} added"), r.clone(), false);
        r.headers.push(((*name).to_owned(), "second  line".into()));
        push(format!("unsigned {name} repeated"), r, false);
    }
    out
}

/// `YYYYMMDD` of a Unix time, computed here (civil-from-days).
struct AmzDateParts {
    date: String,
}

impl AmzDateParts {
    fn of(secs: u64) -> Self {
        let days = (secs / 86_400) as i64;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        AmzDateParts {
            date: format!("{y:04}{m:02}{d:02}"),
        }
    }
}

fn splits() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![3 => 1usize..8, 2 => 8usize..200, 1 => 200usize..100_000],
        1..6,
    )
}

// ---------------------------------------------------------------------------
// The properties

#[test]
fn signed_requests_verify_and_every_signed_change_is_refused() {
    let server = Server::new(&[(AKID, SECRET, None), (TEMP_AKID, TEMP_SECRET, Some(TOKEN))]);
    let counts = Counts::default();
    let mut runner = runner(cases(1));
    runner
        .run(&(spec(), splits()), |(spec, splits)| {
            let rx = sign_request(&spec);
            let at = spec.time as i64 + spec.clock_offset;
            server
                .clock
                .set(UNIX_EPOCH + Duration::from_secs(at as u64));
            if let Err(code) = server.outcome(&rx, &splits) {
                return Err(TestCaseError::fail(format!(
                    "a request signed by aws-sigv4 was refused with {code}: {rx:#?}"
                )));
            }
            counts.requests.fetch_add(1, Ordering::Relaxed);
            for m in mutations(&spec, &rx) {
                match (m.signed, server.outcome(&m.request, &splits)) {
                    (true, Ok(())) => {
                        return Err(TestCaseError::fail(format!(
                            "FALSE ACCEPT after changing the {}: {:#?}",
                            m.what, m.request
                        )))
                    }
                    (true, Err(code)) => counts.refused(code),
                    (false, Ok(())) => {
                        counts.neutral.fetch_add(1, Ordering::Relaxed);
                    }
                    (false, Err(code)) => {
                        return Err(TestCaseError::fail(format!(
                            "an unsigned change ({}) was refused with {code}: {:#?}",
                            m.what, m.request
                        )))
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    counts.report("signed requests");
    assert!(counts.mutations.load(Ordering::Relaxed) > 0);
}

// ---------------------------------------------------------------------------
// aws-chunked: the S3 worked examples (signed chunks, signed trailer)

struct ChunkedExample {
    name: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Ranges of the encoding that are chunk data.
    data: Vec<std::ops::Range<usize>>,
    /// The range of the trailer value, if any.
    trailer_value: Option<std::ops::Range<usize>>,
}

fn chunked_examples() -> Vec<ChunkedExample> {
    let mut out = Vec::new();
    for name in ["chunked-upload", "chunked-upload-trailer"] {
        let Some(path) = common::shared_path(&format!("test-suites/s3-examples/{name}.json"))
        else {
            continue;
        };
        let case: serde_json::Value = serde_json::from_slice(&common::read(&path)).unwrap();
        let expected = &case["expected"];
        let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
        let payload: Vec<u8> = s(&case["payload"]["repeat"])
            .into_bytes()
            .into_iter()
            .cycle()
            .take(case["payload"]["len"].as_u64().unwrap() as usize)
            .collect();
        let mut body = Vec::new();
        let mut data = Vec::new();
        let mut offset = 0;
        for chunk in expected["chunks"].as_array().unwrap() {
            let len = chunk["data_len"].as_u64().unwrap() as usize;
            body.extend_from_slice(s(&chunk["header_line"]).as_bytes());
            body.extend_from_slice(b"\r\n");
            if len > 0 {
                data.push(body.len()..body.len() + len);
                body.extend_from_slice(&payload[offset..offset + len]);
                body.extend_from_slice(b"\r\n");
                offset += len;
            }
        }
        let mut trailer_value = None;
        if let Some(t) = expected.get("trailer") {
            for line in s(&t["canonical_trailer_headers"]).lines() {
                let (n, v) = line.split_once(':').unwrap();
                body.extend_from_slice(n.as_bytes());
                body.push(b':');
                trailer_value = Some(body.len()..body.len() + v.len());
                body.extend_from_slice(v.as_bytes());
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"x-amz-trailer-signature:");
            body.extend_from_slice(s(&t["signature"]).as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        let mut headers: Vec<(String, String)> = case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (s(&h[0]).to_ascii_lowercase(), s(&h[1])))
            .collect();
        headers.push((
            "authorization".into(),
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
                s(&case["access_key_id"]),
                &s(&case["timestamp"])[..8],
                s(&case["region"]),
                s(&case["service"]),
                s(&expected["signed_headers"]),
                s(&expected["seed_signature"]),
            ),
        ));
        out.push(ChunkedExample {
            name: name.to_owned(),
            method: s(&case["method"]),
            path: s(&case["path"]),
            headers,
            body,
            data,
            trailer_value,
        });
    }
    out
}

#[test]
fn chunk_and_trailer_changes_are_refused() {
    let examples = chunked_examples();
    if examples.is_empty() {
        return;
    }
    let server = Server::new(&[(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
    )]);
    // 2013-05-24T00:00:00Z, the examples' time.
    server
        .clock
        .set(UNIX_EPOCH + Duration::from_secs(1_369_353_600));
    let counts = Counts::default();
    let example = prop::sample::select((0..examples.len()).collect::<Vec<_>>());
    // Positions as fractions: each maps into whatever range it is used for.
    let positions = prop::collection::vec(any::<prop::sample::Index>(), 12);
    let mut runner = runner(cases(8));
    runner
        .run(&(example, positions, splits()), |(e, positions, splits)| {
            let ex = &examples[e];
            let rx = Received {
                method: ex.method.clone(),
                authority: None,
                path: ex.path.clone(),
                query: Vec::new(),
                headers: ex.headers.clone(),
                body: ex.body.clone(),
            };
            if let Err(code) = server.outcome(&rx, &splits) {
                return Err(TestCaseError::fail(format!("{} refused: {code}", ex.name)));
            }
            counts.requests.fetch_add(1, Ordering::Relaxed);
            let mut changed: Vec<(String, Vec<u8>)> = Vec::new();
            for (k, pos) in positions.iter().enumerate() {
                // Chunk data, then anywhere in the framing.
                let range = &ex.data[k % ex.data.len()];
                let at = range.start + pos.index(range.len());
                let mut b = ex.body.clone();
                b[at] ^= 0x01;
                changed.push((format!("chunk byte {at}"), b));
                let at = pos.index(ex.body.len());
                let mut b = ex.body.clone();
                b[at] ^= 0x80;
                changed.push((format!("encoding byte {at}"), b));
            }
            if let Some(range) = &ex.trailer_value {
                for at in range.clone() {
                    let mut b = ex.body.clone();
                    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
                    changed.push((format!("trailer value byte {at}"), b));
                }
            }
            let cut = positions[0].index(ex.body.len());
            changed.push((format!("cut at {cut}"), ex.body[..cut].to_vec()));
            changed.push((
                "bytes after the end".into(),
                [&ex.body[..], b"0\r\n"].concat(),
            ));
            for (what, body) in changed {
                let mut r = rx.clone();
                r.body = body;
                match server.outcome(&r, &splits) {
                    Ok(()) => {
                        return Err(TestCaseError::fail(format!(
                            "FALSE ACCEPT of {} after {what}",
                            ex.name
                        )))
                    }
                    Err(code) => counts.refused(code),
                }
            }
            Ok(())
        })
        .unwrap();
    counts.report("aws-chunked examples");
}

// ---------------------------------------------------------------------------
// aws-chunked: STREAMING-UNSIGNED-PAYLOAD-TRAILER, signed by aws-sigv4, the
// CRC32 computed here (the checksum is what guards the unsigned chunks).

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn unsigned_trailer_uploads_verify_and_changed_data_is_refused() {
    let server = Server::new(&[(AKID, SECRET, None)]);
    let counts = Counts::default();
    let upload = (
        prop::collection::vec(any::<u8>(), 0..40_000),
        prop::collection::vec(8192usize..20_000, 1..4),
        splits(),
        1_000_000_000u64..2_000_000_000,
    );
    let mut runner = runner(cases(8));
    runner
        .run(&upload, |(data, chunk_sizes, splits, time)| {
            let checksum = base64(&crc32(&data).to_be_bytes());
            let mut body = Vec::new();
            let mut ranges = Vec::new();
            let mut rest = &data[..];
            let mut k = 0;
            while !rest.is_empty() {
                let n = rest.len().min(chunk_sizes[k % chunk_sizes.len()]);
                body.extend_from_slice(format!("{n:x}\r\n").as_bytes());
                ranges.push(body.len()..body.len() + n);
                body.extend_from_slice(&rest[..n]);
                body.extend_from_slice(b"\r\n");
                rest = &rest[n..];
                k += 1;
            }
            body.extend_from_slice(b"0\r\n");
            let value_at = body.len() + "x-amz-checksum-crc32:".len();
            body.extend_from_slice(format!("x-amz-checksum-crc32:{checksum}\r\n\r\n").as_bytes());

            let spec_headers = [
                ("content-encoding", "aws-chunked".to_owned()),
                ("x-amz-decoded-content-length", data.len().to_string()),
                ("x-amz-trailer", "x-amz-checksum-crc32".to_owned()),
            ];
            let identity: Identity = Credentials::new(AKID, SECRET, None, None, "test").into();
            let mut settings = SigningSettings::default();
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name("s3")
                .time(UNIX_EPOCH + Duration::from_secs(time))
                .settings(settings)
                .build()
                .unwrap()
                .into();
            let url = format!("https://{AUTHORITY}/upload/object.bin");
            let signable = SignableRequest::new(
                "PUT",
                url.as_str(),
                spec_headers.iter().map(|(n, v)| (*n, v.as_str())),
                SignableBody::StreamingUnsignedPayloadTrailer,
            )
            .unwrap();
            let (instructions, _) = sign(signable, &params).unwrap().into_parts();
            let mut req = http::Request::put(url.as_str()).body(()).unwrap();
            for (n, v) in &spec_headers {
                req.headers_mut()
                    .append(*n, HeaderValue::from_str(v).unwrap());
            }
            instructions.apply_to_request_http1x(&mut req);
            let mut headers: Vec<(String, String)> = req
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
                .collect();
            headers.insert(0, ("host".into(), AUTHORITY.into()));
            let rx = Received {
                method: "PUT".into(),
                authority: None,
                path: "/upload/object.bin".into(),
                query: Vec::new(),
                headers,
                body,
            };
            server
                .clock
                .set(UNIX_EPOCH + Duration::from_secs(time + 30));
            if let Err(code) = server.outcome(&rx, &splits) {
                return Err(TestCaseError::fail(format!(
                    "an unsigned-trailer upload was refused: {code}"
                )));
            }
            counts.requests.fetch_add(1, Ordering::Relaxed);
            let mut changed: Vec<(String, Vec<u8>)> = Vec::new();
            for (k, range) in ranges.iter().enumerate() {
                for at in [range.start, range.start + range.len() / 2, range.end - 1] {
                    let mut b = rx.body.clone();
                    b[at] ^= 0x04;
                    changed.push((format!("chunk {k} byte {at}"), b));
                }
            }
            for at in value_at..value_at + checksum.len() {
                let mut b = rx.body.clone();
                b[at] = if b[at] == b'A' { b'B' } else { b'A' };
                changed.push((format!("trailer value byte {at}"), b));
            }
            for (what, body) in changed {
                let mut r = rx.clone();
                r.body = body;
                match server.outcome(&r, &splits) {
                    Ok(()) => {
                        return Err(TestCaseError::fail(format!("FALSE ACCEPT after {what}")))
                    }
                    Err(code) => counts.refused(code),
                }
            }
            Ok(())
        })
        .unwrap();
    counts.report("unsigned-trailer uploads");
}

#[test]
fn the_date_helper_matches_known_dates() {
    assert_eq!(AmzDateParts::of(1_440_938_160).date, "20150830");
    assert_eq!(AmzDateParts::of(1_369_353_600).date, "20130524");
    assert_eq!(AmzDateParts::of(951_782_400).date, "20000229");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(AmzDateParts::of(now).date.len(), 8);
}
