//! What is checked ([`Check`]), what was decided ([`Authorized`]), why a
//! request was refused ([`AuthorizeError`]), and the settings.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use http::request::Parts;
use http::{Response, StatusCode};

use super::context::{SecureTransport, SourceIp};
use super::store::PolicyStoreError;
use crate::identity::{Clock, SystemClock};
use crate::policy::{DecisionRecord, Grant, PrincipalInfo, RequestContextBuilder};
use crate::response::{ErrorBody, ErrorProtocol, ErrorReport};
use crate::settings::ServiceConfig;

/// One question for the policy engine: may the caller perform `action` on
/// `resource`, given these extra condition keys?
///
/// The application's own keys (`kms:EncryptionContext:…`, `kms:ViaService`,
/// `aws:RequestTag/…`, `s3:prefix`, …) go here; the keys the layer derives
/// (`aws:SourceIp`, `aws:PrincipalArn`, … see
/// [`context`](super::context)) are set after them and cannot be overridden.
///
/// ```
/// use tower_sigv4::authorize::Check;
///
/// let check = Check::new(
///     "kms:Decrypt",
///     "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
/// )
/// .with_encryption_context([("Department", "IT")])
/// .with_key("kms:ViaService", "s3.us-east-1.amazonaws.com");
/// assert_eq!(check.action(), "kms:Decrypt");
/// ```
#[derive(Debug, Clone)]
pub struct Check {
    action: String,
    resource: String,
    keys: Vec<(String, Vec<String>, bool)>,
    encryption_context: Option<Vec<(String, String)>>,
    new_grant: Option<Grant>,
}

impl Check {
    /// An action (`kms:Decrypt`, `s3:GetObject`) on a resource ARN (`*` for
    /// account-level actions such as `kms:ListKeys`).
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Check {
            action: action.into(),
            resource: resource.into(),
            keys: Vec::new(),
            encryption_context: None,
            new_grant: None,
        }
    }

    /// Adds a single-valued condition key.
    pub fn with_key(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.keys.push((key.into(), vec![value.into()], false));
        self
    }

    /// Adds a multi-valued condition key (`aws:TagKeys`, …).
    pub fn with_key_values<I, S>(mut self, key: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let values = values.into_iter().map(Into::into).collect();
        self.keys.push((key.into(), values, true));
        self
    }

    /// The KMS encryption context of the request: `kms:EncryptionContext:<k>`
    /// per pair and `kms:EncryptionContextKeys` (grants' constraints read it too).
    pub fn with_encryption_context<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.encryption_context = Some(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// For `kms:CreateGrant`: the grant being created (a grant's own
    /// `CreateGrant` permission only allows narrower grants).
    pub fn with_new_grant(mut self, grant: Grant) -> Self {
        self.new_grant = Some(grant);
        self
    }

    /// The action.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource ARN.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    pub(crate) fn new_grant(&self) -> Option<&Grant> {
        self.new_grant.as_ref()
    }

    pub(crate) fn apply(&self, mut b: RequestContextBuilder) -> RequestContextBuilder {
        for (key, values, multi) in &self.keys {
            b = match (multi, values.as_slice()) {
                (false, [one]) => b.key(key, one),
                _ => b.key_values(key, values),
            };
        }
        if let Some(pairs) = &self.encryption_context {
            b = b.encryption_context(pairs.iter().map(|(k, v)| (k, v)));
        }
        b
    }
}

/// Maps a request to the checks that decide it: the application's part of
/// the [`AuthorizeLayer`](super::AuthorizeLayer).
///
/// `body` is the request body when
/// [`AuthorizeSettings::with_body_limit`] asks the layer to read it (JSON
/// protocols carry the key id and the encryption context there), empty
/// otherwise. Every check must allow; an empty list lets the request through
/// with no decision. An `Err` is sent to the client as it is (for example
/// a `ValidationException` for an unknown `X-Amz-Target`).
///
/// Implemented for closures `Fn(&Parts, &[u8]) -> Result<Vec<Check>, ErrorReport>`.
pub trait RequestChecks: Send + Sync + 'static {
    /// The checks for one request.
    fn checks(&self, parts: &Parts, body: &[u8]) -> Result<Vec<Check>, ErrorReport>;
}

impl<F> RequestChecks for F
where
    F: Fn(&Parts, &[u8]) -> Result<Vec<Check>, ErrorReport> + Send + Sync + 'static,
{
    fn checks(&self, parts: &Parts, body: &[u8]) -> Result<Vec<Check>, ErrorReport> {
        self(parts, body)
    }
}

/// The decision of one [`Check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDecision {
    action: String,
    resource: String,
    record: DecisionRecord,
}

