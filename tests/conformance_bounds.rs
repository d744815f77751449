//! Sizes and hostile bytes: every bound from the wire fails cleanly without
//! a large allocation, arbitrary bytes never panic, and the verification of
//! a typical header-signed request allocates nothing at all.
//!
//! A counting global allocator (per thread, so parallel tests do not mix)
//! measures what the core allocates.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use sha2::Digest;
use tower_sigv4::sigv4::{
    self, CanonicalRequest, Error, ErrorKind, Limit, Limits, RequestView, SigningKey,
    VerifySettings,
};

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static BYTES: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + size));
    let _ = LARGEST.try_with(|c| c.set(c.get().max(size)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// (allocations, bytes, largest single allocation) made by `f` on this thread.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, usize, usize) {
    COUNT.with(|c| c.set(0));
    BYTES.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
    let r = f();
    (
        r,
        COUNT.with(Cell::get),
        BYTES.with(Cell::get),
        LARGEST.with(Cell::get),
    )
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Signs with the `aws-sigv4` crate (an independent signer).
fn aws_sign(req: &mut http::Request<Vec<u8>>, service: &str, settings: SigningSettings) {
    let identity = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let uri = req.uri().to_string();
    let signable = SignableRequest::new(
        req.method().as_str(),
        &uri,
        headers.into_iter(),
        SignableBody::Bytes(req.body()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut signed = std::mem::take(req);
    instructions.apply_to_request_http1x(&mut signed);
    *req = signed;
}

fn kms_post() -> http::Request<Vec<u8>> {
    let body = br#"{"KeyId":"alias/example","Plaintext":"SGVsbG8sIHdvcmxkIQ==","EncryptionContext":{"purpose":"test"},"GrantTokens":[],"EncryptionAlgorithm":"SYMMETRIC_DEFAULT","Pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#.to_vec();
    let mut req = http::Request::post("https://kms.us-east-1.amazonaws.com/")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "TrentService.Encrypt")
        .body(body)
        .unwrap();
    aws_sign(&mut req, "kms", SigningSettings::default());
    req
}

#[test]
fn header_auth_verification_allocates_nothing() {
    let settings = VerifySettings::default()
        .with_region("us-east-1")
        .with_service("kms");
    let req = kms_post();
    let body_hash: [u8; 32] = sha2::Sha256::digest(req.body()).into();
    let (parts, _) = req.into_parts();
    let key = SigningKey::derive(SECRET.as_bytes(), "20231114", "us-east-1", "kms");
    let (result, count, bytes, _) = measure(|| {
        let view = RequestView::from_parts(&parts);
        let signed = sigv4::parse(&view, &settings)?.ok_or_else(Error::missing_authentication)?;
        sigv4::check(&signed, &view, &settings, now())?;
        sigv4::verify_signature(&signed, &view, &key, Some(&body_hash))
    });
    result.unwrap();
    assert_eq!((count, bytes), (0, 0), "the hot path allocated");

    // An S3 GET with a small query and a declared payload hash: no allocation either.
    let mut req = http::Request::get("https://bucket.s3.us-east-1.amazonaws.com/a/b%20c.txt?list-type=2&prefix=a%2Fb&max-keys=10")
        .header("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        .body(Vec::new())
        .unwrap();
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = aws_sigv4::http_request::PercentEncodingMode::Single;
    s.uri_path_normalization_mode = aws_sigv4::http_request::UriPathNormalizationMode::Disabled;
    aws_sign(&mut req, "s3", s);
    let (parts, _) = req.into_parts();
    let settings = VerifySettings::default();
    let key = SigningKey::derive(SECRET.as_bytes(), "20231114", "us-east-1", "s3");
    let (result, count, _, _) = measure(|| {
        let view = RequestView::from_parts(&parts);
        let signed = sigv4::parse(&view, &settings)?.ok_or_else(Error::missing_authentication)?;
        sigv4::check(&signed, &view, &settings, now())?;
        sigv4::verify_signature(&signed, &view, &key, None)
    });
    result.unwrap();
    assert_eq!(count, 0);
}

fn parse_and_check(
    method: &[u8],
    target: &[u8],
    headers: &HeaderMap,
    settings: &VerifySettings,
) -> Result<(), Error> {
    let view = RequestView::from_target(method, target, headers);
    let signed = sigv4::parse(&view, settings)?.ok_or_else(Error::missing_authentication)?;
    sigv4::check(&signed, &view, settings, now())
}

fn base_headers(authz: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static("example.amazonaws.com"));
    h.insert("x-amz-date", HeaderValue::from_static("20231114T221320Z"));
    h.insert("authorization", HeaderValue::from_str(authz).unwrap());
    h
}

const CRED: &str = "Credential=AKIDEXAMPLE/20231114/us-east-1/service/aws4_request";
const SIG: &str = "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

#[track_caller]
fn assert_small_failure(limit: Limit, r: (Result<(), Error>, usize, usize, usize)) {
    let (result, _count, bytes, largest) = r;
    let e = result.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
    assert_eq!(e.limit(), Some(limit));
    assert!(
        bytes < 1024 && largest < 1024,
        "allocated {bytes} bytes (largest {largest})"
    );
}

#[test]
fn a_64k_authorization_header() {
    let s = VerifySettings::default();
    let authz = format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;x-amz-date, {SIG}, X={}",
        "a".repeat(64 * 1024)
    );
    let h = base_headers(&authz);
    assert_small_failure(
        Limit::AuthorizationLength,
        measure(|| parse_and_check(b"GET", b"/", &h, &s)),
    );
}

#[test]
fn ten_thousand_signed_headers() {
    let s = VerifySettings::default()
        .with_limits(Limits::default().with_max_authorization_len(1 << 20));
    let names: Vec<String> = (0..10_000).map(|i| format!("h{i:05}")).collect();
    let authz = format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders={};host;x-amz-date, {SIG}",
        names.join(";")
    );
    let h = base_headers(&authz);
    assert_small_failure(
        Limit::SignedHeaders,
        measure(|| parse_and_check(b"GET", b"/", &h, &s)),
    );
}

#[test]
fn ten_thousand_query_parameters() {
    let s = VerifySettings::default();
    let h = base_headers(&format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;x-amz-date, {SIG}"
    ));
    let target: String = std::iter::once("/?".to_owned())
        .chain((0..10_000).map(|i| format!("p{}&", i % 10)))
        .collect();
    assert_small_failure(
        Limit::QueryParameters,
        measure(|| parse_and_check(b"GET", target.as_bytes(), &h, &s)),
    );
    // Presigned: the same bound.
    let target = format!(
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&{}",
        (0..10_000)
            .map(|i| format!("p{}", i % 10))
            .collect::<Vec<_>>()
            .join("&")
    );
    let host = base_headers("x");
    let mut host = host;
    host.remove("authorization");
    assert_small_failure(
        Limit::QueryParameters,
        measure(|| parse_and_check(b"GET", target.as_bytes(), &host, &s)),
    );
}

