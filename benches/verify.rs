//! Verification against the crypto floor and the `aws-sigv4` crate, in one
//! run so that the ratios hold on a noisy machine.
//!
//! Groups (criterion ids `group/request`):
//!
//! - `floor`: what no verifier can skip, with `sha2`/`hmac` directly on the
//!   same bytes: SHA-256 of the canonical request, SHA-256 of the body (when
//!   the request has one), the HMAC of the string to sign with the signing
//!   key already derived, the compare.
//! - `ours_warm`: the core's verification (parse, every check, the signing key
//!   from a warm [`SigningKeyCache`], the streamed canonical request, the HMAC,
//!   the compare, the body hash); `ours_cold`: the same with the signing key
//!   derived for the request (what a cache miss costs); `ours_key_given`: the
//!   same with the key in hand (the cache lookup left out, to split the cost).
//! - `aws_sigv4_sign`: the `aws-sigv4` crate signing the same requests.
//! - `chunked`: a 64 MiB `aws-chunked` body in 64 KiB signed chunks through
//!   the core's decoder, and the same payload through plain SHA-256.
//! - `layer`: `SigV4Service` end to end in process, over a no-op inner
//!   service that polls the body to its end.
//!
//! The requests: a KMS-style POST (`content-type:
//! application/x-amz-json-1.1`, `x-amz-target`, `x-amz-date`, `host`, a
//! 200-byte JSON body, no `x-amz-content-sha256`: the body hash is part of the
//! signature), a presigned S3 GET with a session token, and an S3 PUT of 1 KiB
//! with its hash in `x-amz-content-sha256`. All are signed by `aws-sigv4`.
//!
//! Run: `cargo bench --bench verify` (a summary of the figures and ratios is
//! printed at the end, read from criterion's `estimates.json` files of this
//! run). A quicker run: `cargo bench --bench verify -- --warm-up-time 1
//! --measurement-time 2`. The interleaved ratios alone, in about a minute:
//! `VERIFY_RATIOS=1 cargo bench --bench verify`. Besides the targets' ratios
//! they give the no-op service's own cost and where the time of `ours_warm`
//! goes, step by step (`print_time_split`).

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation as AwsLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput};
use hmac::{Hmac, Mac};
use http::header::{HeaderName, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tower::{Layer, Service};
use tower_sigv4::identity::{
    Credential, ManualClock, Principal, SecretKey, SigningKeyCache, StaticCredentials,
};
use tower_sigv4::sigv4::chunked::{ChunkSigner, ChunkedConfig, ChunkedDecoder, Decoded};
use tower_sigv4::sigv4::{
    self, CanonicalRequest, PayloadMode, RequestView, SignedRequest, SigningKey, StringToSign,
    VerifySettings,
};
use tower_sigv4::{SigV4Layer, SigV4Settings, VerifiedBody};

const ACCOUNT: &str = "111122223333";
const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TEMP_AKID: &str = "ASIAIOSFODNN7EXAMPLE";
const TEMP_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvb+EXAMPLE=KEY";
/// A session token of the length STS hands out (several hundred bytes).
const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+Ex4mPl3/token+with/slashes=and+plus==\
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\
    BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\
    CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC";
const REGION: &str = "us-east-1";
/// 2023-11-14T22:13:20Z: the signing time, and the server's clock.
const SIGNING_TIME: u64 = 1_700_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(SIGNING_TIME)
}

// ---------------------------------------------------------------------------
// The clock: this thread's CPU time
// ---------------------------------------------------------------------------

/// Criterion's measurement over the CPU time of the benchmarking thread
/// (`CLOCK_THREAD_CPUTIME_ID`), not the wall clock: on a machine shared with
/// other work, time spent preempted is not counted, so figures measured at
/// different moments of one run stay comparable. Cache pollution by the
/// other work still shows.
struct ThreadCpuTime;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant
    // that Linux supports for the calling thread.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Criterion prints durations with its wall-clock formatter.
static WALL: WallTime = WallTime;

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

type Bench = Criterion<ThreadCpuTime>;

// ---------------------------------------------------------------------------
// The requests, signed by aws-sigv4
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    KmsPost,
    PresignedGet,
    S3Put,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::KmsPost, Kind::PresignedGet, Kind::S3Put];

    fn id(self) -> &'static str {
        match self {
            Kind::KmsPost => "kms_post",
            Kind::PresignedGet => "presigned_get",
            Kind::S3Put => "s3_put",
        }
    }

    fn service(self) -> &'static str {
        match self {
            Kind::KmsPost => "kms",
            Kind::PresignedGet | Kind::S3Put => "s3",
        }
    }
}

