//! Typed failures of the protocol core, with the codes, statuses and messages
//! AWS gives for them in each protocol family.
//!
//! One [`Error`] type covers parsing, the cheap checks and the signature
//! comparison. Its [`ErrorKind`] says what went wrong; [`Error::aws_code`],
//! [`Error::status`] and [`Error::message`] say how AWS reports it in a given
//! [`Dialect`]. The code can depend on where the signature was found (S3 says
//! `AuthorizationHeaderMalformed` for a bad header and
//! `AuthorizationQueryParametersError` for a bad presigned URL), which is why
//! they live on the error and not on the kind alone.
//!
//! No message ever holds a secret, a derived key or the signature the server
//! computed.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use super::auth::SignatureLocation;
use super::time::AmzDate;

/// The protocol family whose error vocabulary a response should use.
///
/// AWS services report the same failure under different codes: S3 (REST-XML)
/// has its own list, the Query protocol services (STS, IAM, SQS, SNS, EC2)
/// share the "common errors" codes, and the JSON protocol services (KMS,
/// DynamoDB, Lambda, ...) append `Exception` to most of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// Amazon S3 and S3-compatible REST-XML APIs.
    S3,
    /// The AWS Query protocol (STS, IAM, SNS, SQS, EC2, ...), XML error bodies.
    Query,
    /// The AWS JSON protocols (KMS, DynamoDB, ...), `__type` error bodies.
    Json,
}

/// What went wrong. One variant per failure of parsing, of the cheap checks
/// and of the signature comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No signature at all where one is required. [`super::parse`] reports an
    /// unsigned request as `Ok(None)`; callers that refuse anonymous access
    /// build this kind with [`Error::missing_authentication`].
    MissingAuthentication,
    /// The `Authorization` header or the presigned `X-Amz-*` parameters are
    /// malformed: a missing or unparsable part, a bad credential, a bad
    /// signed-header list or a signature that is not 64 hex digits.
    MalformedAuthorization,
    /// An authorization scheme or `X-Amz-Algorithm` this crate does not know.
    UnsupportedAlgorithm,
    /// A Signature Version 2 request (`AWS AKID:sig`, or `AWSAccessKeyId`
    /// in the query): recognised, not supported.
    SigV2,
    /// A SigV4a request (`AWS4-ECDSA-P256-SHA256`): recognised, not supported yet.
    SigV4a,
    /// Both an `Authorization` header and presigned query parameters.
    BothLocations,
    /// An authorization parameter or header given more than once.
    RepeatedParameter,
    /// Neither `X-Amz-Date` nor `Date` in a header-signed request.
    MissingDate,
    /// The request date is not a valid date in the expected format.
    InvalidDate,
    /// `X-Amz-Expires` is not a number in `1..=604800` or exceeds the setting.
    InvalidExpires,
    /// The credential scope does not end in `aws4_request`.
    BadTerminator,
    /// The scope date differs from the date of the request.
    ScopeDateMismatch,
    /// The scope names a region this endpoint does not serve.
    WrongRegion,
    /// The scope names a service this endpoint does not serve.
    WrongService,
    /// The request time is further from the server time than the allowed skew.
    RequestTimeTooSkewed,
    /// A presigned request used after its expiry.
    Expired,
    /// A presigned request dated in the future beyond the allowed skew.
    NotYetValid,
    /// `host` is not among the signed headers.
    HostNotSigned,
    /// The header that carries the request date is not signed.
    DateNotSigned,
    /// An `x-amz-*` header is present but not signed.
    UnsignedAmzHeader,
    /// An `x-amz-security-token` header is present but not signed.
    TokenNotSigned,
    /// An `x-amz-content-sha256` header is present but not signed.
    ContentSha256NotSigned,
    /// The service requires `x-amz-content-sha256` (S3) and it is absent.
    MissingContentSha256,
    /// `x-amz-content-sha256` is neither a SHA-256 hex digest nor a known sentinel.
    InvalidContentSha256,
    /// The session token is malformed (not visible ASCII).
    MalformedToken,
    /// A size read from the wire exceeds its limit; see [`Error::limit`].
    TooLarge,
    /// The signature does not match.
    SignatureMismatch,
    /// The request declares no payload hash and the caller supplied none: a
    /// programming error of the caller, reported as an internal failure.
    BodyHashRequired,
}

