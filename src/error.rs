//! [`AuthError`]: why a request was refused, and how AWS would say it.
//!
//! Every failure of the layer becomes a response in the error protocol of
//! the service the request was scoped to ([`ServiceConfig::error_protocol`](crate::settings::ServiceConfig::error_protocol)),
//! with the code, status and message that AWS answers with, a `Date` header
//! and a request id. [`MakeErrorResponse`] replaces the rendering; the
//! [`AuthError`] itself is also placed in the response extensions, so that a
//! middleware further out can inspect it:
//!
//! ```
//! use tower_sigv4::{AuthError, AuthErrorKind};
//! use tower_sigv4::sigv4::ErrorKind;
//!
//! fn was_clock_skew(response: &http::Response<tower_sigv4::response::ErrorBody>) -> bool {
//!     response
//!         .extensions()
//!         .get::<AuthError>()
//!         .is_some_and(|e| e.kind() == AuthErrorKind::Request(ErrorKind::RequestTimeTooSkewed))
//! }
//! ```
//!
//! # Codes and statuses
//!
//! Each failure with its code and HTTP status in the three protocol families
//! (the JSON column holds for AWS JSON 1.0, 1.1 and REST-JSON). Where a
//! presigned URL gets another answer than a signed header, it follows in
//! parentheses. S3's extra elements are listed after the table. The table is
//! generated from the mapping itself by a unit test, so it cannot drift.
//!
//! <!-- auth-error-table -->
//! | failure | S3 | Query (STS, IAM) | JSON (KMS, …) |
//! |---|---|---|---|
//! | unsigned request (rejected) | `AccessDenied` 403 | `MissingAuthenticationToken` 403 | `MissingAuthenticationTokenException` 400 |
//! | malformed `Authorization` / `X-Amz-*` | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | unknown algorithm | `InvalidArgument` 400 (presigned: `AuthorizationQueryParametersError` 400) | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | Signature Version 2 | `InvalidRequest` 400 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | SigV4a | `InvalidRequest` 400 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | header and query signature together | `InvalidArgument` 400 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | a signature parameter given twice | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | no `X-Amz-Date` or `Date` | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | malformed date | `AccessDenied` 403 (presigned: `AuthorizationQueryParametersError` 400) | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | `X-Amz-Expires` out of range | `AuthorizationQueryParametersError` 400 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | scope not ending in `aws4_request` | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | scope date differs from the request date | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | wrong region | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | wrong service | `AuthorizationHeaderMalformed` 400 (presigned: `AuthorizationQueryParametersError` 400) | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | clock skew | `RequestTimeTooSkewed` 403 | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | presigned URL expired | `AccessDenied` 403 | `RequestExpired` 400 | `InvalidSignatureException` 400 |
//! | presigned URL dated in the future | `AccessDenied` 403 | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | `host` not signed | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | date header not signed | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | an `x-amz-*` header not signed | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | `x-amz-security-token` not signed | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | `x-amz-content-sha256` not signed | `AccessDenied` 403 | `IncompleteSignature` 400 | `IncompleteSignatureException` 400 |
//! | `x-amz-content-sha256` missing (S3) | `InvalidRequest` 400 | `MissingParameter` 400 | `ValidationException` 400 |
//! | `x-amz-content-sha256` invalid | `InvalidArgument` 400 | `InvalidParameterValue` 400 | `ValidationException` 400 |
//! | malformed session token | `InvalidToken` 400 | `InvalidClientTokenId` 403 | `UnrecognizedClientException` 400 |
//! | a header field over its size limit | `RequestHeaderSectionTooLarge` 400 | `InvalidParameterValue` 400 | `ValidationException` 400 |
//! | URI or query over its size limit | `MaxMessageLengthExceeded` 400 | `InvalidParameterValue` 400 | `ValidationException` 400 |
//! | signature does not match | `SignatureDoesNotMatch` 403 | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | unknown access key | `InvalidAccessKeyId` 403 | `InvalidClientTokenId` 403 | `UnrecognizedClientException` 400 |
//! | temporary key without its token | `InvalidAccessKeyId` 403 | `InvalidClientTokenId` 403 | `UnrecognizedClientException` 400 |
//! | invalid session token | `InvalidToken` 400 | `InvalidClientTokenId` 403 | `UnrecognizedClientException` 400 |
//! | expired session token | `ExpiredToken` 400 | `ExpiredToken` 403 | `ExpiredTokenException` 400 |
//! | credential store failure | `InternalError` 500 | `InternalFailure` 500 | `InternalFailure` 500 |
//! | `UNSIGNED-PAYLOAD` where the service signs its body | `SignatureDoesNotMatch` 403 | `SignatureDoesNotMatch` 403 | `InvalidSignatureException` 400 |
//! | `aws-chunked` with `UNSIGNED-PAYLOAD` | `InvalidArgument` 400 | `InvalidParameterValue` 400 | `ValidationException` 400 |
//! | invalid `x-amz-decoded-content-length` | `InvalidArgument` 400 | `InvalidParameterValue` 400 | `ValidationException` 400 |
//! | `x-amz-trailer` names an unsupported header | `InvalidRequest` 400 | `InvalidRequest` 400 | `InvalidRequest` 400 |
//! | `x-amz-trailer` names several checksums | `InvalidRequest` 400 | `InvalidRequest` 400 | `InvalidRequest` 400 |
//! | body over the buffered-body cap | `EntityTooLarge` 400 | `RequestEntityTooLarge` 413 | `RequestEntityTooLargeException` 413 |
//! | body unreadable while buffering | `IncompleteBody` 400 | `IncompleteBody` 400 | `IncompleteBody` 400 |
//! <!-- end -->
//!
//! Failures found in the body as it streams reach the handler as a
//! [`VerifiedBodyError`](crate::body::VerifiedBodyError) instead (see
//! [`body`](crate::body)); they use S3's vocabulary, the only service with
//! such bodies:
//!
//! <!-- body-error-table -->
//! | body failure | code | status |
//! |---|---|---|
//! | body differs from the signed `x-amz-content-sha256` | `XAmzContentSHA256Mismatch` | 400 |
//! | broken `aws-chunked` framing | `IncompleteBody` | 400 |
//! | body ended before the final chunk | `IncompleteBody` | 400 |
//! | bytes after the final chunk | `IncompleteBody` | 400 |
//! | a chunk under 8 KiB before the last | `InvalidChunkSizeError` | 400 |
//! | a chunk over the chunk-size cap | `EntityTooLarge` | 400 |
//! | chunk signature mismatch | `SignatureDoesNotMatch` | 403 |
//! | trailer signature mismatch | `SignatureDoesNotMatch` | 403 |
//! | decoded length differs from `x-amz-decoded-content-length` | `IncompleteBody` | 400 |
//! | trailing checksum mismatch | `BadDigest` | 400 |
//! | trailing checksum not a digest | `InvalidRequest` | 400 |
//! | malformed trailer | `MalformedTrailerError` | 400 |
//! | undeclared trailer | `MalformedTrailerError` | 400 |
//! | declared trailer missing | `MalformedTrailerError` | 400 |
//! | trailer over its size limit | `MalformedTrailerError` | 400 |
//! <!-- end -->
//!
//! S3 documents carry these extra elements, as Amazon S3's do:
//! `SignatureDoesNotMatch`: `AWSAccessKeyId`, `StringToSign`, `SignatureProvided`,
//! `StringToSignBytes`, `CanonicalRequest`, `CanonicalRequestBytes` (all but the
//! first behind [`SigV4Settings::signature_mismatch_details`](crate::settings::SigV4Settings::signature_mismatch_details));
//! `RequestTimeTooSkewed`: `RequestTime`, `ServerTime`, `MaxAllowedSkewMilliseconds`;
//! an expired presigned URL: `X-Amz-Expires`, `Expires`, `ServerTime`;
//! a wrong region: `Region` (the expected one); unsigned headers: `HeadersNotSigned`;
//! `InvalidAccessKeyId`: `AWSAccessKeyId`; `InvalidArgument`: `ArgumentName`,
//! `ArgumentValue`; `EntityTooLarge`: `ProposedSize`, `MaxSizeAllowed`.
//!
//! No error, message, `Debug` output or log event ever holds a secret, a
//! derived key or the signature the server computed.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use http::{Response, StatusCode};

