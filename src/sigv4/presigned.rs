//! The presigned form of a signature: the `X-Amz-*` query parameters of a
//! presigned URL, found in one scan of the query and read into a
//! [`SignedRequest`].

use std::borrow::Cow;

use super::auth::{
    parse_signature, DateSource, SignatureLocation, SignedRequest, ALGORITHM, ALGORITHM_SIGV4A,
    MAX_EXPIRES,
};
use super::encode::{
    decode_query_component, decode_visible_ascii, decoded_eq, escape_at, is_literal_component,
    query_pairs,
};
use super::error::{Detail, Error, ErrorKind, Limit};
use super::payload::{PayloadMode, UNSIGNED_PAYLOAD};
use super::scope::{credential_from_parts, parse_credential, CredentialScope, SignedHeaders};
use super::settings::{PresignedPayload, VerifySettings};
use super::time::AmzDate;

/// The SigV4 parameters found in a query string, as on the wire.
#[derive(Default)]
pub(super) struct QueryAuth<'a> {
    algorithm: Option<&'a [u8]>,
    credential: Option<&'a [u8]>,
    date: Option<&'a [u8]>,
    expires: Option<&'a [u8]>,
    signed_headers: Option<&'a [u8]>,
    signature: Option<&'a [u8]>,
    token: Option<&'a [u8]>,
    content_sha256: Option<&'a [u8]>,
    pub(super) sigv2: bool,
}

const QUERY_PARAMS_REQUIRED: &str = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

/// The decoded form of a short query key, in a stack buffer (`None` when it
/// is longer than any name this module looks for).
fn short_decoded_key(raw: &[u8], buf: &mut [u8; 24]) -> Option<usize> {
    if raw.len() > 3 * buf.len() {
        return None;
    }
    let mut n = 0;
    let mut i = 0;
    while i < raw.len() {
        if n == buf.len() {
            return None;
        }
        let b = raw[i];
        let (d, w) = match (b, raw.get(i + 1), raw.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                let v = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                (v(h) << 4 | v(l), 3)
            }
            (b'+', _, _) => (b' ', 1),
            _ => (b, 1),
        };
        buf[n] = d;
        n += 1;
        i += w;
    }
    Some(n)
}

/// The query parameters that [`QueryAuth`] looks for.
#[derive(Clone, Copy)]
enum Param {
    Algorithm,
    Credential,
    Date,
    Expires,
    SignedHeaders,
    Signature,
    Token,
    ContentSha256,
    SigV2AccessKeyId,
}

impl Param {
    /// The parameter a decoded key names: `X-Amz-*` names exactly, except
    /// `X-Amz-Content-Sha256` in any case (as the header it stands for).
    fn of(key: &[u8]) -> Option<Param> {
        Some(match key.strip_prefix(b"X-Amz-") {
            Some(b"Algorithm") => Param::Algorithm,
            Some(b"Credential") => Param::Credential,
            Some(b"Date") => Param::Date,
            Some(b"Expires") => Param::Expires,
            Some(b"SignedHeaders") => Param::SignedHeaders,
            Some(b"Signature") => Param::Signature,
            Some(b"Security-Token") => Param::Token,
            _ if key.eq_ignore_ascii_case(b"X-Amz-Content-Sha256") => Param::ContentSha256,
            _ if key == b"AWSAccessKeyId" => Param::SigV2AccessKeyId,
            _ => return None,
        })
    }
}