#[test]
fn long_header_values_and_tokens() {
    let s = VerifySettings::default();
    let mut h = base_headers(&format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;my-header;x-amz-date, {SIG}"
    ));
    h.insert(
        "my-header",
        HeaderValue::from_str(&"v".repeat(100_000)).unwrap(),
    );
    assert_small_failure(
        Limit::HeaderValueLength,
        measure(|| parse_and_check(b"GET", b"/", &h, &s)),
    );
    // Many lines of one header add up.
    let mut h2 = base_headers(&format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;my-header;x-amz-date, {SIG}"
    ));
    for _ in 0..100 {
        h2.append(
            "my-header",
            HeaderValue::from_str(&"v".repeat(200)).unwrap(),
        );
    }
    assert_small_failure(
        Limit::HeaderValueLength,
        measure(|| parse_and_check(b"GET", b"/", &h2, &s)),
    );

    let mut h = base_headers(&format!(
        "AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;x-amz-date;x-amz-security-token, {SIG}"
    ));
    h.insert(
        "x-amz-security-token",
        HeaderValue::from_str(&"T".repeat(100_000)).unwrap(),
    );
    assert_small_failure(
        Limit::SecurityTokenLength,
        measure(|| parse_and_check(b"GET", b"/", &h, &s)),
    );

    // A presigned token of 100 KB: the URI bound stops it before any decoding.
    let mut host = HeaderMap::new();
    host.insert("host", HeaderValue::from_static("example.amazonaws.com"));
    let q = format!(
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&{SIG}&X-Amz-Security-Token={}",
        "%2F".repeat(100_000 / 3)
    )
    .replace("Signature=", "X-Amz-Signature=");
    assert_small_failure(
        Limit::UriLength,
        measure(|| parse_and_check(b"GET", q.as_bytes(), &host, &s)),
    );
    // Within the URI bound but over the token bound: the decoded copy is
    // bounded by the URI length.
    let q = q.replace(&"%2F".repeat(100_000 / 3), &"%2F".repeat(20_000));
    let (r, _, _, largest) = measure(|| parse_and_check(b"GET", q.as_bytes(), &host, &s));
    assert_eq!(r.unwrap_err().limit(), Some(Limit::SecurityTokenLength));
    assert!(largest <= s.limits.max_uri_len, "{largest}");
}

