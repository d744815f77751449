//! The botocore vectors of `test-vectors/botocore.json` through our verifier.
//!
//! Every vector is a request that botocore signed (see `test-vectors/README.md`).
//! Each must verify at its time with its credentials under its path rule, our
//! canonical request and string to sign must equal botocore's byte for byte,
//! and each must stop verifying when one signed part changes.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sigv4::sigv4::{
    self, AmzDate, CanonicalRequest, ErrorKind, PayloadMode, RequestView, ServiceRules,
    SignatureLocation, SigningKey, StringToSign, VerifySettings,
};

/// In the repository, so a missing or unreadable file fails the build.
const VECTORS: &str = include_str!("../test-vectors/botocore.json");

#[derive(Deserialize)]
struct VectorFile {
    botocore_version: String,
    count: usize,
    vectors: Vec<Vector>,
}

#[derive(Deserialize, Clone)]
struct Vector {
    id: String,
    location: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Body,
    body_sha256: String,
    credentials: Credentials,
    region: String,
    service: String,
    path_rule: String,
    signed_at: String,
    verify_at_unix: u64,
    expires: Option<u32>,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
    expected: String,
}

#[derive(Deserialize, Clone)]
struct Body {
    encoding: String,
    data: String,
}

#[derive(Deserialize, Clone)]
struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

fn load() -> VectorFile {
    serde_json::from_str(VECTORS)
        .expect("test-vectors/botocore.json is valid JSON of the documented shape")
}

impl Vector {
    fn body_bytes(&self) -> Vec<u8> {
        match self.body.encoding.as_str() {
            "utf-8" => self.body.data.as_bytes().to_vec(),
            "base64" => base64::engine::general_purpose::STANDARD
                .decode(&self.body.data)
                .expect("base64 body"),
            other => panic!("{}: unknown body encoding {other}", self.id),
        }
    }

    fn rules(&self) -> ServiceRules {
        match self.path_rule.as_str() {
            "s3" => ServiceRules::S3,
            "double-encoded-normalized" => ServiceRules::DEFAULT,
            other => panic!("{}: unknown path rule {other}", self.id),
        }
    }

    fn settings(&self) -> VerifySettings {
        VerifySettings::default()
            .with_region(self.region.clone())
            .with_service(self.service.clone())
            .with_service_rules(self.service.clone(), self.rules())
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.verify_at_unix)
    }

    fn header_map(&self) -> HeaderMap {
        header_map(&self.headers)
    }
}

fn header_map(lines: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in lines {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_bytes(value.as_bytes()).expect("header value"),
        );
    }
    map
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A request as the server would see it: the parts that may be mutated.
#[derive(Clone)]
struct Wire {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body_hash: [u8; 32],
}

impl Wire {
    fn of(v: &Vector) -> Wire {
        Wire {
            method: v.method.clone(),
            target: v.target.clone(),
            headers: v.headers.clone(),
            body_hash: sha256(&v.body_bytes()),
        }
    }

    fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(p, _)| p)
    }

    fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    fn with_path(&self, path: &str) -> Wire {
        let mut w = self.clone();
        w.target = if self.target.contains('?') {
            format!("{path}?{}", self.query())
        } else {
            path.to_owned()
        };
        w
    }

    fn with_query(&self, query: &str) -> Wire {
        let mut w = self.clone();
        w.target = format!("{}?{query}", self.path());
        w
    }
}

/// Why a request did not verify.
#[derive(Debug)]
enum Rejected {
    Unsigned,
    At(&'static str, ErrorKind),
}

/// Runs the whole core over `wire`: parse, check at `now`, derive the key,
/// verify the signature.
fn verify(v: &Vector, wire: &Wire, now: SystemTime) -> Result<(), Rejected> {
    let headers = header_map(&wire.headers);
    let view = RequestView::from_target(wire.method.as_bytes(), wire.target.as_bytes(), &headers);
    verify_view(v, &view, wire, now)
}

fn verify_view(
    v: &Vector,
    view: &RequestView<'_>,
    wire: &Wire,
    now: SystemTime,
) -> Result<(), Rejected> {
    let settings = v.settings();
    let signed = sigv4::parse(view, &settings)
        .map_err(|e| Rejected::At("parse", e.kind()))?
        .ok_or(Rejected::Unsigned)?;
    sigv4::check(&signed, view, &settings, now).map_err(|e| Rejected::At("check", e.kind()))?;
    let scope = signed.scope();
    let key = SigningKey::derive(
        v.credentials.secret_access_key.as_bytes(),
        scope.date(),
        scope.region(),
        scope.service(),
    );
    sigv4::verify_signature(&signed, view, &key, Some(&wire.body_hash))
        .map_err(|e| Rejected::At("verify", e.kind()))
}

/// Collects failures so that one run reports every broken vector.
#[derive(Default)]
struct Failures(Vec<String>);

impl Failures {
    fn push(&mut self, id: &str, what: impl std::fmt::Display) {
        self.0.push(format!("{id}: {what}"));
    }

