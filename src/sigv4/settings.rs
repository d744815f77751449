//! What a verifier accepts: clock skew, presigned expiry, the signed-header
//! rules, size limits, and the per-service canonicalization rules.
//!
//! The names follow the `aws-sigv4` crate where the concept is the same
//! ([`UriPathNormalizationMode`], [`PercentEncodingMode`], [`SessionTokenMode`]).

use std::time::Duration;

/// Whether the canonical URI is built from a normalized path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UriPathNormalizationMode {
    /// Remove `.` and `..` segments and repeated slashes (RFC 3986 5.2.4, as
    /// every AWS service but S3 does). A trailing slash stays.
    Enabled,
    /// Use the path as sent: `//`, `.` and `..` stay (S3).
    Disabled,
}

/// How the path is percent-encoded into the canonical URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PercentEncodingMode {
    /// Encode the path as it came on the wire, so that its `%` become `%25`
    /// (every AWS service but S3; what botocore and `aws-sigv4` sign).
    Double,
    /// Decode the wire path, then encode every byte once (S3). `%2F` inside a
    /// segment stays `%2F`.
    Single,
}

/// How the canonical URI is made from the path on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UriPathRule {
    /// Normalize the path first, or not.
    pub normalization: UriPathNormalizationMode,
    /// Encode once (after decoding) or twice.
    pub encoding: PercentEncodingMode,
}

impl UriPathRule {
    /// S3's rule: no normalization, decode then encode once.
    pub const S3: UriPathRule = UriPathRule {
        normalization: UriPathNormalizationMode::Disabled,
        encoding: PercentEncodingMode::Single,
    };
    /// The rule of every other AWS service: normalize, then encode the wire path again.
    pub const DEFAULT: UriPathRule = UriPathRule {
        normalization: UriPathNormalizationMode::Enabled,
        encoding: PercentEncodingMode::Double,
    };

    /// A rule from its two parts.
    pub const fn new(
        normalization: UriPathNormalizationMode,
        encoding: PercentEncodingMode,
    ) -> Self {
        UriPathRule {
            normalization,
            encoding,
        }
    }
}

impl Default for UriPathRule {
    fn default() -> Self {
        UriPathRule::DEFAULT
    }
}

/// What the payload line of a presigned request holds when the URL carries
/// no `X-Amz-Content-Sha256` parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PresignedPayload {
    /// `UNSIGNED-PAYLOAD` (S3: a presigned URL says nothing about the body).
    Unsigned,
    /// The hex SHA-256 of the body, which the caller supplies (every other
    /// service; an STS `GetCallerIdentity` URL signs the hash of the empty body).
    BodyHash,
}

/// Whether the session token is part of what is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// The token is signed: an `x-amz-security-token` header must be among
    /// the signed headers, and `X-Amz-Security-Token` is in the canonical query.
    Include,
    /// The token is added after signing (some services, for example AWS IoT
    /// presigned WebSocket URLs): the header may be unsigned and the query
    /// parameter is left out of the canonical query.
    Exclude,
}

/// The canonicalization rules of one service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServiceRules {
    /// How the canonical URI is built.
    pub path: UriPathRule,
    /// The payload line of presigned requests without `X-Amz-Content-Sha256`.
    pub presigned_payload: PresignedPayload,
    /// Header-signed requests must carry `x-amz-content-sha256` (S3).
    pub require_content_sha256: bool,
    /// Whether the session token is signed.
    pub session_token: SessionTokenMode,
}

impl ServiceRules {
    /// S3's rules.
    pub const S3: ServiceRules = ServiceRules {
        path: UriPathRule::S3,
        presigned_payload: PresignedPayload::Unsigned,
        require_content_sha256: true,
        session_token: SessionTokenMode::Include,
    };
    /// The rules of every other service.
    pub const DEFAULT: ServiceRules = ServiceRules {
        path: UriPathRule::DEFAULT,
        presigned_payload: PresignedPayload::BodyHash,
        require_content_sha256: false,
        session_token: SessionTokenMode::Include,
    };

    /// With another path rule.
    pub fn with_path(mut self, path: UriPathRule) -> Self {
        self.path = path;
        self
    }

    /// With another presigned payload default.
    pub fn with_presigned_payload(mut self, p: PresignedPayload) -> Self {
        self.presigned_payload = p;
        self
    }

    /// Requiring `x-amz-content-sha256` on header-signed requests, or not.
    pub fn with_require_content_sha256(mut self, require: bool) -> Self {
        self.require_content_sha256 = require;
        self
    }

    /// With another session-token mode.
    pub fn with_session_token(mut self, mode: SessionTokenMode) -> Self {
        self.session_token = mode;
        self
    }
}

impl Default for ServiceRules {
    fn default() -> Self {
        ServiceRules::DEFAULT
    }
}

/// Bounds on every size read from the wire. Over a bound, the request fails
/// with [`ErrorKind::TooLarge`](super::ErrorKind::TooLarge) before anything
/// of that size is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Length of the `Authorization` header value. Default 16 KiB.
    pub max_authorization_len: usize,
    /// Number of signed headers. Default 128.
    pub max_signed_headers: usize,
    /// Number of query parameters. Default 1000.
    pub max_query_params: usize,
    /// Length of one signed header's value (all its lines together). Default 16 KiB.
    pub max_header_value_len: usize,
    /// Length of the session token (as sent). Default 16 KiB; STS tokens are a few KB.
    pub max_security_token_len: usize,
    /// Length of the path plus the query. Default 64 KiB.
    pub max_uri_len: usize,
}

