//! Finding and parsing the signature: the `Authorization: AWS4-HMAC-SHA256 …`
//! header or the presigned `X-Amz-*` query parameters, into one borrowed
//! [`SignedRequest`].
//!
//! Parsing checks syntax only (and the sizes it reads); the checks that need
//! settings or the clock are in [`check`](super::check), the signature in
//! [`verify_signature`](super::verify_signature).

use std::borrow::Cow;
use std::fmt;

use http::header::{AUTHORIZATION, DATE};
use http::HeaderMap;

use super::byte_search::find_byte;
use super::error::{Detail, Error, ErrorKind, Limit};
use super::header_scan::{HeaderScan, Single};
use super::hex_digits::decode_hex_32;
use super::payload::PayloadMode;
use super::presigned::QueryAuth;
use super::request::RequestView;
use super::scope::{parse_credential, CredentialScope, SignedHeaders};
use super::settings::{ServiceRules, SessionTokenMode, VerifySettings};
use super::time::AmzDate;

/// The one algorithm this crate verifies.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The SigV4a algorithm (recognised, not supported yet).
pub const ALGORITHM_SIGV4A: &str = "AWS4-ECDSA-P256-SHA256";

/// Header and query parameter names of SigV4.
pub mod names {
    /// `x-amz-date`.
    pub const X_AMZ_DATE: &str = "x-amz-date";
    /// `x-amz-security-token`.
    pub const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
    /// `x-amz-content-sha256`.
    pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
    /// `X-Amz-Algorithm`.
    pub const Q_ALGORITHM: &str = "X-Amz-Algorithm";
    /// `X-Amz-Credential`.
    pub const Q_CREDENTIAL: &str = "X-Amz-Credential";
    /// `X-Amz-Date`.
    pub const Q_DATE: &str = "X-Amz-Date";
    /// `X-Amz-Expires`.
    pub const Q_EXPIRES: &str = "X-Amz-Expires";
    /// `X-Amz-SignedHeaders`.
    pub const Q_SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
    /// `X-Amz-Signature`.
    pub const Q_SIGNATURE: &str = "X-Amz-Signature";
    /// `X-Amz-Security-Token`.
    pub const Q_SECURITY_TOKEN: &str = "X-Amz-Security-Token";
    /// `X-Amz-Content-Sha256`.
    pub const Q_CONTENT_SHA256: &str = "X-Amz-Content-Sha256";
}
use names::*;

/// Longest `X-Amz-Expires` AWS accepts: 7 days.
pub const MAX_EXPIRES: u32 = 604_800;

/// Where the signature was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureLocation {
    /// The `Authorization` header.
    Header,
    /// The `X-Amz-*` query parameters of a presigned URL.
    Query,
}

/// Which field carried the request date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateSource {
    /// The `x-amz-date` header.
    XAmzDate,
    /// The `Date` header (when there is no `x-amz-date`).
    Date,
    /// The `X-Amz-Date` query parameter.
    Query,
}

impl DateSource {
    /// The field name as AWS's messages quote it.
    pub fn name(&self) -> &'static str {
        match self {
            DateSource::XAmzDate => X_AMZ_DATE,
            DateSource::Date => "date",
            DateSource::Query => Q_DATE,
        }
    }
}

/// A parsed SigV4 signature and everything it claims, borrowed from the
/// request where possible (the header form never copies; presigned values
/// that hold percent escapes are decoded into owned strings).
#[derive(Clone)]
pub struct SignedRequest<'a> {
    pub(super) location: SignatureLocation,
    pub(super) access_key_id: Cow<'a, str>,
    pub(super) scope: CredentialScope<'a>,
    pub(super) signed_headers: SignedHeaders<'a>,
    pub(super) signature: [u8; 32],
    pub(super) date: AmzDate,
    pub(super) date_source: DateSource,
    pub(super) expires: Option<u32>,
    pub(super) security_token: Option<Cow<'a, str>>,
    pub(super) payload: PayloadMode,
    pub(super) payload_literal: Option<Cow<'a, str>>,
    pub(super) rules: ServiceRules,
    /// The pass over the header map made while parsing (`None` once owned).
    pub(super) headers: Option<HeaderScan<'a>>,
}

