//! Requests signed at test time by the `aws-sigv4` crate (the signer of the
//! AWS SDK for Rust), verified by our core.
//!
//! `aws-sigv4` signs what an `http::Uri` can hold, so each case writes its
//! path the way that client's callers do: S3 keys percent-encoded once (every
//! byte but `A-Za-z0-9-._~` and `/`, which is what the SDK's greedy labels
//! produce), other services' paths as they are, with the signer
//! normalizing and double-encoding them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody,
    SignableRequest, SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use http::header::{HeaderName, HeaderValue};
use sha2::{Digest, Sha256};
use tower_sigv4::sigv4::{
    self, ErrorKind, PayloadMode, RequestView, ServiceRules, SigningKey, VerifySettings,
};

/// Secrets and tokens hold `+ / =` on purpose.
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_AKID: &str = "ASIAIOSFODNN7EXAMPLE";
const TEMP_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvb+EXAMPLE=KEY";
const TOKEN: &str =
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Ex4mPl3/token+with/slashes=and+plus==";

const SPECIALS: &str = "+=:@!*'(),;$&~";

/// How the service canonicalizes, as the SDK configures `aws-sigv4` for it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// Single encoding, no normalization, `x-amz-content-sha256` header.
    S3,
    /// Double encoding, normalization, no payload header (the verifier hashes the body).
    Generic,
    /// Generic canonicalization with an `x-amz-content-sha256` header.
    GenericWithContentSha256,
    /// Generic, with the session token added after signing (AWS IoT style).
    GenericTokenExcluded,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Payload {
    Bytes,
    Unsigned,
    StreamingSigned,
    StreamingSignedTrailer,
    StreamingUnsignedTrailer,
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    kind: Kind,
    service: &'static str,
    region: &'static str,
    time: u64,
    method: &'static str,
    authority: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    payload: Payload,
    presigned: Option<u64>,
    session: bool,
    /// HTTP/1.1: origin-form target and a `Host` header. Otherwise HTTP/2:
    /// an absolute URI and no `Host` header.
    host_header: bool,
}

impl Case {
    fn new(name: impl Into<String>, kind: Kind, service: &'static str) -> Case {
        Case {
            name: name.into(),
            kind,
            service,
            region: "us-east-1",
            time: 1_440_938_160, // 2015-08-30T12:36:00Z
            method: "GET",
            authority: "example.amazonaws.com",
            path: "/".into(),
            query: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
            payload: Payload::Bytes,
            presigned: None,
            session: false,
            host_header: true,
        }
    }

    fn secret(&self) -> &'static str {
        if self.session {
            TEMP_SECRET
        } else {
            SECRET
        }
    }

    fn rules(&self) -> ServiceRules {
        match self.kind {
            Kind::S3 => ServiceRules::S3,
            Kind::Generic | Kind::GenericWithContentSha256 => ServiceRules::DEFAULT,
            Kind::GenericTokenExcluded => {
                ServiceRules::DEFAULT.with_session_token(sigv4::SessionTokenMode::Exclude)
            }
        }
    }

    fn settings(&self) -> VerifySettings {
        let s = VerifySettings::default()
            .with_region(self.region)
            .with_service(self.service);
        match self.kind {
            // S3 and the generic services get their rules by default.
            Kind::S3 | Kind::Generic | Kind::GenericWithContentSha256 => s,
            Kind::GenericTokenExcluded => s.with_service_rules(self.service, self.rules()),
        }
    }

    fn signing_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.time)
    }

    fn url(&self) -> String {
        let mut url = format!("https://{}{}", self.authority, self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }
}

