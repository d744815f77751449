//! The canonical URI (both path rules) and the canonical query, over
//! arbitrary paths and queries.
//!
//! Properties checked on every input:
//! - the streamed hash equals the hash of the canonical request text;
//! - the canonical URI and every query component hold only unreserved
//!   bytes, `/` (URI only) and `%XX` with uppercase hex;
//! - S3's rule is idempotent: the canonical URI of a canonical URI is itself;
//! - the other services' rule normalizes: one level of decoding gives a path
//!   without `.`, `..` or empty segments, whose canonical URI is the same;
//! - the canonical query is sorted by key then value, has one pair per
//!   non-empty `&` piece, and is its own canonical query.
#![no_main]

mod common;

use std::sync::OnceLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tower_sigv4::sigv4::{
    self, canonical_request_hash, CanonicalRequest, PercentEncodingMode, RequestView,
    SignatureLocation, SignedRequest, UriPathNormalizationMode, VerifySettings,
};

use common::{assert_canonical_encoding, RawRequest};

fn settings() -> &'static VerifySettings {
    static SETTINGS: OnceLock<VerifySettings> = OnceLock::new();
    SETTINGS.get_or_init(VerifySettings::default)
}

const BODY_HASH: [u8; 32] = [0x5a; 32];

/// Line `n` of the canonical request.
fn line(creq: &[u8], n: usize) -> &[u8] {
    creq.split(|&b| b == b'\n').nth(n).unwrap_or_default()
}

fn canonical(signed: &SignedRequest<'_>, view: &RequestView<'_>) -> Vec<u8> {
    let creq = CanonicalRequest::new(signed, view, Some(&BODY_HASH)).expect("a body hash is given");
    let streamed = canonical_request_hash(signed, view, Some(&BODY_HASH)).unwrap();
    assert_eq!(
        creq.sha256(),
        streamed,
        "streamed and buffered canonical requests differ"
    );
    creq.as_bytes().to_vec()
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' && i + 2 < s.len() {
            if let (Some(h), Some(l)) = (hex(s[i + 1]), hex(s[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(s[i]);
        i += 1;
    }
    out
}

fn check_request(signed: &SignedRequest<'_>, raw: &RawRequest, view: &RequestView<'_>) {
    let creq = canonical(signed, view);
    assert_eq!(line(&creq, 0), &raw.method[..]);

    // The canonical URI.
    let uri = line(&creq, 1).to_vec();
    let rule = signed.rules().path;
    // An HTTP server only ever delivers paths that start with '/'; S3's rule
    // does not normalize, so it leaves any other path without one.
    if raw.path.starts_with(b"/") || rule.normalization == UriPathNormalizationMode::Enabled {
        assert!(uri.starts_with(b"/"), "{:?}", String::from_utf8_lossy(&uri));
    }
    assert_canonical_encoding(&uri, true, "canonical URI");
    let again = |path: &[u8]| {
        let v = RequestView::new(&raw.method, path, &raw.query, &raw.headers);
        let v = match &raw.authority {
            Some(a) => v.with_authority(a),
            None => v,
        };
        line(&canonical(signed, &v), 1).to_vec()
    };
    match (rule.normalization, rule.encoding) {
        (UriPathNormalizationMode::Disabled, PercentEncodingMode::Single) => {
            assert_eq!(again(&uri), uri, "S3 canonical URI is not idempotent");
        }
        (UriPathNormalizationMode::Enabled, PercentEncodingMode::Double) => {
            let wire = percent_decode(&uri);
            let segments: Vec<&[u8]> = wire[1.min(wire.len())..].split(|&b| b == b'/').collect();
            let last = segments.len() - 1;
            for (i, seg) in segments.iter().enumerate() {
                assert!(
                    !matches!(*seg, b"." | b"..") && (!seg.is_empty() || i == last),
                    "not normalized: {:?}",
                    String::from_utf8_lossy(&wire)
                );
            }
            assert_eq!(again(&wire), uri, "normalization is not idempotent");
        }
        _ => {}
    }

    // The canonical query.
    let query = line(&creq, 2).to_vec();
    if query.is_empty() {
        return;
    }
    let pairs: Vec<(&[u8], &[u8])> = query
        .split(|&b| b == b'&')
        .map(|p| {
            let mut kv = p.splitn(2, |&b| b == b'=');
            let k = kv.next().unwrap();
            let v = kv.next().expect("every canonical pair has '='");
            (k, v)
        })
        .collect();
    for (k, v) in &pairs {
        assert_canonical_encoding(k, false, "query key");
        assert_canonical_encoding(v, false, "query value");
    }
    for w in pairs.windows(2) {
        assert!(
            w[0] <= w[1],
            "canonical query not sorted: {:?}",
            String::from_utf8_lossy(&query)
        );
    }
    if signed.location() == SignatureLocation::Header {
        let pieces = raw
            .query
            .split(|&b| b == b'&')
            .filter(|p| !p.is_empty())
            .count();
        assert_eq!(pairs.len(), pieces, "pairs lost or invented");
    }
    let v = RequestView::new(&raw.method, &raw.path, &query, &raw.headers);
    let v = match &raw.authority {
        Some(a) => v.with_authority(a),
        None => v,
    };
    if signed.location() == SignatureLocation::Header {
        assert_eq!(
            line(&canonical(signed, &v), 2),
            &query[..],
            "canonical query not idempotent"
        );
    }
}

/// The request's headers with a header signature over all of them, scoped
/// to `service`, and a declared payload.
fn with_header_signature(raw: &RawRequest, service: &str) -> Option<HeaderMap> {
    let mut headers = raw.headers.clone();
    headers.remove(http::header::AUTHORIZATION);
    headers.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    headers.insert("x-amz-date", HeaderValue::from_static("20150830T123600Z"));
    let mut names: Vec<&str> = headers.keys().map(|n| n.as_str()).collect();
    names.push("host");
    names.sort_unstable();
    names.dedup();
    names.truncate(100);
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/{service}/aws4_request, \
         SignedHeaders={}, Signature={}",
        names.join(";"),
        "0".repeat(64)
    );
    headers.insert(
        http::header::AUTHORIZATION,
        HeaderValue::from_str(&auth).ok()?,
    );
    Some(headers)
}

fuzz_target!(|data: &[u8]| {
    let mut raw = RawRequest::parse(data);
    // A presigned request is canonicalized as it stands.
    if let Ok(Some(signed)) = sigv4::parse(&raw.view(), settings()) {
        if signed.location() == SignatureLocation::Query {
            check_request(&signed, &raw, &raw.view());
            return;
        }
    }
    for service in ["s3", "service"] {
        let Some(headers) = with_header_signature(&raw, service) else {
            return;
        };
        let original = std::mem::replace(&mut raw.headers, headers);
        let view = raw.view();
        if let Ok(Some(signed)) = sigv4::parse(&view, settings()) {
            check_request(&signed, &raw, &view);
        }
        raw.headers = original;
    }
});
