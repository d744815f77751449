//! Error responses in the shapes the AWS SDKs parse.
//!
//! AWS services report errors in one of a few wire protocols, and each SDK
//! only understands the one its service speaks:
//!
//! | protocol | services | body | code read from |
//! |---|---|---|---|
//! | [`ErrorProtocol::S3`] | S3 | `<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId></Error>` | `Code` |
//! | [`ErrorProtocol::Query`] | STS, IAM, SQS (query), SNS | `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>` | `Code` |
//! | [`ErrorProtocol::AwsJson1_0`], [`ErrorProtocol::AwsJson1_1`] | KMS, DynamoDB, … | `{"__type":"…","message":"…"}` | `__type`, `x-amzn-ErrorType` |
//! | [`ErrorProtocol::RestJson`] | API Gateway, Lambda, … | `{"message":"…"}` | `x-amzn-ErrorType` |
//!
//! Every rendered error carries a `Date` header and a request id (`x-amz-request-id`
//! for S3, `x-amzn-RequestId` for the others), as AWS's do.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, DATE};
use http::{Response, StatusCode};
use http_body::{Body, Frame, SizeHint};

/// The wire protocol a service reports its errors in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorProtocol {
    /// Amazon S3's REST-XML errors: `<Error><Code>…`.
    S3,
    /// The AWS Query protocol (STS, IAM): `<ErrorResponse><Error><Type>Sender</Type>…`,
    /// with the service's XML namespace when one is given.
    Query {
        /// The `xmlns` of the `ErrorResponse` element, for example
        /// `https://sts.amazonaws.com/doc/2011-06-15/` for STS.
        xmlns: Option<&'static str>,
    },
    /// The AWS JSON 1.0 protocol: `{"__type": …, "message": …}`.
    AwsJson1_0,
    /// The AWS JSON 1.1 protocol (KMS): `{"__type": …, "message": …}`.
    AwsJson1_1,
    /// The REST-JSON protocol: the code in `x-amzn-ErrorType`, `{"message": …}` in the body.
    RestJson,
}

impl ErrorProtocol {
    /// The Query protocol as STS speaks it.
    pub const STS: ErrorProtocol = ErrorProtocol::Query {
        xmlns: Some("https://sts.amazonaws.com/doc/2011-06-15/"),
    };

    /// The family whose error codes this protocol uses.
    pub fn dialect(self) -> crate::sigv4::Dialect {
        use crate::sigv4::Dialect;
        match self {
            ErrorProtocol::S3 => Dialect::S3,
            ErrorProtocol::Query { .. } => Dialect::Query,
            ErrorProtocol::AwsJson1_0 | ErrorProtocol::AwsJson1_1 | ErrorProtocol::RestJson => {
                Dialect::Json
            }
        }
    }

    /// Whether this protocol is S3's.
    pub fn is_s3(self) -> bool {
        matches!(self, ErrorProtocol::S3)
    }
}

