//! The layer in a real hyper 1 server on loopback, driven by a hyper client
//! whose requests are signed by the `aws-sigv4` crate (or taken from the S3
//! API reference's worked examples): every payload mode, header and
//! presigned, success and each failure, the error documents parsed back.

#[path = "layer_support.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use aws_sigv4::http_request::SignableBody;
use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use sha2::{Digest, Sha256};
use support::*;
use tower_sigv4::identity::Clock;
use tower_sigv4::{ErrorProtocol, ServiceConfig, SigV4Settings, UnsignedRequests};

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn settings(clock: Arc<dyn Clock>) -> SigV4Settings {
    SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_service("sts")
        .with_service("kms")
        .with_clock(clock)
}

struct Fixture {
    base: String,
    ids: Identities,
}

async fn fixture_with(configure: impl FnOnce(SigV4Settings) -> SigV4Settings) -> Fixture {
    let ids = identities(t0());
    let addr = spawn_server(ids.store.clone(), configure(settings(ids.clock.clone()))).await;
    Fixture {
        base: format!("http://{addr}"),
        ids,
    }
}

async fn fixture() -> Fixture {
    fixture_with(|s| s).await
}

impl Fixture {
    fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.base, path_and_query)
    }

    fn request(&self, method: &str, path: &str, body: &'static [u8]) -> Request<Full<Bytes>> {
        Request::builder()
            .method(method)
            .uri(self.url(path))
            .body(Full::new(Bytes::from_static(body)))
            .unwrap()
    }

    /// A KMS `Encrypt` call, AWS JSON 1.1, the body hashed into the signature only.
    fn kms(&self, body: &'static [u8]) -> Request<Full<Bytes>> {
        let mut req = self.request("POST", "/", body);
        req.headers_mut().insert(
            "content-type",
            "application/x-amz-json-1.1".parse().unwrap(),
        );
        req.headers_mut()
            .insert("x-amz-target", "TrentService.Encrypt".parse().unwrap());
        req
    }

    /// An STS call, the Query protocol in a form body.
    fn sts(&self, body: &'static [u8]) -> Request<Full<Bytes>> {
        let mut req = self.request("POST", "/", body);
        req.headers_mut().insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        req
    }
}

const ROOT_ARN: &str = "arn:aws:iam::111122223333:root";
const GET_CALLER_IDENTITY: &[u8] = b"Action=GetCallerIdentity&Version=2011-06-15";
const KMS_BODY: &[u8] = br#"{"KeyId":"alias/demo","Plaintext":"aGVsbG8="}"#;

// ---------------------------------------------------------------------------
// Success in every payload mode.

#[tokio::test]
async fn s3_put_with_a_signed_hash_reaches_the_handler_intact() {
    let f = fixture().await;
    let body = b"Welcome to Amazon S3.";
    let mut req = f.request("PUT", "/bucket/some%20key%2Bwith%3Dodd%3Achars", body);
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(body));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_eq!(v["arn"], ROOT_ARN);
    assert_eq!(v["access_key_id"], ROOT_AKID);
    assert_eq!(v["scope"], "20250101/us-east-1/s3/aws4_request");
    assert_eq!(v["presigned"], false);
    assert_eq!(v["sha256"], sha_hex(body));
}

#[tokio::test]
async fn s3_put_with_unsigned_payload_streams_through() {
    let f = fixture().await;
    let mut req = f.request("PUT", "/bucket/key", b"any bytes at all");
    Signing::new("s3")
        .key(ALICE_AKID, ALICE_SECRET)
        .sign(&mut req, SignableBody::UnsignedPayload);
    assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_eq!(v["arn"], ALICE_ARN);
    assert_eq!(v["len"], 16);
}

#[tokio::test]
async fn s3_presigned_get_and_put_verify() {
    let f = fixture().await;
    let mut req = f.request("GET", "/bucket/photo.jpg?versionId=3", b"");
    Signing::new("s3")
        .presigned(Duration::from_secs(3600))
        .sign(&mut req, SignableBody::UnsignedPayload);
    assert!(req.uri().query().unwrap().contains("X-Amz-Signature="));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json()["presigned"], true);

    // A presigned PUT says nothing of the body (UNSIGNED-PAYLOAD).
    let mut req = f.request("PUT", "/bucket/upload.bin", b"uploaded through a URL");
    Signing::new("s3")
        .presigned(Duration::from_secs(60))
        .sign(&mut req, SignableBody::UnsignedPayload);
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json()["sha256"], sha_hex(b"uploaded through a URL"));
}

