//! The canonicalization rules of issue 2, each checked two ways: against a
//! request signed by the `aws-sigv4` crate (an independent signer), and
//! against the exact canonical text the rule prescribes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation as AwsLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use sha2::Digest;
use tower_sigv4::sigv4::{
    self, CanonicalRequest, Error, PayloadMode, RequestView, SignatureLocation, SigningKey,
    VerifySettings,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn s3_settings() -> SigningSettings {
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    s
}

fn presign(mut s: SigningSettings) -> SigningSettings {
    s.signature_location = AwsLocation::QueryParams;
    s.expires_in = Some(Duration::from_secs(300));
    s
}

/// Signs with `aws-sigv4`; `body` None signs `UNSIGNED-PAYLOAD`.
fn aws_sign(
    req: &mut http::Request<Vec<u8>>,
    service: &str,
    settings: SigningSettings,
    token: Option<&str>,
    unsigned_payload: bool,
) {
    let identity =
        Credentials::new("AKIDEXAMPLE", SECRET, token.map(str::to_owned), None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let uri = req.uri().to_string();
    let body = if unsigned_payload {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(req.body())
    };
    let signable = SignableRequest::new(
        req.method().as_str(),
        &uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        body,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut signed = std::mem::take(req);
    instructions.apply_to_request_http1x(&mut signed);
    *req = signed;
}

/// The whole verification; returns our canonical request text.
fn verify(req: &http::Request<Vec<u8>>, settings: &VerifySettings) -> Result<String, Error> {
    let (parts, body) = req.clone().into_parts();
    let view = RequestView::from_parts(&parts);
    let signed = sigv4::parse(&view, settings)?.ok_or_else(Error::missing_authentication)?;
    sigv4::check(&signed, &view, settings, now())?;
    let s = signed.scope();
    let key = SigningKey::derive(SECRET.as_bytes(), s.date(), s.region(), s.service());
    let body_hash: [u8; 32] = sha2::Sha256::digest(&body).into();
    sigv4::verify_signature(&signed, &view, &key, Some(&body_hash))?;
    Ok(CanonicalRequest::new(&signed, &view, Some(&body_hash))?.to_string())
}

fn line(creq: &str, n: usize) -> &str {
    creq.split('\n').nth(n).unwrap()
}

#[test]
fn query_order_plus_and_valueless_keys() {
    let mut req = http::Request::get(
        "https://example.amazonaws.com/?a1=1&a.b=2&a-b=3&a=4&a=3&k&sp=x+y&e=%7e%2f",
    )
    .body(Vec::new())
    .unwrap();
    aws_sign(&mut req, "service", SigningSettings::default(), None, false);
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    // Sorted by encoded key then encoded value (not by the joined `k=v`),
    // repeated keys kept, `+` decoded as a space, `key=` for valueless keys,
    // escapes re-encoded in uppercase and unreserved bytes decoded.
    assert_eq!(
        line(&creq, 2),
        "a=3&a=4&a-b=3&a.b=2&a1=1&e=~%2F&k=&sp=x%20y"
    );
}

#[test]
fn header_values_are_trimmed_collapsed_and_joined_in_order() {
    let mut req = http::Request::get("https://example.amazonaws.com/")
        .header("x-custom", "  b   two  ")
        .header("x-custom", "a")
        .header("x-other", "\"quoted   text\"")
        .body(Vec::new())
        .unwrap();
    aws_sign(&mut req, "service", SigningSettings::default(), None, false);
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    assert!(creq.contains("\nx-custom:b two,a\n"), "{creq}");
    assert!(creq.contains("\nx-other:\"quoted text\"\n"), "{creq}");
}

#[test]
fn host_comes_from_the_authority_without_a_host_header() {
    // HTTP/2 has `:authority` and no Host header: the URI carries it.
    let mut req = http::Request::get("https://example.amazonaws.com:8443/x")
        .body(Vec::new())
        .unwrap();
    aws_sign(&mut req, "service", SigningSettings::default(), None, false);
    assert!(req.headers().get("host").is_none());
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    assert!(
        creq.contains("\nhost:example.amazonaws.com:8443\n"),
        "{creq}"
    );
}

#[test]
fn non_s3_paths_are_normalized_and_double_encoded() {
    let mut req = http::Request::get("https://example.amazonaws.com/a/./b/../c%20d//e/")
        .body(Vec::new())
        .unwrap();
    aws_sign(&mut req, "service", SigningSettings::default(), None, false);
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    assert_eq!(line(&creq, 1), "/a/c%2520d/e/");
}

#[test]
fn s3_paths_are_encoded_once_and_not_normalized() {
    // aws-sigv4's single-encoding mode signs the path as the SDK encoded
    // it; S3 decodes the wire path and encodes it once, which gives the
    // same text for any path an SDK encodes (every byte but A-Za-z0-9-._~
    // and '/'). A raw '+' on the wire is a literal '+', canonically `%2B`.
    let mut req =
        http::Request::put("https://bucket.s3.amazonaws.com/a//b/./c/../k%2Fey%20%21%2B%3D.txt")
            .body(b"hello".to_vec())
            .unwrap();
    aws_sign(&mut req, "s3", s3_settings(), None, false);
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    assert_eq!(line(&creq, 1), "/a//b/./c/../k%2Fey%20%21%2B%3D.txt");
    // The body hash is declared and signed.
    let (parts, _) = req.into_parts();
    let view = RequestView::from_parts(&parts);
    let signed = sigv4::parse(&view, &VerifySettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(
        signed.payload_mode(),
        PayloadMode::Sha256(sha2::Sha256::digest(b"hello").into())
    );
}

#[test]
fn s3_presigned_with_token_and_extra_signed_parameters() {
    let mut req = http::Request::get(
        "https://bucket.s3.amazonaws.com/photos/cat%20pic.jpg?response-content-type=image%2Fjpeg&versionId=3",
    )
    .body(Vec::new())
    .unwrap();
    aws_sign(
        &mut req,
        "s3",
        presign(s3_settings()),
        Some("FQoG/token+with=chars"),
        true,
    );
    let q = req.uri().query().unwrap().to_owned();
    assert!(q.contains("X-Amz-Security-Token="), "{q}");
    let creq = verify(&req, &VerifySettings::default()).unwrap();
    assert!(creq.ends_with("\nhost\nUNSIGNED-PAYLOAD"), "{creq}");
    assert!(!line(&creq, 2).contains("X-Amz-Signature"));
    assert!(line(&creq, 2).starts_with("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="));
    let (parts, _) = req.clone().into_parts();
    let view = RequestView::from_parts(&parts);
    let signed = sigv4::parse(&view, &VerifySettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(signed.location(), SignatureLocation::Query);
    assert_eq!(signed.security_token(), Some("FQoG/token+with=chars"));
    assert_eq!(signed.expires(), Some(300));
    assert_eq!(signed.payload_mode(), PayloadMode::Unsigned);

    // Tampering with a signed extra parameter or the token fails.
    for (from, to) in [
        ("image%2Fjpeg", "image%2Fpng"),
        ("token%2Bwith", "token%2Bwiti"),
    ] {
        let tampered = req.uri().to_string().replace(from, to);
        assert_ne!(tampered, req.uri().to_string());
        let mut t = req.clone();
        *t.uri_mut() = tampered.parse().unwrap();
        assert!(verify(&t, &VerifySettings::default()).is_err(), "{from}");
    }
}

#[test]
fn non_s3_presigned_signs_the_body_hash() {
    // An STS GetCallerIdentity URL (as aws-iam-authenticator builds it).
    let mut req = http::Request::get(
        "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
    )
    .header("x-k8s-aws-id", "cluster")
    .body(Vec::new())
    .unwrap();
    aws_sign(
        &mut req,
        "sts",
        presign(SigningSettings::default()),
        Some("tok"),
        false,
    );
    let creq = verify(&req, &VerifySettings::default().with_service("sts")).unwrap();
    assert!(creq.ends_with("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let (parts, _) = req.into_parts();
    let view = RequestView::from_parts(&parts);
    let signed = sigv4::parse(&view, &VerifySettings::default())
        .unwrap()
        .unwrap();
    assert_eq!(signed.payload_mode(), PayloadMode::FromBody);
    assert!(signed.needs_body_hash());
}

#[test]
fn header_auth_with_session_token_and_body() {
    let mut req = http::Request::post("https://kms.us-east-1.amazonaws.com/")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "TrentService.GenerateRandom")
        .body(br#"{"NumberOfBytes":32}"#.to_vec())
        .unwrap();
    aws_sign(
        &mut req,
        "kms",
        SigningSettings::default(),
        Some("session/token=="),
        false,
    );
    let settings = VerifySettings::default()
        .with_region("us-east-1")
        .with_service("kms");
    verify(&req, &settings).unwrap();
    // A different body fails: the payload line is the body hash.
    let mut other = req.clone();
    *other.body_mut() = br#"{"NumberOfBytes":64}"#.to_vec();
    assert_eq!(
        verify(&other, &settings).unwrap_err().kind(),
        sigv4::ErrorKind::SignatureMismatch
    );
}