impl<'a> SignedRequest<'a> {
    /// Where the signature was found.
    pub fn location(&self) -> SignatureLocation {
        self.location
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The credential scope.
    pub fn scope(&self) -> &CredentialScope<'a> {
        &self.scope
    }

    /// The signed headers.
    pub fn signed_headers(&self) -> &SignedHeaders<'a> {
        &self.signed_headers
    }

    /// The signature the client sent (not a secret: it travels in clear).
    pub fn signature(&self) -> &[u8; 32] {
        &self.signature
    }

    /// The request date.
    pub fn date(&self) -> AmzDate {
        self.date
    }

    /// Which field carried the request date.
    pub fn date_source(&self) -> DateSource {
        self.date_source
    }

    /// `X-Amz-Expires` in seconds, for presigned requests.
    pub fn expires(&self) -> Option<u32> {
        self.expires
    }

    /// The session token (`x-amz-security-token` or `X-Amz-Security-Token`), decoded.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// How the body is covered by the signature.
    pub fn payload_mode(&self) -> PayloadMode {
        self.payload
    }

    /// Whether [`verify_signature`](super::verify_signature) needs the hash of
    /// the body (nothing was declared, so the body hash is the payload line).
    pub fn needs_body_hash(&self) -> bool {
        self.payload_literal.is_none()
    }

    /// The declared payload line (`x-amz-content-sha256` as sent, or
    /// `UNSIGNED-PAYLOAD` for an S3 presigned URL), if any.
    pub fn declared_payload(&self) -> Option<&str> {
        self.payload_literal.as_deref()
    }

    /// The canonicalization rules of the scope's service.
    pub fn rules(&self) -> ServiceRules {
        self.rules
    }

    /// The pass over `map`'s headers: the one made while parsing when `map`
    /// is the map parsed, a new one otherwise.
    pub(crate) fn header_scan<'s>(&'s self, map: &'s HeaderMap) -> Cow<'s, HeaderScan<'s>> {
        match &self.headers {
            Some(scan) if scan.is_of(map) => Cow::Borrowed(scan),
            _ => Cow::Owned(HeaderScan::new(
                map,
                &self.signed_headers,
                self.location,
                self.rules.session_token == SessionTokenMode::Include,
            )),
        }
    }

    /// A copy that borrows nothing (to keep across an `await` in a hand-written future).
    pub fn into_owned(self) -> SignedRequest<'static> {
        SignedRequest {
            location: self.location,
            access_key_id: Cow::Owned(self.access_key_id.into_owned()),
            scope: self.scope.into_owned(),
            signed_headers: self.signed_headers.into_owned(),
            signature: self.signature,
            date: self.date,
            date_source: self.date_source,
            expires: self.expires,
            security_token: self.security_token.map(|t| Cow::Owned(t.into_owned())),
            payload: self.payload,
            payload_literal: self.payload_literal.map(|t| Cow::Owned(t.into_owned())),
            rules: self.rules,
            headers: None,
        }
    }
}

// What the request claims; the header scan is a cache of the request it was
// parsed from, so a copy that no longer borrows it is still the same claim.
impl PartialEq for SignedRequest<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.location == other.location
            && self.access_key_id == other.access_key_id
            && self.scope == other.scope
            && self.signed_headers == other.signed_headers
            && self.signature == other.signature
            && self.date == other.date
            && self.date_source == other.date_source
            && self.expires == other.expires
            && self.security_token == other.security_token
            && self.payload == other.payload
            && self.payload_literal == other.payload_literal
            && self.rules == other.rules
    }
}