impl Limits {
    /// The documented defaults.
    pub const DEFAULT: Limits = Limits {
        max_authorization_len: 16 * 1024,
        max_signed_headers: 128,
        max_query_params: 1000,
        max_header_value_len: 16 * 1024,
        max_security_token_len: 16 * 1024,
        max_uri_len: 64 * 1024,
    };

    /// With another Authorization length bound.
    pub fn with_max_authorization_len(mut self, n: usize) -> Self {
        self.max_authorization_len = n;
        self
    }
    /// With another signed-header count bound.
    pub fn with_max_signed_headers(mut self, n: usize) -> Self {
        self.max_signed_headers = n;
        self
    }
    /// With another query-parameter count bound.
    pub fn with_max_query_params(mut self, n: usize) -> Self {
        self.max_query_params = n;
        self
    }
    /// With another header-value length bound.
    pub fn with_max_header_value_len(mut self, n: usize) -> Self {
        self.max_header_value_len = n;
        self
    }
    /// With another token length bound.
    pub fn with_max_security_token_len(mut self, n: usize) -> Self {
        self.max_security_token_len = n;
        self
    }
    /// With another URI length bound.
    pub fn with_max_uri_len(mut self, n: usize) -> Self {
        self.max_uri_len = n;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Everything the protocol core needs to know to accept or refuse a request.
///
/// ```
/// use std::time::Duration;
/// use tower_sigv4::sigv4::{ServiceRules, VerifySettings};
///
/// let settings = VerifySettings::default()
///     .with_region("eu-west-1")
///     .with_service("s3")
///     .with_max_clock_skew(Duration::from_secs(5 * 60))
///     // A webhook receiver signed like any non-S3 service.
///     .with_service_rules("webhook", ServiceRules::DEFAULT);
/// assert_eq!(settings.rules_for("s3"), ServiceRules::S3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifySettings {
    /// Largest accepted difference between the request time and `now`. Default 15 minutes.
    pub max_clock_skew: Duration,
    /// Largest accepted `X-Amz-Expires`. Default 604800 s (7 days), AWS's maximum.
    pub max_presigned_expiry: Duration,
    /// Every `x-amz-*` header present must be signed (`x-amzn-*` is not
    /// `x-amz-`). Default on, as in S3.
    pub require_signed_amz_headers: bool,
    /// Size bounds.
    pub limits: Limits,
    regions: Vec<String>,
    services: Vec<String>,
    service_rules: Vec<(String, ServiceRules)>,
}

/// The services whose requests follow S3's canonicalization rules unless a
/// setting says otherwise.
const S3_LIKE: [&str; 4] = ["s3", "s3-object-lambda", "s3-outposts", "s3express"];

impl Default for VerifySettings {
    fn default() -> Self {
        VerifySettings {
            max_clock_skew: Duration::from_secs(15 * 60),
            max_presigned_expiry: Duration::from_secs(604_800),
            require_signed_amz_headers: true,
            limits: Limits::DEFAULT,
            regions: Vec::new(),
            services: Vec::new(),
            service_rules: Vec::new(),
        }
    }
}

impl VerifySettings {
    /// Accepts credential scopes for `region` too. With no region added, any
    /// region is accepted; the first one added is named in `WrongRegion` errors.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.regions.push(region.into());
        self
    }

    /// Accepts credential scopes for `service` too. With no service added,
    /// any service is accepted.
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.services.push(service.into());
        self
    }

    /// Uses `rules` for requests scoped to `service` (overrides the default:
    /// S3 rules for `s3`, the general rules for everything else).
    pub fn with_service_rules(mut self, service: impl Into<String>, rules: ServiceRules) -> Self {
        let service = service.into();
        self.service_rules.retain(|(s, _)| *s != service);
        self.service_rules.push((service, rules));
        self
    }

    /// With another clock-skew bound.
    pub fn with_max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// With another presigned-expiry bound (values above 7 days have no effect:
    /// `X-Amz-Expires` over 604800 is always refused).
    pub fn with_max_presigned_expiry(mut self, expiry: Duration) -> Self {
        self.max_presigned_expiry = expiry;
        self
    }

    /// Requiring every `x-amz-*` header to be signed, or not.
    pub fn with_require_signed_amz_headers(mut self, require: bool) -> Self {
        self.require_signed_amz_headers = require;
        self
    }

    /// With other size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The accepted regions (empty: any).
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// The accepted services (empty: any).
    pub fn services(&self) -> &[String] {
        &self.services
    }

    /// The canonicalization rules of `service`.
    pub fn rules_for(&self, service: &str) -> ServiceRules {
        if let Some((_, r)) = self.service_rules.iter().find(|(s, _)| s == service) {
            return *r;
        }
        if S3_LIKE.contains(&service) {
            ServiceRules::S3
        } else {
            ServiceRules::DEFAULT
        }
    }
}
