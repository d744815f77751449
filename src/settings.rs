//! What [`SigV4Layer`](crate::SigV4Layer) and [`Verifier`](crate::Verifier)
//! accept, and how they answer.
//!
//! [`SigV4Settings`] gathers the protocol settings of the core
//! ([`VerifySettings`]: regions, services, clock skew, presigned expiry, size
//! limits) with those of the tower shell: the per-service [`ServiceConfig`]
//! (path rule, `UNSIGNED-PAYLOAD`, error protocol), the buffered-body cap, the
//! `aws-chunked` chunk-size cap, what to do with unsigned requests, whether S3
//! `SignatureDoesNotMatch` errors carry the string to sign, the clock and the
//! error renderer.
//!
//! | setting | default |
//! |---|---|
//! | accepted regions ([`with_region`](SigV4Settings::with_region)) | any |
//! | accepted services ([`with_service`](SigV4Settings::with_service)) | any, each with [`ServiceConfig::for_service`] |
//! | clock skew | ±15 minutes |
//! | presigned expiry cap | 7 days (AWS's maximum) |
//! | buffered body (requests that sign no payload hash) | 1 MiB |
//! | `aws-chunked` chunk size | 64 MiB |
//! | unsigned requests | rejected ([`UnsignedRequests::Reject`]) |
//! | S3 `SignatureDoesNotMatch` details | included, as S3 does |
//! | error protocol of services without a built-in one | [`ErrorProtocol::AwsJson1_1`] |
//! | error protocol of requests that name no service ([`with_fallback_service`](SigV4Settings::with_fallback_service), [`with_protocol_hint`](SigV4Settings::with_protocol_hint)) | the first service's |
//! | clock | [`SystemClock`] |
//! | size limits of the signature itself | [`Limits::DEFAULT`] |
//!
//! ```
//! use std::time::Duration;
//! use tower_sigv4::response::ErrorProtocol;
//! use tower_sigv4::settings::{ServiceConfig, SigV4Settings, UnsignedRequests};
//!
//! let settings = SigV4Settings::default()
//!     .with_region("us-east-1")
//!     .with_service("s3")
//!     .with_service("sts")
//!     // A webhook signed like any non-S3 service, answering in REST-JSON.
//!     .with_service_config("webhook", ServiceConfig::new(ErrorProtocol::RestJson))
//!     .with_max_clock_skew(Duration::from_secs(5 * 60))
//!     .with_max_buffered_body(256 * 1024)
//!     .with_unsigned_requests(UnsignedRequests::Anonymous);
//! assert_eq!(settings.service_config("sts").error_protocol, ErrorProtocol::STS);
//! assert!(settings.service_config("s3").unsigned_payload);
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;

use crate::error::{DefaultErrorResponse, MakeErrorResponse};
use crate::identity::{Clock, SystemClock};
use crate::response::ErrorProtocol;
use crate::sigv4::{Limits, ServiceRules, UriPathRule, VerifySettings};

/// What the layer does with a request that carries no signature at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum UnsignedRequests {
    /// Answer as AWS does: S3 `AccessDenied` (403), `MissingAuthenticationToken`
    /// in the other protocols.
    #[default]
    Reject,
    /// Pass the request on with an [`Anonymous`](crate::Anonymous) marker in
    /// its extensions instead of an [`Authenticated`](crate::Authenticated):
    /// the application decides (for example public S3 objects).
    Anonymous,
}

/// How one service's requests are canonicalized, which payload modes it
/// takes and how it reports errors.
///
/// ```
/// use tower_sigv4::response::ErrorProtocol;
/// use tower_sigv4::settings::ServiceConfig;
/// use tower_sigv4::sigv4::UriPathRule;
///
/// // An S3-compatible service under its own name: S3's path rule and errors.
/// let config = ServiceConfig::s3().with_error_protocol(ErrorProtocol::S3);
/// assert_eq!(config.rules.path, UriPathRule::S3);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServiceConfig {
    /// The canonicalization rules (path rule, presigned payload line,
    /// `x-amz-content-sha256` requirement, session-token mode).
    pub rules: ServiceRules,
    /// Whether `x-amz-content-sha256: UNSIGNED-PAYLOAD` is accepted (S3 only,
    /// by default).
    pub unsigned_payload: bool,
    /// The protocol errors are rendered in.
    pub error_protocol: ErrorProtocol,
}

