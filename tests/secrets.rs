//! No secret, derived key or expected signature reaches the `Debug` output
//! of any public type that holds one, nor any error message, `Display`,
//! `Debug` or rendered error response, across the whole crate: the protocol
//! core, the `aws-chunked` decoder, the verifier, the layer and the replay
//! guard. (The identity types on their own are covered by
//! `identity_secrets.rs`.)
//!
//! The expected signatures are computed independently: by `aws-sigv4` for
//! requests, and taken from the S3 worked examples for chunks and trailers.
//! Every check looks for the secret and each 16-character window of the
//! hex of every key and expected signature (lower and upper case), and the
//! byte-array `Debug` form of the keys.

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use tower::{Service, ServiceExt};
use tower_sigv4::identity::{
    Credential, ManualClock, Principal, RoleDefinition, RoleRegistry, ServerKey, SessionIssuer,
    SessionKeys, SessionStore, SigningKeyCache, StaticCredentials,
};
use tower_sigv4::replay::ReplayCache;
use tower_sigv4::settings::SigV4Settings;
use tower_sigv4::sigv4::chunked::{ChunkSigner, ChunkedConfig, ChunkedDecoder};
use tower_sigv4::sigv4::{self, Dialect, RequestView, SigningKey};
use tower_sigv4::verifier::{Verification, Verifier};
use tower_sigv4::{AuthError, SigV4Layer, VerifiedBody, VerifiedBodyError};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "SECRET-wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SERVER_KEY: &[u8] = b"SERVER-KEY-for-session-tokens-0123456789";
const HOST: &str = "bucket.s3.amazonaws.com";
/// 2015-08-30T12:36:00Z.
const T: u64 = 1_440_938_160;

/// Everything that must never be shown, in every form it could take.
struct Forbidden {
    needles: Vec<String>,
}

impl Forbidden {
    fn new() -> Self {
        let mut f = Forbidden {
            needles: Vec::new(),
        };
        f.add_text(SECRET);
        f.add_bytes(SERVER_KEY);
        f.add_text(std::str::from_utf8(SERVER_KEY).unwrap());
        f
    }

    fn add_text(&mut self, s: &str) {
        self.needles.push(s.to_owned());
    }

    /// Key or signature bytes: hex windows, and the `[1, 2, …]` form.
    fn add_bytes(&mut self, b: &[u8]) {
        let hex = hex::encode(b);
        for window in [hex.clone(), hex.to_uppercase()] {
            let chars: Vec<char> = window.chars().collect();
            for w in chars.windows(16).step_by(8) {
                self.needles.push(w.iter().collect());
            }
        }
        self.needles.push(format!("{b:?}"));
        self.needles
            .push(format!("{:?}", &b[..8]).trim_end_matches(']').to_owned());
    }

    fn find(&self, shown: &str) -> Option<&str> {
        self.needles
            .iter()
            .find(|n| shown.contains(n.as_str()))
            .map(String::as_str)
    }

    #[track_caller]
    fn check(&self, what: &str, shown: &str) {
        if let Some(needle) = self.find(shown) {
            panic!("{what} shows {needle:?}: {shown}");
        }
    }
}

fn signing_params<'a>(
    identity: &'a Identity,
    s3: bool,
) -> aws_sigv4::http_request::SigningParams<'a> {
    let mut settings = SigningSettings::default();
    if s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    aws_sigv4::sign::v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name(if s3 { "s3" } else { "kms" })
        .time(UNIX_EPOCH + Duration::from_secs(T))
        .settings(settings)
        .build()
        .unwrap()
        .into()
}

/// A request signed by `aws-sigv4` with `secret`, and its signature.
fn signed(secret: &str, s3: bool, body: &'static [u8]) -> (Request<Full<Bytes>>, String) {
    let identity: Identity = Credentials::new(AKID, secret, None, None, "test").into();
    let params = signing_params(&identity, s3);
    let url = format!("https://{HOST}/object?x=1");
    let headers = [("content-type", "application/x-amz-json-1.1")];
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, signature) = sign(signable, &params).unwrap().into_parts();
    let mut req = Request::post("/object?x=1")
        .header("host", HOST)
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from_static(body)))
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    (req, signature)
}

fn settings(clock: Arc<ManualClock>) -> SigV4Settings {
    SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_service("kms")
        .with_clock(clock)
}

fn store() -> StaticCredentials {
    let principal: Arc<Principal> =
        Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
    StaticCredentials::builder()
        .credential(AKID, Credential::new(SECRET, principal), None)
        .build()
        .unwrap()
}