#[tokio::test]
async fn kms_and_sts_bodies_are_buffered_hashed_and_handed_on() {
    let f = fixture().await;
    let mut req = f.kms(KMS_BODY);
    Signing::new("kms").sign(&mut req, SignableBody::Bytes(KMS_BODY));
    assert!(!req.headers().contains_key("x-amz-content-sha256"));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json()["sha256"], sha_hex(KMS_BODY));

    let mut req = f.sts(GET_CALLER_IDENTITY);
    Signing::new("sts")
        .key(ALICE_AKID, ALICE_SECRET)
        .sign(&mut req, SignableBody::Bytes(GET_CALLER_IDENTITY));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json()["arn"], ALICE_ARN);

    // A presigned GetCallerIdentity URL (as EKS tokens are made): the
    // payload line is the hash of the empty body.
    let mut req = f.request("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", b"");
    Signing::new("sts")
        .presigned(Duration::from_secs(60))
        .sign(&mut req, SignableBody::Bytes(b""));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.json()["presigned"], true);
}

#[tokio::test]
async fn temporary_credentials_verify_and_expire() {
    let f = fixture().await;
    let session = assume_role(&f.ids, "tester", Duration::from_secs(3600));
    let mut req = f.sts(GET_CALLER_IDENTITY);
    Signing::new("sts")
        .session(&session)
        .sign(&mut req, SignableBody::Bytes(GET_CALLER_IDENTITY));
    let a = send(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_eq!(
        v["arn"],
        "arn:aws:sts::111122223333:assumed-role/demo-role/tester"
    );
    assert_eq!(v["temporary"], true);

    // Credentials that ran out an hour ago, signed now.
    f.ids.clock.set(t0() - Duration::from_secs(7200));
    let old = assume_role(&f.ids, "tester", Duration::from_secs(900));
    f.ids.clock.set(t0());
    for service in ["s3", "sts"] {
        let mut req = f.sts(GET_CALLER_IDENTITY);
        Signing::new(service)
            .session(&old)
            .sign(&mut req, SignableBody::Bytes(GET_CALLER_IDENTITY));
        let a = send(req).await;
        a.assert_error_headers();
        assert_eq!(a.code(), "ExpiredToken", "{service}");
        assert_eq!(a.status, if service == "s3" { 400 } else { 403 });
    }
}

#[tokio::test]
async fn unsigned_requests_are_refused_or_let_through() {
    let f = fixture().await;
    let a = send(f.request("GET", "/bucket/key", b"")).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "AccessDenied");
    assert_eq!(xml["Message"], "Access Denied");
    assert_eq!(
        xml["RequestId"],
        a.headers["x-amz-request-id"].to_str().unwrap()
    );

    let f = fixture_with(|s| {
        s.with_fallback_service("sts")
            .with_unsigned_requests(UnsignedRequests::Reject)
    })
    .await;
    let a = send(f.sts(GET_CALLER_IDENTITY)).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    assert_eq!(a.code(), "MissingAuthenticationToken");
    assert!(a
        .body
        .starts_with(b"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));

    let f = fixture_with(|s| s.with_unsigned_requests(UnsignedRequests::Anonymous)).await;
    let a = send(f.request("PUT", "/public/key", b"anonymous upload")).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_eq!(v["anonymous"], true);
    assert!(v["arn"].is_null());
    assert_eq!(v["len"], 16);
}

// ---------------------------------------------------------------------------
// aws-chunked, through the wire.

async fn chunked_fixture() -> Fixture {
    let ids = identities(s3_example_time());
    let addr = spawn_server(ids.store.clone(), settings(ids.clock.clone())).await;
    Fixture {
        base: format!("http://{addr}"),
        ids,
    }
}

#[tokio::test]
async fn s3_worked_examples_upload_aws_chunked_bodies() {
    let f = chunked_fixture().await;
    for file in ["chunked-upload.json", "chunked-upload-trailer.json"] {
        let Some(ex) = chunked_example(file) else {
            return;
        };
        let req = ex.request(&f.url(&ex.path), Full::new(Bytes::from(ex.encoded.clone())));
        let a = send(req).await;
        assert_eq!(a.status, 200, "{}: {:?}", ex.name, a.body);
        let v = a.json();
        assert_eq!(v["arn"], ROOT_ARN);
        assert_eq!(v["len"], ex.decoded.len(), "{}", ex.name);
        assert_eq!(v["sha256"], sha_hex(&ex.decoded), "{}", ex.name);
        // What the inner service sees: the decoded length, no aws-chunked.
        assert_eq!(v["content_length"], ex.decoded.len().to_string());
        assert!(v["content_encoding"].is_null(), "{v}");
        match &ex.trailer {
            Some((name, value)) => assert_eq!(v["trailers"][name], value.as_str()),
            None => assert_eq!(v["trailers"], serde_json::json!({})),
        }
    }
}

#[tokio::test]
async fn s3_worked_example_with_a_flipped_data_byte_is_refused_by_the_body() {
    let f = chunked_fixture().await;
    let Some(ex) = chunked_example("chunked-upload.json") else {
        return;
    };
    let mut encoded = ex.encoded.clone();
    // A byte inside the second chunk's data.
    let pos = encoded.len() - 200;
    encoded[pos] ^= 0x01;
    let a = send(ex.request(&f.url(&ex.path), Full::new(Bytes::from(encoded)))).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.headers["x-test-body-error"], "SignatureDoesNotMatch");
    assert_eq!(a.code(), "SignatureDoesNotMatch");
}

#[tokio::test]
async fn streaming_unsigned_payload_trailer_checks_the_crc() {
    let f = fixture().await;
    let data: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let good = base64(&crc32(&data).to_be_bytes());
    let bad = base64(&crc32(b"something else").to_be_bytes());
    for (checksum, expect_ok) in [(good.clone(), true), (bad, false)] {
        let encoded = unsigned_chunked(&data, 8192, &checksum);
        let mut req = Request::put(f.url("/bucket/crc"))
            .header("content-encoding", "aws-chunked")
            .header("x-amz-decoded-content-length", data.len().to_string())
            .header("x-amz-trailer", "x-amz-checksum-crc32")
            .body(Full::new(Bytes::from(encoded)))
            .unwrap();
        Signing::new("s3").sign(&mut req, SignableBody::StreamingUnsignedPayloadTrailer);
        assert_eq!(
            req.headers()["x-amz-content-sha256"],
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
        );
        let a = send(req).await;
        if expect_ok {
            assert_eq!(a.status, 200, "{:?}", a.body);
            let v = a.json();
            assert_eq!(v["sha256"], sha_hex(&data));
            assert_eq!(v["trailers"]["x-amz-checksum-crc32"], good.as_str());
            assert_eq!(v["content_length"], "20000");
        } else {
            assert_eq!(a.status, 400);
            assert_eq!(a.code(), "BadDigest");
            assert_eq!(
                a.xml()["Message"],
                "The CRC32 you specified did not match the calculated checksum."
            );
        }
    }
}

#[tokio::test]
async fn aws_chunked_with_unsigned_payload_is_an_invalid_argument() {
    let f = fixture().await;
    let mut req = f.request("PUT", "/bucket/key", b"5\r\nhello\r\n0\r\n\r\n");
    req.headers_mut()
        .insert("content-encoding", "aws-chunked".parse().unwrap());
    Signing::new("s3").sign(&mut req, SignableBody::UnsignedPayload);
    let a = send(req).await;
    assert_eq!(a.status, 400);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "InvalidArgument");
    assert_eq!(xml["ArgumentName"], "Content-Encoding");
    assert_eq!(xml["ArgumentValue"], "aws-chunked");
}

