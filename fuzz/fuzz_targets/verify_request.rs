//! The whole verification of an arbitrary request: the protocol core over
//! the raw bytes (parse, checks, signing key, canonical request, compare),
//! then, when `http` can hold the request, the `Verifier` of the tower shell
//! (credential store, body hashing, `aws-chunked` decoding, error rendering)
//! with the body read to its end.
//!
//! The clock is set to each request's own date, so that the seed corpus
//! (AWS's suites, the S3 examples, the botocore vectors) verifies and the
//! fuzzer starts from requests that pass every check.
//!
//! Properties: no panic or hang anywhere; the core and the `Verifier` agree
//! on whether a header-signed request with a declared payload verifies; the
//! check split around the body (`PendingSignature`) agrees with the whole
//! one; a
//! request that verified no longer does once one digit of its signature
//! changes; every refusal renders a 4xx or 5xx response whose body reads to
//! the end.
#![no_main]

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use tower_sigv4::identity::{
    store_fn, BoxCredentialStore, Credential, LookupError, ManualClock, Principal,
};
use tower_sigv4::settings::SigV4Settings;
use tower_sigv4::sigv4::{self, AmzDate, PendingSignature, SigningKey};
use tower_sigv4::verifier::Verifier;

use common::{block_on, RawRequest};

/// Every credential of the seed corpus: AWS's suites, the S3 examples and
/// the botocore vectors (`AKIAIOSFODNN7EXAMPLE` has a secret in each of the
/// last two). Temporary keys (`ASIA…`) need a token, any token: the
/// store's own token checks are tested elsewhere.
const CREDENTIALS: &[(&str, &str)] = &[
    ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    (
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "AKIAIOSFODNN7EXAMPLE",
        "a+b/c=d+/=e+f/g==h/i+j=k/l+m/n=o+p/q==",
    ),
    ("AKID/WITH/SLASH", "c2VjcmV0+/=c2VjcmV0"),
    (
        "ASIAQEXAMPLE7SESSION",
        "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    ),
    ("ASIA5LONGTOKENEXAMPLE", "Zm9v+YmFy/YmF6==/cXV4+cXV1eA=="),
];

/// Which of an access key's secrets the store hands out for this input
/// (the one the core found to verify, else the first).
static SECRET_CHOICE: Mutex<usize> = Mutex::new(0);

struct Harness {
    clock: Arc<ManualClock>,
    verifier: Verifier<BoxCredentialStore>,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH));
        let principal: Arc<Principal> = Arc::new(
            "arn:aws:iam::111122223333:user/fuzz"
                .parse()
                .expect("a user ARN"),
        );
        let store = store_fn(move |akid: &str, token: Option<&str>| {
            let choice = *SECRET_CHOICE.lock().unwrap();
            let found = match CREDENTIALS.get(choice) {
                Some((a, secret)) if *a == akid => Some(*secret),
                _ => CREDENTIALS
                    .iter()
                    .find(|(a, _)| *a == akid)
                    .map(|(_, s)| *s),
            };
            let result = match found {
                None => Err(LookupError::unknown_access_key()),
                Some(_) if akid.starts_with("ASIA") && token.is_none() => {
                    Err(LookupError::token_required())
                }
                Some(secret) => Ok(Credential::new(secret, Arc::clone(&principal))),
            };
            std::future::ready(result)
        });
        let settings = SigV4Settings::default()
            .with_clock(clock.clone())
            .with_max_buffered_body(64 << 10)
            .with_max_chunk_size(1 << 20);
        Harness {
            clock,
            verifier: Verifier::with_settings(BoxCredentialStore::new(store), settings),
        }
    })
}

/// The request's own date (header or query), if it has one.
fn request_time(raw: &RawRequest) -> Option<SystemTime> {
    if let Some(v) = raw.headers.get("x-amz-date") {
        return AmzDate::parse(v.as_bytes()).map(|d| d.to_system_time());
    }
    let q = raw.query.split(|&b| b == b'&');
    for pair in q {
        if let Some(v) = pair.strip_prefix(b"X-Amz-Date=") {
            return AmzDate::parse(v).map(|d| d.to_system_time());
        }
    }
    None
}