/// The services whose requests follow S3's rules.
const S3_LIKE: [&str; 4] = ["s3", "s3-object-lambda", "s3-outposts", "s3express"];

impl ServiceConfig {
    /// A non-S3 service answering in `error_protocol`: the general path rule,
    /// no `UNSIGNED-PAYLOAD`.
    pub const fn new(error_protocol: ErrorProtocol) -> Self {
        ServiceConfig {
            rules: ServiceRules::DEFAULT,
            unsigned_payload: false,
            error_protocol,
        }
    }

    /// Amazon S3: S3's path rule, `UNSIGNED-PAYLOAD` accepted, S3 errors.
    pub const fn s3() -> Self {
        ServiceConfig {
            rules: ServiceRules::S3,
            unsigned_payload: true,
            error_protocol: ErrorProtocol::S3,
        }
    }

    /// AWS STS: the Query protocol with STS's namespace.
    pub const fn sts() -> Self {
        ServiceConfig::new(ErrorProtocol::STS)
    }

    /// AWS KMS: AWS JSON 1.1.
    pub const fn kms() -> Self {
        ServiceConfig::new(ErrorProtocol::AwsJson1_1)
    }

    /// The built-in configuration of a known AWS service name: `s3` (and
    /// `s3-object-lambda`, `s3-outposts`, `s3express`), `sts`, `iam`, `kms`,
    /// `dynamodb`. `None` for other names.
    pub fn for_service(service: &str) -> Option<Self> {
        Some(match service {
            s if S3_LIKE.contains(&s) => ServiceConfig::s3(),
            "sts" => ServiceConfig::sts(),
            "iam" => ServiceConfig::new(ErrorProtocol::Query {
                xmlns: Some("https://iam.amazonaws.com/doc/2010-05-08/"),
            }),
            "kms" => ServiceConfig::kms(),
            "dynamodb" => ServiceConfig::new(ErrorProtocol::AwsJson1_0),
            _ => return None,
        })
    }

    /// With other canonicalization rules.
    pub fn with_rules(mut self, rules: ServiceRules) -> Self {
        self.rules = rules;
        self
    }

    /// With another path rule.
    pub fn with_path_rule(mut self, path: UriPathRule) -> Self {
        self.rules = self.rules.with_path(path);
        self
    }

    /// Accepting `UNSIGNED-PAYLOAD`, or not.
    pub fn with_unsigned_payload(mut self, allowed: bool) -> Self {
        self.unsigned_payload = allowed;
        self
    }

    /// With another error protocol.
    pub fn with_error_protocol(mut self, protocol: ErrorProtocol) -> Self {
        self.error_protocol = protocol;
        self
    }
}

/// Everything [`SigV4Layer`](crate::SigV4Layer) and
/// [`Verifier`](crate::Verifier) are configured with. See the
/// [module docs](self) for the defaults.
#[derive(Clone)]
#[non_exhaustive]
pub struct SigV4Settings {
    /// Largest body read into memory for requests that sign no payload hash
    /// (KMS-, STS-style services hash the body into the signature). Over it,
    /// an error without reading the rest. Default 1 MiB.
    pub max_buffered_body: usize,
    /// Largest `aws-chunked` chunk accepted; a signed chunk is held whole
    /// until its signature verifies. Default 64 MiB (Go SDKs send chunks
    /// over 16 MiB).
    pub max_chunk_size: u64,
    /// What to do with unsigned requests. Default [`UnsignedRequests::Reject`].
    pub unsigned_requests: UnsignedRequests,
    /// Whether S3 `SignatureDoesNotMatch` errors carry `StringToSign`,
    /// `CanonicalRequest` and their byte forms, as Amazon S3's do. Default
    /// `true`. Neither holds a secret: the client can compute both.
    pub signature_mismatch_details: bool,
    /// The error protocol of services with neither a configuration nor a
    /// built-in one ([`ServiceConfig::for_service`]). Default
    /// [`ErrorProtocol::AwsJson1_1`].
    pub default_error_protocol: ErrorProtocol,
    core: VerifySettings,
    services: Vec<(String, ServiceConfig)>,
    fallback_service: Option<String>,
    protocol_hint: Option<ProtocolHint>,
    clock: Arc<dyn Clock>,
    error_response: Arc<dyn MakeErrorResponse>,
}

