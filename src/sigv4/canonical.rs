//! The canonical request and the string to sign, streamed into SHA-256 and
//! HMAC on the hot path; their exact wire text ([`CanonicalRequest`],
//! [`StringToSign`]) built only when a failure report or a test asks.

use std::fmt;

use http::header::HOST;

use super::auth::names::{Q_SECURITY_TOKEN, Q_SIGNATURE};
use super::auth::{SignatureLocation, SignedRequest, ALGORITHM};
use super::byte_search::contains_byte;
use super::encode::{decoded_eq, write_canonical_path, write_canonical_query, Sink};
use super::error::{Detail, Error, ErrorKind};
use super::hex_digits::hex_encode;
use super::key::{SigningKey, SCOPE_TERMINATOR};
use super::mac::{macs_equal, HmacPads, Sha256Stream};
use super::request::RequestView;
use super::settings::SessionTokenMode;

/// The payload line: the declared value, or the hex hash of the body.
enum PayloadLine<'x> {
    Declared(&'x str),
    Hex([u8; 64]),
}

impl PayloadLine<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            PayloadLine::Declared(s) => s.as_bytes(),
            PayloadLine::Hex(h) => h,
        }
    }
}

fn payload_line<'x>(
    signed: &'x SignedRequest<'_>,
    body_hash: Option<&[u8; 32]>,
) -> Result<PayloadLine<'x>, Error> {
    if let Some(declared) = signed.declared_payload() {
        return Ok(PayloadLine::Declared(declared));
    }
    match body_hash {
        Some(h) => {
            let mut hex_hash = [0u8; 64];
            hex_encode(h, &mut hex_hash);
            Ok(PayloadLine::Hex(hex_hash))
        }
        None => Err(Error::new(
            ErrorKind::BodyHashRequired,
            Some(signed.location()),
            Detail::None,
        )),
    }
}

/// Writes a header value trimmed of spaces at both ends, inner runs of
/// spaces collapsed to one (AWS's "Trimall"; tabs and other bytes as they are).
fn write_trimmed<S: Sink>(sink: &mut S, value: &[u8]) {
    // Most values hold no space at all.
    if !contains_byte(value, b' ') {
        sink.put(value);
        return;
    }
    let start = value.iter().position(|&b| b != b' ').unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |i| i + 1);
    let value = &value[start..end];
    let mut run = 0;
    let mut i = 0;
    while i < value.len() {
        if value[i] == b' ' && value.get(i + 1) == Some(&b' ') {
            sink.put(&value[run..=i]);
            while value.get(i + 1) == Some(&b' ') {
                i += 1;
            }
            run = i + 1;
        }
        i += 1;
    }
    sink.put(&value[run..]);
}

/// The value of a signed header the request does not have: the authority
/// for `host` (HTTP/2 carries no `Host` header), nothing for the others.
fn write_missing<S: Sink>(sink: &mut S, request: &RequestView<'_>, name: &str) {
    if name == HOST.as_str() {
        if let Some(authority) = request.host_fallback() {
            write_trimmed(sink, authority);
        }
    }
}

/// The values of header `name` found by name, `,`-joined (the authority
/// stands in for a missing `host`).
fn write_values<S: Sink>(sink: &mut S, request: &RequestView<'_>, name: &str) {
    let mut values = request.headers().get_all(name).iter().peekable();
    if values.peek().is_none() {
        write_missing(sink, request, name);
    }
    let mut first = true;
    for v in values {
        if !first {
            sink.put_byte(b',');
        }
        write_trimmed(sink, v.as_bytes());
        first = false;
    }
}

fn write_canonical_request<S: Sink>(
    sink: &mut S,
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
    payload: &PayloadLine<'_>,
) {
    write_canonical_request_head(sink, signed, request);
    sink.put(payload.as_bytes());
}

