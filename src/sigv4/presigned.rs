//! The presigned form of a signature: the `X-Amz-*` query parameters of a
//! presigned URL, found in one scan of the query and read into a
//! [`SignedRequest`].

use std::borrow::Cow;

use super::auth::{
    parse_signature, parse_token, DateSource, SignatureLocation, SignedRequest, ALGORITHM,
    ALGORITHM_SIGV4A, MAX_EXPIRES,
};
use super::encode::{decode_query_component, query_pairs};
use super::error::{Detail, Error, ErrorKind, Limit};
use super::payload::{PayloadMode, UNSIGNED_PAYLOAD};
use super::scope::{parse_credential, SignedHeaders};
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
            let Some(n) = short_decoded_key(k, &mut buf) else {
                continue;
            };
            let key = &buf[..n];
            let slot = match key {
                b"X-Amz-Algorithm" => &mut found.algorithm,
                b"X-Amz-Credential" => &mut found.credential,
                b"X-Amz-Date" => &mut found.date,
                b"X-Amz-Expires" => &mut found.expires,
                b"X-Amz-SignedHeaders" => &mut found.signed_headers,
                b"X-Amz-Signature" => &mut found.signature,
                b"X-Amz-Security-Token" => &mut found.token,
                k if k.eq_ignore_ascii_case(b"X-Amz-Content-Sha256") => &mut found.content_sha256,
                b"AWSAccessKeyId" => {
                    found.sigv2 = true;
                    continue;
                }
                _ => continue,
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
        let algorithm = decode(algorithm);
        if &*algorithm != ALGORITHM.as_bytes() {
            let kind = if &*algorithm == ALGORITHM_SIGV4A.as_bytes() {
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

        let (access_key_id, scope) = parse_credential(decode_str(credential, Q)?, Q)?;
        let Some(date) = AmzDate::parse(&decode(date)) else {
            return Err(Error::new(ErrorKind::InvalidDate, Some(Q), Detail::None));
        };
        let expires = parse_expires(&decode(expires))?;
        let signed_headers =
            SignedHeaders::parse(decode_str(signed_headers, Q)?, limits.max_signed_headers, Q)?;
        let signature = parse_signature(&decode(signature), Q)?;
        let security_token = match self.token {
            Some(raw) => {
                // A decoded value is never longer than its raw form, so a raw
                // value within the bound needs no decoding to be checked.
                if raw.len() / 3 > limits.max_security_token_len {
                    return Err(Error::too_large(Some(Q), Limit::SecurityTokenLength));
                }
                let t = decode(raw);
                parse_token(&t, limits.max_security_token_len, Q)?;
                Some(match t {
                    Cow::Borrowed(b) => Cow::Borrowed(std::str::from_utf8(b).unwrap_or_default()),
                    Cow::Owned(v) => Cow::Owned(String::from_utf8(v).unwrap_or_default()),
                })
            }
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