/// The core alone, over the raw bytes: `Some(verified)` when the request is
/// signed, parses and passes the checks.
fn core_verifies(raw: &RawRequest, now: SystemTime) -> Option<bool> {
    let view = raw.view();
    let settings = harness().verifier.settings().verify_settings();
    let signed = sigv4::parse(&view, settings).ok()??;
    sigv4::check(&signed, &view, settings, now).ok()?;
    let scope = signed.scope();
    let body_hash: [u8; 32] = Sha256::digest(&raw.body).into();
    let mut known = false;
    let mut ok = false;
    for (i, (akid, secret)) in CREDENTIALS.iter().enumerate() {
        if *akid != signed.access_key_id() {
            continue;
        }
        if !known {
            *SECRET_CHOICE.lock().unwrap() = i;
            known = true;
        }
        let key = SigningKey::derive(
            secret.as_bytes(),
            scope.date(),
            scope.region(),
            scope.service(),
        );
        let verified = sigv4::verify_signature(&signed, &view, &key, Some(&body_hash)).is_ok();
        // The check split around the body answers the same.
        if let Some(pending) = PendingSignature::new(&signed, &view, &key) {
            assert_eq!(pending.finish(&body_hash).is_ok(), verified);
        }
        if verified {
            *SECRET_CHOICE.lock().unwrap() = i;
            ok = true;
            break;
        }
    }
    if !known {
        return None;
    }
    // A verified signature is refused under any other key.
    if ok {
        let other = SigningKey::derive(
            b"another secret",
            scope.date(),
            scope.region(),
            scope.service(),
        );
        assert!(sigv4::verify_signature(&signed, &view, &other, Some(&body_hash)).is_err());
    }
    Some(ok)
}

/// The `Verifier` with the body read to the end: `Ok(authenticated)` or a
/// refusal (before the handler or from the body).
fn shell_verifies(raw: &RawRequest) -> Option<Result<bool, ()>> {
    let req = raw.to_http(Full::new(Bytes::from(raw.body.clone())))?;
    let verifier = &harness().verifier;
    Some(match block_on(verifier.authenticate(req)) {
        Ok(req) => {
            let authenticated = req
                .extensions()
                .get::<tower_sigv4::Authenticated>()
                .is_some();
            match block_on(req.into_body().collect()) {
                Ok(_) => Ok(authenticated),
                Err(e) => {
                    let _ = format!("{e} {e:?}");
                    Err(())
                }
            }
        }
        Err(e) => {
            assert!(!e.code().is_empty());
            let status = e.status().as_u16();
            assert!((400..600).contains(&status), "status {status}");
            let _ = format!("{e} {e:?} {}", e.message());
            let response = e.render();
            assert_eq!(response.status(), e.status());
            let body = block_on(response.into_body().collect()).expect("an error body");
            assert!(!body.to_bytes().is_empty());
            Err(())
        }
    })
}

/// The same request with the last digit of its signature changed.
fn with_other_signature(raw: &RawRequest) -> Option<RawRequest> {
    let mut copy = RawRequest::parse(b"");
    copy.method = raw.method.clone();
    copy.path = raw.path.clone();
    copy.query = raw.query.clone();
    copy.headers = raw.headers.clone();
    copy.authority = raw.authority.clone();
    copy.body = raw.body.clone();
    let flip = |s: &mut Vec<u8>, marker: &[u8]| -> bool {
        let Some(at) = s.windows(marker.len()).position(|w| w == marker) else {
            return false;
        };
        let end = at + marker.len() + 64;
        if end > s.len() {
            return false;
        }
        s[end - 1] = if s[end - 1] == b'0' { b'1' } else { b'0' };
        true
    };
    if let Some(v) = copy.headers.get(http::header::AUTHORIZATION) {
        let mut v = v.as_bytes().to_vec();
        if flip(&mut v, b"Signature=") {
            copy.headers.insert(
                http::header::AUTHORIZATION,
                http::HeaderValue::from_bytes(&v).ok()?,
            );
            return Some(copy);
        }
    }
    flip(&mut copy.query, b"X-Amz-Signature=").then_some(copy)
}

fuzz_target!(|data: &[u8]| {
    let raw = RawRequest::parse(data);
    let now = request_time(&raw).unwrap_or(UNIX_EPOCH + Duration::from_secs(1_440_938_160))
        + Duration::from_secs(30);
    harness().clock.set(now);
    *SECRET_CHOICE.lock().unwrap() = usize::MAX;

    let core = core_verifies(&raw, now);
    let Some(shell) = shell_verifies(&raw) else {
        return;
    };
    if shell == Ok(true) {
        // Authenticated: the signature really was checked.
        let tampered = with_other_signature(&raw).expect("a verified request has a signature");
        assert!(
            core_verifies(&tampered, now) != Some(true),
            "the core accepted a changed signature"
        );
        assert!(
            !matches!(shell_verifies(&tampered), Some(Ok(true))),
            "the verifier accepted a changed signature"
        );
    }
    // A request the core refuses (signed, parsed, checked, wrong signature)
    // is never authenticated by the shell.
    if core == Some(false) {
        assert!(
            shell != Ok(true),
            "the shell authenticated what the core refused"
        );
    }
});