impl<'a> QueryAuth<'a> {
    pub(super) fn scan(query: &'a [u8], max_params: usize) -> Result<Self, Error> {
        let mut found = QueryAuth::default();
        let mut buf = [0u8; 24];
        for (count, (k, v)) in query_pairs(query).enumerate() {
            if count >= max_params {
                return Err(Error::too_large(None, Limit::QueryParameters));
            }
            // Cheap reject: every name of interest starts with 'X' or 'A',
            // possibly escaped.
            if !matches!(k.first(), Some(b'X' | b'x' | b'A' | b'%')) {
                continue;
            }
            // Keys come plain from every signer: the raw key is tried first
            // (no name holds a `%` or a `+`, so a raw match is a decoded
            // one), the decoded key only when there is something to decode.
            let (param, key) = match Param::of(k) {
                Some(param) => (param, k),
                None if is_literal_component(k) => continue,
                None => {
                    let Some(n) = short_decoded_key(k, &mut buf) else {
                        continue;
                    };
                    match Param::of(&buf[..n]) {
                        Some(param) => (param, &buf[..n]),
                        None => continue,
                    }
                }
            };
            let slot = match param {
                Param::Algorithm => &mut found.algorithm,
                Param::Credential => &mut found.credential,
                Param::Date => &mut found.date,
                Param::Expires => &mut found.expires,
                Param::SignedHeaders => &mut found.signed_headers,
                Param::Signature => &mut found.signature,
                Param::Token => &mut found.token,
                Param::ContentSha256 => &mut found.content_sha256,
                Param::SigV2AccessKeyId => {
                    found.sigv2 = true;
                    continue;
                }
            };
            if slot.replace(v).is_some() {
                return Err(Error::new(
                    ErrorKind::RepeatedParameter,
                    Some(SignatureLocation::Query),
                    Detail::Owned(format!(
                        "X-Amz parameter {} is given more than once.",
                        String::from_utf8_lossy(key)
                    )),
                ));
            }
        }
        Ok(found)
    }

    pub(super) fn is_presigned(&self) -> bool {
        self.algorithm.is_some() || self.credential.is_some() || self.signature.is_some()
    }

    pub(super) fn parse(self, settings: &VerifySettings) -> Result<SignedRequest<'a>, Error> {
        const Q: SignatureLocation = SignatureLocation::Query;
        let limits = &settings.limits;
        let Some(algorithm) = self.algorithm else {
            return Err(Error::malformed(Q, QUERY_PARAMS_REQUIRED));
        };
        if !decoded_eq(algorithm, ALGORITHM.as_bytes()) {
            let kind = if decoded_eq(algorithm, ALGORITHM_SIGV4A.as_bytes()) {
                ErrorKind::SigV4a
            } else {
                ErrorKind::UnsupportedAlgorithm
            };
            return Err(Error::new(kind, Some(Q), Detail::None));
        }
        let (Some(credential), Some(date), Some(expires), Some(signed_headers), Some(signature)) = (
            self.credential,
            self.date,
            self.expires,
            self.signed_headers,
            self.signature,
        ) else {
            return Err(Error::malformed(Q, QUERY_PARAMS_REQUIRED));
        };

        let (access_key_id, scope) = parse_query_credential(credential)?;
        let Some(date) = AmzDate::parse(&decode(date)) else {
            return Err(Error::new(ErrorKind::InvalidDate, Some(Q), Detail::None));
        };
        let expires = parse_expires(&decode(expires))?;
        let signed_headers =
            SignedHeaders::parse(decode_str(signed_headers, Q)?, limits.max_signed_headers, Q)?;
        let signature = parse_signature(&decode(signature), Q)?;
        let security_token = match self.token {
            Some(raw) => Some(parse_query_token(raw, limits.max_security_token_len)?),
            None => None,
        };
        let rules = settings.rules_for(scope.service());
        let (payload, payload_literal) = match self.content_sha256 {
            Some(raw) => {
                let v = decode(raw);
                match PayloadMode::parse_declared(&v) {
                    Some(mode) => (
                        mode,
                        Some(match v {
                            Cow::Borrowed(b) => {
                                Cow::Borrowed(std::str::from_utf8(b).unwrap_or_default())
                            }
                            Cow::Owned(o) => Cow::Owned(String::from_utf8(o).unwrap_or_default()),
                        }),
                    ),
                    None => {
                        return Err(Error::new(
                            ErrorKind::InvalidContentSha256,
                            Some(Q),
                            Detail::None,
                        ))
                    }
                }
            }
            None => match rules.presigned_payload {
                PresignedPayload::Unsigned => {
                    (PayloadMode::Unsigned, Some(Cow::Borrowed(UNSIGNED_PAYLOAD)))
                }
                _ => (PayloadMode::FromBody, None),
            },
        };
        Ok(SignedRequest {
            location: Q,
            access_key_id,
            scope,
            signed_headers,
            signature,
            date,
            date_source: DateSource::Query,
            expires: Some(expires),
            security_token,
            payload,
            payload_literal,
            rules,
            // Made by `auth::parse`, which has the request.
            headers: None,
        })
    }
}