/// What the client sends before signing: method, URL, headers, body.
struct Unsigned {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

fn unsigned(kind: Kind) -> Unsigned {
    match kind {
        Kind::KmsPost => {
            let body = kms_body();
            Unsigned {
                method: "POST",
                url: "https://kms.us-east-1.amazonaws.com/".into(),
                headers: vec![
                    ("content-type", "application/x-amz-json-1.1".into()),
                    ("x-amz-target", "TrentService.Encrypt".into()),
                ],
                body,
            }
        }
        Kind::PresignedGet => Unsigned {
            method: "GET",
            url: "https://examplebucket.s3.us-east-1.amazonaws.com/photos/2023/cat%20picture.jpg"
                .into(),
            headers: Vec::new(),
            body: Bytes::new(),
        },
        Kind::S3Put => Unsigned {
            method: "PUT",
            url: "https://examplebucket.s3.us-east-1.amazonaws.com/reports/2023/q4.csv".into(),
            headers: vec![("content-type", "text/csv".into())],
            body: pseudo_random(1024, 7).into(),
        },
    }
}

/// A 200-byte KMS `Encrypt` request body.
fn kms_body() -> Bytes {
    let mut body = String::from(
        r#"{"KeyId":"alias/example","Plaintext":"SGVsbG8sIHdvcmxkIQ==","EncryptionContext":{"purpose":"bench"},"EncryptionAlgorithm":"SYMMETRIC_DEFAULT","Pad":""#,
    );
    while body.len() < 200 - 2 {
        body.push('x');
    }
    body.push_str("\"}");
    assert_eq!(body.len(), 200);
    Bytes::from(body)
}

/// Deterministic incompressible bytes (xorshift).
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

fn identity(kind: Kind) -> Identity {
    match kind {
        Kind::PresignedGet => {
            Credentials::new(TEMP_AKID, TEMP_SECRET, Some(TOKEN.into()), None, "bench").into()
        }
        _ => Credentials::new(AKID, SECRET, None, None, "bench").into(),
    }
}

fn signing_settings(kind: Kind) -> SigningSettings {
    let mut s = SigningSettings::default();
    match kind {
        Kind::KmsPost => {}
        Kind::PresignedGet => {
            s.percent_encoding_mode = PercentEncodingMode::Single;
            s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            s.signature_location = AwsLocation::QueryParams;
            s.expires_in = Some(Duration::from_secs(3600));
        }
        Kind::S3Put => {
            s.percent_encoding_mode = PercentEncodingMode::Single;
            s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
            s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
    }
    s
}

fn signable_body(kind: Kind, body: &[u8]) -> SignableBody<'_> {
    match kind {
        Kind::PresignedGet => SignableBody::UnsignedPayload,
        _ => SignableBody::Bytes(body),
    }
}

/// What `aws-sigv4` needs to sign `kind` (built once, outside the timing).
struct AwsSigner {
    kind: Kind,
    request: Unsigned,
    identity: Identity,
    settings: SigningSettings,
}

impl AwsSigner {
    fn new(kind: Kind) -> Self {
        AwsSigner {
            kind,
            request: unsigned(kind),
            identity: identity(kind),
            settings: signing_settings(kind),
        }
    }

    /// Signs: the signable request over the headers, the parameters, the
    /// signature (and for a body, its hash), as an SDK does per request.
    fn sign(&self) -> aws_sigv4::http_request::SigningInstructions {
        let params = v4::SigningParams::builder()
            .identity(&self.identity)
            .region(REGION)
            .name(self.kind.service())
            .time(now())
            .settings(self.settings.clone())
            .build()
            .expect("signing params")
            .into();
        let signable = SignableRequest::new(
            self.request.method,
            self.request.url.as_str(),
            self.request.headers.iter().map(|(n, v)| (*n, v.as_str())),
            signable_body(self.kind, &self.request.body),
        )
        .expect("signable request");
        sign(signable, &params)
            .expect("aws-sigv4 signs")
            .into_parts()
            .0
    }

