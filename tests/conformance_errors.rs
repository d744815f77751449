//! One test per parse or check failure: the error kind, and the code, status
//! and message AWS gives for it in each protocol family.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::Digest;
use tower_sigv4::sigv4::{
    self, Dialect, Error, ErrorKind, Limit, Limits, PayloadMode, RequestView, SignatureLocation,
    SigningKey, VerifySettings,
};

const SECRET: &[u8] = b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the time of the AWS suite.
const T0: u64 = 1_440_938_160;
const DATE: &str = "20150830T123600Z";
/// get-vanilla's signature (valid for `GET /` with host and x-amz-date).
const SIG: &str = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn at(offset: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs((T0 as i64 + offset) as u64)
}

fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_bytes(v).unwrap(),
        );
    }
    h
}

fn authz(service: &str, signed_headers: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/{service}/aws4_request, SignedHeaders={signed_headers}, Signature={SIG}"
    )
}

fn presigned_query(service: &str, extra: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2F{service}%2Faws4_request&X-Amz-Date={DATE}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature={SIG}{extra}"
    )
}

/// The whole verification at `now`, as a server runs it (empty body).
fn run(
    target: &str,
    h: &HeaderMap,
    settings: &VerifySettings,
    now: SystemTime,
) -> Result<(), Error> {
    let view = RequestView::from_target(b"GET", target.as_bytes(), h);
    let signed = sigv4::parse(&view, settings)?.ok_or_else(Error::missing_authentication)?;
    sigv4::check(&signed, &view, settings, now)?;
    let s = signed.scope();
    let key = SigningKey::derive(SECRET, s.date(), s.region(), s.service());
    let body: [u8; 32] = sha2::Sha256::digest(b"").into();
    sigv4::verify_signature(&signed, &view, &key, Some(&body))
}

fn err(target: &str, h: &HeaderMap, settings: &VerifySettings, now: SystemTime) -> Error {
    run(target, h, settings, now).expect_err("must fail")
}

/// The kind, and (code, status) for S3, Query and JSON.
#[track_caller]
fn assert_codes(
    e: &Error,
    kind: ErrorKind,
    s3: (&str, u16),
    query: (&str, u16),
    json: (&str, u16),
) {
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(
        (e.aws_code(Dialect::S3), e.status(Dialect::S3)),
        s3,
        "S3: {e}"
    );
    assert_eq!(
        (e.aws_code(Dialect::Query), e.status(Dialect::Query)),
        query,
        "Query: {e}"
    );
    assert_eq!(
        (e.aws_code(Dialect::Json), e.status(Dialect::Json)),
        json,
        "JSON: {e}"
    );
    for d in [Dialect::S3, Dialect::Query, Dialect::Json] {
        let m = e.message(d);
        assert!(!m.is_empty());
        assert!(!m.contains(std::str::from_utf8(SECRET).unwrap()));
    }
}

fn vanilla() -> HeaderMap {
    headers(&[
        ("host", b"example.amazonaws.com"),
        ("x-amz-date", DATE.as_bytes()),
        (
            "authorization",
            authz("service", "host;x-amz-date").as_bytes(),
        ),
    ])
}

fn settings() -> VerifySettings {
    VerifySettings::default()
        .with_region("us-east-1")
        .with_service("service")
}

#[test]
fn the_baseline_verifies() {
    run("/", &vanilla(), &settings(), at(0)).unwrap();
}

#[test]
fn unsigned_is_a_distinct_outcome() {
    let h = headers(&[("host", b"example.amazonaws.com")]);
    let view = RequestView::from_target(b"GET", b"/?a=1&Signature=x", &h);
    assert!(sigv4::parse(&view, &settings()).unwrap().is_none());
    let e = Error::missing_authentication();
    assert_codes(
        &e,
        ErrorKind::MissingAuthentication,
        ("AccessDenied", 403),
        ("MissingAuthenticationToken", 403),
        ("MissingAuthenticationTokenException", 400),
    );
    assert_eq!(
        e.message(Dialect::Query),
        "Request is missing Authentication Token"
    );
}