    fn assert_none(self, what: &str) {
        assert!(
            self.0.is_empty(),
            "{what}: {} failure(s):\n{}",
            self.0.len(),
            self.0
                .iter()
                .take(25)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Replaces the last ASCII alphanumeric character of `s` with a different one
/// of the same class (`prefer_digit`: the last digit, when there is one), so
/// that exactly one byte changes.
fn mutate_last_alnum(s: &str, prefer_digit: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let pos = if prefer_digit {
        bytes.iter().rposition(u8::is_ascii_digit)
    } else {
        None
    }
    .or_else(|| bytes.iter().rposition(u8::is_ascii_alphanumeric))?;
    let mut out = bytes.to_vec();
    out[pos] = match out[pos] {
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        c => c + 1,
    };
    Some(String::from_utf8(out).expect("one ASCII byte changed"))
}

#[test]
fn vector_file_covers_what_the_readme_says() {
    let file = load();
    assert_eq!(file.count, file.vectors.len());
    assert!(
        file.vectors.len() >= 150,
        "only {} vectors",
        file.vectors.len()
    );
    assert!(
        file.botocore_version.starts_with("1."),
        "{}",
        file.botocore_version
    );

    let ids: HashSet<&str> = file.vectors.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids.len(), file.vectors.len(), "vector ids are unique");

    let has = |f: &dyn Fn(&Vector) -> bool| file.vectors.iter().filter(|v| f(v)).count();
    // Both services' rules, both locations.
    for (rule, loc) in [
        ("s3", "header"),
        ("s3", "query"),
        ("double-encoded-normalized", "header"),
        ("double-encoded-normalized", "query"),
    ] {
        assert!(
            has(&|v| v.path_rule == rule && v.location == loc) >= 10,
            "{rule}/{loc}"
        );
    }
    // Every named character, encoded, in some path and some query.
    for c in "+=:@!*'(),;$&~ ".chars() {
        let enc = if c == '~' {
            "~".to_owned()
        } else {
            format!("%{:02X}", c as u32)
        };
        assert!(
            has(&|v| v.target.split('?').next().unwrap().contains(&enc)) > 0,
            "{c:?} in a path"
        );
        assert!(
            has(&|v| v
                .target
                .split_once('?')
                .is_some_and(|(_, q)| q.contains(&enc)))
                > 0,
            "{c:?} in a query"
        );
    }
    // UTF-8 of four bytes, %2F inside an S3 key, dot segments, repeated slashes.
    assert!(has(&|v| v.target.contains("%F0%9F%98%80")) > 0);
    assert!(
        has(&|v| v.path_rule == "s3" && v.canonical_request.lines().nth(1).unwrap().contains("%2F"))
            > 0
    );
    assert!(has(&|v| v.path_rule == "s3" && v.target.contains("/../")) > 0);
    assert!(has(&|v| v.path_rule != "s3" && v.target.contains("/../")) > 0);
    assert!(has(&|v| v.target.contains("/./")) > 1);
    assert!(has(&|v| v.target.contains("//")) > 1);
    // Repeated header lines and spaces inside values.
    assert!(
        has(&|v| {
            let names: Vec<String> = v
                .headers
                .iter()
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect();
            names.iter().collect::<HashSet<_>>().len() < names.len()
        }) > 1
    );
    assert!(has(&|v| v.headers.iter().any(|(_, val)| val.contains("  "))) > 1);
    // Secrets and tokens with `+ / =`, tokens in both locations.
    assert!(has(&|v| v.credentials.secret_access_key.contains(['+', '/', '='])) > 100);
    assert!(has(&|v| v.credentials.session_token.is_some() && v.location == "query") > 5);
    assert!(has(&|v| v.credentials.session_token.is_some() && v.location == "header") > 5);
    // Presigned URLs with operation parameters besides the X-Amz-* ones.
    assert!(
        has(&|v| {
            v.location == "query"
                && v.target
                    .split_once('?')
                    .is_some_and(|(_, q)| q.split('&').any(|p| !p.starts_with("X-Amz-")))
        }) > 10
    );
    // Several regions and dates.
    let regions: HashSet<&str> = file.vectors.iter().map(|v| v.region.as_str()).collect();
    let dates: HashSet<&str> = file.vectors.iter().map(|v| &v.signed_at[..8]).collect();
    assert!(regions.len() >= 5 && dates.len() >= 5);
    assert!(file.vectors.iter().all(|v| v.expected == "verify"));
}

#[test]
fn every_vector_verifies_and_canonicalizes_as_botocore() {
    let file = load();
    let mut failures = Failures::default();
    for v in &file.vectors {
        let settings = v.settings();
        assert_eq!(
            VerifySettings::default().rules_for(&v.service),
            v.rules(),
            "{}: the default rules of {} are the vector's",
            v.id,
            v.service
        );
        let body = v.body_bytes();
        let body_hash = sha256(&body);
        assert_eq!(hex::encode(body_hash), v.body_sha256, "{}", v.id);

        let headers = v.header_map();
        let view = RequestView::from_target(v.method.as_bytes(), v.target.as_bytes(), &headers);
        let signed = match sigv4::parse(&view, &settings) {
            Ok(Some(s)) => s,
            Ok(None) => {
                failures.push(&v.id, "parsed as unsigned");
                continue;
            }
            Err(e) => {
                failures.push(&v.id, format_args!("parse: {e} ({:?})", e.kind()));
                continue;
            }
        };
        let want_loc = match v.location.as_str() {
            "header" => SignatureLocation::Header,
            _ => SignatureLocation::Query,
        };
        if signed.location() != want_loc
            || signed.access_key_id() != v.credentials.access_key_id
            || signed.security_token() != v.credentials.session_token.as_deref()
            || signed.date().as_str() != v.signed_at
            || signed.expires() != v.expires
            || hex::encode(signed.signature()) != v.signature
            || signed.scope().region() != v.region
            || signed.scope().service() != v.service
        {
            failures.push(&v.id, "parsed fields differ from the vector's");
            continue;
        }
        // The payload line botocore signed tells which mode the request declared.
        let payload_line = v.canonical_request.rsplit('\n').next().unwrap();
        let mode_ok = match signed.payload_mode() {
            PayloadMode::FromBody => payload_line == v.body_sha256,
            PayloadMode::Sha256(d) => payload_line == hex::encode(d),
            other => other.sentinel() == Some(payload_line),
        };
        if !mode_ok {
            failures.push(
                &v.id,
                format_args!("payload mode {:?}", signed.payload_mode()),
            );
        }

        match CanonicalRequest::new(&signed, &view, Some(&body_hash)) {
            Ok(creq) => {
                if creq.as_bytes() != v.canonical_request.as_bytes() {
                    failures.push(
                        &v.id,
                        format_args!(
                            "canonical request differs\n--- ours\n{creq}\n--- botocore\n{}",
                            v.canonical_request
                        ),
                    );
                }
                let sts = StringToSign::new(&signed, &creq.sha256());
                if sts.as_str() != v.string_to_sign {
                    failures.push(&v.id, format_args!("string to sign differs:\n{sts}"));
                }
            }
            Err(e) => failures.push(&v.id, format_args!("canonical request: {e}")),
        }
        if let Err(e) = sigv4::check(&signed, &view, &settings, v.now()) {
            failures.push(&v.id, format_args!("check: {e}"));
        }
        let scope = signed.scope();
        let key = SigningKey::derive(
            v.credentials.secret_access_key.as_bytes(),
            scope.date(),
            scope.region(),
            scope.service(),
        );
        if let Err(e) = sigv4::verify_signature(&signed, &view, &key, Some(&body_hash)) {
            failures.push(&v.id, format_args!("verify: {e}"));
        }
    }
    failures.assert_none("botocore vectors");
}

#[test]
fn every_vector_verifies_through_http_request_parts() {
    // The same requests as hyper hands them over: an `http::Request` whose
    // URI is the request target (the path bytes must survive `http::Uri`).
    let mut failures = Failures::default();
    for v in &load().vectors {
        let mut req = http::Request::builder()
            .method(v.method.as_str())
            .uri(v.target.as_str())
            .body(())
            .expect("every target is a valid origin-form URI");
        *req.headers_mut() = v.header_map();
        let (parts, ()) = req.into_parts();
        assert_eq!(
            parts.uri.path_and_query().map(|pq| pq.as_str()),
            Some(v.target.as_str()),
            "{}: http::Uri keeps the target as sent",
            v.id
        );
        let view = RequestView::from_parts(&parts);
        if let Err(e) = verify_view(v, &view, &Wire::of(v), v.now()) {
            failures.push(&v.id, format_args!("{e:?}"));
        }
    }
    failures.assert_none("vectors through http::request::Parts");
}

#[test]
fn every_vector_fails_with_one_signature_byte_changed() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let wire = Wire::of(v);
        let mut changed = wire.clone();
        let sig = &v.signature;
        // One hex digit of the signature, in the middle so that no prefix
        // check could be what catches it.
        let i = 31;
        let flipped = if &sig[i..=i] == "0" { "1" } else { "0" };
        let bad = format!("{}{}{}", &sig[..i], flipped, &sig[i + 1..]);
        match v.location.as_str() {
            "header" => {
                for (name, value) in &mut changed.headers {
                    if name.eq_ignore_ascii_case("authorization") {
                        *value = value.replace(sig, &bad);
                    }
                }
            }
            _ => changed.target = changed.target.replace(sig, &bad),
        }
        match verify(v, &changed, v.now()) {
            Err(Rejected::At("verify", ErrorKind::SignatureMismatch)) => {}
            other => failures.push(&v.id, format_args!("changed signature gave {other:?}")),
        }
    }
    failures.assert_none("signature changed");
}

#[test]
fn every_vector_fails_with_one_path_byte_changed() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let wire = Wire::of(v);
        // The last alphanumeric byte of the path: never inside a segment that
        // a later `..` removes, so normalization cannot hide the change.
        let path = match mutate_last_alnum(wire.path(), false) {
            Some(p) => p,
            None => format!("{}x", wire.path()),
        };
        assert_ne!(path, wire.path());
        if verify(v, &wire.with_path(&path), v.now()).is_ok() {
            failures.push(&v.id, format_args!("path {path} still verifies"));
        }
    }
    failures.assert_none("path changed");
}