    /// The request as the server receives it over HTTP/1.1: an origin-form
    /// target and a `Host` header.
    fn received(&self) -> (http::request::Parts, Bytes) {
        let mut req = Request::builder()
            .method(self.request.method)
            .uri(self.request.url.as_str())
            .body(())
            .expect("request");
        for (n, v) in &self.request.headers {
            req.headers_mut().append(
                HeaderName::from_static(n),
                HeaderValue::from_str(v).expect("header value"),
            );
        }
        self.sign().apply_to_request_http1x(&mut req);
        let (mut parts, ()) = req.into_parts();
        let authority = parts
            .uri
            .authority()
            .expect("absolute URL")
            .as_str()
            .to_owned();
        parts.headers.insert(
            http::header::HOST,
            HeaderValue::from_str(&authority).expect("host"),
        );
        parts.uri = parts
            .uri
            .path_and_query()
            .expect("path")
            .as_str()
            .parse()
            .expect("origin-form target");
        (parts, self.request.body.clone())
    }
}

// ---------------------------------------------------------------------------
// The floor and our verification
// ---------------------------------------------------------------------------

/// One received request and everything the verifiers need.
struct Fixture {
    kind: Kind,
    parts: http::request::Parts,
    body: Bytes,
    settings: VerifySettings,
    secret: SecretKey,
    key: SigningKey,
    cache: SigningKeyCache,
    /// The canonical request and the string to sign, for the floor (the
    /// string to sign without its last line, the hex hash of the canonical
    /// request, which the floor computes).
    canonical_request: Vec<u8>,
    string_to_sign_head: Vec<u8>,
    signature: [u8; 32],
}

impl Fixture {
    fn new(kind: Kind) -> Fixture {
        let (parts, body) = AwsSigner::new(kind).received();
        let settings = VerifySettings::default()
            .with_region(REGION)
            .with_service("kms")
            .with_service("s3");
        let secret = SecretKey::from(if kind == Kind::PresignedGet {
            TEMP_SECRET
        } else {
            SECRET
        });
        let (canonical_request, string_to_sign_head, signature, key) = {
            let view = RequestView::from_parts(&parts);
            let signed = sigv4::parse(&view, &settings)
                .expect("parses")
                .expect("signed");
            let body_hash: [u8; 32] = Sha256::digest(&body).into();
            let creq = CanonicalRequest::new(&signed, &view, Some(&body_hash)).expect("creq");
            let sts = StringToSign::new(&signed, &creq.sha256());
            let head_len = sts.as_str().rfind('\n').expect("four lines") + 1;
            let scope = signed.scope();
            let key = SigningKey::derive(
                secret.as_bytes(),
                scope.date(),
                scope.region(),
                scope.service(),
            );
            (
                creq.as_bytes().to_vec(),
                sts.as_str().as_bytes()[..head_len].to_vec(),
                *signed.signature(),
                key,
            )
        };
        let fixture = Fixture {
            kind,
            parts,
            body,
            settings,
            secret,
            key,
            cache: SigningKeyCache::new(),
            canonical_request,
            string_to_sign_head,
            signature,
        };
        // Everything measured must succeed: a bench of a failing path
        // measures nothing.
        assert!(fixture.floor(), "{}: the floor does not verify", kind.id());
        for source in [KeySource::Cache, KeySource::Derive, KeySource::Given] {
            fixture
                .ours(source)
                .unwrap_or_else(|e| panic!("{}: {e}", kind.id()));
        }
        fixture
    }

    /// The unavoidable crypto, on the same bytes.
    fn floor(&self) -> bool {
        self.crypto(|| <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_bytes()).expect("key"))
    }

    /// The floor's hashes and compare, the HMAC from `keyed`: the floor
    /// keys it for each request, our signing keys hold its pads hashed.
    /// Inlined, so that the floor's code is the same as when it was written
    /// out here.
    #[inline(always)]
    fn crypto(&self, keyed: impl FnOnce() -> Hmac<Sha256>) -> bool {
        let creq_hash = Sha256::digest(&self.canonical_request);
        if !self.body.is_empty() {
            black_box(Sha256::digest(&self.body));
        }
        let mut hex_hash = [0u8; 64];
        hex::encode_to_slice(creq_hash, &mut hex_hash).expect("64 bytes");
        let mut mac = keyed();
        mac.update(&self.string_to_sign_head);
        mac.update(&hex_hash);
        let computed: [u8; 32] = mac.finalize().into_bytes().into();
        bool::from(computed.ct_eq(&self.signature))
    }

    /// Our core's verification of the received request, the body included.
    fn ours(&self, source: KeySource) -> Result<(), sigv4::Error> {
        let view = RequestView::from_parts(&self.parts);
        let signed = sigv4::parse(&view, &self.settings)?.expect("signed");
        sigv4::check(&signed, &view, &self.settings, now())?;
        let scope = signed.scope();
        let derived;
        let key = match source {
            KeySource::Cache => {
                derived = self.cache.signing_key(
                    signed.access_key_id(),
                    &self.secret,
                    scope.date(),
                    scope.region(),
                    scope.service(),
                );
                &derived
            }
            KeySource::Derive => {
                derived = SigningKey::derive(
                    self.secret.as_bytes(),
                    scope.date(),
                    scope.region(),
                    scope.service(),
                );
                &derived
            }
            KeySource::Given => &self.key,
        };
        self.signature_step(&signed, &view, key)
    }