fn check_auth_error(forbidden: &Forbidden, what: &str, e: &AuthError) {
    forbidden.check(&format!("{what}: Display"), &e.to_string());
    forbidden.check(&format!("{what}: Debug"), &format!("{e:?}"));
    forbidden.check(&format!("{what}: message"), &e.message());
    forbidden.check(&format!("{what}: report"), &format!("{:?}", e.to_report()));
    if let Some(core) = e.core_error() {
        for d in [Dialect::S3, Dialect::Query, Dialect::Json] {
            forbidden.check(&format!("{what}: core message"), &core.message(d));
        }
        forbidden.check(&format!("{what}: core"), &format!("{core} {core:?}"));
    }
    let response = e.render();
    forbidden.check(
        &format!("{what}: headers"),
        &format!("{:?}", response.headers()),
    );
    let body = futures_body(response.into_body());
    forbidden.check(&format!("{what}: rendered body"), &body);
}

/// The bytes of an in-memory body (an error body never waits).
fn futures_body<B>(body: B) -> String
where
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let mut fut = std::pin::pin!(body.collect());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(collected) => {
            String::from_utf8_lossy(&collected.unwrap().to_bytes()).into_owned()
        }
        std::task::Poll::Pending => panic!("an error body waits"),
    }
}

#[tokio::test]
async fn a_wrong_signature_never_shows_the_expected_one() {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T)));
    let mut forbidden = Forbidden::new();
    let scope_key = SigningKey::derive(SECRET.as_bytes(), "20150830", "us-east-1", "s3");
    forbidden.add_bytes(scope_key.as_bytes());
    forbidden.add_bytes(
        SigningKey::derive(SECRET.as_bytes(), "20150830", "us-east-1", "kms").as_bytes(),
    );

    for s3 in [true, false] {
        // The same request signed with the right secret (the signature the
        // server computes) and with a wrong one (what the client sends).
        let (_, expected) = signed(SECRET, s3, b"{\"KeyId\":\"alias/x\"}");
        forbidden.add_bytes(&hex::decode(&expected).unwrap());
        let (req, _) = signed("a-wrong-secret", s3, b"{\"KeyId\":\"alias/x\"}");

        let verifier = Verifier::with_settings(store(), settings(clock.clone()));
        forbidden.check("Verifier", &format!("{verifier:?}"));
        let (parts, body) = req.into_parts();
        match verifier.verify(&parts).await {
            Ok(Verification::NeedsBodyHash(pending)) => {
                forbidden.check("NeedsBodyHash", &format!("{pending:?}"));
                let hash = common::sha256(&body.collect().await.unwrap().to_bytes());
                let e = pending.finish(&hash).unwrap_err();
                check_auth_error(&forbidden, "kms mismatch", &e);
            }
            Err(e) => check_auth_error(&forbidden, "s3 mismatch", &e),
            Ok(other) => panic!("a wrong signature verified: {other:?}"),
        }
        forbidden.check("SigningKeyCache", &format!("{:?}", verifier.signing_keys()));
    }

    // The protocol core alone.
    let (req, _) = signed("a-wrong-secret", true, b"");
    let (parts, _) = req.into_parts();
    let view = RequestView::from_parts(&parts);
    let settings = sigv4::VerifySettings::default();
    let parsed = sigv4::parse(&view, &settings).unwrap().unwrap();
    forbidden.check("SignedRequest", &format!("{parsed:?}"));
    forbidden.check("SigningKey", &format!("{scope_key:?}"));
    let e = sigv4::verify_signature(&parsed, &view, &scope_key, None).unwrap_err();
    forbidden.check("core error", &format!("{e} {e:?}"));
    for d in [Dialect::S3, Dialect::Query, Dialect::Json] {
        forbidden.check("core message", &e.message(d));
    }
}

#[tokio::test]
async fn the_layer_and_a_verified_request_show_no_secret() {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T)));
    let mut forbidden = Forbidden::new();
    forbidden
        .add_bytes(SigningKey::derive(SECRET.as_bytes(), "20150830", "us-east-1", "s3").as_bytes());
    let (req, _) = signed(SECRET, true, b"hello");

    let layer = SigV4Layer::with_settings(store(), settings(clock.clone()));
    forbidden.check("SigV4Layer", &format!("{layer:?}"));
    let seen = Arc::new(std::sync::Mutex::new(String::new()));
    let seen2 = seen.clone();
    let handler = tower::service_fn(move |req: Request<VerifiedBody<Full<Bytes>>>| {
        let seen = seen2.clone();
        async move {
            *seen.lock().unwrap() = format!("{req:?} {:?}", req.extensions());
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
        }
    });
    let mut svc = tower::ServiceBuilder::new().layer(layer).service(handler);
    forbidden.check("SigV4Service", &format!("{svc:?}"));
    let response = svc.ready().await.unwrap().call(req).await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains("Authenticated"), "{seen}");
    forbidden.check("the request the handler sees", &seen);

    // The verifier's own outcome types.
    let (req, _) = signed(SECRET, true, b"hello");
    let verifier = Verifier::with_settings(store(), settings(clock));
    let (parts, _) = req.into_parts();
    let verified = verifier.verify(&parts).await.unwrap();
    forbidden.check("Verification", &format!("{verified:?}"));
    let Verification::Verified(v) = verified else {
        panic!("S3 declares its payload")
    };
    forbidden.check("Verified", &format!("{v:?}"));
    forbidden.check("Authenticated", &format!("{:?}", v.authenticated()));

    let replays = ReplayCache::new();
    forbidden.check("ReplayCache", &format!("{replays:?}"));
}