/// One error as AWS reports it: a status, a code, a message and, for some
/// S3 errors, extra elements (`RequestTime`, `ServerTime`, `StringToSign`, …).
///
/// ```
/// use http::StatusCode;
/// use tower_sigv4::response::{ErrorProtocol, ErrorReport};
///
/// let report = ErrorReport::new(StatusCode::FORBIDDEN, "InvalidAccessKeyId",
///     "The AWS Access Key Id you provided does not exist in our records.")
///     .with_field("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE");
/// let response = report.render(ErrorProtocol::S3, std::time::SystemTime::now());
/// assert_eq!(response.status(), StatusCode::FORBIDDEN);
/// assert!(response.headers().contains_key("date"));
/// ```
#[derive(Debug, Clone)]
pub struct ErrorReport {
    status: StatusCode,
    code: Cow<'static, str>,
    message: Cow<'static, str>,
    fields: Vec<(&'static str, String)>,
    sender_fault: bool,
}

impl ErrorReport {
    /// A report with a status, an AWS error code and a message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        ErrorReport {
            status,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
            sender_fault: !status.is_server_error(),
        }
    }

    /// Adds an element after `Message` in S3 error documents (S3 alone carries such details).
    pub fn with_field(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.fields.push((name, value.into()));
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The AWS error code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The extra elements S3 error documents carry.
    pub fn fields(&self) -> &[(&'static str, String)] {
        &self.fields
    }

    /// Renders the report in `protocol`, with a fresh request id and a `Date` header for `now`.
    pub fn render(&self, protocol: ErrorProtocol, now: SystemTime) -> Response<ErrorBody> {
        self.render_with_id(protocol, now, &RequestId::new())
    }

    /// Renders the report with a given request id.
    pub fn render_with_id(
        &self,
        protocol: ErrorProtocol,
        now: SystemTime,
        request_id: &RequestId,
    ) -> Response<ErrorBody> {
        let (content_type, body) = match protocol {
            ErrorProtocol::S3 => ("application/xml", self.s3_document(request_id)),
            ErrorProtocol::Query { xmlns } => ("text/xml", self.query_document(xmlns, request_id)),
            ErrorProtocol::AwsJson1_0 => ("application/x-amz-json-1.0", self.json_document(true)),
            ErrorProtocol::AwsJson1_1 => ("application/x-amz-json-1.1", self.json_document(true)),
            ErrorProtocol::RestJson => ("application/json", self.json_document(false)),
        };
        let len = body.len();
        let mut response = Response::new(ErrorBody::new(Bytes::from(body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        headers.insert(DATE, http_date(now));
        let id = HeaderValue::from_str(request_id.as_str()).expect("request ids are ASCII");
        match protocol {
            ErrorProtocol::S3 => {
                headers.insert("x-amz-request-id", id);
            }
            _ => {
                headers.insert("x-amzn-requestid", id);
                if let Ok(code) = HeaderValue::from_str(&self.code) {
                    headers.insert("x-amzn-errortype", code);
                }
            }
        }
        response
    }

    fn s3_document(&self, request_id: &RequestId) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
        xml_element(&mut out, "Code", &self.code);
        xml_element(&mut out, "Message", &self.message);
        for (name, value) in &self.fields {
            xml_element(&mut out, name, value);
        }
        xml_element(&mut out, "RequestId", request_id.as_str());
        xml_element(&mut out, "HostId", request_id.host_id());
        out.push_str("</Error>");
        out
    }

    fn query_document(&self, xmlns: Option<&str>, request_id: &RequestId) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("<ErrorResponse");
        if let Some(ns) = xmlns {
            out.push_str(" xmlns=\"");
            xml_escape_into(&mut out, ns);
            out.push('"');
        }
        out.push_str(">\n  <Error>\n    ");
        xml_element(
            &mut out,
            "Type",
            if self.sender_fault {
                "Sender"
            } else {
                "Receiver"
            },
        );
        out.push_str("\n    ");
        xml_element(&mut out, "Code", &self.code);
        out.push_str("\n    ");
        xml_element(&mut out, "Message", &self.message);
        out.push_str("\n  </Error>\n  ");
        xml_element(&mut out, "RequestId", request_id.as_str());
        out.push_str("\n</ErrorResponse>\n");
        out
    }

    fn json_document(&self, with_type: bool) -> String {
        let mut doc = serde_json::Map::new();
        if with_type {
            doc.insert("__type".into(), self.code.as_ref().into());
        }
        doc.insert("message".into(), self.message.as_ref().into());
        serde_json::Value::Object(doc).to_string()
    }
}

fn xml_element(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    xml_escape_into(out, value);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes text for an XML element or attribute. Characters XML 1.0 cannot
/// carry at all (most C0 controls) become U+FFFD, so that an echoed header
/// value can never make the document unparseable.
fn xml_escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Formats `now` as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 IMF-fixdate).
pub fn http_date(now: SystemTime) -> HeaderValue {
    let formatted = format_http_date(now);
    HeaderValue::from_str(&formatted).expect("HTTP dates are ASCII")
}

fn format_http_date(now: SystemTime) -> String {
    use time::format_description::FormatItem;
    use time::macros::format_description;
    const FORMAT: &[FormatItem<'static>] = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::OffsetDateTime::from(now);
    at.format(FORMAT)
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 GMT".to_owned())
}

/// A request id for an error response: 16 uppercase hex digits, as S3 uses,
/// unique within the process and unpredictable across processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId {
    text: String,
    host_id: String,
}

impl RequestId {
    /// A fresh id.
    pub fn new() -> Self {
        static SEED: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = SEED.get_or_init(std::collections::hash_map::RandomState::new);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mix = |salt: u64| {
            let mut h = seed.build_hasher();
            h.write_u64(n);
            h.write_u64(salt);
            h.finish()
        };
        let text = format!("{:016X}", mix(0));
        let host_id = format!("{:016x}{:016x}", mix(1), mix(2));
        RequestId { text, host_id }
    }

    /// The id as sent in `x-amz-request-id` / `x-amzn-RequestId`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value for S3's `HostId` element.
    pub fn host_id(&self) -> &str {
        &self.host_id
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

/// The body of an error response: the whole document in one frame.
#[derive(Debug, Default)]
pub struct ErrorBody {
    data: Option<Bytes>,
}

impl ErrorBody {
    /// A body holding `data`.
    pub fn new(data: Bytes) -> Self {
        ErrorBody {
            data: (!data.is_empty()).then_some(data),
        }
    }
}

impl Body for ErrorBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.data.take().map(|d| Ok(Frame::data(d))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
    }
}

pin_project_lite::pin_project! {
    /// The response body of [`SigV4Service`](crate::SigV4Service): the inner
    /// service's body, or the [`ErrorBody`] of an authentication failure.
    pub struct ResponseBody<B> {
        #[pin]
        kind: ResponseBodyKind<B>,
    }
}

pin_project_lite::pin_project! {
    #[project = ResponseBodyProj]
    enum ResponseBodyKind<B> {
        Inner { #[pin] body: B },
        Error { #[pin] body: ErrorBody },
    }
}

impl<B> ResponseBody<B> {
    /// The inner service's body.
    pub fn inner(body: B) -> Self {
        ResponseBody {
            kind: ResponseBodyKind::Inner { body },
        }
    }

    /// An error document.
    pub fn error(body: ErrorBody) -> Self {
        ResponseBody {
            kind: ResponseBodyKind::Error { body },
        }
    }

    /// Whether this is an error document written by the layer.
    pub fn is_error(&self) -> bool {
        matches!(self.kind, ResponseBodyKind::Error { .. })
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.project().kind.project() {
            ResponseBodyProj::Inner { body } => body.poll_frame(cx),
            ResponseBodyProj::Error { body } => body
                .poll_frame(cx)
                .map(|f| f.map(|r| r.map_err(|never| match never {}))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            ResponseBodyKind::Inner { body } => body.is_end_stream(),
            ResponseBodyKind::Error { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            ResponseBodyKind::Inner { body } => body.size_hint(),
            ResponseBodyKind::Error { body } => body.size_hint(),
        }
    }
}

impl<B> std::fmt::Debug for ResponseBody<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.is_error() { "error" } else { "inner" };
        f.debug_struct("ResponseBody").field("kind", &kind).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn body_text(response: Response<ErrorBody>) -> String {
        let data = response.into_body().data.unwrap_or_default();
        String::from_utf8(data.to_vec()).unwrap()
    }

    #[test]
    fn http_date_is_imf_fixdate() {
        // 784111777 is RFC 9110's example instant.
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(format_http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
    }

    #[test]
    fn s3_document_carries_fields_and_escapes() {
        let report = ErrorReport::new(StatusCode::FORBIDDEN, "SignatureDoesNotMatch", "a<b & c")
            .with_field("StringToSign", "AWS4-HMAC-SHA256\n2013");
        let id = RequestId::new();
        let response = report.render_with_id(ErrorProtocol::S3, UNIX_EPOCH, &id);
        assert_eq!(response.status(), 403);
        assert_eq!(response.headers()["content-type"], "application/xml");
        assert_eq!(response.headers()["x-amz-request-id"], id.as_str());
        assert_eq!(response.headers()["date"], "Thu, 01 Jan 1970 00:00:00 GMT");
        let body = body_text(response);
        assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>a&lt;b &amp; c</Message><StringToSign>AWS4-HMAC-SHA256&#10;2013</StringToSign><RequestId>"), "{body}");
    }

    #[test]
    fn query_document_names_sender_and_namespace() {
        let report = ErrorReport::new(StatusCode::FORBIDDEN, "InvalidClientTokenId", "bad");
        let body = body_text(report.render(ErrorProtocol::STS, UNIX_EPOCH));
        assert!(body.starts_with(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidClientTokenId</Code>\n    <Message>bad</Message>\n  </Error>\n  <RequestId>"
        ), "{body}");
    }

    #[test]
    fn json_document_has_type_and_message() {
        let report = ErrorReport::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignatureException",
            "q\"x",
        );
        let response = report.render(ErrorProtocol::AwsJson1_1, UNIX_EPOCH);
        assert_eq!(
            response.headers()["x-amzn-errortype"],
            "IncompleteSignatureException"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/x-amz-json-1.1"
        );
        let v: serde_json::Value = serde_json::from_str(&body_text(response)).unwrap();
        assert_eq!(v["__type"], "IncompleteSignatureException");
        assert_eq!(v["message"], "q\"x");
    }

    #[test]
    fn control_characters_never_break_xml() {
        let mut out = String::new();
        xml_escape_into(&mut out, "a\u{0}b\u{1b}c");
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}c");
    }

    #[test]
    fn request_ids_differ() {
        let a = RequestId::new();
        let b = RequestId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 16);
        assert!(a
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }
}