impl CheckDecision {
    /// The action checked.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The resource checked.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The decision and the statements (or grant) that made it.
    pub fn record(&self) -> &DecisionRecord {
        &self.record
    }
}

/// Placed in the request extensions by the
/// [`AuthorizeLayer`](super::AuthorizeLayer) when every check allowed: the
/// caller as the policies saw it and each check's decision. The first
/// check's [`DecisionRecord`] is also inserted on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    principal: PrincipalInfo,
    decisions: Vec<CheckDecision>,
}

impl Authorized {
    /// The caller (with its tags from the store).
    pub fn principal(&self) -> &PrincipalInfo {
        &self.principal
    }

    /// Each check's decision, in the order of the checks.
    pub fn decisions(&self) -> &[CheckDecision] {
        &self.decisions
    }

    /// The first check's decision.
    pub fn decision(&self) -> Option<&DecisionRecord> {
        self.decisions.first().map(|d| &d.record)
    }
}

pub(crate) fn authorized(principal: PrincipalInfo, decisions: Vec<CheckDecision>) -> Authorized {
    Authorized {
        principal,
        decisions,
    }
}

pub(crate) fn check_decision(check: &Check, record: DecisionRecord) -> CheckDecision {
    CheckDecision {
        action: check.action.clone(),
        resource: check.resource.clone(),
        record,
    }
}

/// What an [`AuthorizeError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizeErrorKind {
    /// A check was denied (explicitly or implicitly).
    AccessDenied,
    /// The request carries neither [`Authenticated`](crate::Authenticated)
    /// nor [`Anonymous`](crate::Anonymous): the layer is not inside a
    /// [`SigV4Layer`](crate::SigV4Layer). A server fault, never an allow.
    NotAuthenticated,
    /// The [`PolicyStore`](super::PolicyStore) failed.
    PolicyStore,
    /// The body was larger than [`AuthorizeSettings::body_limit`].
    BodyTooLarge,
    /// The body could not be read.
    BodyRead,
}

/// Why the authorization layer refused a request; placed in the response
/// extensions of the error it renders.
///
/// The codes, by protocol:
///
/// | failure | S3 | Query (STS, IAM) | AWS JSON (KMS, DynamoDB) | REST-JSON |
/// |---|---|---|---|---|
/// | denied | `AccessDenied` 403 | `AccessDenied` 403 | `AccessDeniedException` 400 | `AccessDeniedException` 403 |
/// | layer misplaced, store failure | `InternalError` 500 | `InternalFailure` 500 | `InternalFailure` 500 | `InternalFailure` 500 |
/// | body over the limit | `EntityTooLarge` 400 | `RequestEntityTooLarge` 413 | `RequestEntityTooLargeException` 413 | `RequestEntityTooLargeException` 413 |
/// | body unreadable | `IncompleteBody` 400 | `IncompleteBody` 400 | `IncompleteBody` 400 | `IncompleteBody` 400 |
///
/// The `AccessDenied` message is AWS's:
/// `User: ARN is not authorized to perform: ACTION on resource: RESOURCE because …`
/// (S3 quotes the resource).
#[derive(Clone)]
pub struct AuthorizeError {
    inner: Box<ErrorInner>,
}

#[derive(Clone)]
struct ErrorInner {
    kind: AuthorizeErrorKind,
    protocol: ErrorProtocol,
    at: SystemTime,
    message: String,
    denied: Option<CheckDecision>,
    source: Option<PolicyStoreError>,
}

impl AuthorizeError {
    pub(crate) fn new(
        kind: AuthorizeErrorKind,
        protocol: ErrorProtocol,
        at: SystemTime,
        message: String,
    ) -> Self {
        AuthorizeError {
            inner: Box::new(ErrorInner {
                kind,
                protocol,
                at,
                message,
                denied: None,
                source: None,
            }),
        }
    }

    pub(crate) fn denied(
        protocol: ErrorProtocol,
        at: SystemTime,
        message: String,
        decision: CheckDecision,
    ) -> Self {
        let mut e = AuthorizeError::new(AuthorizeErrorKind::AccessDenied, protocol, at, message);
        e.inner.denied = Some(decision);
        e
    }

    pub(crate) fn store(protocol: ErrorProtocol, at: SystemTime, source: PolicyStoreError) -> Self {
        let mut e = AuthorizeError::new(
            AuthorizeErrorKind::PolicyStore,
            protocol,
            at,
            "The request processing has failed because of an unknown error.".to_owned(),
        );
        e.inner.source = Some(source);
        e
    }

    /// What went wrong.
    pub fn kind(&self) -> AuthorizeErrorKind {
        self.inner.kind
    }

    /// The protocol the error is rendered in.
    pub fn protocol(&self) -> ErrorProtocol {
        self.inner.protocol
    }