#[tokio::test]
async fn session_credentials_never_show_through_the_verifier() {
    let keys = SessionKeys::new(ServerKey::new(7, SERVER_KEY).unwrap());
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T)));
    let issuer = SessionIssuer::new(keys.clone()).with_clock(clock.clone());
    let roles = RoleRegistry::new(issuer.clone()).with_role(
        RoleDefinition::new("arn:aws:iam::111122223333:role/demo".parse().unwrap())
            .trusting("arn:aws:iam::111122223333:user/alice".parse().unwrap()),
    );
    let alice: Principal = "arn:aws:iam::111122223333:user/alice".parse().unwrap();
    let issued = roles
        .assume_role(&alice, "arn:aws:iam::111122223333:role/demo", "s1", None)
        .unwrap();
    let mut forbidden = Forbidden::new();
    let session_secret = issued.secret_access_key().expose_str().unwrap().to_owned();
    forbidden.add_text(&session_secret);
    let key = SigningKey::derive(session_secret.as_bytes(), "20150830", "us-east-1", "s3");
    forbidden.add_bytes(key.as_bytes());
    for (what, shown) in [
        ("IssuedCredentials", format!("{issued:?}")),
        ("SessionIssuer", format!("{issuer:?}")),
        ("RoleRegistry", format!("{roles:?}")),
        ("SessionKeys", format!("{keys:?}")),
        ("Credential", format!("{:?}", issued.credential())),
    ] {
        forbidden.check(what, &shown);
    }

    // A request signed with the session, but with a wrong secret.
    let identity: Identity = Credentials::new(
        issued.access_key_id(),
        "not-the-session-secret",
        Some(issued.session_token().to_owned()),
        None,
        "test",
    )
    .into();
    let params = signing_params(&identity, true);
    let url = format!("https://{HOST}/o");
    let signable = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::empty(),
        SignableBody::Bytes(b""),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = Request::get("/o").header("host", HOST).body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    // The expected signature, from the real session secret.
    let identity: Identity = Credentials::new(
        issued.access_key_id(),
        session_secret.clone(),
        Some(issued.session_token().to_owned()),
        None,
        "test",
    )
    .into();
    let params = signing_params(&identity, true);
    let signable = SignableRequest::new(
        "GET",
        url.as_str(),
        std::iter::empty(),
        SignableBody::Bytes(b""),
    )
    .unwrap();
    let (_, expected) = sign(signable, &params).unwrap().into_parts();
    forbidden.add_bytes(&hex::decode(expected).unwrap());

    let store = SessionStore::new(keys).with_clock(clock.clone());
    forbidden.check("SessionStore", &format!("{store:?}"));
    let verifier = Verifier::from_parts(store, settings(clock), Arc::new(SigningKeyCache::new()));
    let (parts, _) = req.into_parts();
    let e = verifier.verify(&parts).await.unwrap_err();
    assert_eq!(e.code(), "SignatureDoesNotMatch");
    check_auth_error(&forbidden, "session mismatch", &e);
}

