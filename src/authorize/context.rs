//! The request context of issue 8, item 6: the condition keys AWS derives
//! from the authenticated caller and the connection.
//!
//! | key | from |
//! |---|---|
//! | `aws:PrincipalArn` | the caller's ARN; the role ARN (with its path) for a role session |
//! | `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`, `aws:username` | the [`Principal`] |
//! | `aws:PrincipalTag/*` | the [`PolicyStore`](super::PolicyStore) ([`PrincipalPolicies::tags`](super::PrincipalPolicies::tags)) |
//! | `aws:SourceIp` | [`SourceIp`]: by default a [`SocketAddr`] (or [`IpAddr`]) in the request extensions |
//! | `aws:SecureTransport` | [`SecureTransport`]: a setting, `false` by default |
//! | `aws:CurrentTime`, `aws:EpochTime` | the settings' clock |
//! | `aws:RequestedRegion` | the region of the credential scope |
//! | `aws:TokenIssueTime`, `aws:MultiFactorAuthPresent` | temporary credentials only: when they were issued, and [`PrincipalPolicies::multi_factor_auth`](super::PrincipalPolicies::multi_factor_auth) |
//!
//! # Getting the peer address in
//!
//! hyper hands the peer address to the accept loop, not to the request, so
//! the application puts it in the extensions. With hyper-util, per connection:
//!
//! ```
//! use std::net::SocketAddr;
//! use tower::ServiceBuilder;
//!
//! fn per_connection<S>(peer: SocketAddr, service: S) -> impl Clone
//! where
//!     S: Clone,
//! {
//!     ServiceBuilder::new()
//!         .map_request(move |mut req: http::Request<hyper::body::Incoming>| {
//!             req.extensions_mut().insert(peer);
//!             req
//!         })
//!         .service(service)
//! }
//! # let _ = per_connection::<()>;
//! ```
//!
//! With axum, `into_make_service_with_connect_info::<SocketAddr>()` puts a
//! `ConnectInfo<SocketAddr>` in the extensions; read it with
//! [`SourceIp::from_fn`]:
//!
//! ```
//! use std::net::SocketAddr;
//! use axum::extract::ConnectInfo;
//! use tower_sigv4::authorize::{AuthorizeSettings, SourceIp};
//!
//! let settings = AuthorizeSettings::default().with_source_ip(SourceIp::from_fn(|parts| {
//!     parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
//! }));
//! # let _ = settings;
//! ```
//!
//! Behind a trusted proxy the same closure can read `X-Forwarded-For`; the
//! layer never trusts that header on its own.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::SystemTime;

use http::request::Parts;

use crate::identity::Principal;
use crate::policy::{PrincipalInfo, RequestContextBuilder};
use crate::Authenticated;

/// `PrincipalInfo` of an authenticated caller: the root user, an IAM user
/// (with its unique id), a role session (with the role's ARN and path, and
/// `ROLEID:session` as `aws:userid`) or a federated user.
///
/// ```
/// use tower_sigv4::identity::Principal;
/// use tower_sigv4::policy::{PrincipalInfo, PrincipalKind};
///
/// let session: Principal = "arn:aws:sts::111122223333:assumed-role/demo-role/s1".parse().unwrap();
/// let info = PrincipalInfo::from(&session);
/// assert_eq!(info.kind(), PrincipalKind::AssumedRole);
/// assert_eq!(info.principal_arn(), "arn:aws:iam::111122223333:role/demo-role");
/// assert_eq!(info.user_id(), Some(session.user_id()));
/// ```
impl From<&Principal> for PrincipalInfo {
    fn from(principal: &Principal) -> Self {
        let converted = match principal {
            Principal::Root(p) => PrincipalInfo::root(p.partition().as_str(), p.account().as_str()),
            Principal::User(p) => PrincipalInfo::user(p.arn(), p.unique_id()),
            Principal::AssumedRole(p) => {
                PrincipalInfo::assumed_role(p.role().arn(), p.session_name(), p.role().role_id())
            }
            Principal::FederatedUser(p) => PrincipalInfo::federated_user(
                p.partition().as_str(),
                p.account().as_str(),
                p.name(),
            ),
        };
        // Identity's principals are validated when built, so this cannot
        // fail; should the two ever disagree, the caller is evaluated as
        // anonymous (fewer permissions, never more).
        converted.unwrap_or_else(|_| PrincipalInfo::anonymous())
    }
}

/// Reads the caller's address from a request head.
type ReadIp = Arc<dyn Fn(&Parts) -> Option<IpAddr> + Send + Sync>;

/// Where `aws:SourceIp` comes from.
#[derive(Clone, Default)]
pub struct SourceIp {
    read: Option<ReadIp>,
}

impl SourceIp {
    /// The default: a [`SocketAddr`] in the request extensions (its IP), else
    /// an [`IpAddr`]; with neither, `aws:SourceIp` is absent (so `IpAddress`
    /// conditions fail and `NotIpAddress` ones match, as in AWS for calls
    /// made by a service on the caller's behalf).
    pub fn from_extensions() -> Self {
        SourceIp::default()
    }

    /// Reads the address with `f`, for example axum's `ConnectInfo` or a
    /// trusted proxy's `X-Forwarded-For`.
    pub fn from_fn(f: impl Fn(&Parts) -> Option<IpAddr> + Send + Sync + 'static) -> Self {
        SourceIp {
            read: Some(Arc::new(f)),
        }
    }