/// The session token of a presigned URL, checked as the header form's is
/// (too long, then empty or not visible ASCII once decoded) and decoded in
/// one pass over its raw form (borrowed when it holds no escape).
fn parse_query_token(raw: &[u8], max: usize) -> Result<Cow<'_, str>, Error> {
    const Q: SignatureLocation = SignatureLocation::Query;
    let too_long = || Error::too_large(Some(Q), Limit::SecurityTokenLength);
    let malformed = || Error::new(ErrorKind::MalformedToken, Some(Q), Detail::None);
    // A decoded value is at least a third of its raw form: a longer raw
    // value is refused without being read.
    if raw.len() / 3 > max {
        return Err(too_long());
    }
    let (shape, decoded) = decode_visible_ascii(raw);
    if shape.len > max {
        return Err(too_long());
    }
    if shape.len == 0 || !shape.visible_ascii {
        return Err(malformed());
    }
    // Visible ASCII once decoded, so ASCII as sent: neither fails.
    Ok(match decoded {
        Some(v) => Cow::Owned(String::from_utf8(v).map_err(|_| malformed())?),
        None => Cow::Borrowed(std::str::from_utf8(raw).map_err(|_| malformed())?),
    })
}

/// `parse_credential(decode_str(raw))`, with the parts borrowed from the URL
/// when the only escapes in it are the `%2F` between them (the form the
/// SDKs write): no copy, where decoding first would copy the whole and then
/// each part.
fn parse_query_credential(raw: &[u8]) -> Result<(Cow<'_, str>, CredentialScope<'_>), Error> {
    match plain_credential_parts(raw) {
        Some(parts) => credential_from_parts(parts, SignatureLocation::Query),
        None => parse_credential(
            decode_str(raw, SignatureLocation::Query)?,
            SignatureLocation::Query,
        ),
    }
}

/// The five parts of a credential whose separators are `/`, `%2F` or `%2f`
/// and which holds no other escape, no `+` and nothing but ASCII; `None`
/// otherwise, and when the access key id itself holds a separator.
fn plain_credential_parts(raw: &[u8]) -> Option<[&str; 5]> {
    if !raw.is_ascii() {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let mut parts = [""; 5];
    let (mut n, mut start, mut i) = (0, 0, 0);
    while i < raw.len() {
        let width = match raw[i] {
            b'/' => 1,
            b'%' if escape_at(raw, i) == Some(b'/') => 3,
            b'%' | b'+' => return None,
            _ => {
                i += 1;
                continue;
            }
        };
        if n == 4 {
            return None;
        }
        parts[n] = &text[start..i];
        n += 1;
        i += width;
        start = i;
    }
    if n != 4 {
        return None;
    }
    parts[4] = &text[start..];
    Some(parts)
}

fn decode(raw: &[u8]) -> Cow<'_, [u8]> {
    match decode_query_component(raw) {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(raw),
    }
}

fn decode_str(raw: &[u8], location: SignatureLocation) -> Result<Cow<'_, str>, Error> {
    let bad = || Error::malformed(location, "an X-Amz parameter is not valid UTF-8.");
    Ok(match decode(raw) {
        Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).map_err(|_| bad())?),
        Cow::Owned(v) => Cow::Owned(String::from_utf8(v).map_err(|_| bad())?),
    })
}