use crate::identity::{LookupError, LookupErrorKind};
use crate::response::{ErrorBody, ErrorProtocol, ErrorReport};
use crate::sigv4::chunked::{ChunkedError, ChunkedErrorKind};
use crate::sigv4::{self, AmzDate, Dialect, ErrorKind};

/// What an [`AuthError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// The signature or a signed part failed a check of the protocol core
    /// (parse, scope, time, signed headers, sizes, the signature itself), or
    /// an unsigned request was rejected ([`ErrorKind::MissingAuthentication`]).
    Request(ErrorKind),
    /// The credential store refused the access key or its session token.
    Credentials(LookupErrorKind),
    /// `UNSIGNED-PAYLOAD` was sent to a service that does not accept it.
    UnsignedPayloadNotAllowed,
    /// `Content-Encoding: aws-chunked` with `UNSIGNED-PAYLOAD`, which S3 refuses.
    ChunkedWithUnsignedPayload,
    /// `x-amz-decoded-content-length` is not a number.
    InvalidDecodedContentLength,
    /// The `aws-chunked` headers were refused before the body was read
    /// (`x-amz-trailer`).
    AwsChunked(ChunkedErrorKind),
    /// A body that had to be read to compute its hash is larger than
    /// [`SigV4Settings::max_buffered_body`](crate::settings::SigV4Settings::max_buffered_body).
    BodyTooLarge,
    /// A body that had to be read to compute its hash failed to arrive.
    BodyRead,
}