/// Guesses the error protocol of a request that names no service.
type ProtocolHint = Arc<dyn Fn(&Parts) -> Option<ErrorProtocol> + Send + Sync>;

impl Default for SigV4Settings {
    fn default() -> Self {
        SigV4Settings {
            max_buffered_body: 1 << 20,
            max_chunk_size: 64 << 20,
            unsigned_requests: UnsignedRequests::Reject,
            signature_mismatch_details: true,
            default_error_protocol: ErrorProtocol::AwsJson1_1,
            core: VerifySettings::default(),
            services: Vec::new(),
            fallback_service: None,
            protocol_hint: None,
            clock: Arc::new(SystemClock),
            error_response: Arc::new(DefaultErrorResponse),
        }
    }
}

impl SigV4Settings {
    /// Accepts credential scopes for `region` too. With no region added, any
    /// region is accepted; the first one added is named in `WrongRegion`
    /// errors (S3's `<Region>`).
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.core = self.core.with_region(region);
        self
    }

    /// Accepts requests scoped to `service`, with its built-in configuration
    /// ([`ServiceConfig::for_service`]) or, for other names, the general rules
    /// and [`default_error_protocol`](Self::default_error_protocol). With no
    /// service added, any service is accepted.
    pub fn with_service(self, service: impl Into<String>) -> Self {
        let service = service.into();
        let config = self.builtin_config(&service);
        self.with_service_config(service, config)
    }

    /// Accepts requests scoped to `service`, configured by `config`.
    pub fn with_service_config(
        mut self,
        service: impl Into<String>,
        config: ServiceConfig,
    ) -> Self {
        let service = service.into();
        if !self.core.services().contains(&service) {
            self.core = self.core.with_service(service.clone());
        }
        self.core = self.core.with_service_rules(service.clone(), config.rules);
        self.services.retain(|(s, _)| *s != service);
        self.services.push((service, config));
        self
    }

    /// The service whose error protocol is used when a request names none
    /// (it is unsigned, or its signature does not parse), or names one this
    /// endpoint does not serve. Default: the first service added, or
    /// [`default_error_protocol`](Self::default_error_protocol) when none is.
    pub fn with_fallback_service(mut self, service: impl Into<String>) -> Self {
        self.fallback_service = Some(service.into());
        self
    }

    /// Guesses, from the request, the error protocol of a request that names
    /// no service this endpoint serves (unsigned, or with a signature that
    /// does not parse); `None` falls back to
    /// [`with_fallback_service`](Self::with_fallback_service). For an endpoint
    /// serving S3 and STS on one port, a form `POST` is STS:
    ///
    /// ```
    /// use tower_sigv4::response::ErrorProtocol;
    /// use tower_sigv4::settings::SigV4Settings;
    ///
    /// let settings = SigV4Settings::default()
    ///     .with_service("s3")
    ///     .with_service("sts")
    ///     .with_protocol_hint(|parts| {
    ///         let form = parts.headers.get("content-type").is_some_and(|v| {
    ///             v.as_bytes().starts_with(b"application/x-www-form-urlencoded")
    ///         });
    ///         (parts.method == http::Method::POST && form).then_some(ErrorProtocol::STS)
    ///     });
    /// let (sts, _) = http::Request::post("/")
    ///     .header("content-type", "application/x-www-form-urlencoded")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// assert_eq!(settings.fallback_protocol_for(&sts), ErrorProtocol::STS);
    /// let (s3, _) = http::Request::get("/bucket/key").body(()).unwrap().into_parts();
    /// assert_eq!(settings.fallback_protocol_for(&s3), ErrorProtocol::S3);
    /// ```
    pub fn with_protocol_hint(
        mut self,
        hint: impl Fn(&Parts) -> Option<ErrorProtocol> + Send + Sync + 'static,
    ) -> Self {
        self.protocol_hint = Some(Arc::new(hint));
        self
    }

    /// With another clock-skew bound (default 15 minutes).
    pub fn with_max_clock_skew(mut self, skew: Duration) -> Self {
        self.core = self.core.with_max_clock_skew(skew);
        self
    }

    /// With another cap on `X-Amz-Expires` (default 7 days, AWS's maximum).
    pub fn with_max_presigned_expiry(mut self, expiry: Duration) -> Self {
        self.core = self.core.with_max_presigned_expiry(expiry);
        self
    }

    /// Requiring every `x-amz-*` header to be signed (default), or not.
    pub fn with_require_signed_amz_headers(mut self, require: bool) -> Self {
        self.core = self.core.with_require_signed_amz_headers(require);
        self
    }

    /// With other size limits on the signature's own fields.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.core = self.core.with_limits(limits);
        self
    }

    /// Sets [`max_buffered_body`](Self::max_buffered_body).
    pub fn with_max_buffered_body(mut self, bytes: usize) -> Self {
        self.max_buffered_body = bytes;
        self
    }

    /// Sets [`max_chunk_size`](Self::max_chunk_size).
    pub fn with_max_chunk_size(mut self, bytes: u64) -> Self {
        self.max_chunk_size = bytes;
        self
    }

    /// Sets [`unsigned_requests`](Self::unsigned_requests).
    pub fn with_unsigned_requests(mut self, unsigned: UnsignedRequests) -> Self {
        self.unsigned_requests = unsigned;
        self
    }

    /// Sets [`signature_mismatch_details`](Self::signature_mismatch_details).
    pub fn with_signature_mismatch_details(mut self, include: bool) -> Self {
        self.signature_mismatch_details = include;
        self
    }

    /// Sets [`default_error_protocol`](Self::default_error_protocol).
    pub fn with_default_error_protocol(mut self, protocol: ErrorProtocol) -> Self {
        self.default_error_protocol = protocol;
        self
    }

    /// Reads the time from `clock` (default: the system clock). Tests use
    /// [`ManualClock`](crate::identity::ManualClock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Renders authentication failures with `renderer` instead of
    /// [`DefaultErrorResponse`]; a closure `Fn(&AuthError) -> Response<ErrorBody>`
    /// will do.
    pub fn with_error_response(mut self, renderer: impl MakeErrorResponse) -> Self {
        self.error_response = Arc::new(renderer);
        self
    }

    /// The settings of the protocol core.
    pub fn verify_settings(&self) -> &VerifySettings {
        &self.core
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The error renderer.
    pub fn error_response(&self) -> &Arc<dyn MakeErrorResponse> {
        &self.error_response
    }

    /// The configuration that applies to requests scoped to `service`: the
    /// one added with [`with_service_config`](Self::with_service_config), else
    /// the built-in one, else the general rules with
    /// [`default_error_protocol`](Self::default_error_protocol).
    pub fn service_config(&self, service: &str) -> ServiceConfig {
        match self.services.iter().find(|(s, _)| s == service) {
            Some((_, c)) => *c,
            None => self.builtin_config(service),
        }
    }

    fn builtin_config(&self, service: &str) -> ServiceConfig {
        ServiceConfig::for_service(service).unwrap_or_else(|| {
            ServiceConfig::new(self.default_error_protocol).with_rules(self.core.rules_for(service))
        })
    }

    /// Whether requests scoped to `service` are accepted.
    pub fn accepts_service(&self, service: &str) -> bool {
        let accepted = self.core.services();
        accepted.is_empty() || accepted.iter().any(|s| s == service)
    }

    /// The protocol of errors about requests that name no (accepted) service.
    pub fn fallback_protocol(&self) -> ErrorProtocol {
        if let Some(service) = &self.fallback_service {
            return self.service_config(service).error_protocol;
        }
        match self.services.first() {
            Some((_, c)) => c.error_protocol,
            None => self.default_error_protocol,
        }
    }

    /// The protocol of errors about `request` when it names no (accepted)
    /// service: the [protocol hint](Self::with_protocol_hint)'s guess, else
    /// [`fallback_protocol`](Self::fallback_protocol).
    pub fn fallback_protocol_for(&self, request: &Parts) -> ErrorProtocol {
        self.protocol_hint
            .as_ref()
            .and_then(|hint| hint(request))
            .unwrap_or_else(|| self.fallback_protocol())
    }

    /// The protocol of errors about a request scoped to `service`.
    pub fn protocol_for(&self, service: &str) -> ErrorProtocol {
        if self.accepts_service(service) {
            self.service_config(service).error_protocol
        } else {
            self.fallback_protocol()
        }
    }
}