// ---------------------------------------------------------------------------
// Failures, as the client reads them.

#[tokio::test]
async fn wrong_secret_is_signature_does_not_match_with_s3_details() {
    let f = fixture().await;
    let mut req = f.request("GET", "/bucket/key?list-type=2", b"");
    Signing::new("s3")
        .key(ROOT_AKID, "not-the-secret")
        .sign(&mut req, SignableBody::Bytes(b""));
    let provided = req.headers()["authorization"]
        .to_str()
        .unwrap()
        .rsplit("Signature=")
        .next()
        .unwrap()
        .to_owned();
    let a = send(req).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "SignatureDoesNotMatch");
    assert_eq!(xml["AWSAccessKeyId"], ROOT_AKID);
    assert_eq!(xml["SignatureProvided"], provided);
    let sts = &xml["StringToSign"];
    let creq = &xml["CanonicalRequest"];
    assert!(
        creq.starts_with("GET\n/bucket/key\nlist-type=2\n"),
        "{creq}"
    );
    let lines: Vec<&str> = sts.split('\n').collect();
    assert_eq!(
        lines[..3],
        [
            "AWS4-HMAC-SHA256",
            "20250101T000000Z",
            "20250101/us-east-1/s3/aws4_request"
        ]
    );
    // The string to sign hashes the canonical request it reports.
    assert_eq!(lines[3], sha_hex(creq.as_bytes()));
    let spaced = |s: &str| {
        s.bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(xml["StringToSignBytes"], spaced(sts));
    assert_eq!(xml["CanonicalRequestBytes"], spaced(creq));

    // KMS answers in JSON.
    let mut req = f.kms(KMS_BODY);
    Signing::new("kms")
        .key(ROOT_AKID, "not-the-secret")
        .sign(&mut req, SignableBody::Bytes(KMS_BODY));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    a.assert_error_headers();
    assert_eq!(a.headers["x-amzn-errortype"], "InvalidSignatureException");
    assert_eq!(a.headers["content-type"], "application/x-amz-json-1.1");
    let v = a.json();
    assert_eq!(v["__type"], "InvalidSignatureException");
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("The request signature we calculated"));
}