    pub(crate) fn read(&self, parts: &Parts) -> Option<IpAddr> {
        match &self.read {
            Some(f) => f(parts),
            None => parts
                .extensions
                .get::<SocketAddr>()
                .map(SocketAddr::ip)
                .or_else(|| parts.extensions.get::<IpAddr>().copied()),
        }
    }
}

impl fmt::Debug for SourceIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.read.is_some() {
            "SourceIp::from_fn(..)"
        } else {
            "SourceIp::from_extensions()"
        })
    }
}

/// Where `aws:SecureTransport` comes from: the server's own knowledge of
/// its listener.
///
/// Nothing in a request can say it: the URI a server sees is origin-form
/// (`/path`), and the scheme of an absolute-form URI or of HTTP/2's
/// `:scheme` is whatever the client wrote, so believing it would let a
/// plain-HTTP client pass `"Bool": {"aws:SecureTransport": "false"}` denies.
/// A server that terminates TLS says [`SecureTransport::Always`]; one with a
/// TLS and a plain listener gives each its own layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SecureTransport {
    /// No request came over TLS (the default: a deny of plain HTTP applies
    /// unless the server says otherwise).
    #[default]
    Never,
    /// Every request came over TLS.
    Always,
}

impl SecureTransport {
    pub(crate) fn read(self) -> bool {
        self == SecureTransport::Always
    }
}

/// The keys the layer derives, gathered once per request and applied to
/// each check after the application's own keys (so an application key
/// cannot pose as one of them).
#[derive(Debug, Clone)]
pub(crate) struct GlobalKeys {
    source_ip: Option<IpAddr>,
    secure: bool,
    now: SystemTime,
    region: Option<String>,
    issued: Option<SystemTime>,
    mfa: Option<bool>,
}

impl GlobalKeys {
    pub(crate) fn gather(
        parts: &Parts,
        caller: Option<&Authenticated>,
        source_ip: &SourceIp,
        secure: SecureTransport,
        now: SystemTime,
        mfa: bool,
    ) -> Self {
        let temporary = caller.is_some_and(Authenticated::is_temporary);
        GlobalKeys {
            source_ip: source_ip.read(parts),
            secure: secure.read(),
            now,
            region: caller.map(|c| c.region().to_owned()),
            issued: caller.and_then(Authenticated::session_issued_at),
            mfa: temporary.then_some(mfa),
        }
    }

    pub(crate) fn apply(&self, mut b: RequestContextBuilder) -> RequestContextBuilder {
        if let Some(ip) = self.source_ip {
            b = b.source_ip(ip);
        }
        b = b.secure_transport(self.secure).current_time(self.now);
        if let Some(region) = &self.region {
            b = b.requested_region(region);
        }
        match (self.issued, self.mfa) {
            (Some(issued), Some(mfa)) => b = b.temporary_credentials(issued, mfa),
            (None, Some(mfa)) => {
                b = b.key(
                    "aws:MultiFactorAuthPresent",
                    if mfa { "true" } else { "false" },
                )
            }
            _ => {}
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PrincipalKind, RequestContext};

    #[test]
    fn every_kind_of_principal_converts() {
        for (arn, kind, principal_arn, username) in [
            (
                "arn:aws:iam::111122223333:root",
                PrincipalKind::Root,
                "arn:aws:iam::111122223333:root",
                None,
            ),
            (
                "arn:aws:iam::111122223333:user/division/alice",
                PrincipalKind::User,
                "arn:aws:iam::111122223333:user/division/alice",
                Some("alice"),
            ),
            (
                "arn:aws:sts::111122223333:assumed-role/demo/s1",
                PrincipalKind::AssumedRole,
                "arn:aws:iam::111122223333:role/demo",
                None,
            ),
            (
                "arn:aws-cn:sts::111122223333:federated-user/bob",
                PrincipalKind::FederatedUser,
                "arn:aws-cn:sts::111122223333:federated-user/bob",
                None,
            ),
        ] {
            let p: Principal = arn.parse().unwrap();
            let info = PrincipalInfo::from(&p);
            assert_eq!(info.kind(), kind, "{arn}");
            assert_eq!(info.arn(), p.arn(), "{arn}");
            assert_eq!(info.principal_arn(), principal_arn, "{arn}");
            assert_eq!(info.principal_arn(), p.canonical_arn(), "{arn}");
            assert_eq!(info.user_id(), Some(p.user_id()), "{arn}");
            assert_eq!(info.username(), username, "{arn}");
            assert_eq!(info.account(), Some(p.account().as_str()), "{arn}");
            assert_eq!(info.partition(), p.partition().as_str(), "{arn}");
            let ctx = RequestContext::builder(info).build();
            assert_eq!(ctx.value("aws:PrincipalType"), Some(p.principal_type()));
        }
    }

    #[test]
    fn source_ip_and_transport_sources() {
        let (mut parts, ()) = http::Request::get("https://example.com/")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(SourceIp::from_extensions().read(&parts), None);
        parts
            .extensions
            .insert(SocketAddr::from(([203, 0, 113, 7], 4000)));
        assert_eq!(
            SourceIp::from_extensions().read(&parts),
            Some(IpAddr::from([203, 0, 113, 7]))
        );
        let fixed = SourceIp::from_fn(|_| Some(IpAddr::from([10, 0, 0, 1])));
        assert_eq!(fixed.read(&parts), Some(IpAddr::from([10, 0, 0, 1])));
        // An https URI written by the client proves nothing.
        assert!(!SecureTransport::default().read());
        assert!(SecureTransport::Always.read());
    }
}