/// The canonical request up to its payload line, the last `\n` included.
fn write_canonical_request_head<S: Sink>(
    sink: &mut S,
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
) {
    let rules = signed.rules();
    sink.put(request.method());
    sink.put_byte(b'\n');
    write_canonical_path(sink, request.path(), rules.path);
    sink.put_byte(b'\n');
    let presigned = signed.location() == SignatureLocation::Query;
    let drop_token = presigned && rules.session_token == SessionTokenMode::Exclude;
    write_canonical_query(sink, request.query(), |k| {
        presigned
            && (decoded_eq(k, Q_SIGNATURE.as_bytes())
                || (drop_token && decoded_eq(k, Q_SECURITY_TOKEN.as_bytes())))
    });
    sink.put_byte(b'\n');
    let headers = request.headers();
    let scan = signed.header_scan(headers);
    for (i, name) in signed.signed_headers().iter().enumerate() {
        sink.put(name.as_bytes());
        sink.put_byte(b':');
        match scan.single_value(i) {
            Some(Some(value)) => write_trimmed(sink, value.as_bytes()),
            Some(None) => write_missing(sink, request, name),
            None => write_values(sink, request, name),
        }
        sink.put_byte(b'\n');
    }
    sink.put_byte(b'\n');
    sink.put(signed.signed_headers().as_str().as_bytes());
    sink.put_byte(b'\n');
}

/// SHA-256 of the canonical request, streamed: no intermediate buffer.
///
/// `body_hash` is the SHA-256 of the body, needed only when the request
/// declares no payload hash ([`SignedRequest::needs_body_hash`]); otherwise
/// the declared value is the payload line and `body_hash` is ignored.
pub fn canonical_request_hash(
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
    body_hash: Option<&[u8; 32]>,
) -> Result<[u8; 32], Error> {
    let payload = payload_line(signed, body_hash)?;
    let mut sink = Sha256Stream::new();
    write_canonical_request(&mut sink, signed, request, &payload);
    Ok(sink.finish())
}

/// Feeds the string to sign into `sink`: its fixed-length head (algorithm,
/// date, scope date) as one piece.
fn write_string_to_sign<S: Sink>(
    signed: &SignedRequest<'_>,
    canonical_hash: &[u8; 32],
    sink: &mut S,
) {
    write_string_to_sign_head(signed, sink);
    put_hex_hash(sink, canonical_hash);
}

/// The string to sign up to its last line (the canonical request's hash).
fn write_string_to_sign_head<S: Sink>(signed: &SignedRequest<'_>, sink: &mut S) {
    const ALG: usize = ALGORITHM.len();
    let mut head = [0u8; ALG + 1 + 16 + 1 + 8 + 1];
    head[..ALG].copy_from_slice(ALGORITHM.as_bytes());
    head[ALG] = b'\n';
    head[ALG + 1..ALG + 17].copy_from_slice(signed.date().as_bytes());
    head[ALG + 17] = b'\n';
    let scope = signed.scope();
    head[ALG + 18..ALG + 26].copy_from_slice(scope.scope_date().as_bytes());
    head[ALG + 26] = b'/';
    sink.put(&head);
    sink.put(scope.region().as_bytes());
    sink.put_byte(b'/');
    sink.put(scope.service().as_bytes());
    sink.put(TERMINATOR_LINE);
}

fn put_hex_hash<S: Sink>(sink: &mut S, hash: &[u8; 32]) {
    let mut hex_hash = [0u8; 64];
    hex_encode(hash, &mut hex_hash);
    sink.put(&hex_hash);
}

/// `/aws4_request` and the end of the scope line.
const TERMINATOR_LINE: &[u8] = b"/aws4_request\n";
const _: () = assert!(TERMINATOR_LINE.len() == SCOPE_TERMINATOR.len() + 2);

/// Verifies the signature of a parsed request with the signing key of its
/// scope: the canonical request is hashed as it is written, the string to
/// sign goes straight into the HMAC, and the result is compared in constant
/// time. Nothing is allocated on the way for a typical request.
///
/// Run [`check`](super::check) first: this function checks the signature only.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use tower_sigv4::sigv4::{check, parse, verify_signature, RequestView, SigningKey, VerifySettings};
///
/// // get-vanilla from the AWS SigV4 test suite.
/// let req = http::Request::get("https://example.amazonaws.com/")
///     .header("host", "example.amazonaws.com")
///     .header("x-amz-date", "20150830T123600Z")
///     .header(
///         "authorization",
///         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///          SignedHeaders=host;x-amz-date, \
///          Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
///     )
///     .body(())
///     .unwrap();
/// let (parts, _) = req.into_parts();
/// let view = RequestView::from_parts(&parts);
/// let settings = VerifySettings::default().with_region("us-east-1");
/// let signed = parse(&view, &settings).unwrap().expect("signed");
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
/// check(&signed, &view, &settings, now).unwrap();
///
/// let scope = signed.scope();
/// let key = SigningKey::derive(
///     b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///     scope.date(),
///     scope.region(),
///     scope.service(),
/// );
/// // No x-amz-content-sha256: the payload line is the hash of the (empty) body.
/// let empty_body = sha2::Sha256::digest(b"").into();
/// # use sha2::Digest;
/// verify_signature(&signed, &view, &key, Some(&empty_body)).unwrap();
/// ```
pub fn verify_signature(
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
    key: &SigningKey,
    body_hash: Option<&[u8; 32]>,
) -> Result<(), Error> {
    let canonical_hash = canonical_request_hash(signed, request, body_hash)?;
    let mut stream = key.start_signing();
    write_string_to_sign(signed, &canonical_hash, &mut stream);
    let computed = key.sign_stream(stream);
    if macs_equal(&computed, signed.signature()) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::SignatureMismatch,
            Some(signed.location()),
            Detail::None,
        ))
    }
}