impl Eq for SignedRequest<'_> {}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("location", &self.location)
            .field("access_key_id", &self.access_key_id)
            .field("scope", &format_args!("{}", self.scope))
            .field("signed_headers", &self.signed_headers.as_str())
            .field("date", &self.date)
            .field("expires", &self.expires)
            // The token is a bearer credential of sorts: say only that it is there.
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "** redacted **"),
            )
            .field("payload", &self.payload)
            .finish_non_exhaustive()
    }
}

/// Finds and parses the signature of `request`.
///
/// `Ok(None)` means the request is not signed at all: the caller chooses
/// between anonymous access and [`Error::missing_authentication`].
///
/// ```
/// use tower_sigv4::sigv4::{parse, RequestView, SignatureLocation, VerifySettings};
///
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
/// let signed = parse(&view, &VerifySettings::default()).unwrap().unwrap();
/// assert_eq!(signed.location(), SignatureLocation::Header);
/// assert_eq!(signed.access_key_id(), "AKIDEXAMPLE");
/// assert_eq!(signed.scope().service(), "service");
/// ```
pub fn parse<'a>(
    request: &RequestView<'a>,
    settings: &VerifySettings,
) -> Result<Option<SignedRequest<'a>>, Error> {
    let limits = &settings.limits;
    if request.path().len().saturating_add(request.query().len()) > limits.max_uri_len {
        return Err(Error::too_large(None, Limit::UriLength));
    }
    let headers = request.headers();
    let mut auth_values = headers.get_all(AUTHORIZATION).iter();
    let auth = auth_values.next();
    if auth.is_some() && auth_values.next().is_some() {
        return Err(Error::new(
            ErrorKind::RepeatedParameter,
            Some(SignatureLocation::Header),
            Detail::Text("the Authorization header is given more than once."),
        ));
    }
    // Most requests signed in the header have no query at all.
    let query = if request.query().is_empty() {
        None
    } else {
        Some(QueryAuth::scan(request.query(), limits.max_query_params)?)
    };
    let presigned = query.as_ref().is_some_and(|q| q.is_presigned());
    let sigv2 = query.as_ref().is_some_and(|q| q.sigv2);
    match (auth, query) {
        (Some(_), _) if presigned || sigv2 => Err(Error::new(
            ErrorKind::BothLocations,
            Some(SignatureLocation::Header),
            Detail::None,
        )),
        (Some(value), _) => parse_header(value.as_bytes(), request, settings).map(Some),
        (None, Some(query)) if presigned => {
            let mut signed = query.parse(settings)?;
            signed.headers = Some(HeaderScan::new(
                headers,
                &signed.signed_headers,
                signed.location,
                signed.rules.session_token == SessionTokenMode::Include,
            ));
            Ok(Some(signed))
        }
        (None, _) if sigv2 => Err(Error::new(
            ErrorKind::SigV2,
            Some(SignatureLocation::Query),
            Detail::None,
        )),
        (None, _) => Ok(None),
    }
}

/// The value of a header that must not repeat.
fn single<'a>(
    found: Single<'a>,
    name: &'static str,
    location: SignatureLocation,
) -> Result<Option<&'a [u8]>, Error> {
    if found.repeated {
        return Err(repeated_header(name, location));
    }
    Ok(found.value.map(|v| v.as_bytes()))
}

#[cold]
#[inline(never)]
fn repeated_header(name: &'static str, location: SignatureLocation) -> Error {
    Error::new(
        ErrorKind::RepeatedParameter,
        Some(location),
        Detail::Owned(format!("the {name} header is given more than once.")),
    )
}

pub(super) fn parse_signature(
    hex_sig: &[u8],
    location: SignatureLocation,
) -> Result<[u8; 32], Error> {
    let mut sig = [0u8; 32];
    if hex_sig.len() != 64 || !decode_hex_32(hex_sig, &mut sig) {
        return Err(Error::malformed(
            location,
            "the Signature must be 64 hexadecimal digits.",
        ));
    }
    Ok(sig)
}

