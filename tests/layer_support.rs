//! Helpers shared by the layer, axum and body tests (included with
//! `#[path = "layer_support.rs"] mod support;`): requests signed by the
//! `aws-sigv4` crate, the shared test data, a loopback hyper server, and a
//! small XML reader for error documents.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower_sigv4::identity::{
    CredentialStore, IssuedCredentials, ManualClock, RoutedStore, ServerKey, SessionIssuer,
    SessionKeys, SessionStore, StaticCredentials,
};
use tower_sigv4::{
    Anonymous, Authenticated, SigV4Layer, SigV4Settings, VerifiedBody, VerifiedBodyError,
};

pub const ROOT_AKID: &str = "AKIAIOSFODNN7EXAMPLE";
pub const ROOT_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
pub const ALICE_AKID: &str = "AKIAI44QH8DHBEXAMPLE";
pub const ALICE_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
pub const ALICE_ARN: &str = "arn:aws:iam::111122223333:user/division/alice";
pub const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/demo-role";

/// 2025-01-01T00:00:00Z: the server's "now" in the loopback tests.
pub fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_735_689_600)
}

/// 2013-05-24T00:00:00Z: the time of the S3 API reference's worked examples.
pub fn s3_example_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_369_353_600)
}

// ---------------------------------------------------------------------------
// Shared test data.

/// `$CARGO_MANIFEST_DIR/../shared/test-suites/<relative>` parsed as JSON.
/// Missing: a failure under `CI=true`, otherwise `None` (the caller skips).
pub fn shared_json(relative: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/test-suites")
        .join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("valid JSON")),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!(
                    "shared test file {} is missing under CI: {e}",
                    path.display()
                );
            }
            eprintln!(
                "skipping: shared test file {} is missing ({e})",
                path.display()
            );
            None
        }
    }
}

/// One of the S3 API reference's `aws-chunked` worked examples: the request
/// as documented and the encoded body rebuilt from the documented chunk
/// lines (their signatures come from the file, computed independently).
pub struct ChunkedExample {
    pub name: String,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub authorization: String,
    pub decoded: Vec<u8>,
    pub encoded: Vec<u8>,
    pub trailer: Option<(String, String)>,
}

pub fn chunked_example(file: &str) -> Option<ChunkedExample> {
    let v = shared_json(&format!("s3-examples/{file}"))?;
    let expected = &v["expected"];
    let payload = &v["payload"];
    let byte = payload["repeat"].as_str().unwrap().as_bytes()[0];
    let decoded = vec![byte; payload["len"].as_u64().unwrap() as usize];
    let headers: Vec<(String, String)> = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let scope = format!(
        "{}/{}/{}/aws4_request",
        &v["timestamp"].as_str().unwrap()[..8],
        v["region"].as_str().unwrap(),
        v["service"].as_str().unwrap()
    );
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope},SignedHeaders={},Signature={}",
        v["access_key_id"].as_str().unwrap(),
        expected["signed_headers"].as_str().unwrap(),
        expected["seed_signature"].as_str().unwrap()
    );
    let mut encoded = Vec::new();
    let mut offset = 0usize;
    for chunk in expected["chunks"].as_array().unwrap() {
        let len = chunk["data_len"].as_u64().unwrap() as usize;
        encoded.extend_from_slice(chunk["header_line"].as_str().unwrap().as_bytes());
        encoded.extend_from_slice(b"\r\n");
        encoded.extend_from_slice(&decoded[offset..offset + len]);
        offset += len;
        if len > 0 {
            encoded.extend_from_slice(b"\r\n");
        }
    }
    let trailer = expected.get("trailer").map(|t| {
        let line = t["canonical_trailer_headers"].as_str().unwrap().trim_end();
        let (name, value) = line.split_once(':').unwrap();
        encoded.extend_from_slice(line.as_bytes());
        encoded.extend_from_slice(b"\r\n");
        encoded.extend_from_slice(b"x-amz-trailer-signature:");
        encoded.extend_from_slice(t["signature"].as_str().unwrap().as_bytes());
        encoded.extend_from_slice(b"\r\n");
        (name.to_owned(), value.to_owned())
    });
    encoded.extend_from_slice(b"\r\n");
    assert_eq!(
        encoded.len() as u64,
        expected["encoded_body_length"].as_u64().unwrap(),
        "{file}: the rebuilt body has the documented length"
    );
    Some(ChunkedExample {
        name: v["name"].as_str().unwrap().to_owned(),
        method: v["method"].as_str().unwrap().to_owned(),
        path: v["path"].as_str().unwrap().to_owned(),
        headers,
        authorization,
        decoded,
        encoded,
        trailer,
    })
}

impl ChunkedExample {
    /// The example's request with `body`, the `Authorization` header built
    /// from its documented parts.
    pub fn request<B>(&self, uri: &str, body: B) -> Request<B> {
        let mut builder = Request::builder().method(self.method.as_str()).uri(uri);
        for (name, value) in &self.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .header("authorization", self.authorization.as_str())
            .body(body)
            .unwrap()
    }
}