#[test]
fn malformed_authorization_header() {
    let cases: &[&[u8]] = &[
        b"AWS4-HMAC-SHA256",
        b"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa0",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=zfa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015-08-30/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=x-amz-date;host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=Host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        b"AWS4-HMAC-SHA256 Credential=AKID\xff/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    ];
    for v in cases {
        let mut h = vanilla();
        h.insert("authorization", HeaderValue::from_bytes(v).unwrap());
        let e = err("/", &h, &settings(), at(0));
        assert_codes(
            &e,
            ErrorKind::MalformedAuthorization,
            ("AuthorizationHeaderMalformed", 400),
            ("IncompleteSignature", 400),
            ("IncompleteSignatureException", 400),
        );
        assert_eq!(e.location(), Some(SignatureLocation::Header));
        assert!(e
            .message(Dialect::S3)
            .starts_with("The authorization header is malformed;"));
    }
    // Parts in any order, commas with or without spaces, unknown parts ignored.
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&format!(
            "AWS4-HMAC-SHA256 Signature={SIG},Extra=1,SignedHeaders=host;x-amz-date,  Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
        ))
        .unwrap(),
    );
    run("/", &h, &settings(), at(0)).unwrap();
}

#[test]
fn malformed_presigned_query() {
    let q = presigned_query("service", "");
    let host = headers(&[("host", b"example.amazonaws.com")]);
    for drop in [
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    ] {
        let q: Vec<&str> = q
            .split('&')
            .filter(|p| !p.starts_with(&format!("{drop}=")))
            .collect();
        let e = err(&format!("/?{}", q.join("&")), &host, &settings(), at(0));
        assert_codes(
            &e,
            ErrorKind::MalformedAuthorization,
            ("AuthorizationQueryParametersError", 400),
            ("IncompleteSignature", 400),
            ("IncompleteSignatureException", 400),
        );
        assert!(e
            .message(Dialect::S3)
            .starts_with("Query-string authentication version 4 requires"));
    }
    let bad_cred = q.replace("AKIDEXAMPLE%2F20150830", "AKIDEXAMPLE%2F2015083");
    let e = err(&format!("/?{bad_cred}"), &host, &settings(), at(0));
    assert_eq!(e.aws_code(Dialect::S3), "AuthorizationQueryParametersError");
    assert!(
        e.message(Dialect::S3)
            .starts_with("Error parsing the X-Amz-Credential parameter;"),
        "{e}"
    );
}