/// A signature check that waits only for the SHA-256 of the body, for a
/// request that declares no payload hash ([`SignedRequest::needs_body_hash`]:
/// KMS, STS and most services other than S3).
///
/// The canonical request is hashed up to its payload line and the string to
/// sign up to its last line when the check is made, so the check owns
/// everything it needs: the request's parts can change or go while the body
/// arrives, and nothing is parsed again.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use sha2::{Digest, Sha256};
/// use tower_sigv4::sigv4::{check, parse, PendingSignature, RequestView, SigningKey, VerifySettings};
///
/// // post-vanilla from the AWS SigV4 test suite: an empty body, its hash signed.
/// let req = http::Request::post("https://example.amazonaws.com/")
///     .header("host", "example.amazonaws.com")
///     .header("x-amz-date", "20150830T123600Z")
///     .header(
///         "authorization",
///         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///          SignedHeaders=host;x-amz-date, \
///          Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
///     )
///     .body(())
///     .unwrap();
/// let (parts, ()) = req.into_parts();
/// let view = RequestView::from_parts(&parts);
/// let settings = VerifySettings::default();
/// let signed = parse(&view, &settings).unwrap().unwrap();
/// check(&signed, &view, &settings, UNIX_EPOCH + Duration::from_secs(1_440_938_160)).unwrap();
/// let key = SigningKey::derive(
///     b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///     "20150830",
///     "us-east-1",
///     "service",
/// );
/// let pending = PendingSignature::new(&signed, &view, &key).expect("no payload hash declared");
/// drop(parts); // the check no longer needs the request
///
/// assert!(pending.finish(&Sha256::digest(b"").into()).is_ok());
/// assert!(pending.finish(&Sha256::digest(b"Param1=value1").into()).is_err());
/// ```
pub struct PendingSignature {
    /// The canonical request, its payload line still to come.
    canonical: Sha256Stream,
    /// The inner HMAC over the string to sign, its last line still to come.
    string_to_sign: Sha256Stream,
    /// The signing key's pads, for the outer HMAC (wiped on drop).
    pads: HmacPads,
    signature: [u8; 32],
    location: SignatureLocation,
}

impl PendingSignature {
    /// The check of `signed` with `key`, up to the body's hash; `None` when
    /// the request declares its payload (then [`verify_signature`] needs no
    /// body).
    pub fn new(
        signed: &SignedRequest<'_>,
        request: &RequestView<'_>,
        key: &SigningKey,
    ) -> Option<Self> {
        if !signed.needs_body_hash() {
            return None;
        }
        let mut canonical = Sha256Stream::new();
        write_canonical_request_head(&mut canonical, signed, request);
        let mut string_to_sign = key.start_signing();
        write_string_to_sign_head(signed, &mut string_to_sign);
        Some(PendingSignature {
            canonical,
            string_to_sign,
            pads: key.pads().clone(),
            signature: *signed.signature(),
            location: signed.location(),
        })
    }

    /// Verifies the signature with the SHA-256 of the body; the same answer
    /// as [`verify_signature`] given that hash.
    pub fn finish(&self, body_hash: &[u8; 32]) -> Result<(), Error> {
        let mut canonical = self.canonical.clone();
        put_hex_hash(&mut canonical, body_hash);
        let mut string_to_sign = self.string_to_sign.clone();
        put_hex_hash(&mut string_to_sign, &canonical.finish());
        if macs_equal(&self.pads.finish(string_to_sign), &self.signature) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::SignatureMismatch,
                Some(self.location),
                Detail::None,
            ))
        }
    }
}