pub(super) fn parse_token(
    token: &[u8],
    max: usize,
    location: SignatureLocation,
) -> Result<&str, Error> {
    if token.len() > max {
        return Err(Error::too_large(Some(location), Limit::SecurityTokenLength));
    }
    // Tokens are base64-like: visible ASCII, nothing else.
    if token.is_empty() || !token.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(Error::new(
            ErrorKind::MalformedToken,
            Some(location),
            Detail::None,
        ));
    }
    Ok(std::str::from_utf8(token).unwrap_or_default())
}

fn parse_header<'a>(
    value: &'a [u8],
    request: &RequestView<'a>,
    settings: &VerifySettings,
) -> Result<SignedRequest<'a>, Error> {
    const H: SignatureLocation = SignatureLocation::Header;
    let limits = &settings.limits;
    if value.len() > limits.max_authorization_len {
        return Err(Error::too_large(Some(H), Limit::AuthorizationLength));
    }
    let (credential, signed_headers, signature) = AuthorizationParts::parse(value)?;
    let (access_key_id, scope) = parse_credential(Cow::Borrowed(credential), H)?;
    let signed_headers =
        SignedHeaders::parse(Cow::Borrowed(signed_headers), limits.max_signed_headers, H)?;
    let signature = parse_signature(signature, H)?;
    let rules = settings.rules_for(scope.service());
    let scan = HeaderScan::new(
        request.headers(),
        &signed_headers,
        H,
        rules.session_token == SessionTokenMode::Include,
    );

    let (date, date_source) = match single(scan.x_amz_date, X_AMZ_DATE, H)? {
        Some(v) => (AmzDate::parse(v), DateSource::XAmzDate),
        None => match single(scan.date, DATE.as_str(), H)? {
            Some(v) => (AmzDate::parse_http_date(v), DateSource::Date),
            None => return Err(Error::new(ErrorKind::MissingDate, Some(H), Detail::None)),
        },
    };
    let Some(date) = date else {
        return Err(Error::new(ErrorKind::InvalidDate, Some(H), Detail::None));
    };

    let security_token = match single(scan.security_token, X_AMZ_SECURITY_TOKEN, H)? {
        Some(t) => Some(Cow::Borrowed(parse_token(
            t,
            limits.max_security_token_len,
            H,
        )?)),
        None => None,
    };

    let (payload, payload_literal) = match single(scan.content_sha256, X_AMZ_CONTENT_SHA256, H)? {
        Some(v) => match PayloadMode::parse_declared(v) {
            // Only ASCII parses, so the literal is a str.
            Some(mode) => (mode, std::str::from_utf8(v).ok().map(Cow::Borrowed)),
            None => {
                return Err(Error::new(
                    ErrorKind::InvalidContentSha256,
                    Some(H),
                    Detail::None,
                ))
            }
        },
        None => (PayloadMode::FromBody, None),
    };
    Ok(SignedRequest {
        location: H,
        access_key_id,
        scope,
        signed_headers,
        signature,
        date,
        date_source,
        expires: None,
        security_token,
        payload,
        payload_literal,
        rules,
        headers: Some(scan),
    })
}

/// The three parameters of an `Authorization: AWS4-HMAC-SHA256 …` value.
struct AuthorizationParts;

impl AuthorizationParts {
    /// `Credential`, `SignedHeaders` and `Signature`, in one pass over the
    /// bytes: parts are `,`-separated `key=value` pairs with optional spaces
    /// or tabs around them; parameters AWS does not know are ignored (they
    /// are not signed), a known one given twice is refused.
    fn parse(value: &[u8]) -> Result<(&str, &str, &[u8]), Error> {
        match AuthorizationParts::parse_canonical_form(value) {
            Some(parts) => Ok(parts),
            None => AuthorizationParts::parse_general(value),
        }
    }