    /// The signature of a parsed and checked request, and its body.
    fn signature_step(
        &self,
        signed: &SignedRequest<'_>,
        view: &RequestView<'_>,
        key: &SigningKey,
    ) -> Result<(), sigv4::Error> {
        match signed.payload_mode() {
            PayloadMode::FromBody => {
                let body_hash: [u8; 32] = Sha256::digest(&self.body).into();
                sigv4::verify_signature(signed, view, key, Some(&body_hash))
            }
            PayloadMode::Sha256(declared) => {
                sigv4::verify_signature(signed, view, key, None)?;
                // The layer checks the body against the declared hash as it
                // streams; here, in one piece.
                let body_hash: [u8; 32] = Sha256::digest(&self.body).into();
                assert!(bool::from(body_hash.ct_eq(&declared)), "body hash");
                Ok(())
            }
            _ => sigv4::verify_signature(signed, view, key, None),
        }
    }
}

#[derive(Clone, Copy)]
enum KeySource {
    /// From a warm [`SigningKeyCache`].
    Cache,
    /// Derived for the request (a cache miss, without the insert).
    Derive,
    /// Already in hand.
    Given,
}

fn bench_requests(c: &mut Bench, fixtures: &[Fixture]) {
    let mut group = c.benchmark_group("floor");
    for f in fixtures {
        group.bench_function(f.kind.id(), |b| b.iter(|| assert!(black_box(f).floor())));
    }
    group.finish();

    for (name, source) in [
        ("ours_warm", KeySource::Cache),
        ("ours_cold", KeySource::Derive),
        ("ours_key_given", KeySource::Given),
    ] {
        let mut group = c.benchmark_group(name);
        for f in fixtures {
            group.bench_function(f.kind.id(), |b| {
                b.iter(|| black_box(f).ours(source).expect("verifies"))
            });
        }
        group.finish();
    }

    let mut group = c.benchmark_group("aws_sigv4_sign");
    for kind in Kind::ALL {
        let signer = AwsSigner::new(kind);
        group.bench_function(kind.id(), |b| b.iter(|| black_box(&signer).sign()));
    }
    group.finish();
}

// ---------------------------------------------------------------------------
// aws-chunked: 64 MiB in 64 KiB chunks
// ---------------------------------------------------------------------------

const CHUNKED_PAYLOAD: usize = 64 << 20;
const CHUNK: usize = 64 << 10;
/// The size of the pieces the decoder is fed (as a server reads them; not
/// aligned with the chunks, whose headers shift every boundary).
const FRAME: usize = 64 << 10;

struct ChunkedFixture {
    len: usize,
    payload: Vec<u8>,
    frames: Vec<Bytes>,
    key: SigningKey,
    amz_date: String,
    scope: String,
    seed: [u8; 32],
}

impl ChunkedFixture {
    fn new(len: usize) -> ChunkedFixture {
        // The seed: aws-sigv4's signature of the request headers.
        let mut req = Request::builder()
            .method("PUT")
            .uri("https://examplebucket.s3.us-east-1.amazonaws.com/big.bin")
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", len.to_string())
            .body(())
            .expect("request");
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().expect("ascii").to_owned()))
            .collect();
        let id = identity(Kind::S3Put);
        let mut settings = signing_settings(Kind::S3Put);
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(&id)
            .region(REGION)
            .name("s3")
            .time(now())
            .settings(settings)
            .build()
            .expect("params")
            .into();
        let uri = req.uri().to_string();
        let signable = SignableRequest::new(
            "PUT",
            &uri,
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Precomputed("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".into()),
        )
        .expect("signable");
        let (instructions, seed_hex) = sign(signable, &params).expect("signs").into_parts();
        instructions.apply_to_request_http1x(&mut req);
        let mut seed = [0u8; 32];
        hex::decode_to_slice(&seed_hex, &mut seed).expect("hex seed");
        let amz_date = req.headers()["x-amz-date"]
            .to_str()
            .expect("date")
            .to_owned();
        let scope = format!("{}/{REGION}/s3/aws4_request", &amz_date[..8]);
        let key = SigningKey::derive(SECRET.as_bytes(), &amz_date[..8], REGION, "s3");

        // The encoding, with each chunk signature computed here with
        // sha2/hmac from the format's definition.
        let payload = pseudo_random(len, 64);
        let empty_hash = hex::encode(Sha256::digest(b""));
        let mut encoded = Vec::with_capacity(len + (len / CHUNK + 1) * 100);
        let mut previous = seed_hex.clone();
        for data in payload.chunks(CHUNK).chain(std::iter::once(&[][..])) {
            let string_to_sign = format!(
                "AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{previous}\n{empty_hash}\n{}",
                hex::encode(Sha256::digest(data))
            );
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).expect("key");
            mac.update(string_to_sign.as_bytes());
            let signature = hex::encode(mac.finalize().into_bytes());
            encoded.extend_from_slice(
                format!("{:x};chunk-signature={signature}\r\n", data.len()).as_bytes(),
            );
            encoded.extend_from_slice(data);
            encoded.extend_from_slice(b"\r\n");
            previous = signature;
        }
        let encoded = Bytes::from(encoded);
        let frames = (0..encoded.len())
            .step_by(FRAME)
            .map(|at| encoded.slice(at..(at + FRAME).min(encoded.len())))
            .collect();
        let fixture = ChunkedFixture {
            len,
            payload,
            frames,
            key,
            amz_date,
            scope,
            seed,
        };
        assert_eq!(fixture.decode(), len as u64, "the chunked body verifies");
        fixture
    }

    /// Decodes and verifies the whole body; returns the decoded length.
    fn decode(&self) -> u64 {
        let signer = ChunkSigner::new(
            self.key.clone(),
            self.amz_date.as_str(),
            self.scope.as_str(),
            self.seed,
        );
        let config = ChunkedConfig::default().with_decoded_content_length(Some(self.len as u64));
        let mut decoder = ChunkedDecoder::signed(signer, config);
        let mut decoded = 0u64;
        let mut ended = false;
        for frame in &self.frames {
            let mut input = frame.clone();
            loop {
                match decoder.decode(&mut input).expect("chunk verifies") {
                    Decoded::Data(data) => decoded += black_box(data).len() as u64,
                    Decoded::End(_) => ended = true,
                    Decoded::NeedMore => break,
                }
            }
        }
        decoder.finish().expect("complete");
        assert!(ended);
        decoded
    }
}