    /// The AWS error code in [`protocol`](Self::protocol).
    pub fn code(&self) -> &'static str {
        use crate::sigv4::Dialect;
        let d = self.inner.protocol.dialect();
        match (self.inner.kind, d) {
            (AuthorizeErrorKind::AccessDenied, Dialect::Json) => "AccessDeniedException",
            (AuthorizeErrorKind::AccessDenied, _) => "AccessDenied",
            (
                AuthorizeErrorKind::NotAuthenticated | AuthorizeErrorKind::PolicyStore,
                Dialect::S3,
            ) => "InternalError",
            (AuthorizeErrorKind::NotAuthenticated | AuthorizeErrorKind::PolicyStore, _) => {
                "InternalFailure"
            }
            (AuthorizeErrorKind::BodyTooLarge, Dialect::S3) => "EntityTooLarge",
            (AuthorizeErrorKind::BodyTooLarge, Dialect::Query) => "RequestEntityTooLarge",
            (AuthorizeErrorKind::BodyTooLarge, _) => "RequestEntityTooLargeException",
            (AuthorizeErrorKind::BodyRead, _) => "IncompleteBody",
        }
    }

    /// The HTTP status in [`protocol`](Self::protocol).
    pub fn status(&self) -> StatusCode {
        match (self.inner.kind, self.inner.protocol) {
            // AWS JSON 1.0/1.1 services (KMS, DynamoDB) answer client faults with 400.
            (
                AuthorizeErrorKind::AccessDenied,
                ErrorProtocol::AwsJson1_0 | ErrorProtocol::AwsJson1_1,
            ) => StatusCode::BAD_REQUEST,
            (AuthorizeErrorKind::AccessDenied, _) => StatusCode::FORBIDDEN,
            (AuthorizeErrorKind::NotAuthenticated | AuthorizeErrorKind::PolicyStore, _) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            (AuthorizeErrorKind::BodyTooLarge, ErrorProtocol::S3) => StatusCode::BAD_REQUEST,
            (AuthorizeErrorKind::BodyTooLarge, _) => StatusCode::PAYLOAD_TOO_LARGE,
            (AuthorizeErrorKind::BodyRead, _) => StatusCode::BAD_REQUEST,
        }
    }

    /// The message (AWS's `AccessDenied` wording for a denial).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// For [`AuthorizeErrorKind::AccessDenied`]: the check that was denied
    /// and the decision (the denying statement, or the missing allow).
    pub fn denied_check(&self) -> Option<&CheckDecision> {
        self.inner.denied.as_ref()
    }

    /// The error as AWS reports it.
    pub fn to_report(&self) -> ErrorReport {
        ErrorReport::new(
            self.status(),
            self.code(),
            Cow::Owned(self.inner.message.clone()),
        )
    }

    /// The response: the report in [`protocol`](Self::protocol), with a
    /// `Date` header and a request id.
    pub fn render(&self) -> Response<ErrorBody> {
        self.to_report().render(self.inner.protocol, self.inner.at)
    }
}

impl fmt::Debug for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizeError")
            .field("kind", &self.inner.kind)
            .field("protocol", &self.inner.protocol)
            .field("message", &self.inner.message)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl fmt::Display for AuthorizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.inner.message)
    }
}

impl std::error::Error for AuthorizeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// How the [`AuthorizeLayer`](super::AuthorizeLayer) builds contexts and
/// answers.
///
/// | setting | default |
/// |---|---|
/// | `aws:SecureTransport` ([`secure_transport`](Self::secure_transport)) | `false` ([`SecureTransport::Never`]) |
/// | `aws:SourceIp` ([`source_ip`](Self::source_ip)) | a `SocketAddr` in the extensions ([`SourceIp::from_extensions`]) |
/// | body read for [`RequestChecks`] ([`body_limit`](Self::body_limit)) | none: the body is not read |
/// | error protocol | that of the scope's service, as [`ServiceConfig::for_service`] maps it; the [`Anonymous`](crate::Anonymous) marker's for unsigned requests |
/// | error protocol of other services | [`ErrorProtocol::AwsJson1_1`] |
/// | clock (`aws:CurrentTime`, `aws:EpochTime`) | [`SystemClock`] |
///
/// ```
/// use std::time::Duration;
/// use tower_sigv4::authorize::{AuthorizeSettings, SecureTransport};
/// use tower_sigv4::response::ErrorProtocol;
///
/// let settings = AuthorizeSettings::default()
///     .with_secure_transport(SecureTransport::Always)
///     .with_body_limit(64 * 1024)
///     .with_error_protocol("webhook", ErrorProtocol::RestJson);
/// assert_eq!(settings.protocol_for("kms"), ErrorProtocol::AwsJson1_1);
/// assert_eq!(settings.protocol_for("s3"), ErrorProtocol::S3);
/// assert_eq!(settings.protocol_for("webhook"), ErrorProtocol::RestJson);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthorizeSettings {
    /// Where `aws:SecureTransport` comes from.
    pub secure_transport: SecureTransport,
    /// Where `aws:SourceIp` comes from.
    pub source_ip: SourceIp,
    /// When set, the body is read (up to this many bytes) and handed to
    /// [`RequestChecks`]; the inner service gets it back whole. Larger
    /// bodies are refused without reading the rest.
    pub body_limit: Option<usize>,
    /// The error protocol of services with neither a setting nor a built-in one.
    pub default_error_protocol: ErrorProtocol,
    protocols: Vec<(String, ErrorProtocol)>,
    clock: Arc<dyn Clock>,
}