/// A service of the general rules that answers in S3's XML: no hash header,
/// so the signature is checked after the body is read, from the canonical
/// request hashed before it; the mismatch report must still be the request
/// as received, its payload line the hash of the body that came.
#[tokio::test]
async fn a_body_hash_mismatch_in_s3_format_reports_the_received_request() {
    let f =
        fixture_with(|s| s.with_service_config("example", ServiceConfig::new(ErrorProtocol::S3)))
            .await;
    let signed_body: &[u8] = b"Action=Put&Value=1";
    let sent_body: &'static [u8] = b"Action=Put&Value=2";
    let mut req = f.request("POST", "/a/b", sent_body);
    Signing::new("example")
        .key(ROOT_AKID, ROOT_SECRET)
        .sign(&mut req, SignableBody::Bytes(signed_body));
    assert!(req.headers().get("x-amz-content-sha256").is_none());
    let a = send(req).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "SignatureDoesNotMatch");
    let creq = &xml["CanonicalRequest"];
    let sts = &xml["StringToSign"];
    assert!(creq.starts_with("POST\n/a/b\n\n"), "{creq}");
    // The payload line is the hash of the body received…
    assert!(
        creq.ends_with(&format!("\n{}", sha_hex(sent_body))),
        "{creq}"
    );
    assert_eq!(sts.rsplit('\n').next().unwrap(), sha_hex(creq.as_bytes()));
    // …and with the signed body's hash instead, the string to sign is what
    // the client signed: its HMAC under the signing key is the signature sent.
    let signed_creq = format!(
        "{}{}",
        creq.strip_suffix(&sha_hex(sent_body)).unwrap(),
        sha_hex(signed_body)
    );
    let (head, _) = sts.rsplit_once('\n').unwrap();
    let signed_sts = format!("{head}\n{}", sha_hex(signed_creq.as_bytes()));
    let scope: Vec<&str> = head.rsplit('\n').next().unwrap().split('/').collect();
    let hmac = |key: &[u8], data: &[u8]| -> Vec<u8> {
        use hmac::Mac;
        let mut m = hmac::Hmac::<Sha256>::new_from_slice(key).unwrap();
        m.update(data);
        m.finalize().into_bytes().to_vec()
    };
    let mut key = hmac(format!("AWS4{ROOT_SECRET}").as_bytes(), scope[0].as_bytes());
    for part in &scope[1..] {
        key = hmac(&key, part.as_bytes());
    }
    assert_eq!(
        hex::encode(hmac(&key, signed_sts.as_bytes())),
        xml["SignatureProvided"]
    );
}