#[test]
fn every_vector_fails_with_the_query_changed() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let wire = Wire::of(v);
        let params: Vec<&str> = if wire.query().is_empty() {
            Vec::new()
        } else {
            wire.query().split('&').collect()
        };
        // Prefer an operation parameter's value; for presigned URLs without
        // one, X-Amz-Expires (the access key id is not signed as such:
        // changing it is a lookup of another secret, not a broken signature).
        let pick = params
            .iter()
            .position(|p| !p.starts_with("X-Amz-") && p.contains('='))
            .or_else(|| params.iter().position(|p| p.starts_with("X-Amz-Expires=")));
        let (query, what) = match pick {
            Some(i) => {
                let (k, val) = params[i].split_once('=').unwrap();
                let new_val = mutate_last_alnum(val, true).unwrap_or_else(|| "x".to_owned());
                let mut p: Vec<String> = params.iter().map(|s| s.to_string()).collect();
                p[i] = format!("{k}={new_val}");
                (p.join("&"), format!("value of {k}"))
            }
            None if params.is_empty() => ("x-mutated=1".to_owned(), "added parameter".to_owned()),
            None => {
                // Only valueless keys (`?acl`): give the last one a value.
                let mut p: Vec<String> = params.iter().map(|s| s.to_string()).collect();
                let last = p.last_mut().unwrap();
                last.push_str("=x");
                (p.join("&"), "valueless key given a value".to_owned())
            }
        };
        assert_ne!(query, wire.query());
        if verify(v, &wire.with_query(&query), v.now()).is_ok() {
            failures.push(&v.id, format_args!("{what} changed, still verifies"));
        }
        // A parameter added to a signed query is a change too.
        let added = if wire.query().is_empty() {
            "extra=1".to_owned()
        } else {
            format!("{}&extra=1", wire.query())
        };
        if verify(v, &wire.with_query(&added), v.now()).is_ok() {
            failures.push(&v.id, "added query parameter still verifies");
        }
    }
    failures.assert_none("query changed");
}