impl fmt::Debug for SigV4Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Settings")
            .field("max_buffered_body", &self.max_buffered_body)
            .field("max_chunk_size", &self.max_chunk_size)
            .field("unsigned_requests", &self.unsigned_requests)
            .field(
                "signature_mismatch_details",
                &self.signature_mismatch_details,
            )
            .field("default_error_protocol", &self.default_error_protocol)
            .field("core", &self.core)
            .field("services", &self.services)
            .field("fallback_service", &self.fallback_service)
            .field("protocol_hint", &self.protocol_hint.is_some())
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::PresignedPayload;

    #[test]
    fn builtin_services_get_their_protocols() {
        let s = SigV4Settings::default();
        assert_eq!(s.service_config("s3").error_protocol, ErrorProtocol::S3);
        assert_eq!(s.service_config("s3").rules, ServiceRules::S3);
        assert!(s.service_config("s3").unsigned_payload);
        assert_eq!(s.service_config("sts").error_protocol, ErrorProtocol::STS);
        assert_eq!(
            s.service_config("kms").error_protocol,
            ErrorProtocol::AwsJson1_1
        );
        assert!(!s.service_config("kms").unsigned_payload);
        let other = s.service_config("webhook");
        assert_eq!(other.error_protocol, ErrorProtocol::AwsJson1_1);
        assert_eq!(other.rules, ServiceRules::DEFAULT);
    }

    #[test]
    fn service_config_reaches_the_core() {
        let rules = ServiceRules::DEFAULT.with_presigned_payload(PresignedPayload::Unsigned);
        let s = SigV4Settings::default()
            .with_service_config(
                "webhook",
                ServiceConfig::new(ErrorProtocol::RestJson).with_rules(rules),
            )
            .with_service("s3");
        assert_eq!(s.verify_settings().rules_for("webhook"), rules);
        assert_eq!(s.verify_settings().services(), ["webhook", "s3"]);
        assert!(s.accepts_service("s3"));
        assert!(!s.accepts_service("kms"));
        assert_eq!(s.protocol_for("kms"), ErrorProtocol::RestJson);
        assert_eq!(s.protocol_for("s3"), ErrorProtocol::S3);
        let s = s.with_fallback_service("s3");
        assert_eq!(s.fallback_protocol(), ErrorProtocol::S3);
    }

    #[test]
    fn reconfiguring_a_service_replaces_it() {
        let s = SigV4Settings::default()
            .with_service("s3")
            .with_service_config("s3", ServiceConfig::s3().with_unsigned_payload(false));
        assert!(!s.service_config("s3").unsigned_payload);
        assert_eq!(s.verify_settings().services(), ["s3"]);
    }
}