#[tokio::test]
async fn unknown_access_key_is_refused_per_protocol() {
    let f = fixture().await;
    let mut req = f.request("GET", "/bucket/key", b"");
    Signing::new("s3")
        .key("AKIAUNKNOWNEXAMPLE00", "whatever")
        .sign(&mut req, SignableBody::Bytes(b""));
    let a = send(req).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "InvalidAccessKeyId");
    assert_eq!(xml["AWSAccessKeyId"], "AKIAUNKNOWNEXAMPLE00");

    let mut req = f.sts(GET_CALLER_IDENTITY);
    Signing::new("sts")
        .key("AKIAUNKNOWNEXAMPLE00", "whatever")
        .sign(&mut req, SignableBody::Bytes(GET_CALLER_IDENTITY));
    let a = send(req).await;
    assert_eq!(a.status, 403);
    let xml = a.xml();
    assert_eq!(xml["Type"], "Sender");
    assert_eq!(xml["Code"], "InvalidClientTokenId");
    assert_eq!(
        xml["Message"],
        "The security token included in the request is invalid."
    );

    let mut req = f.kms(KMS_BODY);
    Signing::new("kms")
        .key("AKIAUNKNOWNEXAMPLE00", "whatever")
        .sign(&mut req, SignableBody::Bytes(KMS_BODY));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["__type"], "UnrecognizedClientException");
}

#[tokio::test]
async fn a_skewed_clock_is_request_time_too_skewed() {
    let f = fixture().await;
    let twenty_minutes_ago = t0() - Duration::from_secs(20 * 60);
    let mut req = f.request("GET", "/bucket/key", b"");
    Signing::new("s3")
        .at(twenty_minutes_ago)
        .sign(&mut req, SignableBody::Bytes(b""));
    let a = send(req).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    assert_eq!(httpdate_parse(a.headers["date"].to_str().unwrap()), t0());
    let xml = a.xml();
    assert_eq!(xml["Code"], "RequestTimeTooSkewed");
    assert_eq!(xml["RequestTime"], "20241231T234000Z");
    assert_eq!(xml["ServerTime"], "2025-01-01T00:00:00Z");
    assert_eq!(xml["MaxAllowedSkewMilliseconds"], "900000");

    let mut req = f.kms(KMS_BODY);
    Signing::new("kms")
        .at(twenty_minutes_ago)
        .sign(&mut req, SignableBody::Bytes(KMS_BODY));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    let v = a.json();
    assert_eq!(v["__type"], "InvalidSignatureException");
    assert_eq!(
        v["message"],
        "Signature expired: 20241231T234000Z is now earlier than 20241231T234500Z (20250101T000000Z - 15 min.)"
    );
}

#[tokio::test]
async fn an_expired_presigned_url_is_access_denied() {
    let f = fixture().await;
    let mut req = f.request("GET", "/bucket/key", b"");
    Signing::new("s3")
        .at(t0() - Duration::from_secs(120))
        .presigned(Duration::from_secs(60))
        .sign(&mut req, SignableBody::UnsignedPayload);
    let a = send(req).await;
    assert_eq!(a.status, 403);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "AccessDenied");
    assert_eq!(xml["Message"], "Request has expired");
    assert_eq!(xml["X-Amz-Expires"], "60");
    assert_eq!(xml["Expires"], "2024-12-31T23:59:00Z");
    assert_eq!(xml["ServerTime"], "2025-01-01T00:00:00Z");
}

#[tokio::test]
async fn a_wrong_region_names_the_expected_one() {
    let f = fixture().await;
    let mut req = f.request("GET", "/bucket/key", b"");
    Signing::new("s3")
        .region("eu-west-1")
        .sign(&mut req, SignableBody::Bytes(b""));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    a.assert_error_headers();
    let xml = a.xml();
    assert_eq!(xml["Code"], "AuthorizationHeaderMalformed");
    assert_eq!(xml["Region"], "us-east-1");
    assert!(xml["Message"].contains("'eu-west-1'"), "{}", xml["Message"]);
}