/// A request as the server receives it.
#[derive(Clone, Debug, PartialEq)]
struct Received {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Signs `case` with `aws-sigv4` and returns what goes over the wire.
fn sign_with_aws_sigv4(case: &Case) -> Received {
    let token = case.session.then(|| TOKEN.to_owned());
    let akid = if case.session { TEMP_AKID } else { AKID };
    let identity: Identity = Credentials::new(akid, case.secret(), token, None, "test").into();

    let mut settings = SigningSettings::default();
    match case.kind {
        Kind::S3 => {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        Kind::Generic => {}
        Kind::GenericWithContentSha256 => {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        Kind::GenericTokenExcluded => settings.session_token_mode = SessionTokenMode::Exclude,
    }
    if let Some(expires) = case.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(expires));
    }
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(case.region)
        .name(case.service)
        .time(case.signing_time())
        .settings(settings)
        .build()
        .expect("signing params")
        .into();

    let body = match case.payload {
        Payload::Bytes => SignableBody::Bytes(&case.body),
        Payload::Unsigned => SignableBody::UnsignedPayload,
        Payload::StreamingSigned => {
            SignableBody::Precomputed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".into())
        }
        Payload::StreamingSignedTrailer => SignableBody::StreamingSignedPayloadTrailer,
        Payload::StreamingUnsignedTrailer => SignableBody::StreamingUnsignedPayloadTrailer,
    };
    let url = case.url();
    let signable = SignableRequest::new(
        case.method,
        url.as_str(),
        case.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        body,
    )
    .expect("signable request");
    let (instructions, _signature) = sign(signable, &params)
        .expect("aws-sigv4 signs")
        .into_parts();

    let mut req = http::Request::builder()
        .method(case.method)
        .uri(url.as_str())
        .body(())
        .expect("request");
    for (n, v) in &case.headers {
        req.headers_mut().append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    // Unsigned by aws-sigv4 (its excluded headers): proves nothing is required of them.
    req.headers_mut().append(
        "user-agent",
        HeaderValue::from_static("aws-sdk-rust/1.0 test"),
    );
    instructions.apply_to_request_http1x(&mut req);

    let uri = req.uri().clone();
    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let uri = if case.host_header {
        headers.insert(0, ("host".into(), case.authority.into()));
        uri.path_and_query().unwrap().as_str().to_owned()
    } else {
        uri.to_string()
    };
    Received {
        method: case.method.to_owned(),
        uri,
        headers,
        body: case.body.clone(),
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Verified(PayloadMode),
    Unsigned,
    Rejected(&'static str, ErrorKind),
}

/// Our core over a received request: parse, check at `now`, verify.
fn verify_at(case: &Case, settings: &VerifySettings, rx: &Received, now: SystemTime) -> Outcome {
    let mut req = http::Request::builder()
        .method(rx.method.as_str())
        .uri(rx.uri.as_str())
        .body(())
        .expect("received request");
    for (n, v) in &rx.headers {
        req.headers_mut().append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
    }
    let (parts, ()) = req.into_parts();
    let view = RequestView::from_parts(&parts);
    let signed = match sigv4::parse(&view, settings) {
        Ok(Some(s)) => s,
        Ok(None) => return Outcome::Unsigned,
        Err(e) => return Outcome::Rejected("parse", e.kind()),
    };
    if let Err(e) = sigv4::check(&signed, &view, settings, now) {
        return Outcome::Rejected("check", e.kind());
    }
    let scope = signed.scope();
    let key = SigningKey::derive(
        case.secret().as_bytes(),
        scope.date(),
        scope.region(),
        scope.service(),
    );
    let body_hash: [u8; 32] = Sha256::digest(&rx.body).into();
    match sigv4::verify_signature(&signed, &view, &key, Some(&body_hash)) {
        Ok(()) => Outcome::Verified(signed.payload_mode()),
        Err(e) => Outcome::Rejected("verify", e.kind()),
    }
}

fn verify(case: &Case, rx: &Received) -> Outcome {
    let now =
        case.signing_time() + Duration::from_secs(case.presigned.map_or(90, |e| (e - 1).min(60)));
    verify_at(case, &case.settings(), rx, now)
}

/// Encodes an S3 key the way the SDK writes a greedy label: every byte but
/// the unreserved set and `/`, uppercase hex.
fn encode_key(key: &str) -> String {
    let mut out = String::new();
    for &b in key.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a query component as AWS canonicalizes it.
fn encode_component(s: &str) -> String {
    let mut out = encode_key(s);
    out = out.replace('/', "%2F");
    out
}

fn s3_keys() -> Vec<(&'static str, String)> {
    vec![
        ("plain", encode_key("photos/2024/cat.jpg")),
        ("specials", encode_key(&format!("x{SPECIALS}y"))),
        ("each-special", encode_key("a+b=c:d@e!f*g'h(i)j,k;l$m&n~o")),
        ("spaces", encode_key("with space/and  two   spaces ")),
        (
            "utf8",
            encode_key("utf8/\u{20ac}uro/\u{65e5}\u{672c}/\u{1f600}.txt"),
        ),
        ("percent", encode_key("100%/a%2Fb")),
        ("encoded-slash", "a%2Fb%2Fc".into()),
        (
            "encoded-slash-in-dir",
            format!("dir/{}/z", encode_key("x") + "%2Fy"),
        ),
        ("double-slash", encode_key("a//b///c")),
        ("dot-segments", encode_key("a/./b/../c")),
        ("leading-dotdot", encode_key("../up/./")),
        ("trailing-slash", encode_key("dir/sub/")),
        ("question-hash", encode_key("what?#no")),
        ("brackets", encode_key("[x]{y}|z^`\"<>\\")),
        ("unreserved", encode_key("AZaz09-._~")),
    ]
}

fn queries() -> Vec<(&'static str, String)> {
    vec![
        ("none", String::new()),
        ("list", "list-type=2&prefix=photos%2F&delimiter=%2F".into()),
        ("valueless", "acl".into()),
        ("repeated", "a=2&a=1&a=10&a=".into()),
        ("empty-values", "a=&b=&c".into()),
        (
            "prefix-sharing",
            "a1=4&a.b=3&a-b=2&a=1&a_b=5&A=0&a~=6".into(),
        ),
        (
            "specials-encoded",
            format!(
                "{}={}&name={}",
                encode_component(SPECIALS),
                encode_component(SPECIALS),
                encode_component("\u{fc}ber \u{20ac}\u{1f600}")
            ),
        ),
        // What form encoders send: `+` for a space, lowercase hex, raw sub-delims.
        (
            "plus-space-lowercase-raw",
            "q=a+b+c&r=%2f%e2%82%ac&s=!*'()&t=a=b".into(),
        ),
    ]
}

fn generic_paths() -> Vec<(&'static str, &'static str)> {
    vec![
        ("root", "/"),
        ("plain", "/prod/items/123"),
        ("double-slash", "/prod//items///123"),
        ("dot", "/prod/./items/./x"),
        ("dotdot", "/prod/items/../orders/7"),
        ("leading-dotdot", "/../../prod/x"),
        ("trailing-slash", "/prod/items/"),
        ("dot-trailing-slash", "/prod/items/./"),
        ("encoded-space", "/prod/a%20b"),
        (
            "encoded-specials",
            "/prod/%2B%3D%3A%40%21%2A%27%28%29%2C%3B%24%26~",
        ),
        ("raw-subdelims", "/prod/a!b$c&d'e(f)g*h+i,j;k=l:m@n"),
        ("encoded-utf8", "/prod/%E2%82%AC/%F0%9F%98%80"),
        ("encoded-slash", "/prod/a%2Fb/c"),
        ("encoded-percent", "/prod/100%25"),
        ("lowercase-hex", "/prod/a%2fb"),
        ("encoded-dots", "/prod/%2E%2E/x"),
    ]
}

fn all_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let regions = [
        "us-east-1",
        "eu-west-3",
        "ap-northeast-1",
        "cn-northwest-1",
        "us-gov-east-1",
    ];
    let times = [1_440_938_160, 1_709_251_199, 1_735_689_599, 1_767_225_601];
    let mut n = 0usize;
    let mut vary = |c: &mut Case| {
        c.region = regions[n % regions.len()];
        c.time = times[n % times.len()];
        c.session = n % 3 == 1;
        c.host_header = n % 4 != 3;
        n += 1;
    };

    // S3: every key, GET and PUT, header and presigned.
    for (name, key) in s3_keys() {
        for presigned in [None, Some(3600)] {
            for method in ["GET", "PUT"] {
                let mut c = Case::new(
                    format!(
                        "s3-{}-{name}-{}",
                        method.to_lowercase(),
                        if presigned.is_some() {
                            "query"
                        } else {
                            "header"
                        }
                    ),
                    Kind::S3,
                    "s3",
                );
                vary(&mut c);
                c.method = method;
                c.authority = "examplebucket.s3.amazonaws.com";
                c.path = format!("/{key}");
                c.presigned = presigned;
                if presigned.is_some() {
                    c.payload = Payload::Unsigned;
                } else if method == "PUT" {
                    c.body = format!("body of {name}\n").into_bytes();
                    c.headers = vec![("content-type".into(), "text/plain".into())];
                }
                cases.push(c);
            }
        }
    }
    // S3: queries, header and presigned.
    for (name, query) in queries() {
        for presigned in [None, Some(604_800)] {
            let mut c = Case::new(
                format!(
                    "s3-query-{name}-{}",
                    presigned.map_or("header", |_| "query")
                ),
                Kind::S3,
                "s3",
            );
            vary(&mut c);
            c.authority = "s3.eu-west-3.amazonaws.com";
            c.path = "/examplebucket/".into();
            c.query = query.clone();
            c.presigned = presigned;
            if presigned.is_some() {
                c.payload = Payload::Unsigned;
            }
            cases.push(c);
        }
    }
    // S3: payload modes.
    for payload in [
        Payload::Unsigned,
        Payload::StreamingSigned,
        Payload::StreamingSignedTrailer,
        Payload::StreamingUnsignedTrailer,
    ] {
        let mut c = Case::new(format!("s3-payload-{payload:?}"), Kind::S3, "s3");
        vary(&mut c);
        c.method = "PUT";
        c.path = "/examplebucket/chunked.bin".into();
        c.headers = vec![
            ("content-encoding".into(), "aws-chunked".into()),
            ("x-amz-decoded-content-length".into(), "66560".into()),
        ];
        if payload == Payload::StreamingSignedTrailer
            || payload == Payload::StreamingUnsignedTrailer
        {
            c.headers
                .push(("x-amz-trailer".into(), "x-amz-checksum-crc32".into()));
        }
        c.payload = payload;
        cases.push(c);
    }
    // Headers: whitespace runs, repeated lines, punctuation; S3 and generic.
    let header_sets: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "whitespace-runs",
            vec![
                ("x-amz-meta-spaced", "a   b    c"),
                ("x-custom", "  lead and trail  "),
            ],
        ),
        (
            "repeated-lines",
            vec![
                ("x-amz-meta-tag", "one"),
                ("x-amz-meta-tag", "two"),
                ("x-amz-meta-tag", "three   four"),
            ],
        ),
        (
            "punctuation",
            vec![
                ("x-amz-meta-p", "+=:@!*'(),;$&~\"?#"),
                ("content-disposition", "attachment; filename=\"a b.txt\""),
            ],
        ),
        (
            "standard",
            vec![
                ("content-type", "application/json"),
                ("x-amz-acl", "private"),
                ("cache-control", "no-cache"),
            ],
        ),
    ];
    for (name, hs) in &header_sets {
        for kind in [Kind::S3, Kind::Generic] {
            for presigned in [None, Some(900)] {
                let svc = if kind == Kind::S3 {
                    "s3"
                } else {
                    "execute-api"
                };
                let mut c = Case::new(
                    format!(
                        "{svc}-headers-{name}-{}",
                        presigned.map_or("header", |_| "query")
                    ),
                    kind,
                    svc,
                );
                vary(&mut c);
                c.method = "PUT";
                c.path = "/examplebucket/headers.txt".into();
                c.headers = hs
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect();
                c.presigned = presigned;
                if presigned.is_some() && kind == Kind::S3 {
                    c.payload = Payload::Unsigned;
                } else {
                    c.body = b"{\"a\": 1}".to_vec();
                }
                cases.push(c);
            }
        }
    }
    // Generic services: every path, GET with a query and POST with a body.
    let services = ["execute-api", "kms", "sts", "webhook"];
    for (i, (name, path)) in generic_paths().into_iter().enumerate() {
        for presigned in [None, Some(300)] {
            let svc = services[i % services.len()];
            let mut c = Case::new(
                format!(
                    "{svc}-get-{name}-{}",
                    presigned.map_or("header", |_| "query")
                ),
                Kind::Generic,
                svc,
            );
            vary(&mut c);
            c.authority = "abc123.execute-api.us-east-1.amazonaws.com";
            c.path = path.into();
            c.query = queries()[i % queries().len()].1.clone();
            c.presigned = presigned;
            cases.push(c);
        }
        let mut c = Case::new(format!("generic-post-{name}"), Kind::Generic, "execute-api");
        vary(&mut c);
        c.method = "POST";
        c.path = path.into();
        c.body = format!("{{\"path\": \"{name}\", \"v\": \"{SPECIALS} \u{20ac}\"}}").into_bytes();
        c.headers = vec![("content-type".into(), "application/json".into())];
        cases.push(c);
    }
    // Generic queries, header and presigned.
    for (name, query) in queries() {
        for presigned in [None, Some(1)] {
            let mut c = Case::new(
                format!(
                    "generic-query-{name}-{}",
                    presigned.map_or("header", |_| "query")
                ),
                Kind::Generic,
                "iam",
            );
            vary(&mut c);
            c.authority = "iam.amazonaws.com";
            c.query = query.clone();
            c.presigned = presigned;
            cases.push(c);
        }
    }
    // KMS-style JSON POSTs, with and without an x-amz-content-sha256 header.
    for (i, kind) in [Kind::Generic, Kind::GenericWithContentSha256]
        .into_iter()
        .enumerate()
    {
        for session in [false, true] {
            let mut c = Case::new(format!("kms-encrypt-{i}-{session}"), kind, "kms");
            vary(&mut c);
            c.session = session;
            c.method = "POST";
            c.authority = "kms.us-east-1.amazonaws.com";
            c.headers = vec![
                ("content-type".into(), "application/x-amz-json-1.1".into()),
                ("x-amz-target".into(), "TrentService.Encrypt".into()),
            ];
            c.body = br#"{"KeyId":"alias/my-key","Plaintext":"SGVsbG8+Lz0="}"#.to_vec();
            cases.push(c);
        }
    }
    // The session token added after signing (AWS IoT presigned WebSocket URLs).
    for presigned in [None, Some(86_400)] {
        let mut c = Case::new(
            format!(
                "iot-token-excluded-{}",
                presigned.map_or("header", |_| "query")
            ),
            Kind::GenericTokenExcluded,
            "iotdevicegateway",
        );
        c.session = true;
        c.authority = "a1b2c3-ats.iot.us-east-1.amazonaws.com";
        c.path = "/mqtt".into();
        c.presigned = presigned;
        cases.push(c);
    }
    cases
}

#[test]
fn every_aws_sigv4_signed_request_verifies() {
    let cases = all_cases();
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut failures = Vec::new();
    let (mut s3, mut generic, mut query, mut session, mut h2) = (0, 0, 0, 0, 0);
    for case in &cases {
        let rx = sign_with_aws_sigv4(case);
        match verify(case, &rx) {
            Outcome::Verified(mode) => {
                let want = match (case.payload, case.kind, case.presigned) {
                    (Payload::Unsigned, ..) => PayloadMode::Unsigned,
                    (Payload::StreamingSigned, ..) => PayloadMode::StreamingSigned,
                    (Payload::StreamingSignedTrailer, ..) => PayloadMode::StreamingSignedTrailer,
                    (Payload::StreamingUnsignedTrailer, ..) => {
                        PayloadMode::StreamingUnsignedTrailer
                    }
                    (Payload::Bytes, Kind::S3 | Kind::GenericWithContentSha256, None) => {
                        PayloadMode::Sha256(Sha256::digest(&case.body).into())
                    }
                    (Payload::Bytes, ..) => PayloadMode::FromBody,
                };
                if mode != want {
                    failures.push(format!(
                        "{}: payload mode {mode:?}, want {want:?}",
                        case.name
                    ));
                }
            }
            other => failures.push(format!("{}: {other:?}\n  {rx:?}", case.name)),
        }
        s3 += usize::from(case.kind == Kind::S3);
        generic += usize::from(case.kind != Kind::S3);
        query += usize::from(case.presigned.is_some());
        session += usize::from(case.session);
        h2 += usize::from(!case.host_header);
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(s3 >= 50 && generic >= 50 && query >= 50 && session >= 30 && h2 >= 20);
}

#[test]
fn every_aws_sigv4_signed_request_fails_with_its_signature_changed() {
    let mut failures = Vec::new();
    for case in &all_cases() {
        let rx = sign_with_aws_sigv4(case);
        let mut bad = rx.clone();
        let flip = |s: &mut String, marker: &str| {
            let start = s.find(marker).expect("signature present") + marker.len() + 20;
            let c = if &s[start..=start] == "0" { "1" } else { "0" };
            s.replace_range(start..=start, c);
        };
        if case.presigned.is_some() {
            flip(&mut bad.uri, "X-Amz-Signature=");
        } else {
            let auth = bad
                .headers
                .iter_mut()
                .find(|(n, _)| n == "authorization")
                .unwrap();
            flip(&mut auth.1, "Signature=");
        }
        let got = verify(case, &bad);
        if got != Outcome::Rejected("verify", ErrorKind::SignatureMismatch) {
            failures.push(format!("{}: {got:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One change to a received request, and what the verifier must say.
struct Mutation {
    name: &'static str,
    apply: fn(&mut Received),
    expect: Expect,
}

#[derive(Debug)]
enum Expect {
    Verifies,
    /// Signature mismatch where the verifier hashes the body; where the hash
    /// is declared, verified, with a declared hash that the body no longer has.
    BodyCheck,
    Mismatch,
    Kind(ErrorKind),
    Rejected,
}

fn header_mut<'a>(rx: &'a mut Received, name: &str) -> &'a mut String {
    &mut rx
        .headers
        .iter_mut()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no {name} header"))
        .1
}

fn set_query(rx: &mut Received, f: impl FnOnce(&str) -> String) {
    let (path, query) = rx.uri.split_once('?').unwrap_or((&rx.uri, ""));
    let new = f(query);
    rx.uri = format!("{path}?{new}");
}

fn mutations() -> Vec<Mutation> {
    use Expect::*;
    vec![
        Mutation {
            name: "path byte",
            apply: |rx| rx.uri = rx.uri.replacen("/items/", "/itens/", 1),
            expect: Mismatch,
        },
        Mutation {
            name: "path segment appended",
            apply: |rx| rx.uri = rx.uri.replacen("/items/42", "/items/42/x", 1),
            expect: Mismatch,
        },
        Mutation {
            name: "path with a dot segment that normalizes away",
            apply: |rx| rx.uri = rx.uri.replacen("/items/", "/./items/", 1),
            expect: Verifies,
        },
        Mutation {
            name: "query value",
            apply: |rx| set_query(rx, |q| q.replacen("q=a%20b", "q=a%20c", 1)),
            expect: Mismatch,
        },
        Mutation {
            name: "query parameter added",
            apply: |rx| set_query(rx, |q| format!("{q}&extra=1")),
            expect: Mismatch,
        },
        Mutation {
            name: "query parameter removed",
            apply: |rx| set_query(rx, |q| q.replacen("q=a%20b&", "", 1)),
            expect: Mismatch,
        },
        Mutation {
            name: "query order changed",
            apply: |rx| {
                set_query(rx, |q| {
                    let mut p: Vec<&str> = q.split('&').collect();
                    p.reverse();
                    p.join("&")
                })
            },
            expect: Verifies,
        },
        Mutation {
            name: "query space as +",
            apply: |rx| set_query(rx, |q| q.replacen("q=a%20b", "q=a+b", 1)),
            expect: Verifies,
        },
        Mutation {
            name: "signed header value",
            apply: |rx| header_mut(rx, "x-amz-meta-tag").push('!'),
            expect: Mismatch,
        },
        Mutation {
            name: "signed header spaces collapsed by trimall",
            apply: |rx| *header_mut(rx, "x-amz-meta-tag") = "two     words  ".into(),
            expect: Verifies,
        },
        Mutation {
            name: "repeated lines reordered",
            apply: |rx| {
                let idx: Vec<usize> = rx
                    .headers
                    .iter()
                    .enumerate()
                    .filter(|(_, (n, _))| n == "x-amz-meta-tag")
                    .map(|(i, _)| i)
                    .collect();
                let (a, b) = (idx[0], idx[1]);
                let va = rx.headers[a].1.clone();
                rx.headers[a].1 = rx.headers[b].1.clone();
                rx.headers[b].1 = va;
            },
            expect: Mismatch,
        },
        Mutation {
            name: "signed header removed",
            apply: |rx| rx.headers.retain(|(n, _)| n != "content-type"),
            expect: Rejected,
        },
        Mutation {
            name: "host changed",
            apply: |rx| {
                rx.headers.retain(|(n, _)| n != "host");
                rx.headers.push(("host".into(), "evil.example.com".into()));
            },
            expect: Mismatch,
        },
        Mutation {
            name: "method changed",
            apply: |rx| rx.method = "DELETE".into(),
            expect: Mismatch,
        },
        // Where the body hash is declared (S3), the core verifies the
        // declaration and the layer compares the body with it.
        Mutation {
            name: "body byte",
            apply: |rx| rx.body[0] ^= 1,
            expect: BodyCheck,
        },
        Mutation {
            name: "date one second later",
            apply: |rx| *header_mut(rx, "x-amz-date") = "20150830T123601Z".into(),
            expect: Mismatch,
        },
        Mutation {
            name: "session token",
            apply: |rx| header_mut(rx, "x-amz-security-token").push('A'),
            expect: Mismatch,
        },
        Mutation {
            name: "scope region",
            apply: |rx| {
                let a = header_mut(rx, "authorization");
                *a = a.replacen("/us-east-1/", "/us-west-2/", 1);
            },
            expect: Kind(ErrorKind::WrongRegion),
        },
        Mutation {
            name: "scope date",
            apply: |rx| {
                let a = header_mut(rx, "authorization");
                *a = a.replacen("/20150830/", "/20150831/", 1);
            },
            expect: Kind(ErrorKind::ScopeDateMismatch),
        },
        Mutation {
            name: "unsigned x-amz header added",
            apply: |rx| rx.headers.push(("x-amz-meta-smuggled".into(), "1".into())),
            expect: Kind(ErrorKind::UnsignedAmzHeader),
        },
        Mutation {
            name: "unsigned x-amzn header added",
            apply: |rx| {
                rx.headers
                    .push(("x-amzn-trace-id".into(), "Root=1-abc".into()))
            },
            expect: Verifies,
        },
        Mutation {
            name: "unsigned ordinary header added",
            apply: |rx| {
                rx.headers
                    .push(("x-forwarded-for".into(), "203.0.113.9".into()))
            },
            expect: Verifies,
        },
        Mutation {
            name: "unsigned user-agent changed",
            apply: |rx| *header_mut(rx, "user-agent") = "curl/8".into(),
            expect: Verifies,
        },
        Mutation {
            name: "second authorization header",
            apply: |rx| {
                let a = header_mut(rx, "authorization").clone();
                rx.headers.push(("authorization".into(), a));
            },
            expect: Kind(ErrorKind::RepeatedParameter),
        },
        Mutation {
            name: "authorization removed",
            apply: |rx| rx.headers.retain(|(n, _)| n != "authorization"),
            expect: Rejected,
        },
    ]
}

fn table_case(kind: Kind, service: &'static str) -> Case {
    let mut c = Case::new(format!("table-{service}"), kind, service);
    c.method = "PUT";
    c.session = true;
    c.path = "/examplebucket/items/42".into();
    c.query = "q=a%20b&z=1".into();
    c.headers = vec![
        ("content-type".into(), "text/plain".into()),
        ("x-amz-meta-tag".into(), "one".into()),
        ("x-amz-meta-tag".into(), "two words".into()),
    ];
    c.body = b"payload bytes".to_vec();
    c
}

#[test]
fn mutations_of_header_signed_requests() {
    let mut failures = Vec::new();
    for case in [
        table_case(Kind::S3, "s3"),
        table_case(Kind::Generic, "execute-api"),
    ] {
        let rx = sign_with_aws_sigv4(&case);
        assert!(
            matches!(verify(&case, &rx), Outcome::Verified(_)),
            "{}: base request",
            case.name
        );
        for m in mutations() {
            // S3 does not normalize: a dot segment is a different key.
            let expect = match (m.name, case.kind) {
                ("path with a dot segment that normalizes away", Kind::S3) => Expect::Mismatch,
                _ => m.expect,
            };
            let mut changed = rx.clone();
            (m.apply)(&mut changed);
            assert_ne!(changed, rx, "{}: the mutation changes the request", m.name);
            let got = verify(&case, &changed);
            let ok = match (&expect, &got) {
                (Expect::Verifies, Outcome::Verified(_)) => true,
                (Expect::Mismatch, Outcome::Rejected("verify", ErrorKind::SignatureMismatch)) => {
                    true
                }
                (Expect::Kind(k), Outcome::Rejected(_, g)) => k == g,
                (Expect::Rejected, Outcome::Rejected(..) | Outcome::Unsigned) => true,
                (Expect::BodyCheck, Outcome::Verified(PayloadMode::Sha256(d))) => {
                    *d != <[u8; 32]>::from(Sha256::digest(&changed.body))
                }
                (Expect::BodyCheck, Outcome::Rejected("verify", ErrorKind::SignatureMismatch)) => {
                    case.kind != Kind::S3
                }
                _ => false,
            };
            if !ok {
                failures.push(format!(
                    "{} / {}: expected {expect:?}, got {got:?}",
                    case.name, m.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn mutations_of_presigned_urls() {
    type Edit = fn(&mut Received);
    let table: Vec<(&str, Edit, bool)> = vec![
        (
            "expires changed",
            |rx| {
                rx.uri = rx
                    .uri
                    .replacen("X-Amz-Expires=3600", "X-Amz-Expires=3601", 1)
            },
            false,
        ),
        (
            "date changed",
            |rx| {
                rx.uri = rx.uri.replacen(
                    "X-Amz-Date=20150830T123600Z",
                    "X-Amz-Date=20150830T123601Z",
                    1,
                )
            },
            false,
        ),
        (
            "token changed",
            |rx| {
                rx.uri =
                    rx.uri
                        .replacen("X-Amz-Security-Token=IQoJ", "X-Amz-Security-Token=IQoK", 1)
            },
            false,
        ),
        (
            "signed headers changed",
            |rx| {
                rx.uri = rx.uri.replacen(
                    "X-Amz-SignedHeaders=host",
                    "X-Amz-SignedHeaders=content-type%3Bhost",
                    1,
                )
            },
            false,
        ),
        (
            "operation parameter changed",
            |rx| rx.uri = rx.uri.replacen("versionId=v1", "versionId=v2", 1),
            false,
        ),
        (
            "operation parameter added",
            |rx| rx.uri.push_str("&x-id=PutObject"),
            false,
        ),
        (
            "path changed",
            |rx| rx.uri = rx.uri.replacen("/items/42", "/items/43", 1),
            false,
        ),
        (
            "signature parameter repeated",
            |rx| {
                let sig = rx.uri.split("X-Amz-Signature=").nth(1).unwrap().to_owned();
                rx.uri = format!("{}&X-Amz-Signature={sig}", rx.uri);
            },
            false,
        ),
        (
            "authorization header added too",
            |rx| {
                rx.headers.push(("authorization".into(), "AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20150830/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0000000000000000000000000000000000000000000000000000000000000000".into()))
            },
            false,
        ),
        (
            "unsigned header added",
            |rx| rx.headers.push(("range".into(), "bytes=0-9".into())),
            true,
        ),
        (
            "parameters reordered",
            |rx| {
                let (p, q) = rx.uri.split_once('?').unwrap();
                let mut parts: Vec<&str> = q.split('&').collect();
                parts.reverse();
                rx.uri = format!("{p}?{}", parts.join("&"));
            },
            true,
        ),
    ];
    let mut failures = Vec::new();
    for (kind, service) in [(Kind::S3, "s3"), (Kind::Generic, "execute-api")] {
        let mut case = Case::new(format!("presigned-{service}"), kind, service);
        case.session = true;
        case.path = "/examplebucket/items/42".into();
        case.query = "versionId=v1".into();
        case.presigned = Some(3600);
        if kind == Kind::S3 {
            case.payload = Payload::Unsigned;
        }
        let rx = sign_with_aws_sigv4(&case);
        assert!(
            matches!(verify(&case, &rx), Outcome::Verified(_)),
            "{}: base URL",
            case.name
        );
        for (name, edit, verifies) in &table {
            let mut changed = rx.clone();
            edit(&mut changed);
            assert_ne!(changed, rx, "{name}: the edit changes the request");
            let got = verify(&case, &changed);
            if matches!(got, Outcome::Verified(_)) != *verifies {
                failures.push(format!("{} / {name}: {got:?}", case.name));
            }
        }
        // Past X-Amz-Expires: expired, one second before: fine.
        let start = case.signing_time();
        let settings = case.settings();
        let late = verify_at(&case, &settings, &rx, start + Duration::from_secs(3601));
        assert_eq!(
            late,
            Outcome::Rejected("check", ErrorKind::Expired),
            "{}",
            case.name
        );
        let last = verify_at(&case, &settings, &rx, start + Duration::from_secs(3599));
        assert!(
            matches!(last, Outcome::Verified(_)),
            "{}: before expiry: {last:?}",
            case.name
        );
        // Another secret for the same access key: mismatch.
        let mut other = case.clone();
        other.session = false;
        let got = verify_at(&other, &settings, &rx, start);
        assert_eq!(
            got,
            Outcome::Rejected("verify", ErrorKind::SignatureMismatch)
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