/// `len`: the payload (64 MiB; 1 MiB under `--test`, where criterion runs
/// each benchmark once to check that it works).
fn bench_chunked(c: &mut Bench, len: usize) {
    // Built on first use: a filtered run that skips this group does not pay
    // for 64 MiB of hashing and signing.
    let fixture = OnceLock::new();
    let fixture = || fixture.get_or_init(|| ChunkedFixture::new(len));
    let mut group = c.benchmark_group("chunked");
    group
        .throughput(Throughput::Bytes(len as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10);
    group.bench_function("verify_64MiB", |b| {
        let fixture = fixture();
        b.iter(|| fixture.decode())
    });
    group.bench_function("sha256_64MiB", |b| {
        let fixture = fixture();
        b.iter(|| Sha256::digest(black_box(&fixture.payload)))
    });
    group.finish();
}

// ---------------------------------------------------------------------------
// The layer, end to end in process
// ---------------------------------------------------------------------------

/// Polls a future that is ready without waiting on IO (an in-memory store,
/// an in-memory body), on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// The inner service: reads the verified body to its end, answers 200.
async fn no_op<B>(request: Request<VerifiedBody<B>>) -> Result<Response<Full<Bytes>>, Infallible>
where
    B: Unpin,
    VerifiedBody<B>: http_body::Body<Data = Bytes>,
    <VerifiedBody<B> as http_body::Body>::Error: std::fmt::Debug,
{
    let mut body = request.into_body();
    while let Some(frame) = body.frame().await {
        black_box(frame.expect("the body verifies"));
    }
    Ok(Response::new(Full::default()))
}

/// The no-op service's work without the layer: the same request taken,
/// its body read to the end, an empty response made, the request dropped.
fn bare_no_op(request: Request<Full<Bytes>>) -> StatusCode {
    let mut body = request.into_body();
    while let Some(frame) = block_on(body.frame()) {
        black_box(frame.expect("infallible"));
    }
    Response::new(Full::<Bytes>::default()).status()
}

fn layer_store() -> StaticCredentials {
    let session: Principal = format!("arn:aws:sts::{ACCOUNT}:assumed-role/bench-role/bench")
        .parse()
        .expect("assumed-role ARN");
    StaticCredentials::builder()
        .root(ACCOUNT, AKID, SECRET)
        .credential(
            TEMP_AKID,
            Credential::temporary(
                TEMP_SECRET,
                session,
                now() - Duration::from_secs(60),
                now() + Duration::from_secs(3600),
            ),
            Some(TOKEN),
        )
        .clock(Arc::new(ManualClock::new(now())))
        .build()
        .expect("store")
}

/// One request through the layer; the response status.
fn through_layer<S, B>(service: &mut S, request: Request<B>) -> StatusCode
where
    S: Service<Request<B>, Response = Response<tower_sigv4::ResponseBody<Full<Bytes>>>>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    block_on(service.call(request))
        .expect("infallible")
        .status()
}

/// `SigV4Service` over the no-op service, with the in-memory store and a
/// clock set to the signing time.
fn layer_service<B>() -> impl Service<
    Request<B>,
    Response = Response<tower_sigv4::ResponseBody<Full<Bytes>>>,
    Error = Infallible,
>
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Debug,
{
    let settings = SigV4Settings::default()
        .with_region(REGION)
        .with_service("kms")
        .with_service("s3")
        .with_clock(Arc::new(ManualClock::new(now())));
    SigV4Layer::with_settings(layer_store(), settings).layer(tower::service_fn(no_op::<B>))
}