/// A valid signed request (aws-sigv4) whose canonical request we then
/// compute over arbitrary path and query bytes: an error or a hash, never a panic.
fn fixed_authz() -> String {
    format!("AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host;my-header;x-amz-date, {SIG}")
}

fn hash_or_error(method: &[u8], path: &[u8], query: &[u8], h: &HeaderMap, s: &VerifySettings) {
    let view = RequestView::new(method, path, query, h);
    if let Ok(Some(signed)) = sigv4::parse(&view, s) {
        let _ = sigv4::check(&signed, &view, s, now());
        let body = [7u8; 32];
        if let Ok(creq) = CanonicalRequest::new(&signed, &view, Some(&body)) {
            let streamed = sigv4::canonical_request_hash(&signed, &view, Some(&body)).unwrap();
            assert_eq!(streamed, creq.sha256());
            let key = SigningKey::derive(b"k", "20231114", "us-east-1", "service");
            assert!(sigv4::verify_signature(&signed, &view, &key, Some(&body)).is_err());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_paths_and_queries_never_panic(
        path in proptest::collection::vec(any::<u8>(), 0..200),
        query in proptest::collection::vec(any::<u8>(), 0..200),
        s3 in any::<bool>(),
    ) {
        let mut h = base_headers(&fixed_authz());
        h.insert("my-header", HeaderValue::from_static("v"));
        let s = if s3 {
            VerifySettings::default().with_service_rules("service", sigv4::ServiceRules::S3)
        } else {
            VerifySettings::default()
        };
        hash_or_error(b"GET", &path, &query, &h, &s);
        // The same bytes as a presigned query.
        let mut q = b"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=".to_vec();
        q.extend_from_slice(&query);
        q.extend_from_slice(b"&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=");
        q.extend_from_slice(&path);
        let mut host = HeaderMap::new();
        host.insert("host", HeaderValue::from_static("h"));
        hash_or_error(b"GET", b"/", &q, &host, &s);
    }

    #[test]
    fn arbitrary_header_bytes_never_panic(
        authz in proptest::collection::vec(any::<u8>(), 0..300),
        value in proptest::collection::vec(any::<u8>(), 0..100),
        date in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        let s = VerifySettings::default();
        // Header values cannot hold CR, LF or NUL; everything else goes.
        let clean = |v: &[u8]| -> Vec<u8> {
            v.iter().map(|&b| if b < 0x20 && b != b'\t' || b == 0x7f { b'?' } else { b }).collect()
        };
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("example.amazonaws.com"));
        h.insert("my-header", HeaderValue::from_bytes(&clean(&value)).unwrap());
        h.insert("x-amz-date", HeaderValue::from_bytes(&clean(&date)).unwrap());
        h.insert("authorization", HeaderValue::from_bytes(&clean(&authz)).unwrap());
        hash_or_error(b"GET", b"/", b"", &h, &s);
        // A valid authorization over an arbitrary (non-UTF-8) signed value.
        h.insert("x-amz-date", HeaderValue::from_static("20231114T221320Z"));
        h.insert("authorization", HeaderValue::from_str(&fixed_authz()).unwrap());
        hash_or_error(b"GET", b"/", b"", &h, &s);
    }
}

#[test]
fn non_utf8_signed_header_values_are_hashed_as_bytes() {
    let mut h = base_headers(&fixed_authz());
    h.insert(
        "my-header",
        HeaderValue::from_bytes(b"caf\xe9  au   lait").unwrap(),
    );
    let view = RequestView::new(b"GET", b"/", b"", &h);
    let s = VerifySettings::default();
    let signed = sigv4::parse(&view, &s).unwrap().unwrap();
    let creq = CanonicalRequest::new(&signed, &view, Some(&[0; 32])).unwrap();
    let needle: &[u8] = b"\nmy-header:caf\xe9 au lait\n";
    assert!(creq.as_bytes().windows(needle.len()).any(|w| w == needle));
    assert_eq!(
        sigv4::canonical_request_hash(&signed, &view, Some(&[0; 32])).unwrap(),
        <[u8; 32]>::from(sha2::Sha256::digest(creq.as_bytes()))
    );
}