/// Why a request was refused. See the [module docs](self) for the codes.
///
/// Opaque: [`kind`](Self::kind) says what went wrong; [`code`](Self::code),
/// [`status`](Self::status) and [`message`](Self::message) say it as AWS
/// does in [`protocol`](Self::protocol); [`to_report`](Self::to_report) and
/// [`render`](Self::render) build the response.
#[derive(Clone)]
pub struct AuthError {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: AuthErrorKind,
    protocol: ErrorProtocol,
    at: SystemTime,
    source: Source,
    access_key_id: Option<String>,
    scope: Option<String>,
    mismatch: Option<MismatchReport>,
    argument: Option<(&'static str, String)>,
    body_cap: Option<(Option<u64>, u64)>,
}

#[derive(Clone)]
enum Source {
    None,
    Core(sigv4::Error),
    Lookup(LookupError),
    Chunked(ChunkedError),
    Body(std::sync::Arc<dyn std::error::Error + Send + Sync>),
}

/// What S3 reports about a signature that does not match: the client's own
/// computation, never the server's signature.
#[derive(Clone)]
pub(crate) struct MismatchReport {
    pub(crate) signature_provided: String,
    pub(crate) details: Option<(String, Vec<u8>)>,
}

impl AuthError {
    fn build(kind: AuthErrorKind, protocol: ErrorProtocol, at: SystemTime, source: Source) -> Self {
        AuthError {
            inner: Box::new(Inner {
                kind,
                protocol,
                at,
                source,
                access_key_id: None,
                scope: None,
                mismatch: None,
                argument: None,
                body_cap: None,
            }),
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn core(error: sigv4::Error, protocol: ErrorProtocol, at: SystemTime) -> Self {
        AuthError::build(
            AuthErrorKind::Request(error.kind()),
            protocol,
            at,
            Source::Core(error),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn missing_authentication(protocol: ErrorProtocol, at: SystemTime) -> Self {
        AuthError::core(sigv4::Error::missing_authentication(), protocol, at)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn lookup(error: LookupError, protocol: ErrorProtocol, at: SystemTime) -> Self {
        AuthError::build(
            AuthErrorKind::Credentials(error.kind()),
            protocol,
            at,
            Source::Lookup(error),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn chunked(error: ChunkedError, protocol: ErrorProtocol, at: SystemTime) -> Self {
        AuthError::build(
            AuthErrorKind::AwsChunked(error.kind()),
            protocol,
            at,
            Source::Chunked(error),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn new(kind: AuthErrorKind, protocol: ErrorProtocol, at: SystemTime) -> Self {
        AuthError::build(kind, protocol, at, Source::None)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn body_read(
        error: impl Into<crate::body::BoxError>,
        protocol: ErrorProtocol,
        at: SystemTime,
    ) -> Self {
        AuthError::build(
            AuthErrorKind::BodyRead,
            protocol,
            at,
            Source::Body(std::sync::Arc::from(error.into())),
        )
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn body_too_large(
        proposed: Option<u64>,
        max: u64,
        protocol: ErrorProtocol,
        at: SystemTime,
    ) -> Self {
        let mut e = AuthError::new(AuthErrorKind::BodyTooLarge, protocol, at);
        e.inner.body_cap = Some((proposed, max));
        e
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn with_request(mut self, access_key_id: &str, scope: Option<String>) -> Self {
        self.inner.access_key_id = Some(access_key_id.to_owned());
        self.inner.scope = scope;
        self
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn with_mismatch(mut self, report: MismatchReport) -> Self {
        self.inner.mismatch = Some(report);
        self
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn with_argument(mut self, name: &'static str, value: String) -> Self {
        self.inner.argument = Some((name, value));
        self
    }

    /// Emits the failure's one `tracing` event (feature `tracing`); called
    /// once where an error is created, never for clones.
    #[cold]
    #[inline(never)]
    pub(crate) fn traced(self) -> Self {
        #[cfg(feature = "tracing")]
        tracing::info!(
            target: "tower_sigv4",
            code = self.code().as_ref(),
            status = self.status().as_u16(),
            kind = ?self.inner.kind,
            access_key_id = self.inner.access_key_id.as_deref(),
            scope = self.inner.scope.as_deref(),
            reason = %self.message(),
            "SigV4 authentication failed"
        );
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> AuthErrorKind {
        self.inner.kind
    }

    /// The protocol the error is rendered in (that of the service the request
    /// was scoped to, or the fallback).
    pub fn protocol(&self) -> ErrorProtocol {
        self.inner.protocol
    }

    /// The server time the request was judged at (the response's `Date`).
    pub fn server_time(&self) -> SystemTime {
        self.inner.at
    }

    /// The access key id of the request, once the signature parsed.
    pub fn access_key_id(&self) -> Option<&str> {
        self.inner.access_key_id.as_deref()
    }

    /// The credential scope of the request (`date/region/service/aws4_request`),
    /// once the signature parsed.
    pub fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The protocol core's error, for [`AuthErrorKind::Request`].
    pub fn core_error(&self) -> Option<&sigv4::Error> {
        match &self.inner.source {
            Source::Core(e) => Some(e),
            _ => None,
        }
    }

    /// The credential store's error, for [`AuthErrorKind::Credentials`].
    pub fn lookup_error(&self) -> Option<&LookupError> {
        match &self.inner.source {
            Source::Lookup(e) => Some(e),
            _ => None,
        }
    }

    /// The decoder's error, for [`AuthErrorKind::AwsChunked`].
    pub fn chunked_error(&self) -> Option<&ChunkedError> {
        match &self.inner.source {
            Source::Chunked(e) => Some(e),
            _ => None,
        }
    }

    /// The AWS error code in [`protocol`](Self::protocol).
    pub fn code(&self) -> Cow<'static, str> {
        self.code_status_message(false).0
    }

    /// The HTTP status in [`protocol`](Self::protocol).
    pub fn status(&self) -> StatusCode {
        self.code_status_message(false).1
    }

    /// The message as AWS words it in [`protocol`](Self::protocol).
    pub fn message(&self) -> Cow<'static, str> {
        self.code_status_message(true).2
    }

    fn code_status_message(
        &self,
        with_message: bool,
    ) -> (Cow<'static, str>, StatusCode, Cow<'static, str>) {
        let d = self.inner.protocol.dialect();
        let status = |n: u16| StatusCode::from_u16(n).unwrap_or(StatusCode::BAD_REQUEST);
        let msg =
            |m: &dyn Fn() -> Cow<'static, str>| if with_message { m() } else { Cow::Borrowed("") };
        match (&self.inner.kind, &self.inner.source) {
            (AuthErrorKind::Request(_), Source::Core(e)) => (
                e.aws_code(d).into(),
                status(e.status(d)),
                msg(&|| e.message(d)),
            ),
            (AuthErrorKind::Credentials(k), _) => {
                let p = self.inner.protocol.dialect();
                (
                    k.aws_code(p).into(),
                    status(k.status_code(p)),
                    msg(&|| k.aws_message(p).into()),
                )
            }
            (AuthErrorKind::AwsChunked(k), source) => {
                let message = match source {
                    Source::Chunked(e) => e.message(),
                    _ => Cow::Borrowed(""),
                };
                (k.code().into(), k.status(), message)
            }
            (AuthErrorKind::UnsignedPayloadNotAllowed, _) => {
                let (code, st) = signature_mismatch(d);
                (
                    code.into(),
                    status(st),
                    msg(&|| {
                        "This service does not accept x-amz-content-sha256: UNSIGNED-PAYLOAD; sign the hash of the body."
                            .into()
                    }),
                )
            }
            (AuthErrorKind::ChunkedWithUnsignedPayload, _) => (
                invalid_argument(d).into(),
                StatusCode::BAD_REQUEST,
                msg(&|| {
                    "aws-chunked encoding is not supported when x-amz-content-sha256 UNSIGNED-PAYLOAD is supplied"
                        .into()
                }),
            ),
            (AuthErrorKind::InvalidDecodedContentLength, _) => (
                invalid_argument(d).into(),
                StatusCode::BAD_REQUEST,
                msg(&|| "x-amz-decoded-content-length must be a non-negative integer".into()),
            ),
            (AuthErrorKind::BodyTooLarge, _) => {
                let max = self.inner.body_cap.map_or(0, |(_, m)| m);
                match d {
                    Dialect::S3 => (
                        "EntityTooLarge".into(),
                        StatusCode::BAD_REQUEST,
                        msg(&|| {
                            "Your proposed upload exceeds the maximum allowed object size.".into()
                        }),
                    ),
                    Dialect::Query => (
                        "RequestEntityTooLarge".into(),
                        StatusCode::PAYLOAD_TOO_LARGE,
                        msg(&|| format!("Request body must be no larger than {max} bytes").into()),
                    ),
                    _ => (
                        "RequestEntityTooLargeException".into(),
                        StatusCode::PAYLOAD_TOO_LARGE,
                        msg(&|| format!("Request body must be no larger than {max} bytes").into()),
                    ),
                }
            }
            (AuthErrorKind::BodyRead, _) => (
                "IncompleteBody".into(),
                StatusCode::BAD_REQUEST,
                msg(&|| "The request body terminated unexpectedly".into()),
            ),
            // An internal inconsistency (a kind without its source): answer
            // as a server fault rather than panic.
            _ => (
                "InternalFailure".into(),
                StatusCode::INTERNAL_SERVER_ERROR,
                msg(&|| "The request processing has failed because of an unknown error.".into()),
            ),
        }
    }

    /// The error as AWS reports it, with S3's extra elements when the
    /// protocol is S3 (see the [module docs](self)).
    pub fn to_report(&self) -> ErrorReport {
        let (code, status, message) = self.code_status_message(true);
        let mut report = ErrorReport::new(status, code, message);
        if self.inner.protocol.is_s3() {
            report = self.s3_fields(report);
        }
        report
    }

    fn s3_fields(&self, mut r: ErrorReport) -> ErrorReport {
        let inner = &*self.inner;
        match (&inner.kind, &inner.source) {
            (AuthErrorKind::Request(ErrorKind::SignatureMismatch), _) => {
                if let Some(akid) = &inner.access_key_id {
                    r = r.with_field("AWSAccessKeyId", akid.clone());
                }
                if let Some(m) = &inner.mismatch {
                    if let Some((sts, creq)) = &m.details {
                        r = r
                            .with_field("StringToSign", sts.clone())
                            .with_field("SignatureProvided", m.signature_provided.clone())
                            .with_field("StringToSignBytes", spaced_hex(sts.as_bytes()))
                            .with_field(
                                "CanonicalRequest",
                                String::from_utf8_lossy(creq).into_owned(),
                            )
                            .with_field("CanonicalRequestBytes", spaced_hex(creq));
                    } else {
                        r = r.with_field("SignatureProvided", m.signature_provided.clone());
                    }
                }
            }
            (AuthErrorKind::Request(ErrorKind::RequestTimeTooSkewed), Source::Core(e)) => {
                if let (Some(req), Some(server)) = (e.request_time(), e.server_time()) {
                    r = r
                        .with_field("RequestTime", req.as_str())
                        .with_field("ServerTime", iso8601(server));
                }
                if let Some(max) = e.max_skew() {
                    r = r.with_field("MaxAllowedSkewMilliseconds", max.as_millis().to_string());
                }
            }
            (AuthErrorKind::Request(ErrorKind::Expired), Source::Core(e)) => {
                if let (Some(req), Some(expires), Some(server)) =
                    (e.request_time(), e.expires(), e.server_time())
                {
                    let end = req.to_system_time() + Duration::from_secs(u64::from(expires));
                    r = r
                        .with_field("X-Amz-Expires", expires.to_string())
                        .with_field("Expires", iso8601(end))
                        .with_field("ServerTime", iso8601(server));
                }
            }
            (AuthErrorKind::Request(ErrorKind::WrongRegion), Source::Core(e)) => {
                if let Some(region) = e.expected_region() {
                    r = r.with_field("Region", region);
                }
            }
            (AuthErrorKind::Request(_), Source::Core(e)) => {
                if let Some(h) = e.headers_not_signed() {
                    r = r.with_field("HeadersNotSigned", h);
                }
            }
            (
                AuthErrorKind::Credentials(
                    LookupErrorKind::UnknownAccessKey | LookupErrorKind::TokenRequired,
                ),
                _,
            ) => {
                if let Some(akid) = &inner.access_key_id {
                    r = r.with_field("AWSAccessKeyId", akid.clone());
                }
            }
            (AuthErrorKind::BodyTooLarge, _) => {
                if let Some((proposed, max)) = inner.body_cap {
                    if let Some(p) = proposed {
                        r = r.with_field("ProposedSize", p.to_string());
                    }
                    r = r.with_field("MaxSizeAllowed", max.to_string());
                }
            }
            _ => {}
        }
        if let Some((name, value)) = &inner.argument {
            r = r
                .with_field("ArgumentName", *name)
                .with_field("ArgumentValue", value.clone());
        }
        r
    }

    /// Renders the error with [`DefaultErrorResponse`]: its report in its
    /// protocol, dated [`server_time`](Self::server_time), with a fresh
    /// request id and the error in the response extensions.
    pub fn render(&self) -> Response<ErrorBody> {
        let mut response = DefaultErrorResponse.make_error_response(self);
        response.extensions_mut().insert(self.clone());
        response
    }
}

fn signature_mismatch(d: Dialect) -> (&'static str, u16) {
    match d {
        Dialect::S3 | Dialect::Query => ("SignatureDoesNotMatch", 403),
        _ => ("InvalidSignatureException", 400),
    }
}

fn invalid_argument(d: Dialect) -> &'static str {
    match d {
        Dialect::S3 => "InvalidArgument",
        Dialect::Query => "InvalidParameterValue",
        _ => "ValidationException",
    }
}

/// S3's `StringToSignBytes` form: lowercase hex bytes separated by spaces.
fn spaced_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// `2015-06-04T22:26:16Z`, as S3's `ServerTime` and `Expires` elements.
pub(crate) fn iso8601(t: SystemTime) -> String {
    let d = AmzDate::from_system_time(t);
    let s = d.as_str();
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    )
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("AuthError");
        d.field("kind", &self.inner.kind)
            .field("protocol", &self.inner.protocol)
            .field("code", &self.code());
        if let Some(akid) = &self.inner.access_key_id {
            d.field("access_key_id", akid);
        }
        if let Some(scope) = &self.inner.scope {
            d.field("scope", scope);
        }
        match &self.inner.source {
            Source::Core(e) => d.field("source", e),
            Source::Lookup(e) => d.field("source", e),
            Source::Chunked(e) => d.field("source", e),
            Source::Body(e) => d.field("source", &format_args!("{e}")),
            Source::None => &mut d,
        };
        d.finish()
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.source {
            Source::Core(e) => Some(e),
            Source::Lookup(e) => Some(e),
            Source::Chunked(e) => Some(e),
            Source::Body(e) => Some(&**e),
            Source::None => None,
        }
    }
}

/// Turns an [`AuthError`] into the response the client receives.
///
/// Implemented by [`DefaultErrorResponse`] and by closures
/// `Fn(&AuthError) -> Response<ErrorBody>`; set it with
/// [`SigV4Settings::with_error_response`](crate::settings::SigV4Settings::with_error_response).
/// Whatever it returns, the layer adds the [`AuthError`] to the response
/// extensions.
///
/// ```
/// use bytes::Bytes;
/// use http::Response;
/// use tower_sigv4::response::ErrorBody;
/// use tower_sigv4::settings::SigV4Settings;
/// use tower_sigv4::AuthError;
///
/// // Plain text, for a webhook whose senders are not AWS SDKs.
/// let settings = SigV4Settings::default().with_error_response(|e: &AuthError| {
///     let mut response = Response::new(ErrorBody::new(Bytes::from(e.to_string())));
///     *response.status_mut() = e.status();
///     response
/// });
/// # let _ = settings;
/// ```
pub trait MakeErrorResponse: Send + Sync + 'static {
    /// The response for `error`.
    fn make_error_response(&self, error: &AuthError) -> Response<ErrorBody>;
}

impl<F> MakeErrorResponse for F
where
    F: Fn(&AuthError) -> Response<ErrorBody> + Send + Sync + 'static,
{
    fn make_error_response(&self, error: &AuthError) -> Response<ErrorBody> {
        self(error)
    }
}

/// The default renderer: [`AuthError::to_report`] in the error's protocol,
/// with a `Date` header for [`AuthError::server_time`] and a request id.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultErrorResponse;

impl MakeErrorResponse for DefaultErrorResponse {
    fn make_error_response(&self, error: &AuthError) -> Response<ErrorBody> {
        error
            .to_report()
            .render(error.protocol(), error.server_time())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::error::{Detail, Error as CoreError, Limit};
    use crate::sigv4::SignatureLocation as L;
    use std::time::UNIX_EPOCH;

    const PROTOCOLS: [ErrorProtocol; 3] = [
        ErrorProtocol::S3,
        ErrorProtocol::STS,
        ErrorProtocol::AwsJson1_1,
    ];

    fn core(kind: ErrorKind, location: Option<L>, detail: Detail) -> CoreError {
        CoreError::new(kind, location, detail)
    }

    fn cell(make: &dyn Fn(ErrorProtocol) -> AuthError, p: ErrorProtocol) -> String {
        let e = make(p);
        format!("`{}` {}", e.code(), e.status().as_u16())
    }

    /// The rows of the table: a description and a constructor per protocol;
    /// for core errors, the presigned variant too.
    #[allow(clippy::type_complexity)]
    fn rows() -> Vec<(
        &'static str,
        Box<dyn Fn(ErrorProtocol, Option<L>) -> AuthError>,
    )> {
        use ErrorKind as K;
        let at = UNIX_EPOCH;
        let mut rows: Vec<(
            &'static str,
            Box<dyn Fn(ErrorProtocol, Option<L>) -> AuthError>,
        )> = Vec::new();
        let core_rows: [(&str, K, Detail); 27] = [
            (
                "unsigned request (rejected)",
                K::MissingAuthentication,
                Detail::None,
            ),
            (
                "malformed `Authorization` / `X-Amz-*`",
                K::MalformedAuthorization,
                Detail::Text("x"),
            ),
            ("unknown algorithm", K::UnsupportedAlgorithm, Detail::None),
            ("Signature Version 2", K::SigV2, Detail::None),
            ("SigV4a", K::SigV4a, Detail::None),
            (
                "header and query signature together",
                K::BothLocations,
                Detail::None,
            ),
            (
                "a signature parameter given twice",
                K::RepeatedParameter,
                Detail::Text("x"),
            ),
            ("no `X-Amz-Date` or `Date`", K::MissingDate, Detail::None),
            ("malformed date", K::InvalidDate, Detail::None),
            (
                "`X-Amz-Expires` out of range",
                K::InvalidExpires,
                Detail::Text("x"),
            ),
            (
                "scope not ending in `aws4_request`",
                K::BadTerminator,
                Detail::None,
            ),
            (
                "scope date differs from the request date",
                K::ScopeDateMismatch,
                Detail::None,
            ),
            ("wrong region", K::WrongRegion, Detail::None),
            ("wrong service", K::WrongService, Detail::None),
            ("clock skew", K::RequestTimeTooSkewed, Detail::None),
            ("presigned URL expired", K::Expired, Detail::None),
            (
                "presigned URL dated in the future",
                K::NotYetValid,
                Detail::None,
            ),
            ("`host` not signed", K::HostNotSigned, Detail::None),
            ("date header not signed", K::DateNotSigned, Detail::None),
            (
                "an `x-amz-*` header not signed",
                K::UnsignedAmzHeader,
                Detail::None,
            ),
            (
                "`x-amz-security-token` not signed",
                K::TokenNotSigned,
                Detail::None,
            ),
            (
                "`x-amz-content-sha256` not signed",
                K::ContentSha256NotSigned,
                Detail::None,
            ),
            (
                "`x-amz-content-sha256` missing (S3)",
                K::MissingContentSha256,
                Detail::None,
            ),
            (
                "`x-amz-content-sha256` invalid",
                K::InvalidContentSha256,
                Detail::None,
            ),
            ("malformed session token", K::MalformedToken, Detail::None),
            (
                "a header field over its size limit",
                K::TooLarge,
                Detail::Limit(Limit::AuthorizationLength),
            ),
            (
                "URI or query over its size limit",
                K::TooLarge,
                Detail::Limit(Limit::QueryParameters),
            ),
        ];
        for (name, kind, detail) in core_rows {
            rows.push((
                name,
                Box::new(move |p, loc| {
                    let loc = if kind == K::MissingAuthentication {
                        None
                    } else {
                        loc
                    };
                    AuthError::core(core(kind, loc, detail.clone()), p, at)
                }),
            ));
        }
        rows.push((
            "signature does not match",
            Box::new(move |p, loc| {
                AuthError::core(core(K::SignatureMismatch, loc, Detail::None), p, at)
            }),
        ));
        let lookups = [
            ("unknown access key", LookupErrorKind::UnknownAccessKey),
            (
                "temporary key without its token",
                LookupErrorKind::TokenRequired,
            ),
            ("invalid session token", LookupErrorKind::TokenInvalid),
            ("expired session token", LookupErrorKind::TokenExpired),
            ("credential store failure", LookupErrorKind::Backend),
        ];
        for (name, kind) in lookups {
            rows.push((
                name,
                Box::new(move |p, _| AuthError::lookup(LookupError::new(kind), p, at)),
            ));
        }
        let own = [
            (
                "`UNSIGNED-PAYLOAD` where the service signs its body",
                AuthErrorKind::UnsignedPayloadNotAllowed,
            ),
            (
                "`aws-chunked` with `UNSIGNED-PAYLOAD`",
                AuthErrorKind::ChunkedWithUnsignedPayload,
            ),
            (
                "invalid `x-amz-decoded-content-length`",
                AuthErrorKind::InvalidDecodedContentLength,
            ),
        ];
        for (name, kind) in own {
            rows.push((name, Box::new(move |p, _| AuthError::new(kind, p, at))));
        }
        let chunked = [
            (
                "`x-amz-trailer` names an unsupported header",
                "x-amz-meta-foo",
            ),
            (
                "`x-amz-trailer` names several checksums",
                "x-amz-checksum-crc32,x-amz-checksum-sha256",
            ),
        ];
        for (name, trailer) in chunked {
            rows.push((
                name,
                Box::new(move |p, _| {
                    let e = crate::sigv4::chunked::ChunkedConfig::default()
                        .with_declared_trailers(trailer)
                        .unwrap_err();
                    AuthError::chunked(e, p, at)
                }),
            ));
        }
        rows.push((
            "body over the buffered-body cap",
            Box::new(move |p, _| AuthError::body_too_large(Some(2), 1, p, at)),
        ));
        rows.push((
            "body unreadable while buffering",
            Box::new(move |p, _| AuthError::body_read("reset", p, at)),
        ));
        rows
    }

    fn generated_auth_table() -> Vec<String> {
        let mut lines = vec![
            "| failure | S3 | Query (STS, IAM) | JSON (KMS, …) |".to_owned(),
            "|---|---|---|---|".to_owned(),
        ];
        for (name, make) in rows() {
            let mut cells = Vec::new();
            for p in PROTOCOLS {
                let header = cell(&|p| make(p, Some(L::Header)), p);
                let query = cell(&|p| make(p, Some(L::Query)), p);
                cells.push(if header == query {
                    header
                } else {
                    format!("{header} (presigned: {query})")
                });
            }
            lines.push(format!("| {name} | {} |", cells.join(" | ")));
        }
        lines
    }

    fn generated_body_table() -> Vec<String> {
        use ChunkedErrorKind as C;
        let mut lines = vec![
            "| body failure | code | status |".to_owned(),
            "|---|---|---|".to_owned(),
        ];
        let mismatch = crate::body::VerifiedBodyError::hash_mismatch([0; 32], [1; 32]);
        lines.push(format!(
            "| body differs from the signed `x-amz-content-sha256` | `{}` | {} |",
            mismatch.code(),
            mismatch.status().as_u16()
        ));
        let kinds = [
            ("broken `aws-chunked` framing", C::Malformed),
            ("body ended before the final chunk", C::Truncated),
            ("bytes after the final chunk", C::DataAfterEnd),
            ("a chunk under 8 KiB before the last", C::ChunkTooSmall),
            ("a chunk over the chunk-size cap", C::ChunkTooLarge),
            ("chunk signature mismatch", C::ChunkSignatureMismatch),
            ("trailer signature mismatch", C::TrailerSignatureMismatch),
            (
                "decoded length differs from `x-amz-decoded-content-length`",
                C::DecodedLengthMismatch,
            ),
            ("trailing checksum mismatch", C::ChecksumMismatch),
            ("trailing checksum not a digest", C::InvalidChecksumValue),
            ("malformed trailer", C::MalformedTrailer),
            ("undeclared trailer", C::UnexpectedTrailer),
            ("declared trailer missing", C::MissingTrailer),
            ("trailer over its size limit", C::TrailerTooLarge),
        ];
        for (name, kind) in kinds {
            lines.push(format!(
                "| {name} | `{}` | {} |",
                kind.code(),
                kind.status().as_u16()
            ));
        }
        lines
    }

    fn documented(marker: &str) -> Vec<String> {
        let source = include_str!("error.rs");
        let mut lines = source
            .lines()
            .skip_while(|l| l.trim() != format!("//! <!-- {marker} -->"))
            .skip(1);
        let mut out = Vec::new();
        for l in lines.by_ref() {
            let l = l.trim_start_matches("//!").trim();
            if l == "<!-- end -->" {
                break;
            }
            out.push(l.to_owned());
        }
        out
    }

    #[test]
    fn the_documented_tables_are_the_real_mapping() {
        let auth = generated_auth_table();
        assert_eq!(
            documented("auth-error-table"),
            auth,
            "regenerate the table in src/error.rs:\n{}",
            auth.iter()
                .map(|l| format!("//! {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let body = generated_body_table();
        assert_eq!(
            documented("body-error-table"),
            body,
            "regenerate the table in src/error.rs:\n{}",
            body.iter()
                .map(|l| format!("//! {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn every_row_renders_in_every_protocol() {
        for (name, make) in rows() {
            for p in [
                ErrorProtocol::S3,
                ErrorProtocol::STS,
                ErrorProtocol::AwsJson1_0,
                ErrorProtocol::AwsJson1_1,
                ErrorProtocol::RestJson,
            ] {
                let e = make(p, Some(L::Header));
                let response = e.render();
                assert_eq!(response.status(), e.status(), "{name}");
                assert!(response.headers().contains_key("date"), "{name}");
                assert!(!e.message().is_empty(), "{name} {p:?}");
                assert!(!e.code().is_empty(), "{name}");
                assert_eq!(
                    response.extensions().get::<AuthError>().map(|x| x.kind()),
                    Some(e.kind())
                );
            }
        }
    }

    #[test]
    fn s3_skew_and_expiry_carry_their_elements() {
        let server = UNIX_EPOCH + Duration::from_secs(1_440_938_160 + 3600);
        let request = AmzDate::parse(b"20150830T123600Z").unwrap();
        let skew = core(
            ErrorKind::RequestTimeTooSkewed,
            Some(L::Header),
            Detail::Skew {
                request,
                server,
                max: Duration::from_secs(900),
            },
        );
        let r = AuthError::core(skew, ErrorProtocol::S3, server).to_report();
        assert_eq!(r.code(), "RequestTimeTooSkewed");
        assert_eq!(
            r.fields(),
            [
                ("RequestTime", "20150830T123600Z".to_owned()),
                ("ServerTime", "2015-08-30T13:36:00Z".to_owned()),
                ("MaxAllowedSkewMilliseconds", "900000".to_owned()),
            ]
        );
        let expired = core(
            ErrorKind::Expired,
            Some(L::Query),
            Detail::Expiry {
                request,
                expires: 60,
                server,
            },
        );
        let r = AuthError::core(expired, ErrorProtocol::S3, server).to_report();
        assert_eq!(
            (r.code(), r.message()),
            ("AccessDenied", "Request has expired")
        );
        assert_eq!(
            r.fields(),
            [
                ("X-Amz-Expires", "60".to_owned()),
                ("Expires", "2015-08-30T12:37:00Z".to_owned()),
                ("ServerTime", "2015-08-30T13:36:00Z".to_owned()),
            ]
        );
        // Other protocols carry no S3 elements.
        let expired = core(
            ErrorKind::Expired,
            Some(L::Query),
            Detail::Expiry {
                request,
                expires: 60,
                server,
            },
        );
        assert!(AuthError::core(expired, ErrorProtocol::STS, server)
            .to_report()
            .fields()
            .is_empty());
    }

    #[test]
    fn spaced_hex_is_s3s_byte_form() {
        assert_eq!(spaced_hex(b"AWS4\n"), "41 57 53 34 0a");
        assert_eq!(spaced_hex(b""), "");
    }

    #[test]
    fn mismatch_report_never_holds_the_servers_signature() {
        let e = AuthError::core(
            core(ErrorKind::SignatureMismatch, Some(L::Header), Detail::None),
            ErrorProtocol::S3,
            UNIX_EPOCH,
        )
        .with_request(
            "AKIDEXAMPLE",
            Some("20150830/us-east-1/s3/aws4_request".into()),
        )
        .with_mismatch(MismatchReport {
            signature_provided: "ab".repeat(32),
            details: Some(("AWS4-HMAC-SHA256\nx".into(), b"GET\n/".to_vec())),
        });
        let r = e.to_report();
        let names: Vec<&str> = r.fields().iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "AWSAccessKeyId",
                "StringToSign",
                "SignatureProvided",
                "StringToSignBytes",
                "CanonicalRequest",
                "CanonicalRequestBytes"
            ]
        );
        assert_eq!(r.fields()[5].1, "47 45 54 0a 2f");
        let dbg = format!("{e:?}");
        assert!(
            dbg.contains("AKIDEXAMPLE") && dbg.contains("SignatureMismatch"),
            "{dbg}"
        );
    }
}