#[test]
fn every_vector_fails_with_any_signed_header_value_changed() {
    let mut failures = Failures::default();
    let mut tried = 0;
    for v in &load().vectors {
        let wire = Wire::of(v);
        let headers = v.header_map();
        let view = RequestView::from_target(v.method.as_bytes(), v.target.as_bytes(), &headers);
        let settings = v.settings();
        let signed = sigv4::parse(&view, &settings).ok().flatten().expect(&v.id);
        let names: Vec<String> = signed.signed_headers().iter().map(str::to_owned).collect();
        for name in names {
            // The last line of that name (repeated lines are joined in order).
            let Some(idx) = wire
                .headers
                .iter()
                .rposition(|(n, _)| n.eq_ignore_ascii_case(&name))
            else {
                failures.push(
                    &v.id,
                    format_args!("signed header {name} is not in the request"),
                );
                continue;
            };
            let mut changed = wire.clone();
            let old = &changed.headers[idx].1;
            let new = mutate_last_alnum(old, true).unwrap_or_else(|| format!("{old}x"));
            changed.headers[idx].1 = new;
            tried += 1;
            if verify(v, &changed, v.now()).is_ok() {
                failures.push(
                    &v.id,
                    format_args!("signed header {name} changed, still verifies"),
                );
            }
            // Dropping a signed header is a change as well.
            let mut dropped = wire.clone();
            dropped
                .headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
            if verify(v, &dropped, v.now()).is_ok() {
                failures.push(
                    &v.id,
                    format_args!("signed header {name} removed, still verifies"),
                );
            }
        }
    }
    assert!(tried > 500, "only {tried} signed header values tried");
    failures.assert_none("signed header changed");
}