#[tokio::test]
async fn tampered_or_unsigned_headers_are_refused() {
    let f = fixture().await;
    // A signed header changed on the way.
    let mut req = f.request("PUT", "/bucket/key", b"x");
    req.headers_mut()
        .insert("x-amz-meta-color", "red".parse().unwrap());
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(b"x"));
    req.headers_mut()
        .insert("x-amz-meta-color", "blue".parse().unwrap());
    let a = send(req).await;
    assert_eq!(a.status, 403);
    let xml = a.xml();
    assert_eq!(xml["Code"], "SignatureDoesNotMatch");
    assert!(xml["CanonicalRequest"].contains("x-amz-meta-color:blue\n"));

    // An x-amz-* header added after signing.
    let mut req = f.request("PUT", "/bucket/key", b"x");
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(b"x"));
    req.headers_mut()
        .insert("x-amz-meta-added", "later".parse().unwrap());
    let a = send(req).await;
    assert_eq!(a.status, 403);
    let xml = a.xml();
    assert_eq!(xml["Code"], "AccessDenied");
    assert_eq!(xml["HeadersNotSigned"], "x-amz-meta-added");

    // An unsigned header that is not x-amz-* does not matter.
    let mut req = f.request("PUT", "/bucket/key", b"x");
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(b"x"));
    req.headers_mut()
        .insert("user-agent", "changed/1.0".parse().unwrap());
    assert_eq!(send(req).await.status, 200);
}

#[tokio::test]
async fn a_tampered_body_with_a_signed_hash_reaches_the_handler_as_an_error() {
    let f = fixture().await;
    let mut req = f.request("PUT", "/bucket/key", b"hello there");
    Signing::new("s3").sign(&mut req, SignableBody::Bytes(b"hello world"));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.headers["x-test-body-error"], "XAmzContentSHA256Mismatch");
    let xml = a.xml();
    assert_eq!(xml["Code"], "XAmzContentSHA256Mismatch");
    assert_eq!(xml["ClientComputedContentSHA256"], sha_hex(b"hello world"));
    assert_eq!(xml["S3ComputedContentSHA256"], sha_hex(b"hello there"));

    // Where the body is hashed into the signature, the layer itself refuses.
    let mut req = f.kms(br#"{"KeyId":"alias/other","Plaintext":"aGVsbG8="}"#);
    Signing::new("kms").sign(&mut req, SignableBody::Bytes(KMS_BODY));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.json()["__type"], "InvalidSignatureException");
}