/// A body whose bytes come after one `Pending`, as a body that arrives
/// after its headers does: the layer keeps what it verified while it waits.
struct LateBody {
    data: Option<Bytes>,
    waited: bool,
}

impl http_body::Body for LateBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        if !self.waited {
            self.waited = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.data.take().map(|d| Ok(http_body::Frame::data(d))))
    }
}

impl Fixture {
    /// The received request again, for the layer (which consumes it).
    fn request(&self) -> Request<Full<Bytes>> {
        Request::from_parts(self.parts.clone(), Full::new(self.body.clone()))
    }

    /// The received request again, its body arriving after one `Pending`.
    fn late_request(&self) -> Request<LateBody> {
        let body = LateBody {
            data: Some(self.body.clone()),
            waited: false,
        };
        Request::from_parts(self.parts.clone(), body)
    }
}

fn bench_layer(c: &mut Bench, fixtures: &[Fixture]) {
    bench_through_layer(c, "layer", fixtures.iter(), Fixture::request);
    // A body the signature covers and that is not there at the first poll:
    // the KMS POST.
    let kms = fixtures.iter().filter(|f| f.kind == Kind::KmsPost);
    bench_through_layer(c, "layer_late_body", kms, Fixture::late_request);
}

/// One group of requests through the layer, each made anew by `make`
/// outside the timing.
fn bench_through_layer<'f, B>(
    c: &mut Bench,
    name: &str,
    fixtures: impl Iterator<Item = &'f Fixture>,
    make: fn(&Fixture) -> Request<B>,
) where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + std::fmt::Debug,
{
    let mut service = layer_service::<B>();
    let mut group = c.benchmark_group(name);
    for f in fixtures {
        // Warms the signing-key cache, and proves the request passes.
        assert_eq!(
            through_layer(&mut service, make(f)),
            StatusCode::OK,
            "{}",
            f.kind.id()
        );
        group.bench_function(f.kind.id(), |b| {
            b.iter_batched(
                || make(f),
                |req| through_layer(&mut service, req),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

// ---------------------------------------------------------------------------
// Interleaved ratios
// ---------------------------------------------------------------------------

/// Rounds of alternating batches in [`interleaved`].
const ROUNDS: usize = 101;

/// The median, over [`ROUNDS`] rounds, of (CPU time of `batch` runs of `b`)
/// ÷ (CPU time of `batch` runs of `a`), the two batches run back to back in
/// each round. Criterion measures one benchmark after the other, so a change
/// of load between them moves their ratio; here both sides of each ratio
/// see the same moment. `setup` makes the input of each run of `b` (outside
/// the timing).
fn interleaved<T>(
    batch: usize,
    mut a: impl FnMut(),
    mut setup: impl FnMut() -> T,
    mut b: impl FnMut(T),
) -> f64 {
    let mut ratios = Vec::with_capacity(ROUNDS);
    let mut inputs = Vec::with_capacity(batch);
    for _ in 0..ROUNDS {
        inputs.extend((0..batch).map(|_| setup()));
        let t0 = thread_cpu_ns();
        for _ in 0..batch {
            a();
        }
        let t1 = thread_cpu_ns();
        for input in inputs.drain(..) {
            b(input);
        }
        let t2 = thread_cpu_ns();
        ratios.push((t2 - t1) as f64 / (t1 - t0).max(1) as f64);
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

fn print_interleaved(fixtures: &[Fixture]) {
    println!();
    println!(
        "interleaved ratios (median of {ROUNDS} rounds of back-to-back batches, thread CPU time):"
    );
    let mut service = layer_service();
    let mut late_service = layer_service::<LateBody>();
    for f in fixtures {
        let signer = AwsSigner::new(f.kind);
        let ours = || f.ours(KeySource::Cache).expect("verifies");
        let floor = || assert!(f.floor());
        let warm = interleaved(500, floor, || (), |()| ours());
        let aws = interleaved(
            200,
            ours,
            || (),
            |()| {
                black_box(signer.sign());
            },
        );
        let layer = interleaved(
            500,
            floor,
            || f.request(),
            |req| {
                black_box(through_layer(&mut service, req));
            },
        );
        let headline = f.kind == Kind::KmsPost;
        println!("{}:", f.kind.id());
        if headline {
            println!(
                "  ours warm ÷ floor      {}",
                show_ratio(Some(warm), "≤ 1.25", |r| r <= 1.25)
            );
        } else {
            println!("  ours warm ÷ floor      {}", show_plain(Some(warm)));
        }
        println!(
            "  aws-sigv4 ÷ ours warm  {}",
            show_ratio(Some(aws), "≥ 5", |r| r >= 5.0)
        );
        println!(
            "  layer ÷ floor          {}",
            show_ratio(Some(layer), "≤ 2", |r| r <= 2.0)
        );
        if headline {
            let late = interleaved(
                500,
                floor,
                || f.late_request(),
                |req| {
                    black_box(through_layer(&mut late_service, req));
                },
            );
            println!("  layer, body late ÷ floor     {}", show_plain(Some(late)));
        }
        let bare = interleaved(
            500,
            floor,
            || f.request(),
            |req| {
                black_box(bare_no_op(req));
            },
        );
        println!("  no-op service alone ÷ floor  {}", show_plain(Some(bare)));
        print_time_split(f, floor);
    }
}

/// Where the time of `ours warm` goes, each step as a fraction of the floor:
/// the parse alone, with the checks, with the signing key from the warm
/// cache; the signature step alone (canonical request, body hash, HMAC,
/// compare) on a request parsed outside the timing; and the crypto of that
/// step alone: the floor's hashes with the key's HMAC pads computed once, as
/// our signing keys hold them. The signature step less its crypto is the
/// cost of writing the canonical request and the string to sign.
fn print_time_split(f: &Fixture, floor: impl FnMut() + Copy) {
    let parsed = || {
        let view = RequestView::from_parts(&f.parts);
        let signed = sigv4::parse(&view, &f.settings)
            .expect("parses")
            .expect("signed");
        (view, signed)
    };
    let parse = interleaved(
        500,
        floor,
        || (),
        |()| {
            black_box(parsed());
        },
    );
    let checked = || {
        let (view, signed) = parsed();
        sigv4::check(&signed, &view, &f.settings, now()).expect("passes");
        signed
    };
    let checks = interleaved(
        500,
        floor,
        || (),
        |()| {
            black_box(checked());
        },
    );
    let key = interleaved(
        500,
        floor,
        || (),
        |()| {
            let signed = checked();
            let scope = signed.scope();
            black_box(f.cache.signing_key(
                signed.access_key_id(),
                &f.secret,
                scope.date(),
                scope.region(),
                scope.service(),
            ));
        },
    );
    let keyed = <Hmac<Sha256> as Mac>::new_from_slice(f.key.as_bytes()).expect("key");
    let crypto = interleaved(500, floor, || (), |()| assert!(f.crypto(|| keyed.clone())));
    let signature = interleaved(500, floor, parsed, |(view, signed)| {
        f.signature_step(&signed, &view, &f.key).expect("verifies");
    });
    println!("  parse ÷ floor                {}", show_plain(Some(parse)));
    println!(
        "  parse, checks ÷ floor        {}",
        show_plain(Some(checks))
    );
    println!("  parse, checks, key ÷ floor   {}", show_plain(Some(key)));
    println!(
        "  signature step ÷ floor       {}",
        show_plain(Some(signature))
    );
    println!(
        "  its crypto alone ÷ floor     {}",
        show_plain(Some(crypto))
    );
}

// ---------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------

/// Where criterion writes (its own rule: `CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the package's `target/criterion`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/criterion")
}

/// The median (ns per iteration) of `group/id`, if measured by this run.
fn median_ns(group: &str, id: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn show_ns(ns: Option<f64>) -> String {
    match ns {
        Some(ns) if ns >= 1e6 => format!("{:>10.2} ms", ns / 1e6),
        Some(ns) if ns >= 1e3 => format!("{:>10.3} µs", ns / 1e3),
        Some(ns) => format!("{ns:>10.0} ns"),
        None => format!("{:>13}", "-"),
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

fn show_ratio(r: Option<f64>, target: &str, met: impl Fn(f64) -> bool) -> String {
    match r {
        Some(r) => format!(
            "{r:>6.2}  (target {target}: {})",
            if met(r) { "met" } else { "NOT met" }
        ),
        None => "     -  (not measured in this run)".into(),
    }
}

fn print_summary(since: SystemTime) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!("== tower-sigv4 verification summary (medians of this run, thread CPU time) ==");
    println!(
        "machine: {} cores; load average at the end: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!(
        "{:<14}{:>13}{:>13}{:>13}{:>13}{:>13}{:>13}",
        "request", "floor", "ours warm", "ours cold", "key given", "aws-sigv4", "layer"
    );
    for kind in Kind::ALL {
        let id = kind.id();
        println!(
            "{:<14}{}{}{}{}{}{}",
            id,
            show_ns(median_ns("floor", id, since)),
            show_ns(median_ns("ours_warm", id, since)),
            show_ns(median_ns("ours_cold", id, since)),
            show_ns(median_ns("ours_key_given", id, since)),
            show_ns(median_ns("aws_sigv4_sign", id, since)),
            show_ns(median_ns("layer", id, since)),
        );
    }
    println!();
    for kind in Kind::ALL {
        let id = kind.id();
        let floor = median_ns("floor", id, since);
        let warm = median_ns("ours_warm", id, since);
        let cold = median_ns("ours_cold", id, since);
        let given = median_ns("ours_key_given", id, since);
        let aws = median_ns("aws_sigv4_sign", id, since);
        let layer = median_ns("layer", id, since);
        let headline = kind == Kind::KmsPost;
        println!("{id}:");
        if headline {
            println!(
                "  ours warm ÷ floor      {}",
                show_ratio(ratio(warm, floor), "≤ 1.25", |r| r <= 1.25)
            );
        } else {
            println!(
                "  ours warm ÷ floor      {}",
                show_plain(ratio(warm, floor))
            );
        }
        println!(
            "  ours cold ÷ floor      {}",
            show_plain(ratio(cold, floor))
        );
        println!(
            "  key given ÷ floor      {}",
            show_plain(ratio(given, floor))
        );
        println!(
            "  aws-sigv4 ÷ ours warm  {}",
            show_ratio(ratio(aws, warm), "≥ 5", |r| r >= 5.0)
        );
        println!(
            "  layer ÷ floor          {}",
            show_ratio(ratio(layer, floor), "≤ 2", |r| r <= 2.0)
        );
        if headline {
            let late = median_ns("layer_late_body", id, since);
            println!(
                "  layer, body late: {} ({} × the floor)",
                show_ns(late).trim(),
                show_plain(ratio(late, floor)).trim()
            );
        }
    }
    let verify = median_ns("chunked", "verify_64MiB", since);
    let plain = median_ns("chunked", "sha256_64MiB", since);
    let mbps = |ns: Option<f64>| ns.map(|ns| CHUNKED_PAYLOAD as f64 / ns * 1e9 / 1e6);
    println!();
    println!(
        "aws-chunked 64 MiB in 64 KiB chunks: {} MB/s; plain SHA-256: {} MB/s",
        mbps(verify).map_or("-".into(), |v| format!("{v:.0}")),
        mbps(plain).map_or("-".into(), |v| format!("{v:.0}")),
    );
    println!(
        "  chunked ÷ plain SHA-256 throughput {}",
        show_ratio(ratio(plain, verify), "≥ 0.90", |r| r >= 0.90)
    );
}

fn show_plain(r: Option<f64>) -> String {
    r.map_or_else(|| "     -".into(), |r| format!("{r:>6.2}"))
}

/// `VERIFY_PROFILE=<group>/<request>:<iterations>`: runs exactly that many
/// iterations of one benchmark and nothing else, so that an instruction
/// count (callgrind) divides into a figure per verification.
fn profile_loop(fixtures: &[Fixture], spec: &str) {
    let (id, n) = spec.rsplit_once(':').unwrap_or((spec, "10000"));
    let n: u64 = n.parse().expect("VERIFY_PROFILE iterations");
    let (group, kind) = id
        .split_once('/')
        .expect("VERIFY_PROFILE=<group>/<request>:<n>");
    let f = fixtures
        .iter()
        .find(|f| f.kind.id() == kind)
        .expect("a request id");
    let source = match group {
        "ours_warm" => Some(KeySource::Cache),
        "ours_cold" => Some(KeySource::Derive),
        "ours_key_given" => Some(KeySource::Given),
        _ => None,
    };
    let mut layer = layer_service();
    let mut late = layer_service::<LateBody>();
    for _ in 0..n {
        match (group, source) {
            ("floor", _) => assert!(black_box(f).floor()),
            ("layer", _) => {
                let status = through_layer(&mut layer, f.request());
                assert_eq!(status, StatusCode::OK);
            }
            ("layer_late_body", _) => {
                let status = through_layer(&mut late, f.late_request());
                assert_eq!(status, StatusCode::OK);
            }
            (_, Some(source)) => black_box(f).ours(source).expect("verifies"),
            _ => panic!("unknown group {group}"),
        }
    }
}

fn main() {
    let since = SystemTime::now();
    let args: Vec<String> = std::env::args().collect();
    let listing = args.iter().any(|a| a == "--list" || a == "--test");
    let mut c = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .configure_from_args();
    let fixtures: Vec<Fixture> = Kind::ALL.into_iter().map(Fixture::new).collect();
    if let Ok(spec) = std::env::var("VERIFY_PROFILE") {
        profile_loop(&fixtures, &spec);
        return;
    }
    // The interleaved ratios alone: a minute instead of the whole run.
    if std::env::var_os("VERIFY_RATIOS").is_some() {
        print_interleaved(&fixtures);
        return;
    }
    bench_requests(&mut c, &fixtures);
    bench_chunked(&mut c, if listing { 1 << 20 } else { CHUNKED_PAYLOAD });
    bench_layer(&mut c, &fixtures);
    c.final_summary();
    if !listing {
        print_summary(since);
        print_interleaved(&fixtures);
    }
}