    /// Any form AWS accepts. Out of line: the SDKs all send the form
    /// above, and this parser's code would otherwise sit in the hot path's
    /// instruction cache lines.
    #[cold]
    #[inline(never)]
    fn parse_general(value: &[u8]) -> Result<(&str, &str, &[u8]), Error> {
        const H: SignatureLocation = SignatureLocation::Header;
        if value.starts_with(b"AWS ") {
            return Err(Error::new(ErrorKind::SigV2, Some(H), Detail::None));
        }
        // A value that is not text cannot be parsed, whichever part holds
        // the stray byte. Validated once here; the parts are cut from the
        // text at ASCII bytes, so they are text too.
        let Ok(text) = std::str::from_utf8(value) else {
            return Err(Error::malformed(
                H,
                "the Authorization header is not valid UTF-8.",
            ));
        };
        let scheme_end = find_byte(value, b' ').unwrap_or(value.len());
        let scheme = &value[..scheme_end];
        if scheme != ALGORITHM.as_bytes() {
            if scheme == ALGORITHM_SIGV4A.as_bytes() {
                return Err(Error::new(ErrorKind::SigV4a, Some(H), Detail::None));
            }
            if scheme.is_empty() {
                return Err(Error::malformed(H, "the Authorization header is empty."));
            }
            return Err(Error::new(
                ErrorKind::UnsupportedAlgorithm,
                Some(H),
                Detail::None,
            ));
        }
        // Where each value lies in `value`.
        let mut slots: [Option<std::ops::Range<usize>>; 3] = [None, None, None];
        let mut at = (scheme_end + 1).min(value.len());
        while at < value.len() {
            let end = find_byte(&value[at..], b',').map_or(value.len(), |i| at + i);
            let part = trim_blanks(value, at..end);
            at = end + 1;
            if part.is_empty() {
                continue;
            }
            let Some(eq) = find_byte(&value[part.clone()], b'=') else {
                return Err(Error::malformed(
                    H,
                    "each part of the Authorization header must be a key=value pair.",
                ));
            };
            let key = &value[part.start..part.start + eq];
            let slot = match key {
                b"Credential" => 0,
                b"SignedHeaders" => 1,
                b"Signature" => 2,
                _ => continue,
            };
            if slots[slot].replace(part.start + eq + 1..part.end).is_some() {
                return Err(Error::new(
                    ErrorKind::RepeatedParameter,
                    Some(H),
                    Detail::Owned(format!(
                        "the {} parameter is given more than once.",
                        String::from_utf8_lossy(key)
                    )),
                ));
            }
        }
        match slots {
            [None, ..] => Err(Error::malformed(
                H,
                "Authorization header requires 'Credential' parameter.",
            )),
            [_, None, _] => Err(Error::malformed(
                H,
                "Authorization header requires 'SignedHeaders' parameter.",
            )),
            [.., None] => Err(Error::malformed(
                H,
                "Authorization header requires 'Signature' parameter.",
            )),
            [Some(c), Some(h), Some(s)] => Ok((&text[c], &text[h], &value[s])),
        }
    }
}

impl AuthorizationParts {
    /// The parts of a value in the exact form every AWS SDK writes,
    /// `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=<64>`,
    /// cut at three known offsets; `None` for any other form (the general
    /// parse then decides, and gives the same parts for this one: a test
    /// holds the two to that).
    ///
    /// Only the two parts that become text are checked as UTF-8; the
    /// signature is checked as hex digits when decoded.
    fn parse_canonical_form(value: &[u8]) -> Option<(&str, &str, &[u8])> {
        const HEAD: &[u8] = b"AWS4-HMAC-SHA256 Credential=";
        const SIGNED_HEADERS: &[u8] = b", SignedHeaders=";
        const SIGNATURE: &[u8] = b", Signature=";
        let rest = value.strip_prefix(HEAD)?;
        let credential_end = find_byte(rest, b',')?;
        let (credential, rest) = rest.split_at(credential_end);
        let rest = rest.strip_prefix(SIGNED_HEADERS)?;
        let list_end = find_byte(rest, b',')?;
        let (list, rest) = rest.split_at(list_end);
        let signature = rest.strip_prefix(SIGNATURE)?;
        // The general parse trims blanks around each value, reads any
        // parameter after the signature, and words a non-UTF-8 value its own
        // way: leave those forms to it.
        let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
        if signature.len() != 64
            || !signature.is_ascii()
            || find_byte(signature, b',').is_some()
            || blank(credential.first())
            || blank(credential.last())
            || blank(list.first())
            || blank(list.last())
        {
            return None;
        }
        // One validation for both parts, with the ASCII text between them.
        let both =
            &value[HEAD.len()..HEAD.len() + credential.len() + SIGNED_HEADERS.len() + list.len()];
        let both = std::str::from_utf8(both).ok()?;
        let (credential, list) = (
            &both[..credential.len()],
            &both[credential.len() + SIGNED_HEADERS.len()..],
        );
        Some((credential, list, signature))
    }
}