// ---------------------------------------------------------------------------
// Signing with the `aws-sigv4` crate.

/// How to sign a request.
#[derive(Clone)]
pub struct Signing {
    pub access_key_id: String,
    pub secret: String,
    pub token: Option<String>,
    pub region: String,
    pub service: String,
    pub time: SystemTime,
    /// Presign for this long instead of signing the header.
    pub presign: Option<Duration>,
    /// Send the payload hash in `x-amz-content-sha256` (S3's way; the
    /// default for `s3` only).
    pub hash_header: bool,
}

impl Signing {
    pub fn new(service: &str) -> Self {
        Signing {
            access_key_id: ROOT_AKID.into(),
            secret: ROOT_SECRET.into(),
            token: None,
            region: "us-east-1".into(),
            service: service.into(),
            time: t0(),
            presign: None,
            hash_header: service == "s3",
        }
    }

    pub fn key(mut self, akid: &str, secret: &str) -> Self {
        self.access_key_id = akid.into();
        self.secret = secret.into();
        self
    }

    pub fn session(mut self, issued: &IssuedCredentials) -> Self {
        self.access_key_id = issued.access_key_id().into();
        self.secret = issued.secret_access_key().expose_str().unwrap().into();
        self.token = Some(issued.session_token().into());
        self
    }

    pub fn region(mut self, region: &str) -> Self {
        self.region = region.into();
        self
    }

    pub fn at(mut self, time: SystemTime) -> Self {
        self.time = time;
        self
    }

    pub fn presigned(mut self, expires: Duration) -> Self {
        self.presign = Some(expires);
        self
    }

    pub fn with_hash_header(mut self, on: bool) -> Self {
        self.hash_header = on;
        self
    }

    fn is_s3(&self) -> bool {
        self.service == "s3"
    }

    /// Signs `request` in place. `body` says what the payload line holds:
    /// for S3 the hash goes in `x-amz-content-sha256` (aws-sigv4's
    /// `XAmzSha256`), for the other services it is only hashed into the
    /// signature, as their SDKs do.
    pub fn sign<B>(&self, request: &mut Request<B>, body: SignableBody<'_>) {
        let credentials = Credentials::new(
            &self.access_key_id,
            &self.secret,
            self.token.clone(),
            None,
            "tests",
        );
        let identity = credentials.into();
        let mut settings = SigningSettings::default();
        if self.is_s3() {
            settings.percent_encoding_mode = PercentEncodingMode::Single;
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        if self.hash_header {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        if let Some(expires) = self.presign {
            settings.signature_location = SignatureLocation::QueryParams;
            settings.expires_in = Some(expires);
            // A presigned URL says nothing of the body (S3 signs
            // UNSIGNED-PAYLOAD, the others the hash of what is sent).
            settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        }
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time)
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let uri = request.uri().to_string();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            body,
        )
        .unwrap();
        let (instructions, _signature) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(request);
    }
}

// ---------------------------------------------------------------------------
// Credentials.

/// The identities of the tests: the root user, alice, and temporary
/// credentials of a role, all behind one store.
pub struct Identities {
    pub store: Arc<RoutedStore<SessionStore, StaticCredentials>>,
    pub issuer: SessionIssuer,
    pub clock: Arc<ManualClock>,
}

pub fn identities(now: SystemTime) -> Identities {
    let clock = Arc::new(ManualClock::new(now));
    let long_term = StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .user(ALICE_ARN, ALICE_AKID, ALICE_SECRET)
        .build()
        .unwrap();
    let keys = SessionKeys::new(ServerKey::generate(1).unwrap());
    let issuer = SessionIssuer::new(keys.clone()).with_clock(clock.clone());
    let sessions = SessionStore::new(keys).with_clock(clock.clone());
    Identities {
        store: Arc::new(RoutedStore::new(sessions, long_term)),
        issuer,
        clock,
    }
}

pub fn assume_role(ids: &Identities, session: &str, duration: Duration) -> IssuedCredentials {
    let role: tower_sigv4::identity::IamRole = ROLE_ARN.parse().unwrap();
    ids.issuer
        .assume_role(&role, session, Some(duration))
        .unwrap()
}

// ---------------------------------------------------------------------------
// A loopback hyper server.