#[test]
fn unsupported_algorithm() {
    let mut h = vanilla();
    h.insert("authorization", HeaderValue::from_static("Bearer abc"));
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::UnsupportedAlgorithm,
        ("InvalidArgument", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(e.message(Dialect::S3), "Unsupported Authorization Type");
    let q = presigned_query("service", "").replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1");
    let e = err(
        &format!("/?{q}"),
        &headers(&[("host", b"h")]),
        &settings(),
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm);
    assert_eq!(e.aws_code(Dialect::S3), "AuthorizationQueryParametersError");
}

#[test]
fn sigv2_is_recognised_and_refused() {
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_static("AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::SigV2,
        ("InvalidRequest", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::S3),
        "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
    );
    let e = err(
        "/b/k?AWSAccessKeyId=AKIDEXAMPLE&Expires=1441000000&Signature=abc%3D",
        &headers(&[("host", b"h")]),
        &settings(),
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::SigV2);
    assert_eq!(e.location(), Some(SignatureLocation::Query));
}

#[test]
fn sigv4a_is_recognised_and_not_supported_yet() {
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_static("AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE/20150830/service/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045"),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::SigV4a,
        ("InvalidRequest", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    let q = presigned_query("service", "").replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
    let e = err(
        &format!("/?{q}"),
        &headers(&[("host", b"h")]),
        &settings(),
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::SigV4a);
}

#[test]
fn both_locations() {
    let h = vanilla();
    let e = err(
        &format!("/?{}", presigned_query("service", "")),
        &h,
        &settings(),
        at(0),
    );
    assert_codes(
        &e,
        ErrorKind::BothLocations,
        ("InvalidArgument", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert!(e
        .message(Dialect::S3)
        .starts_with("Only one auth mechanism allowed"));
    let e = err("/?AWSAccessKeyId=AKID&Signature=x", &h, &settings(), at(0));
    assert_eq!(e.kind(), ErrorKind::BothLocations);
}

#[test]
fn repeated_parameters() {
    let mut h = vanilla();
    h.append(
        "authorization",
        HeaderValue::from_str(&authz("service", "host;x-amz-date")).unwrap(),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::RepeatedParameter,
        ("AuthorizationHeaderMalformed", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&format!(
            "{}, Signature={SIG}",
            authz("service", "host;x-amz-date")
        ))
        .unwrap(),
    );
    assert_eq!(
        err("/", &h, &settings(), at(0)).kind(),
        ErrorKind::RepeatedParameter
    );
    let mut h = vanilla();
    h.append("x-amz-date", HeaderValue::from_static(DATE));
    assert_eq!(
        err("/", &h, &settings(), at(0)).kind(),
        ErrorKind::RepeatedParameter
    );
    for extra in [
        "&X-Amz-Date=20150830T123600Z",
        "&X-Amz-Signature=00",
        "&X-Amz-Security-Token=a&X-Amz-Security-Token=b",
    ] {
        let e = err(
            &format!("/?{}", presigned_query("service", extra)),
            &headers(&[("host", b"h")]),
            &settings(),
            at(0),
        );
        assert_eq!(e.kind(), ErrorKind::RepeatedParameter, "{extra}");
        assert_eq!(e.aws_code(Dialect::S3), "AuthorizationQueryParametersError");
    }
}

#[test]
fn missing_and_invalid_dates() {
    let h = headers(&[
        ("host", b"example.amazonaws.com"),
        ("authorization", authz("service", "host").as_bytes()),
    ]);
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::MissingDate,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::S3),
        "AWS authentication requires a valid Date or x-amz-date header"
    );
    for bad in [
        "2015-08-30T12:36:00Z",
        "20150830T123600",
        "20150230T123600Z",
        "",
    ] {
        let mut h = vanilla();
        h.insert("x-amz-date", HeaderValue::from_str(bad).unwrap());
        let e = err("/", &h, &settings(), at(0));
        assert_codes(
            &e,
            ErrorKind::InvalidDate,
            ("AccessDenied", 403),
            ("IncompleteSignature", 400),
            ("IncompleteSignatureException", 400),
        );
    }
    let q = presigned_query("service", "").replace(DATE, "20150830T1236Z");
    let e = err(
        &format!("/?{q}"),
        &headers(&[("host", b"h")]),
        &settings(),
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidDate);
    assert_eq!(
        (e.aws_code(Dialect::S3), e.status(Dialect::S3)),
        ("AuthorizationQueryParametersError", 400)
    );
    assert_eq!(
        e.message(Dialect::S3),
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
    );
}

#[test]
fn a_date_header_stands_in_for_x_amz_date() {
    // The Date header enters the string to sign in the ISO 8601 basic form:
    // the signature of get-vanilla (x-amz-date) differs in the signed
    // header list, so only parsing and checks are compared here.
    let h = headers(&[
        ("host", b"example.amazonaws.com"),
        ("date", b"Sun, 30 Aug 2015 12:36:00 GMT"),
        ("authorization", authz("service", "date;host").as_bytes()),
    ]);
    let view = RequestView::from_target(b"GET", b"/", &h);
    let signed = sigv4::parse(&view, &settings()).unwrap().unwrap();
    assert_eq!(signed.date().as_str(), DATE);
    assert_eq!(signed.date_source(), sigv4::DateSource::Date);
    sigv4::check(&signed, &view, &settings(), at(0)).unwrap();
    let creq = sigv4::CanonicalRequest::new(&signed, &view, Some(&[0; 32])).unwrap();
    assert!(creq
        .to_string()
        .contains("\ndate:Sun, 30 Aug 2015 12:36:00 GMT\n"));
    let sts = sigv4::StringToSign::new(&signed, &creq.sha256());
    assert!(sts
        .as_str()
        .starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
    // x-amz-date wins over Date.
    let mut h2 = h.clone();
    h2.insert("x-amz-date", HeaderValue::from_static("20150830T123700Z"));
    let view = RequestView::from_target(b"GET", b"/", &h2);
    let signed = sigv4::parse(&view, &settings()).unwrap().unwrap();
    assert_eq!(signed.date().as_str(), "20150830T123700Z");
}

#[test]
fn invalid_expires() {
    let host = headers(&[("host", b"example.amazonaws.com")]);
    for (v, msg) in [
        ("abc", "X-Amz-Expires should be a number"),
        ("", "X-Amz-Expires should be a number"),
        ("-1", "X-Amz-Expires must be non-negative"),
        ("0", "X-Amz-Expires must be a positive number of seconds"),
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        (
            "99999999999999999999999",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
    ] {
        let q = presigned_query("service", "")
            .replace("X-Amz-Expires=3600", &format!("X-Amz-Expires={v}"));
        let e = err(&format!("/?{q}"), &host, &settings(), at(0));
        assert_codes(
            &e,
            ErrorKind::InvalidExpires,
            ("AuthorizationQueryParametersError", 400),
            ("IncompleteSignature", 400),
            ("IncompleteSignatureException", 400),
        );
        assert_eq!(e.message(Dialect::S3), msg, "{v}");
    }
    let q = presigned_query("service", "").replace("X-Amz-Expires=3600", "X-Amz-Expires=604800");
    let view = RequestView::from_target(b"GET", q.as_bytes(), &host);
    let _ = view;
    // A lower setting refuses what AWS would accept.
    let strict = settings().with_max_presigned_expiry(Duration::from_secs(600));
    let e = err(
        &format!("/?{}", presigned_query("service", "")),
        &host,
        &strict,
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidExpires);
}

#[test]
fn bad_terminator() {
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(
            &authz("service", "host;x-amz-date").replace("aws4_request", "aws4_requesx"),
        )
        .unwrap(),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::BadTerminator,
        ("AuthorizationHeaderMalformed", 400),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::S3),
        "The authorization header is malformed; incorrect terminal \"aws4_requesx\". This endpoint uses \"aws4_request\"."
    );
    assert_eq!(
        e.message(Dialect::Query),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requesx'."
    );
}

#[test]
fn scope_date_mismatch() {
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(
            &authz("service", "host;x-amz-date").replace("/20150830/", "/20150831/"),
        )
        .unwrap(),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::ScopeDateMismatch,
        ("AuthorizationHeaderMalformed", 400),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::Query),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from 'x-amz-date'."
    );
}