#[test]
fn every_vector_fails_with_its_date_changed() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        // The last digit of the seconds: the scope date still matches and the
        // time stays within the window, so only the signature can tell.
        let new_date = mutate_last_alnum(&v.signed_at, true).unwrap();
        let mut wire = Wire::of(v);
        match v.location.as_str() {
            "header" => {
                for (name, value) in &mut wire.headers {
                    if name.eq_ignore_ascii_case("x-amz-date") {
                        *value = new_date.clone();
                    }
                }
            }
            _ => {
                wire.target = wire.target.replace(
                    &format!("X-Amz-Date={}", v.signed_at),
                    &format!("X-Amz-Date={new_date}"),
                )
            }
        }
        assert!(
            wire.target != v.target || wire.headers != v.headers,
            "{}: the date changed",
            v.id
        );
        match verify(v, &wire, v.now()) {
            Err(Rejected::At("verify", ErrorKind::SignatureMismatch)) => {}
            // An earlier date can put the URL past its X-Amz-Expires.
            Err(Rejected::At("check", ErrorKind::Expired))
                if v.expires.is_some_and(|exp| {
                    let start = AmzDate::parse(new_date.as_bytes()).unwrap().unix_seconds();
                    start as u64 + u64::from(exp) < v.verify_at_unix
                }) => {}
            other => failures.push(&v.id, format_args!("date {new_date}: {other:?}")),
        }
    }
    failures.assert_none("date changed");
}

#[test]
fn every_vector_fails_with_another_method() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let mut wire = Wire::of(v);
        wire.method = if v.method == "GET" { "HEAD" } else { "GET" }.to_owned();
        if verify(v, &wire, v.now()).is_ok() {
            failures.push(&v.id, format_args!("method {} still verifies", wire.method));
        }
    }
    failures.assert_none("method changed");
}