/// What the handler saw, as the JSON it answers with.
pub async fn echo_handler(
    req: Request<VerifiedBody<Incoming>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let caller = parts.extensions.get::<Authenticated>();
    let anonymous = parts.extensions.get::<Anonymous>().is_some();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .map(|v| Value::from(v.to_str().unwrap_or("?")))
            .unwrap_or(Value::Null)
    };
    match body.collect().await {
        Ok(collected) => {
            let trailers: BTreeMap<String, String> = collected
                .trailers()
                .map(|t| {
                    t.iter()
                        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let data = collected.to_bytes();
            let doc = json!({
                "arn": caller.map(|c| c.principal().arn().to_owned()),
                "access_key_id": caller.map(|c| c.access_key_id().to_owned()),
                "scope": caller.map(|c| c.scope().to_string()),
                "presigned": caller.map(|c| c.is_presigned()),
                "temporary": caller.map(|c| c.is_temporary()),
                "anonymous": anonymous,
                "len": data.len(),
                "sha256": hex::encode(Sha256::digest(&data)),
                "content_length": header("content-length"),
                "content_encoding": header("content-encoding"),
                "transfer_encoding": header("transfer-encoding"),
                "trailers": trailers,
            });
            Ok(Response::new(Full::new(Bytes::from(doc.to_string()))))
        }
        Err(e) => {
            // The body did not match its signature: answer as S3 does.
            let e = e
                .downcast::<VerifiedBodyError>()
                .expect("only verification errors in these tests");
            let rendered = e.to_report().render(e.protocol(), SystemTime::now());
            let (mut head, body) = rendered.into_parts();
            head.headers
                .insert("x-test-body-error", e.code().parse().unwrap());
            let data = body.collect().await.unwrap().to_bytes();
            Ok(Response::from_parts(head, Full::new(data)))
        }
    }
}

/// Starts a hyper 1 server on a free loopback port, the layer in front of
/// [`echo_handler`], wired with no glue beyond hyper-util's adapter.
pub async fn spawn_server<S>(store: S, settings: SigV4Settings) -> SocketAddr
where
    S: CredentialStore + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = tower::ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store, settings))
        .service_fn(echo_handler);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A response as the tests read it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn xml(&self) -> BTreeMap<String, String> {
        xml_elements(&self.body)
    }

    /// The AWS error code, from whichever protocol the body is in.
    pub fn code(&self) -> String {
        if let Some(code) = self.xml_or_empty().get("Code") {
            return code.clone();
        }
        let v = self.json();
        v["__type"].as_str().unwrap().to_owned()
    }

    fn xml_or_empty(&self) -> BTreeMap<String, String> {
        if self.body.starts_with(b"<") {
            self.xml()
        } else {
            BTreeMap::new()
        }
    }

    /// Asserts the headers every AWS error carries: a parseable `Date` and a
    /// request id.
    pub fn assert_error_headers(&self) {
        let date = self.headers.get("date").expect("a Date header");
        httpdate_parse(date.to_str().unwrap());
        assert!(
            self.headers.contains_key("x-amz-request-id")
                || self.headers.contains_key("x-amzn-requestid"),
            "a request id header: {:?}",
            self.headers
        );
    }
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) strictly.
pub fn httpdate_parse(s: &str) -> SystemTime {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let dt = time::PrimitiveDateTime::parse(s, format)
        .unwrap_or_else(|e| panic!("not an HTTP date: {s:?} ({e})"));
    dt.assume_utc().into()
}

/// A body of several frames whose length is not known in advance: a
/// client sends it with `Transfer-Encoding: chunked`.
pub struct Streamed(pub std::collections::VecDeque<Bytes>);

impl http_body::Body for Streamed {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
    }
}

/// Sends `request` over a fresh connection.
pub async fn send(request: Request<Full<Bytes>>) -> Answer {
    send_body(request).await
}

/// Sends `request`, whatever its body, over a fresh connection.
pub async fn send_body<B>(request: Request<B>) -> Answer
where
    B: http_body::Body<Data = Bytes> + Send + Unpin + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let client =
        hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http::<B>();
    let response = client.request(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// The text of every element of an XML document, by element name (the
/// innermost, unescaped), read with quick-xml.
pub fn xml_elements(xml: &[u8]) -> BTreeMap<String, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut out = BTreeMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                stack.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Text(t)) => {
                if let Some(name) = stack.last() {
                    let text = t.decode().unwrap();
                    let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                    out.entry(name.clone())
                        .and_modify(|s: &mut String| s.push_str(&text))
                        .or_insert(text);
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(name) = stack.last() {
                    let raw = String::from_utf8(r.to_vec()).unwrap();
                    let text = quick_xml::escape::unescape(&format!("&{raw};"))
                        .unwrap()
                        .into_owned();
                    out.entry(name.clone())
                        .and_modify(|s: &mut String| s.push_str(&text))
                        .or_insert(text);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("malformed XML: {e}: {}", String::from_utf8_lossy(xml)),
        }
        buf.clear();
    }
    out
}

/// CRC-32 (IEEE), bit by bit: an implementation independent of the crate's.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Standard base64 with padding, written out here so that the expected
/// checksum owes nothing to the crate under test.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in data.chunks(3) {
        let n = group.len();
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let v = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= n {
                out.push(ALPHABET[(v >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// An `aws-chunked` body with unsigned chunks of `chunk` bytes and a
/// `x-amz-checksum-crc32` trailer holding `checksum`.
pub fn unsigned_chunked(data: &[u8], chunk: usize, checksum: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in data.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n");
    out.extend_from_slice(format!("x-amz-checksum-crc32:{checksum}\r\n\r\n").as_bytes());
    out
}

/// A deterministic pseudo-random sequence (xorshift64*), for frame splits.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `1..=max`.
    pub fn size(&mut self, max: usize) -> usize {
        1 + (self.next_u64() % max as u64) as usize
    }
}