#[test]
fn wrong_region_names_the_expected_one() {
    let s = VerifySettings::default().with_region("eu-west-1");
    let e = err("/", &vanilla(), &s, at(0));
    assert_codes(
        &e,
        ErrorKind::WrongRegion,
        ("AuthorizationHeaderMalformed", 400),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(e.expected_region(), Some("eu-west-1"));
    assert_eq!(
        e.message(Dialect::S3),
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    );
    // Several regions may be accepted.
    let s = VerifySettings::default()
        .with_region("eu-west-1")
        .with_region("us-east-1");
    run("/", &vanilla(), &s, at(0)).unwrap();
}

#[test]
fn wrong_service() {
    let s = VerifySettings::default().with_service("sts");
    let e = err("/", &vanilla(), &s, at(0));
    assert_codes(
        &e,
        ErrorKind::WrongService,
        ("AuthorizationHeaderMalformed", 400),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::Query),
        "Credential should be scoped to correct service: 'sts'."
    );
}

#[test]
fn clock_skew_window() {
    let skew = 15 * 60;
    run("/", &vanilla(), &settings(), at(skew)).unwrap();
    run("/", &vanilla(), &settings(), at(-skew)).unwrap();
    let e = err("/", &vanilla(), &settings(), at(skew + 1));
    assert_codes(
        &e,
        ErrorKind::RequestTimeTooSkewed,
        ("RequestTimeTooSkewed", 403),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::Query),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
    );
    assert_eq!(e.max_skew(), Some(Duration::from_secs(900)));
    assert_eq!(
        e.request_time().map(|d| d.to_string()),
        Some(DATE.to_owned())
    );
    let e = err("/", &vanilla(), &settings(), at(-skew - 1));
    assert_eq!(e.kind(), ErrorKind::RequestTimeTooSkewed);
    assert!(e
        .message(Dialect::Json)
        .starts_with("Signature not yet current: 20150830T123600Z is still later than"));
    // The setting moves the window.
    let s = settings().with_max_clock_skew(Duration::from_secs(60));
    assert_eq!(
        err("/", &vanilla(), &s, at(61)).kind(),
        ErrorKind::RequestTimeTooSkewed
    );
}