impl Default for AuthorizeSettings {
    fn default() -> Self {
        AuthorizeSettings {
            secure_transport: SecureTransport::default(),
            source_ip: SourceIp::default(),
            body_limit: None,
            default_error_protocol: ErrorProtocol::AwsJson1_1,
            protocols: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl AuthorizeSettings {
    /// Sets [`secure_transport`](Self::secure_transport).
    pub fn with_secure_transport(mut self, secure: SecureTransport) -> Self {
        self.secure_transport = secure;
        self
    }

    /// Sets [`source_ip`](Self::source_ip).
    pub fn with_source_ip(mut self, source: SourceIp) -> Self {
        self.source_ip = source;
        self
    }

    /// Sets [`body_limit`](Self::body_limit).
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = Some(bytes);
        self
    }

    /// Answers requests scoped to `service` in `protocol` (use the same
    /// mapping as the [`SigV4Settings`](crate::SigV4Settings)).
    pub fn with_error_protocol(
        mut self,
        service: impl Into<String>,
        protocol: ErrorProtocol,
    ) -> Self {
        let service = service.into();
        self.protocols.retain(|(s, _)| *s != service);
        self.protocols.push((service, protocol));
        self
    }

    /// Sets [`default_error_protocol`](Self::default_error_protocol).
    pub fn with_default_error_protocol(mut self, protocol: ErrorProtocol) -> Self {
        self.default_error_protocol = protocol;
        self
    }

    /// Reads the time from `clock` (tests use [`ManualClock`](crate::identity::ManualClock)).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The error protocol of requests scoped to `service`.
    pub fn protocol_for(&self, service: &str) -> ErrorProtocol {
        self.protocols
            .iter()
            .find(|(s, _)| s == service)
            .map(|(_, p)| *p)
            .or_else(|| ServiceConfig::for_service(service).map(|c| c.error_protocol))
            .unwrap_or(self.default_error_protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_by_protocol() {
        let at = SystemTime::UNIX_EPOCH;
        let denied =
            |p| AuthorizeError::new(AuthorizeErrorKind::AccessDenied, p, at, String::new());
        for (p, code, status) in [
            (ErrorProtocol::S3, "AccessDenied", 403),
            (ErrorProtocol::STS, "AccessDenied", 403),
            (ErrorProtocol::AwsJson1_1, "AccessDeniedException", 400),
            (ErrorProtocol::AwsJson1_0, "AccessDeniedException", 400),
            (ErrorProtocol::RestJson, "AccessDeniedException", 403),
        ] {
            let e = denied(p);
            assert_eq!((e.code(), e.status().as_u16()), (code, status), "{p:?}");
        }
        let e = AuthorizeError::new(
            AuthorizeErrorKind::NotAuthenticated,
            ErrorProtocol::S3,
            at,
            "x".into(),
        );
        assert_eq!((e.code(), e.status().as_u16()), ("InternalError", 500));
        let e = AuthorizeError::new(
            AuthorizeErrorKind::BodyTooLarge,
            ErrorProtocol::AwsJson1_1,
            at,
            "x".into(),
        );
        assert_eq!(
            (e.code(), e.status().as_u16()),
            ("RequestEntityTooLargeException", 413)
        );
    }

    #[test]
    fn app_keys_then_context() {
        let check = Check::new("kms:Decrypt", "*")
            .with_key("kms:ViaService", "s3.us-east-1.amazonaws.com")
            .with_key_values("aws:TagKeys", ["a", "b"])
            .with_encryption_context([("Dept", "IT")]);
        let ctx = check
            .apply(crate::policy::RequestContext::builder(
                PrincipalInfo::anonymous(),
            ))
            .build();
        assert_eq!(
            ctx.value("kms:viaservice"),
            Some("s3.us-east-1.amazonaws.com")
        );
        assert_eq!(ctx.values("aws:TagKeys").unwrap().count(), 2);
        assert_eq!(ctx.value("kms:EncryptionContext:dept"), Some("IT"));
    }
}