/// The range `part` of `value` without the spaces and tabs at its ends.
fn trim_blanks(value: &[u8], part: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = &value[part.clone()];
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    part.start + start..part.start + end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::{check, verify_signature, SigningKey};
    use std::time::{Duration, UNIX_EPOCH};

    /// The form every SDK writes, and variations of it around each cut.
    fn authorization_variants() -> Vec<Vec<u8>> {
        let sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
        let base = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature={sig}"
        );
        let mut out = vec![base.clone().into_bytes()];
        let inserts: [&[u8]; 12] = [
            b" ",
            b"\t",
            b",",
            b"=",
            b"\xff",
            b"\xc3\xa9",
            b"a",
            b", Signature=00",
            b", Credential=x",
            b",,",
            b"Z",
            b" ,",
        ];
        // Each insert at each offset, and each byte removed.
        for at in 0..=base.len() {
            for ins in inserts {
                let mut v = base.as_bytes()[..at].to_vec();
                v.extend_from_slice(ins);
                v.extend_from_slice(&base.as_bytes()[at..]);
                out.push(v);
            }
            if at < base.len() {
                let mut v = base.clone().into_bytes();
                v.remove(at);
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn the_sdk_form_parses_as_the_general_parser_does() {
        let variants = authorization_variants();
        let mut fast = 0;
        for v in &variants {
            if let Some(parts) = AuthorizationParts::parse_canonical_form(v) {
                fast += 1;
                assert_eq!(
                    Ok(parts),
                    AuthorizationParts::parse_general(v),
                    "{}",
                    String::from_utf8_lossy(v)
                );
            }
        }
        // The generator reaches the fast form far more than once.
        assert!(fast > 100, "{fast} of {}", variants.len());
    }

    #[test]
    fn an_owned_copy_is_the_same_claim_and_still_verifies() {
        // get-vanilla from the AWS SigV4 test suite.
        let req = http::Request::get("https://example.amazonaws.com/")
            .header("host", "example.amazonaws.com")
            .header("x-amz-date", "20150830T123600Z")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
                 SignedHeaders=host;x-amz-date, \
                 Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            )
            .body(())
            .unwrap();
        let (parts, _) = req.into_parts();
        let view = RequestView::from_parts(&parts);
        let settings = VerifySettings::default().with_region("us-east-1");
        let signed = parse(&view, &settings).unwrap().unwrap();
        let owned = signed.clone().into_owned();
        assert_eq!(owned, signed);

        // Without the scan made while parsing, check and the canonical
        // request make their own, and come to the same answer.
        let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        check(&owned, &view, &settings, now).unwrap();
        let key = SigningKey::derive(
            b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "service",
        );
        let empty: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(b"").into();
        verify_signature(&owned, &view, &key, Some(&empty)).unwrap();
        verify_signature(&signed, &view, &key, Some(&empty)).unwrap();
        let mut other = signed.clone();
        other.signature[0] ^= 1;
        assert_ne!(other, signed);
        assert!(verify_signature(&other, &view, &key, Some(&empty)).is_err());
    }
}