#[test]
fn presigned_expiry_and_not_yet_valid() {
    let host = headers(&[("host", b"example.amazonaws.com")]);
    let q = format!("/?{}", presigned_query("service", ""));
    // Valid through the last second; the signature check fails afterwards
    // (the signature is not real), so stop at `check`.
    let only_check = |now| {
        let view = RequestView::from_target(b"GET", q.as_bytes(), &host);
        let signed = sigv4::parse(&view, &settings()).unwrap().unwrap();
        sigv4::check(&signed, &view, &settings(), now)
    };
    only_check(at(3600)).unwrap();
    only_check(at(-900)).unwrap();
    let e = only_check(at(3601)).unwrap_err();
    assert_codes(
        &e,
        ErrorKind::Expired,
        ("AccessDenied", 403),
        ("RequestExpired", 400),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(e.message(Dialect::S3), "Request has expired");
    assert_eq!(e.expires(), Some(3600));
    let e = only_check(at(-901)).unwrap_err();
    assert_codes(
        &e,
        ErrorKind::NotYetValid,
        ("AccessDenied", 403),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(e.message(Dialect::S3), "Request is not valid yet");
}

#[test]
fn host_and_date_must_be_signed() {
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&authz("service", "x-amz-date")).unwrap(),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::HostNotSigned,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::Json),
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&authz("service", "host")).unwrap(),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::DateNotSigned,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    assert_eq!(e.headers_not_signed(), Some("x-amz-date"));
}

#[test]
fn x_amz_headers_must_be_signed() {
    let mut h = vanilla();
    h.insert("x-amz-meta-color", HeaderValue::from_static("red"));
    h.insert("x-amz-acl", HeaderValue::from_static("private"));
    h.insert("x-amzn-trace-id", HeaderValue::from_static("Root=1"));
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::UnsignedAmzHeader,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    let names = e.headers_not_signed().unwrap();
    assert!(
        names.contains("x-amz-meta-color") && names.contains("x-amz-acl"),
        "{names}"
    );
    assert!(!names.contains("x-amzn"), "{names}");
    assert_eq!(
        e.message(Dialect::S3),
        "There were headers present in the request which were not signed"
    );
    // The setting turns the rule off (and then the request verifies).
    let lax = settings().with_require_signed_amz_headers(false);
    run("/", &h, &lax, at(0)).unwrap();
}

#[test]
fn token_and_content_sha256_must_be_signed() {
    let lax = settings().with_require_signed_amz_headers(false);
    let mut h = vanilla();
    h.insert("x-amz-security-token", HeaderValue::from_static("TOKEN"));
    let e = err("/", &h, &lax, at(0));
    assert_codes(
        &e,
        ErrorKind::TokenNotSigned,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
    let mut h = vanilla();
    h.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static(EMPTY_SHA256),
    );
    let e = err("/", &h, &lax, at(0));
    assert_codes(
        &e,
        ErrorKind::ContentSha256NotSigned,
        ("AccessDenied", 403),
        ("IncompleteSignature", 400),
        ("IncompleteSignatureException", 400),
    );
}

#[test]
fn s3_requires_and_validates_content_sha256() {
    let s3 = VerifySettings::default();
    let h = headers(&[
        ("host", b"bucket.s3.amazonaws.com"),
        ("x-amz-date", DATE.as_bytes()),
        ("authorization", authz("s3", "host;x-amz-date").as_bytes()),
    ]);
    let e = err("/", &h, &s3, at(0));
    assert_codes(
        &e,
        ErrorKind::MissingContentSha256,
        ("InvalidRequest", 400),
        ("MissingParameter", 400),
        ("ValidationException", 400),
    );
    assert_eq!(
        e.message(Dialect::S3),
        "Missing required header for this request: x-amz-content-sha256"
    );
    for bad in [
        "abc",
        "unsigned-payload",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
        &EMPTY_SHA256[1..],
    ] {
        let mut h = h.clone();
        h.insert("x-amz-content-sha256", HeaderValue::from_str(bad).unwrap());
        let e = err("/", &h, &s3, at(0));
        assert_codes(
            &e,
            ErrorKind::InvalidContentSha256,
            ("InvalidArgument", 400),
            ("InvalidParameterValue", 400),
            ("ValidationException", 400),
        );
    }
    let mut h2 = h.clone();
    h2.insert(
        "x-amz-content-sha256",
        HeaderValue::from_static("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
    );
    let view = RequestView::from_target(b"PUT", b"/k", &h2);
    let signed = sigv4::parse(&view, &s3).unwrap().unwrap();
    assert_eq!(signed.payload_mode(), PayloadMode::StreamingUnsignedTrailer);
    assert!(!signed.needs_body_hash());
}

#[test]
fn malformed_tokens() {
    let mut h = vanilla();
    h.insert(
        "x-amz-security-token",
        HeaderValue::from_static("two words"),
    );
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::MalformedToken,
        ("InvalidToken", 400),
        ("InvalidClientTokenId", 403),
        ("UnrecognizedClientException", 400),
    );
    let q = presigned_query("service", "&X-Amz-Security-Token=a%00b");
    let e = err(
        &format!("/?{q}"),
        &headers(&[("host", b"h")]),
        &settings(),
        at(0),
    );
    assert_eq!(e.kind(), ErrorKind::MalformedToken);
}