#[tokio::test]
async fn unsigned_payload_is_refused_where_the_service_signs_its_body() {
    let f = fixture().await;
    let mut req = f.kms(KMS_BODY);
    Signing::new("kms")
        .with_hash_header(true)
        .sign(&mut req, SignableBody::UnsignedPayload);
    assert_eq!(req.headers()["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
    let a = send(req).await;
    assert_eq!(a.status, 400);
    a.assert_error_headers();
    let v = a.json();
    assert_eq!(v["__type"], "InvalidSignatureException");
    assert!(v["message"].as_str().unwrap().contains("UNSIGNED-PAYLOAD"));
}

#[tokio::test]
async fn a_body_over_the_buffer_cap_is_refused_without_reading_it() {
    let f = fixture_with(|s| s.with_max_buffered_body(1024)).await;
    static BIG: [u8; 4096] = [b'x'; 4096];
    let mut req = f.kms(&BIG);
    Signing::new("kms").sign(&mut req, SignableBody::Bytes(&BIG));
    let a = send(req).await;
    assert_eq!(a.status, 413);
    a.assert_error_headers();
    let v = a.json();
    assert_eq!(v["__type"], "RequestEntityTooLargeException");
    assert_eq!(
        v["message"],
        "Request body must be no larger than 1024 bytes"
    );
    assert_eq!(
        a.headers["x-amzn-errortype"],
        "RequestEntityTooLargeException"
    );
}

#[tokio::test]
async fn a_custom_renderer_replaces_the_document_and_keeps_the_error() {
    use tower::ServiceExt;
    use tower_sigv4::response::ErrorBody;
    use tower_sigv4::{AuthError, AuthErrorKind};

    let ids = identities(t0());
    let settings = settings(ids.clock.clone()).with_error_response(|e: &AuthError| {
        let mut response =
            http::Response::new(ErrorBody::new(Bytes::from(format!("denied: {}", e.code()))));
        *response.status_mut() = e.status();
        response
    });
    let service = tower::ServiceBuilder::new()
        .layer(tower_sigv4::SigV4Layer::with_settings(
            ids.store.clone(),
            settings,
        ))
        .service_fn(echo_handler_in_process);
    let mut req = Request::get("http://localhost/bucket/key")
        .header("host", "localhost")
        .body(Full::new(Bytes::new()))
        .unwrap();
    Signing::new("s3")
        .key(ROOT_AKID, "wrong")
        .sign(&mut req, SignableBody::Bytes(b""));
    let response = service.oneshot(req).await.unwrap();
    assert_eq!(response.status(), 403);
    let error = response.extensions().get::<AuthError>().unwrap().clone();
    assert_eq!(
        error.kind(),
        AuthErrorKind::Request(tower_sigv4::sigv4::ErrorKind::SignatureMismatch)
    );
    assert_eq!(error.access_key_id(), Some(ROOT_AKID));
    use http_body_util::BodyExt;
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "denied: SignatureDoesNotMatch");
}

async fn echo_handler_in_process(
    _req: Request<tower_sigv4::VerifiedBody<Full<Bytes>>>,
) -> Result<http::Response<Full<Bytes>>, std::convert::Infallible> {
    Ok(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
}

#[tokio::test]
async fn one_endpoint_for_s3_and_sts_answers_unsigned_requests_in_each_protocol() {
    let f = fixture_with(|s| {
        s.with_protocol_hint(|parts| {
            let form = parts.headers.get("content-type").is_some_and(|v| {
                v.as_bytes()
                    .starts_with(b"application/x-www-form-urlencoded")
            });
            (parts.method == http::Method::POST && form).then_some(tower_sigv4::ErrorProtocol::STS)
        })
    })
    .await;
    let a = send(f.sts(GET_CALLER_IDENTITY)).await;
    assert_eq!(
        (a.status, a.code()),
        (403, "MissingAuthenticationToken".into())
    );
    let a = send(f.request("GET", "/bucket/key", b"")).await;
    assert_eq!((a.status, a.code()), (403, "AccessDenied".into()));
    // A malformed signature names no service either.
    let mut req = f.sts(GET_CALLER_IDENTITY);
    req.headers_mut().insert(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/sts/aws4_request"
            .parse()
            .unwrap(),
    );
    let a = send(req).await;
    assert_eq!((a.status, a.code()), (400, "IncompleteSignature".into()));
}

#[tokio::test]
async fn aws_chunked_inside_transfer_encoding_chunked() {
    let f = fixture().await;
    let data: Vec<u8> = (0..30_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let checksum = base64(&crc32(&data).to_be_bytes());
    let encoded = unsigned_chunked(&data, 10_000, &checksum);
    // Sent in uneven pieces, with no Content-Length: the client frames the
    // aws-chunked body in HTTP/1.1 chunks.
    let pieces = encoded
        .chunks(777)
        .map(Bytes::copy_from_slice)
        .collect::<std::collections::VecDeque<_>>();
    let mut req = Request::put(f.url("/bucket/streamed"))
        .header("content-encoding", "gzip, aws-chunked")
        .header("x-amz-decoded-content-length", data.len().to_string())
        .header("x-amz-trailer", "x-amz-checksum-crc32")
        .body(Streamed(pieces))
        .unwrap();
    Signing::new("s3").sign(&mut req, SignableBody::StreamingUnsignedPayloadTrailer);
    let a = send_body(req).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let v = a.json();
    assert_eq!(v["sha256"], sha_hex(&data));
    // The inner service sees the decoded length and no transport framing;
    // the other content coding stays.
    assert_eq!(v["content_length"], "30000");
    assert!(v["transfer_encoding"].is_null(), "{v}");
    assert_eq!(v["content_encoding"], "gzip");
}