#[test]
fn vectors_that_sign_the_body_hash_fail_with_another_body() {
    let mut failures = Failures::default();
    let mut tried = 0;
    for v in &load().vectors {
        let headers = v.header_map();
        let view = RequestView::from_target(v.method.as_bytes(), v.target.as_bytes(), &headers);
        let signed = sigv4::parse(&view, &v.settings())
            .ok()
            .flatten()
            .expect(&v.id);
        if !signed.needs_body_hash() {
            continue;
        }
        tried += 1;
        let mut body = v.body_bytes();
        match body.last_mut() {
            Some(b) => *b ^= 1,
            None => body.push(b'x'),
        }
        let mut wire = Wire::of(v);
        wire.body_hash = sha256(&body);
        match verify(v, &wire, v.now()) {
            Err(Rejected::At("verify", ErrorKind::SignatureMismatch)) => {}
            other => failures.push(&v.id, format_args!("other body gave {other:?}")),
        }
        // The caller forgot the body hash: a typed error, not a pass.
        let scope = signed.scope();
        let key = SigningKey::derive(
            v.credentials.secret_access_key.as_bytes(),
            scope.date(),
            scope.region(),
            scope.service(),
        );
        match sigv4::verify_signature(&signed, &view, &key, None) {
            Err(e) if e.kind() == ErrorKind::BodyHashRequired => {}
            other => failures.push(&v.id, format_args!("no body hash gave {other:?}")),
        }
    }
    assert!(tried >= 40, "only {tried} vectors sign the body hash");
    failures.assert_none("body changed");
}

#[test]
fn unsigned_headers_that_are_not_x_amz_do_not_matter() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let mut wire = Wire::of(v);
        wire.headers
            .push(("X-Forwarded-For".into(), "203.0.113.7".into()));
        wire.headers.push(("Via".into(), "1.1 proxy".into()));
        wire.headers
            .push(("Accept-Language".into(), "fr-CH,  fr;q=0.9".into()));
        wire.headers.push((
            "x-amzn-trace-id".into(),
            "Root=1-5759e988-bd862e3fe1be46a994272793".into(),
        ));
        for (name, value) in &mut wire.headers {
            if name.eq_ignore_ascii_case("accept-encoding") {
                *value = "gzip, br".into();
            }
        }
        if let Err(e) = verify(v, &wire, v.now()) {
            failures.push(&v.id, format_args!("unsigned headers added: {e:?}"));
        }
    }
    failures.assert_none("unsigned headers");
}

#[test]
fn every_vector_fails_outside_its_time_window() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let wire = Wire::of(v);
        let start = AmzDate::parse(v.signed_at.as_bytes())
            .expect("signed_at")
            .unix_seconds() as u64;
        let (late, want) = match v.expires {
            // One second past X-Amz-Date + X-Amz-Expires.
            Some(exp) => (start + u64::from(exp) + 1, ErrorKind::Expired),
            // One second past the default skew of 15 minutes.
            None => (start + 15 * 60 + 1, ErrorKind::RequestTimeTooSkewed),
        };
        match verify(v, &wire, UNIX_EPOCH + Duration::from_secs(late)) {
            Err(Rejected::At("check", k)) if k == want => {}
            other => failures.push(&v.id, format_args!("late: {other:?}")),
        }
        // Dated in the future beyond the skew.
        let early = UNIX_EPOCH + Duration::from_secs(start - 16 * 60);
        match verify(v, &wire, early) {
            Err(Rejected::At(
                "check",
                ErrorKind::RequestTimeTooSkewed | ErrorKind::NotYetValid,
            )) => {}
            other => failures.push(&v.id, format_args!("early: {other:?}")),
        }
    }
    failures.assert_none("time window");
}

#[test]
fn every_vector_fails_with_another_secret_or_scope() {
    let mut failures = Failures::default();
    for v in &load().vectors {
        let wire = Wire::of(v);
        // The right access key id with a rotated secret.
        let mut other = v.clone();
        other.credentials.secret_access_key.push('x');
        match verify(&other, &wire, v.now()) {
            Err(Rejected::At("verify", ErrorKind::SignatureMismatch)) => {}
            r => failures.push(&v.id, format_args!("other secret: {r:?}")),
        }
        // A server for another region names the one it expects.
        let settings = VerifySettings::default()
            .with_region("eu-north-1")
            .with_service_rules(v.service.clone(), v.rules());
        let headers = v.header_map();
        let view = RequestView::from_target(v.method.as_bytes(), v.target.as_bytes(), &headers);
        let signed = sigv4::parse(&view, &settings).ok().flatten().expect(&v.id);
        match sigv4::check(&signed, &view, &settings, v.now()) {
            Err(e)
                if e.kind() == ErrorKind::WrongRegion
                    && e.expected_region() == Some("eu-north-1") => {}
            r => failures.push(&v.id, format_args!("wrong region: {r:?}")),
        }
    }
    failures.assert_none("secret or scope");
}