fn parse_expires(v: &[u8]) -> Result<u32, Error> {
    let err = |why: &'static str| {
        Error::new(
            ErrorKind::InvalidExpires,
            Some(SignatureLocation::Query),
            Detail::Text(why),
        )
    };
    if v.first() == Some(&b'-') && v.len() > 1 && v[1..].iter().all(u8::is_ascii_digit) {
        return Err(err("X-Amz-Expires must be non-negative"));
    }
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return Err(err("X-Amz-Expires should be a number"));
    }
    // Leading zeros aside, more than 6 digits is over a week.
    let digits = &v[v.iter().position(|&b| b != b'0').unwrap_or(v.len())..];
    if digits.len() > 6 {
        return Err(err(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ));
    }
    let n = digits
        .iter()
        .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    if n == 0 {
        return Err(err("X-Amz-Expires must be a positive number of seconds"));
    }
    if n > MAX_EXPIRES {
        return Err(err(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_credentials_parse_as_decoding_first_would() {
        let q = SignatureLocation::Query;
        // Parts and separators the SDKs write, and ones they do not.
        let parts = [
            "AKID",
            "",
            "20150830",
            "2015083",
            "us-east-1",
            "s3",
            "aws4_request",
            "A%41",
            "a+b",
            "x%2",
        ];
        let seps = ["/", "%2F", "%2f", "%252F", "%2G"];
        let mut plain = 0;
        let mut checked = 0;
        for a in parts {
            for d in parts {
                for r in parts {
                    for t in ["aws4_request", "aws4_reques"] {
                        for (i, sep) in seps.iter().enumerate() {
                            let other = seps[(i + 1) % seps.len()];
                            for raw in [
                                format!("{a}{sep}{d}{sep}{r}{sep}s3{sep}{t}"),
                                format!("{a}{other}{d}{sep}{r}{sep}s3{other}{t}"),
                                format!("{a}{sep}x{sep}{d}{sep}{r}{sep}s3{sep}{t}"),
                            ] {
                                let raw = raw.as_bytes();
                                let ours = parse_query_credential(raw);
                                let decoded_first =
                                    decode_str(raw, q).and_then(|c| parse_credential(c, q));
                                assert_eq!(ours, decoded_first, "{}", String::from_utf8_lossy(raw));
                                plain += usize::from(plain_credential_parts(raw).is_some());
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(plain > 1000, "{plain} of {checked} took the borrowed route");
        // The SDK form borrows every part.
        let (akid, scope) =
            parse_query_credential(b"AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request")
                .unwrap();
        assert!(matches!(akid, Cow::Borrowed("AKIDEXAMPLE")));
        assert_eq!(scope.to_string(), "20150830/us-east-1/s3/aws4_request");
    }

    #[test]
    fn query_tokens_are_checked_then_decoded() {
        let token = parse_query_token;
        assert!(matches!(token(b"abc", 10), Ok(Cow::Borrowed("abc"))));
        assert!(matches!(token(b"%zz%", 10), Ok(Cow::Borrowed("%zz%"))));
        assert_eq!(token(b"a%2Fb%3d", 10).unwrap(), "a/b=");
        assert!(matches!(token(b"a%2Fb", 10), Ok(Cow::Owned(_))));
        // `+` is a space, as `%20` is: not visible, so not a token.
        for bad in [
            &b"a+b"[..],
            b"a%20b",
            b"",
            b"a%7Fb",
            b"a%C3%A9",
            "é".as_bytes(),
        ] {
            let err = token(bad, 10).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MalformedToken, "{bad:?}");
        }
        // The bound is on the decoded length, and wins over the syntax.
        assert!(token(b"a%2Fb", 3).is_ok());
        for (raw, max) in [(&b"a%2Fb"[..], 2), (b"++", 1), (b"+++++++", 1)] {
            let err = token(raw, max).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TooLarge, "{raw:?}");
            assert_eq!(err.limit(), Some(Limit::SecurityTokenLength));
        }
    }

    #[test]
    fn parameters_are_named_exactly_but_content_sha256() {
        assert!(matches!(Param::of(b"X-Amz-Date"), Some(Param::Date)));
        assert!(matches!(
            Param::of(b"X-Amz-Security-Token"),
            Some(Param::Token)
        ));
        assert!(matches!(
            Param::of(b"x-amz-content-sha256"),
            Some(Param::ContentSha256)
        ));
        assert!(matches!(
            Param::of(b"AWSAccessKeyId"),
            Some(Param::SigV2AccessKeyId)
        ));
        for other in [
            &b"X-AMZ-DATE"[..],
            b"x-amz-date",
            b"X-Amz-",
            b"X-Amz-Dates",
            b"",
        ] {
            assert!(Param::of(other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn scan_decodes_keys_only_when_they_hold_escapes() {
        let found = QueryAuth::scan(b"X%2DAmz-Date=1&x=2&X-Amz-Signature=3", 10).unwrap();
        assert_eq!(found.date, Some(&b"1"[..]));
        assert_eq!(found.signature, Some(&b"3"[..]));
        // The same parameter, once plain and once escaped.
        let Err(err) = QueryAuth::scan(b"X-Amz-Date=1&X%2DAmz%2dDate=2", 10) else {
            panic!("a repeated parameter is refused");
        };
        assert_eq!(err.kind(), ErrorKind::RepeatedParameter);
        // `+` is a space: not a name.
        let found = QueryAuth::scan(b"X-Amz+Date=1", 10).unwrap();
        assert_eq!(found.date, None);
        let Err(err) = QueryAuth::scan(b"a=1&b=2&c=3", 2) else {
            panic!("too many parameters are refused");
        };
        assert_eq!(err.limit(), Some(Limit::QueryParameters));
    }
}