#[test]
fn chunk_and_trailer_errors_never_show_the_expected_signature() {
    let Some(path) = common::shared_path("test-suites/s3-examples/chunked-upload-trailer.json")
    else {
        return;
    };
    let case: serde_json::Value = serde_json::from_slice(&common::read(&path)).unwrap();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
    let secret = s(&case["secret_access_key"]);
    let expected = &case["expected"];
    let key = SigningKey::derive(secret.as_bytes(), "20130524", "us-east-1", "s3");
    let mut forbidden = Forbidden::new();
    forbidden.add_text(&secret);
    forbidden.add_bytes(key.as_bytes());
    let chunks = expected["chunks"].as_array().unwrap();
    let trailer_sig = s(&expected["trailer"]["signature"]);
    // The signatures the decoder computes, which the body below withholds.
    let first = s(&chunks[0]["signature"]);
    forbidden.add_bytes(&hex::decode(&first).unwrap());
    forbidden.add_bytes(&hex::decode(&trailer_sig).unwrap());

    let signer = ChunkSigner::with_hex_seed(
        key.clone(),
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        &s(&expected["seed_signature"]),
    )
    .unwrap();
    forbidden.check("ChunkSigner", &format!("{signer:?}"));

    let config = ChunkedConfig::default()
        .with_declared_trailers("x-amz-checksum-crc32c")
        .unwrap();
    let zeros = "0".repeat(64);
    // A wrong first chunk signature.
    let mut body = format!("10000;chunk-signature={zeros}\r\n").into_bytes();
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(b"\r\n");
    check_chunked(&forbidden, &signer, &config, body, "chunk");

    // Every chunk right, a wrong trailer signature.
    let payload = vec![b'a'; 66560];
    let mut body = Vec::new();
    let mut offset = 0;
    for chunk in chunks {
        let n = chunk["data_len"].as_u64().unwrap() as usize;
        body.extend_from_slice(s(&chunk["header_line"]).as_bytes());
        body.extend_from_slice(b"\r\n");
        if n > 0 {
            body.extend_from_slice(&payload[offset..offset + n]);
            body.extend_from_slice(b"\r\n");
            offset += n;
        }
    }
    body.extend_from_slice(
        format!("x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:{zeros}\r\n\r\n")
            .as_bytes(),
    );
    check_chunked(&forbidden, &signer, &config, body, "trailer");
}

/// Decodes `body` alone and through a `VerifiedBody`, and checks every
/// rendering of both failures.
fn check_chunked(
    forbidden: &Forbidden,
    signer: &ChunkSigner,
    config: &ChunkedConfig,
    body: Vec<u8>,
    what: &str,
) {
    let decoder = ChunkedDecoder::signed_with_trailer(signer.clone(), config.clone());
    let e = decoder.decode_all(Bytes::from(body.clone())).unwrap_err();
    assert_eq!(e.code(), "SignatureDoesNotMatch", "{what}");
    forbidden.check(what, &format!("{e} {e:?} {}", e.message()));

    let decoder = ChunkedDecoder::signed_with_trailer(signer.clone(), config.clone());
    let verified = VerifiedBody::aws_chunked(Full::new(Bytes::from(body)), decoder, None);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let e = rt.block_on(verified.collect()).unwrap_err();
    let e = e
        .downcast_ref::<VerifiedBodyError>()
        .expect("the body fails with a VerifiedBodyError");
    assert_eq!(e.code(), "SignatureDoesNotMatch", "{what}");
    forbidden.check(
        &format!("{what}: VerifiedBodyError"),
        &format!("{e} {e:?} {} {:?}", e.message(), e.to_report()),
    );
}

#[test]
fn headers_that_carry_secrets_are_never_echoed() {
    // A secret pasted into a header by mistake is not echoed by an error
    // either (the messages quote request values only where AWS does).
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T)));
    let forbidden = Forbidden::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let verifier = Verifier::with_settings(store(), settings(clock));
    let (mut req, _) = signed(SECRET, true, b"");
    req.headers_mut().insert(
        "x-amz-meta-oops",
        HeaderValue::from_static("SECRET-wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    );
    let (parts, _) = req.into_parts();
    let e = rt.block_on(verifier.verify(&parts)).unwrap_err();
    assert_eq!(e.code(), "AccessDenied");
    check_auth_error(&forbidden, "unsigned x-amz header", &e);
    // And an unsigned request that carries it.
    let mut req = Request::get("/o").header("host", HOST).body(()).unwrap();
    req.headers_mut().insert(
        "x-amz-security-token",
        HeaderValue::from_static("SECRET-wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    );
    let (parts, _) = req.into_parts();
    let e = rt.block_on(verifier.verify(&parts)).unwrap_err();
    check_auth_error(&forbidden, "unsigned request", &e);
}

#[test]
fn the_checker_finds_every_form_of_a_leak() {
    let mut forbidden = Forbidden::new();
    let key = SigningKey::derive(SECRET.as_bytes(), "20150830", "us-east-1", "s3");
    forbidden.add_bytes(key.as_bytes());
    let hex_key = hex::encode(key.as_bytes());
    for leak in [
        format!("secret={SECRET}"),
        format!("key: {hex_key}"),
        format!("KEY {}", hex_key.to_uppercase()),
        format!("part of it: {}", &hex_key[20..40]),
        format!("{:?}", key.as_bytes()),
        format!("SigningKey({:?})", &key.as_bytes()[..]),
        String::from_utf8_lossy(SERVER_KEY).into_owned(),
        hex::encode(SERVER_KEY),
    ] {
        assert!(forbidden.find(&leak).is_some(), "missed {leak}");
    }
    assert!(forbidden.find("SigningKey(** redacted **)").is_none());
}