/// The size limit that a request exceeded (see [`super::Limits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`super::Limits::max_authorization_len`].
    AuthorizationLength,
    /// [`super::Limits::max_signed_headers`].
    SignedHeaders,
    /// [`super::Limits::max_query_params`].
    QueryParameters,
    /// [`super::Limits::max_header_value_len`].
    HeaderValueLength,
    /// [`super::Limits::max_security_token_len`].
    SecurityTokenLength,
    /// [`super::Limits::max_uri_len`].
    UriLength,
}

impl Limit {
    fn describe(self) -> &'static str {
        match self {
            Limit::AuthorizationLength => "the Authorization header is too long",
            Limit::SignedHeaders => "too many signed headers",
            Limit::QueryParameters => "too many query parameters",
            Limit::HeaderValueLength => "a signed header value is too long",
            Limit::SecurityTokenLength => "the security token is too long",
            Limit::UriLength => "the request URI is too long",
        }
    }
}

/// Facts that go into the message (never a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    None,
    /// A fixed explanation.
    Text(&'static str),
    /// An explanation built at run time from request values.
    Owned(String),
    /// What is wrong with the credential (S3 words it per location).
    Credential(Cow<'static, str>),
    Region {
        got: String,
        expected: String,
    },
    Service {
        got: String,
        expected: String,
    },
    Terminator(String),
    Dates {
        scope: String,
        request: AmzDate,
        source: &'static str,
    },
    Skew {
        request: AmzDate,
        server: SystemTime,
        max: Duration,
    },
    Expiry {
        request: AmzDate,
        expires: u32,
        server: SystemTime,
    },
    Headers(String),
    Limit(Limit),
}

/// A failure of the protocol core. See the [module docs](self).
///
/// Boxed: verification returns `Result<_, Error>` at every step, and a
/// pointer-sized error keeps those results (and the moves of the success
/// values inside them) small on the path where nothing fails.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<ErrorInner>,
}

#[derive(Clone, PartialEq, Eq)]
struct ErrorInner {
    kind: ErrorKind,
    location: Option<SignatureLocation>,
    detail: Detail,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("location", &self.inner.location)
            .field("detail", &self.inner.detail)
            .finish()
    }
}