impl fmt::Debug for PendingSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingSignature")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// The canonical request and the string to sign of a request that declares
/// no payload hash, as text without their last lines, for a mismatch report
/// made after the request's parts are gone. Never on the hot path.
pub(crate) fn texts_before_body(
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
) -> (Vec<u8>, Vec<u8>) {
    let mut canonical = Vec::with_capacity(256);
    write_canonical_request_head(&mut canonical, signed, request);
    let mut string_to_sign = Vec::with_capacity(128);
    write_string_to_sign_head(signed, &mut string_to_sign);
    (canonical, string_to_sign)
}

/// The canonical request and the string to sign completed from
/// [`texts_before_body`] with the body's hash.
pub(crate) fn texts_with_body(
    canonical_head: &[u8],
    string_to_sign_head: &[u8],
    body_hash: &[u8; 32],
) -> (String, Vec<u8>) {
    let mut canonical = canonical_head.to_vec();
    put_hex_hash(&mut canonical, body_hash);
    let mut string_to_sign = string_to_sign_head.to_vec();
    use sha2::Digest;
    let canonical_hash: [u8; 32] = sha2::Sha256::digest(&canonical).into();
    put_hex_hash(&mut string_to_sign, &canonical_hash);
    // Every piece of the string to sign is ASCII or a UTF-8 str.
    (
        String::from_utf8_lossy(&string_to_sign).into_owned(),
        canonical,
    )
}

/// The canonical request as text, for failure reports and tests. The hot
/// path never builds it.
///
/// ```
/// # use tower_sigv4::sigv4::{parse, CanonicalRequest, RequestView, VerifySettings};
/// # let req = http::Request::get("https://example.amazonaws.com/")
/// #     .header("host", "example.amazonaws.com")
/// #     .header("x-amz-date", "20150830T123600Z")
/// #     .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
/// #     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
/// #     .body(()).unwrap();
/// # let (parts, _) = req.into_parts();
/// let view = RequestView::from_parts(&parts);
/// let signed = parse(&view, &VerifySettings::default()).unwrap().unwrap();
/// let creq = CanonicalRequest::new(&signed, &view, None).unwrap();
/// assert_eq!(
///     creq.to_string(),
///     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\
///      x-amz-date:20150830T123600Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    bytes: Vec<u8>,
}

impl CanonicalRequest {
    /// Builds the canonical request (`body_hash` as for [`verify_signature`]).
    pub fn new(
        signed: &SignedRequest<'_>,
        request: &RequestView<'_>,
        body_hash: Option<&[u8; 32]>,
    ) -> Result<Self, Error> {
        let payload = payload_line(signed, body_hash)?;
        let mut bytes = Vec::with_capacity(256);
        write_canonical_request(&mut bytes, signed, request, &payload);
        Ok(CanonicalRequest { bytes })
    }

    /// The exact bytes (header values that are not UTF-8 stay as they came).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// SHA-256 of the bytes.
    pub fn sha256(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(&self.bytes).into()
    }
}

impl fmt::Display for CanonicalRequest {
    /// The text; bytes that are not UTF-8 show as U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalRequest")
            .field(&String::from_utf8_lossy(&self.bytes))
            .finish()
    }
}

/// The string to sign as text, for failure reports and tests.
#[derive(Clone, PartialEq, Eq)]
pub struct StringToSign {
    text: String,
}

impl StringToSign {
    /// The string to sign of `signed` over a canonical request with this hash.
    pub fn new(signed: &SignedRequest<'_>, canonical_request_hash: &[u8; 32]) -> Self {
        let mut bytes = Vec::with_capacity(128);
        write_string_to_sign(signed, canonical_request_hash, &mut bytes);
        // Every piece is ASCII or a UTF-8 str.
        StringToSign {
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StringToSign").field(&self.text).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trimmed(v: &[u8]) -> String {
        let mut out = Vec::new();
        write_trimmed(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn trimall_collapses_space_runs_only() {
        assert_eq!(trimmed(b"  a   b  c "), "a b c");
        assert_eq!(trimmed(b"\"a   b   c\""), "\"a b c\"");
        assert_eq!(trimmed(b"     "), "");
        assert_eq!(trimmed(b""), "");
        assert_eq!(trimmed(b"a\t\tb"), "a\t\tb");
        assert_eq!(trimmed(b"x"), "x");
        assert_eq!(trimmed(b"a b"), "a b");
    }
}