#[test]
fn signature_mismatch() {
    let mut h = vanilla();
    h.insert("host", HeaderValue::from_static("example.amazonaws.org"));
    let e = err("/", &h, &settings(), at(0));
    assert_codes(
        &e,
        ErrorKind::SignatureMismatch,
        ("SignatureDoesNotMatch", 403),
        ("SignatureDoesNotMatch", 403),
        ("InvalidSignatureException", 400),
    );
    assert_eq!(
        e.message(Dialect::S3),
        "The request signature we calculated does not match the signature you provided. Check your key and signing method."
    );
}

#[test]
fn a_missing_body_hash_is_the_callers_error() {
    let h = vanilla();
    let view = RequestView::from_target(b"GET", b"/", &h);
    let signed = sigv4::parse(&view, &settings()).unwrap().unwrap();
    assert!(signed.needs_body_hash());
    let key = SigningKey::derive(SECRET, "20150830", "us-east-1", "service");
    let e = sigv4::verify_signature(&signed, &view, &key, None).unwrap_err();
    assert_codes(
        &e,
        ErrorKind::BodyHashRequired,
        ("InternalError", 500),
        ("InternalFailure", 500),
        ("InternalFailure", 500),
    );
}

#[test]
fn too_large_inputs_fail_with_the_limit() {
    let small = Limits::default()
        .with_max_authorization_len(300)
        .with_max_signed_headers(3)
        .with_max_query_params(4)
        .with_max_header_value_len(10)
        .with_max_security_token_len(8)
        .with_max_uri_len(100);
    let s = settings().with_limits(small);
    let limit_of = |target: &str, h: &HeaderMap| {
        let e = err(target, h, &s, at(0));
        assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
        e.limit().unwrap()
    };
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&format!(
            "{}, Pad={}",
            authz("service", "host;x-amz-date"),
            "p".repeat(200)
        ))
        .unwrap(),
    );
    assert_eq!(limit_of("/", &h), Limit::AuthorizationLength);
    let mut h = vanilla();
    h.insert(
        "authorization",
        HeaderValue::from_str(&authz("service", "a;b;host;x-amz-date")).unwrap(),
    );
    assert_eq!(limit_of("/", &h), Limit::SignedHeaders);
    assert_eq!(limit_of("/?a&b&c&d&e", &vanilla()), Limit::QueryParameters);
    assert_eq!(
        limit_of(&format!("/{}", "p".repeat(100)), &vanilla()),
        Limit::UriLength
    );
    let mut h = vanilla();
    h.insert(
        "host",
        HeaderValue::from_static("a-very-long-host.example.com"),
    );
    assert_eq!(limit_of("/", &h), Limit::HeaderValueLength);
    let mut h = vanilla();
    h.insert(
        "x-amz-security-token",
        HeaderValue::from_static("123456789"),
    );
    assert_eq!(limit_of("/", &h), Limit::SecurityTokenLength);
    let e = err("/", &h, &s, at(0));
    assert_eq!(
        (e.aws_code(Dialect::S3), e.status(Dialect::S3)),
        ("RequestHeaderSectionTooLarge", 400)
    );
    assert_eq!(e.aws_code(Dialect::Json), "ValidationException");
}

#[test]
fn error_display_and_debug_hold_no_secret() {
    let e = err(
        "/",
        &vanilla(),
        &VerifySettings::default().with_region("eu-west-1"),
        at(0),
    );
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("AuthorizationHeaderMalformed"), "{shown}");
    assert!(!shown.contains("wJalrXUtnFEMI"));
}