impl Error {
    #[cold]
    #[inline(never)]
    pub(crate) fn new(
        kind: ErrorKind,
        location: Option<SignatureLocation>,
        detail: Detail,
    ) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                location,
                detail,
            }),
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn malformed(location: SignatureLocation, why: &'static str) -> Self {
        Error::new(
            ErrorKind::MalformedAuthorization,
            Some(location),
            Detail::Text(why),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn malformed_credential(
        location: SignatureLocation,
        why: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::new(
            ErrorKind::MalformedAuthorization,
            Some(location),
            Detail::Credential(why.into()),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn too_large(location: Option<SignatureLocation>, limit: Limit) -> Self {
        Error::new(ErrorKind::TooLarge, location, Detail::Limit(limit))
    }

    /// The error for a request that carries no signature where one is
    /// required (AWS's `MissingAuthenticationToken`, or `AccessDenied` in S3).
    pub fn missing_authentication() -> Self {
        Error::new(ErrorKind::MissingAuthentication, None, Detail::None)
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Where the signature was found, when the failure concerns one.
    pub fn location(&self) -> Option<SignatureLocation> {
        self.inner.location
    }

    /// The limit exceeded, for [`ErrorKind::TooLarge`].
    pub fn limit(&self) -> Option<Limit> {
        match self.inner.detail {
            Detail::Limit(l) => Some(l),
            _ => None,
        }
    }

    /// The region this endpoint expects, for [`ErrorKind::WrongRegion`]
    /// (S3 returns it in a `<Region>` element).
    pub fn expected_region(&self) -> Option<&str> {
        match &self.inner.detail {
            Detail::Region { expected, .. } => Some(expected),
            _ => None,
        }
    }

    /// The present but unsigned headers, `;`-separated, for
    /// [`ErrorKind::UnsignedAmzHeader`] and the other "not signed" kinds
    /// (S3 returns them in a `<HeadersNotSigned>` element).
    pub fn headers_not_signed(&self) -> Option<&str> {
        match &self.inner.detail {
            Detail::Headers(h) => Some(h),
            _ => None,
        }
    }

    /// The request time, for the time-window kinds
    /// ([`ErrorKind::RequestTimeTooSkewed`], [`ErrorKind::Expired`],
    /// [`ErrorKind::NotYetValid`]).
    pub fn request_time(&self) -> Option<AmzDate> {
        match &self.inner.detail {
            Detail::Skew { request, .. } | Detail::Expiry { request, .. } => Some(*request),
            _ => None,
        }
    }

    /// The server time the request was judged against, for the time-window kinds.
    pub fn server_time(&self) -> Option<SystemTime> {
        match &self.inner.detail {
            Detail::Skew { server, .. } | Detail::Expiry { server, .. } => Some(*server),
            _ => None,
        }
    }

    /// The allowed clock skew, for [`ErrorKind::RequestTimeTooSkewed`] and
    /// [`ErrorKind::NotYetValid`] (S3's `MaxAllowedSkewMilliseconds`).
    pub fn max_skew(&self) -> Option<Duration> {
        match &self.inner.detail {
            Detail::Skew { max, .. } => Some(*max),
            _ => None,
        }
    }

    /// `X-Amz-Expires` in seconds, for [`ErrorKind::Expired`].
    pub fn expires(&self) -> Option<u32> {
        match &self.inner.detail {
            Detail::Expiry { expires, .. } => Some(*expires),
            _ => None,
        }
    }

    fn is_query(&self) -> bool {
        self.inner.location == Some(SignatureLocation::Query)
    }

    /// The error code AWS returns for this failure in `dialect`
    /// (`SignatureDoesNotMatch`, `AuthorizationHeaderMalformed`,
    /// `IncompleteSignatureException`, ...).
    pub fn aws_code(&self, dialect: Dialect) -> &'static str {
        use ErrorKind as K;
        match dialect {
            Dialect::S3 => match self.inner.kind {
                K::MissingAuthentication => "AccessDenied",
                K::MalformedAuthorization
                | K::RepeatedParameter
                | K::BadTerminator
                | K::ScopeDateMismatch
                | K::WrongRegion
                | K::WrongService => {
                    if self.is_query() {
                        "AuthorizationQueryParametersError"
                    } else {
                        "AuthorizationHeaderMalformed"
                    }
                }
                K::UnsupportedAlgorithm => {
                    if self.is_query() {
                        "AuthorizationQueryParametersError"
                    } else {
                        "InvalidArgument"
                    }
                }
                K::SigV2 | K::SigV4a => "InvalidRequest",
                K::BothLocations => "InvalidArgument",
                K::MissingDate => "AccessDenied",
                K::InvalidDate => {
                    if self.is_query() {
                        "AuthorizationQueryParametersError"
                    } else {
                        "AccessDenied"
                    }
                }
                K::InvalidExpires => "AuthorizationQueryParametersError",
                K::RequestTimeTooSkewed => "RequestTimeTooSkewed",
                K::Expired | K::NotYetValid => "AccessDenied",
                K::HostNotSigned
                | K::DateNotSigned
                | K::UnsignedAmzHeader
                | K::TokenNotSigned
                | K::ContentSha256NotSigned => "AccessDenied",
                K::MissingContentSha256 => "InvalidRequest",
                K::InvalidContentSha256 => "InvalidArgument",
                K::MalformedToken => "InvalidToken",
                K::TooLarge => match self.limit() {
                    Some(Limit::QueryParameters) | Some(Limit::UriLength) => {
                        "MaxMessageLengthExceeded"
                    }
                    _ => "RequestHeaderSectionTooLarge",
                },
                K::SignatureMismatch => "SignatureDoesNotMatch",
                K::BodyHashRequired => "InternalError",
            },
            Dialect::Query => match self.inner.kind {
                K::MissingAuthentication => "MissingAuthenticationToken",
                K::MalformedAuthorization
                | K::UnsupportedAlgorithm
                | K::SigV2
                | K::SigV4a
                | K::BothLocations
                | K::RepeatedParameter
                | K::MissingDate
                | K::InvalidDate
                | K::InvalidExpires
                | K::BadTerminator
                | K::HostNotSigned
                | K::DateNotSigned
                | K::UnsignedAmzHeader
                | K::TokenNotSigned
                | K::ContentSha256NotSigned => "IncompleteSignature",
                K::ScopeDateMismatch
                | K::WrongRegion
                | K::WrongService
                | K::RequestTimeTooSkewed
                | K::NotYetValid
                | K::SignatureMismatch => "SignatureDoesNotMatch",
                K::Expired => "RequestExpired",
                K::MissingContentSha256 => "MissingParameter",
                K::InvalidContentSha256 | K::TooLarge => "InvalidParameterValue",
                K::MalformedToken => "InvalidClientTokenId",
                K::BodyHashRequired => "InternalFailure",
            },
            Dialect::Json => match self.inner.kind {
                K::MissingAuthentication => "MissingAuthenticationTokenException",
                K::MalformedAuthorization
                | K::UnsupportedAlgorithm
                | K::SigV2
                | K::SigV4a
                | K::BothLocations
                | K::RepeatedParameter
                | K::MissingDate
                | K::InvalidDate
                | K::InvalidExpires
                | K::BadTerminator
                | K::HostNotSigned
                | K::DateNotSigned
                | K::UnsignedAmzHeader
                | K::TokenNotSigned
                | K::ContentSha256NotSigned => "IncompleteSignatureException",
                K::ScopeDateMismatch
                | K::WrongRegion
                | K::WrongService
                | K::RequestTimeTooSkewed
                | K::Expired
                | K::NotYetValid
                | K::SignatureMismatch => "InvalidSignatureException",
                K::MissingContentSha256 | K::InvalidContentSha256 | K::TooLarge => {
                    "ValidationException"
                }
                K::MalformedToken => "UnrecognizedClientException",
                K::BodyHashRequired => "InternalFailure",
            },
        }
    }

    /// The HTTP status AWS returns for this failure in `dialect`.
    pub fn status(&self, dialect: Dialect) -> u16 {
        use ErrorKind as K;
        if self.inner.kind == K::BodyHashRequired {
            return 500;
        }
        match dialect {
            Dialect::S3 => match self.inner.kind {
                K::MissingAuthentication
                | K::MissingDate
                | K::RequestTimeTooSkewed
                | K::Expired
                | K::NotYetValid
                | K::HostNotSigned
                | K::DateNotSigned
                | K::UnsignedAmzHeader
                | K::TokenNotSigned
                | K::ContentSha256NotSigned
                | K::SignatureMismatch => 403,
                K::InvalidDate if !self.is_query() => 403,
                _ => 400,
            },
            Dialect::Query => match self.inner.kind {
                K::MissingAuthentication
                | K::ScopeDateMismatch
                | K::WrongRegion
                | K::WrongService
                | K::RequestTimeTooSkewed
                | K::NotYetValid
                | K::SignatureMismatch
                | K::MalformedToken => 403,
                _ => 400,
            },
            // The JSON protocols report every client-side failure as a 400.
            Dialect::Json => 400,
        }
    }

    /// The message as AWS words it in `dialect` (request values only, never a secret).
    pub fn message(&self, dialect: Dialect) -> Cow<'static, str> {
        use ErrorKind as K;
        let q = self.is_query();
        let s3 = dialect == Dialect::S3;
        match self.inner.kind {
            K::MissingAuthentication => match dialect {
                Dialect::S3 => "Access Denied".into(),
                _ => "Request is missing Authentication Token".into(),
            },
            K::MalformedAuthorization | K::RepeatedParameter => {
                let (why, credential) = match &self.inner.detail {
                    Detail::Text(t) => (Cow::Borrowed(*t), false),
                    Detail::Owned(t) => (Cow::Owned(t.clone()), false),
                    Detail::Credential(t) => (t.clone(), true),
                    _ => (Cow::Borrowed("malformed"), false),
                };
                if s3 && !q {
                    format!("The authorization header is malformed; {why}").into()
                } else if s3 && credential {
                    format!("Error parsing the X-Amz-Credential parameter; {why}").into()
                } else {
                    capitalized(why)
                }
            }
            K::UnsupportedAlgorithm => {
                if q {
                    "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\" and \"AWS4-ECDSA-P256-SHA256\""
                        .into()
                } else {
                    "Unsupported Authorization Type".into()
                }
            }
            K::SigV2 | K::SigV4a => {
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
                    .into()
            }
            K::BothLocations => "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified".into(),
            K::MissingDate => {
                if s3 {
                    "AWS authentication requires a valid Date or x-amz-date header".into()
                } else {
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into()
                }
            }
            K::InvalidDate => {
                if s3 && q {
                    "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"".into()
                } else if s3 {
                    "AWS authentication requires a valid Date or x-amz-date header".into()
                } else {
                    "Date must be in ISO-8601 'basic format'. See http://en.wikipedia.org/wiki/ISO_8601".into()
                }
            }
            K::InvalidExpires => match &self.inner.detail {
                Detail::Text(t) => (*t).into(),
                Detail::Owned(t) => t.clone().into(),
                _ => "X-Amz-Expires is invalid".into(),
            },
            K::BadTerminator => {
                let got = match &self.inner.detail {
                    Detail::Terminator(t) => t.as_str(),
                    _ => "",
                };
                if s3 {
                    let prefix = if q {
                        "Error parsing the X-Amz-Credential parameter;"
                    } else {
                        "The authorization header is malformed;"
                    };
                    format!("{prefix} incorrect terminal \"{got}\". This endpoint uses \"aws4_request\".").into()
                } else {
                    format!("Credential should be scoped with a valid terminator: 'aws4_request', not '{got}'.").into()
                }
            }
            K::ScopeDateMismatch => match &self.inner.detail {
                Detail::Dates {
                    scope,
                    request,
                    source,
                } => {
                    if s3 && q {
                        format!(
                            "Invalid credential date \"{scope}\". This date is not the same as X-Amz-Date: \"{}\".",
                            request.date_str()
                        )
                        .into()
                    } else if s3 {
                        "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date."
                            .into()
                    } else {
                        format!(
                            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope}' != '{}', from '{source}'.",
                            request.date_str()
                        )
                        .into()
                    }
                }
                _ => "Date in Credential scope does not match the request date.".into(),
            },
            K::WrongRegion => {
                let (got, expected) = match &self.inner.detail {
                    Detail::Region { got, expected } => (got.as_str(), expected.as_str()),
                    _ => ("", ""),
                };
                if s3 && q {
                    format!("Error parsing the X-Amz-Credential parameter; the region '{got}' is wrong; expecting '{expected}'").into()
                } else if s3 {
                    format!("The authorization header is malformed; the region '{got}' is wrong; expecting '{expected}'").into()
                } else {
                    format!("Credential should be scoped to a valid region, not '{got}'. ").trim_end().to_owned().into()
                }
            }
            K::WrongService => {
                let (got, expected) = match &self.inner.detail {
                    Detail::Service { got, expected } => (got.as_str(), expected.as_str()),
                    _ => ("", ""),
                };
                if s3 {
                    let prefix = if q {
                        "Error parsing the X-Amz-Credential parameter;"
                    } else {
                        "The authorization header is malformed;"
                    };
                    format!("{prefix} incorrect service \"{got}\". This endpoint belongs to \"{expected}\".").into()
                } else {
                    format!("Credential should be scoped to correct service: '{expected}'. ").trim_end().to_owned().into()
                }
            }
            K::RequestTimeTooSkewed | K::NotYetValid if !s3 => match &self.inner.detail {
                Detail::Skew {
                    request,
                    server,
                    max,
                } => skew_message(*request, *server, *max),
                _ => "Signature expired".into(),
            },
            K::RequestTimeTooSkewed => {
                "The difference between the request time and the current time is too large.".into()
            }
            K::NotYetValid => "Request is not valid yet".into(),
            K::Expired => match dialect {
                Dialect::S3 => "Request has expired".into(),
                Dialect::Query => "Request has expired.".into(),
                Dialect::Json => match &self.inner.detail {
                    Detail::Expiry {
                        request,
                        expires,
                        server,
                    } => {
                        let end = AmzDate::from_unix(request.unix_seconds() + i64::from(*expires));
                        format!(
                            "Signature expired: {end} is now earlier than {}",
                            AmzDate::from_system_time(*server)
                        )
                        .into()
                    }
                    _ => "Signature expired".into(),
                },
            },
            K::HostNotSigned => {
                if s3 {
                    "There were headers present in the request which were not signed".into()
                } else {
                    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into()
                }
            }
            K::DateNotSigned | K::UnsignedAmzHeader | K::TokenNotSigned | K::ContentSha256NotSigned => {
                if s3 {
                    "There were headers present in the request which were not signed".into()
                } else {
                    let h = self.headers_not_signed().unwrap_or("");
                    format!("There were headers present in the request which were not signed: {h}").into()
                }
            }
            K::MissingContentSha256 => "Missing required header for this request: x-amz-content-sha256".into(),
            K::InvalidContentSha256 => "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.".into(),
            K::MalformedToken => match dialect {
                Dialect::S3 => "The provided token is malformed or otherwise invalid.".into(),
                _ => "The security token included in the request is invalid.".into(),
            },
            K::TooLarge => {
                let what = self.limit().map(Limit::describe).unwrap_or("a request field is too large");
                match dialect {
                    Dialect::S3 => match self.limit() {
                        Some(Limit::QueryParameters) | Some(Limit::UriLength) => {
                            format!("Your request was too big: {what}.").into()
                        }
                        _ => format!("Your request header section exceeds the maximum allowed size: {what}.").into(),
                    },
                    _ => format!("Request rejected: {what}.").into(),
                }
            }
            K::SignatureMismatch => match dialect {
                Dialect::S3 => "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into(),
                _ => "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
            },
            K::BodyHashRequired => match dialect {
                Dialect::S3 => "We encountered an internal error. Please try again.".into(),
                _ => "The request processing has failed because of an unknown error, exception or failure.".into(),
            },
        }
    }
}

fn capitalized(s: Cow<'static, str>) -> Cow<'static, str> {
    match s.chars().next() {
        Some(c) if c.is_ascii_lowercase() => {
            let mut o = s.into_owned();
            o[..1].make_ascii_uppercase();
            o.into()
        }
        _ => s,
    }
}

/// The wording of STS, DynamoDB and KMS for a request outside the skew
/// window: `Signature expired: <request> is now earlier than <earliest>
/// (<now> - 15 min.)`, or `Signature not yet current: ...` for the future.
fn skew_message(request: AmzDate, server: SystemTime, max: Duration) -> Cow<'static, str> {
    let now = AmzDate::from_system_time(server);
    let max_s = i64::try_from(max.as_secs()).unwrap_or(i64::MAX);
    let minutes = max.as_secs() / 60;
    if request.unix_seconds() < now.unix_seconds() {
        let earliest = AmzDate::from_unix(now.unix_seconds().saturating_sub(max_s));
        format!(
            "Signature expired: {request} is now earlier than {earliest} ({now} - {minutes} min.)"
        )
        .into()
    } else {
        let latest = AmzDate::from_unix(now.unix_seconds().saturating_add(max_s));
        format!(
            "Signature not yet current: {request} is still later than {latest} ({now} + {minutes} min.)"
        )
        .into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.aws_code(Dialect::S3),
            self.message(Dialect::S3)
        )
    }
}

impl std::error::Error for Error {}
