//! What the inner service learns about the caller: [`Authenticated`] (or
//! [`Anonymous`]) in the request extensions.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::identity::Principal;
use crate::response::ErrorProtocol;
use crate::sigv4::{CredentialScope, PayloadMode, SignatureLocation};

/// A verified caller, placed in the request extensions by
/// [`SigV4Layer`](crate::SigV4Layer) (and by [`Verified::apply`](crate::verifier::Verified::apply)).
///
/// Cloning is cheap: one reference count (the principal's) and a copy of
/// about 200 bytes; nothing is allocated for access key ids of up to 70
/// characters (AWS's have 20). The value lives inline in the request
/// extensions, so a verified caller costs no allocation of its own.
///
/// ```
/// # use tower_sigv4::Authenticated;
/// fn handler(req: http::Request<()>) -> String {
///     match req.extensions().get::<Authenticated>() {
///         Some(caller) => format!(
///             "{} signed with {} for {}",
///             caller.principal().arn(),
///             caller.access_key_id(),
///             caller.scope().region(),
///         ),
///         None => "anonymous".to_owned(),
///     }
/// }
/// # assert_eq!(handler(http::Request::new(())), "anonymous");
/// ```
#[derive(Clone)]
pub struct Authenticated {
    inner: Inner,
}

#[derive(Clone)]
struct Inner {
    principal: Arc<Principal>,
    /// `AKID/YYYYMMDD/region/service`, kept inline when it fits so that a
    /// caller costs no allocation.
    text: Text,
    akid_len: usize,
    region_len: usize,
    signing_time: SystemTime,
    location: SignatureLocation,
    expires: Option<u32>,
    session_expiry: Option<SystemTime>,
    session_issued_at: Option<SystemTime>,
    payload: PayloadMode,
}

/// Room for `AKID/YYYYMMDD/region/service` inline: access key ids
/// are 16 to 128 characters, AWS's are 20.
const INLINE_TEXT: usize = 96;

#[derive(Clone)]
enum Text {
    Inline { bytes: [u8; INLINE_TEXT], len: u8 },
    Heap(Box<str>),
}

impl Text {
    fn new(pieces: &[&str]) -> Self {
        let len: usize = pieces.iter().map(|p| p.len()).sum();
        if len <= INLINE_TEXT {
            let mut bytes = [0u8; INLINE_TEXT];
            let mut at = 0;
            for p in pieces {
                bytes[at..at + p.len()].copy_from_slice(p.as_bytes());
                at += p.len();
            }
            Text::Inline {
                bytes,
                len: len as u8,
            }
        } else {
            Text::Heap(pieces.concat().into_boxed_str())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // Whole `str`s were copied in, so the bytes are UTF-8.
            Text::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Text::Heap(s) => s,
        }
    }
}

/// The parts of an [`Authenticated`], gathered by the verifier.
pub(crate) struct AuthenticatedParts<'a> {
    pub(crate) principal: Arc<Principal>,
    pub(crate) access_key_id: &'a str,
    pub(crate) scope: &'a CredentialScope<'a>,
    pub(crate) signing_time: SystemTime,
    pub(crate) location: SignatureLocation,
    pub(crate) expires: Option<u32>,
    pub(crate) session_expiry: Option<SystemTime>,
    pub(crate) session_issued_at: Option<SystemTime>,
    pub(crate) payload: PayloadMode,
}

impl Authenticated {
    pub(crate) fn new(p: AuthenticatedParts<'_>) -> Self {
        let (date, region, service) = (p.scope.date(), p.scope.region(), p.scope.service());
        let text = Text::new(&[p.access_key_id, "/", date, "/", region, "/", service]);
        Authenticated {
            inner: Inner {
                principal: p.principal,
                text,
                akid_len: p.access_key_id.len(),
                region_len: region.len(),
                signing_time: p.signing_time,
                location: p.location,
                expires: p.expires,
                session_expiry: p.session_expiry,
                session_issued_at: p.session_issued_at,
                payload: p.payload,
            },
        }
    }

    /// Who is calling.
    pub fn principal(&self) -> &Arc<Principal> {
        &self.inner.principal
    }

    /// The access key id the request was signed with.
    pub fn access_key_id(&self) -> &str {
        &self.inner.text.as_str()[..self.inner.akid_len]
    }

    /// `YYYYMMDD/region/service`, the credential scope without its terminator.
    fn scope_text(&self) -> &str {
        &self.inner.text.as_str()[self.inner.akid_len + 1..]
    }

    /// The credential scope (date, region, service).
    pub fn scope(&self) -> CredentialScope<'_> {
        let text = self.scope_text();
        let (date, rest) = text.split_at(8);
        let rest = &rest[1..];
        let (region, service) = rest.split_at(self.inner.region_len);
        // The parts were a valid scope when the request verified; rebuilding
        // cannot fail, but a fallback keeps this free of panics.
        CredentialScope::new(date, region, &service[1..]).unwrap_or_else(|| {
            CredentialScope::new("19700101", "invalid", "invalid").expect("a valid scope")
        })
    }

    /// The scope's region (what `aws:RequestedRegion` holds).
    pub fn region(&self) -> &str {
        let text = self.scope_text();
        &text[9..9 + self.inner.region_len]
    }

    /// The scope's service.
    pub fn service(&self) -> &str {
        let text = self.scope_text();
        &text[9 + self.inner.region_len + 1..]
    }

    /// When the request was signed (`X-Amz-Date`, or the `Date` header).
    pub fn signing_time(&self) -> SystemTime {
        self.inner.signing_time
    }

    /// Whether the signature came in the `Authorization` header or in a
    /// presigned URL.
    pub fn location(&self) -> SignatureLocation {
        self.inner.location
    }

    /// Whether the request was presigned (query-string authentication).
    pub fn is_presigned(&self) -> bool {
        self.inner.location == SignatureLocation::Query
    }

    /// When a presigned URL stops being valid (`X-Amz-Date` + `X-Amz-Expires`).
    pub fn presigned_expiry(&self) -> Option<SystemTime> {
        self.inner
            .expires
            .map(|s| self.inner.signing_time + std::time::Duration::from_secs(u64::from(s)))
    }

    /// When the temporary credentials the request was signed with expire;
    /// `None` for long-term keys.
    pub fn session_expiry(&self) -> Option<SystemTime> {
        self.inner.session_expiry
    }

    /// When the temporary credentials were issued (`aws:TokenIssueTime`);
    /// `None` for long-term keys.
    pub fn session_issued_at(&self) -> Option<SystemTime> {
        self.inner.session_issued_at
    }

    /// Whether the request was signed with temporary credentials.
    pub fn is_temporary(&self) -> bool {
        self.inner.session_issued_at.is_some() || self.inner.session_expiry.is_some()
    }

    /// How the body is covered by the signature.
    pub fn payload_mode(&self) -> PayloadMode {
        self.inner.payload
    }
}

impl fmt::Debug for Authenticated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticated")
            .field("principal", &self.inner.principal.arn())
            .field("access_key_id", &self.access_key_id())
            .field("scope", &self.scope_text())
            .field("location", &self.inner.location)
            .field("signing_time", &self.inner.signing_time)
            .field("session_expiry", &self.inner.session_expiry)
            .field("payload", &self.inner.payload)
            .finish()
    }
}

/// Placed in the request extensions instead of [`Authenticated`] when an
/// unsigned request is let through ([`UnsignedRequests::Anonymous`](crate::settings::UnsignedRequests::Anonymous)).
///
/// It remembers the error protocol of the endpoint, so that a handler (or
/// the axum extractor) that requires a caller can answer as the layer
/// would have: [`Anonymous::to_error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anonymous {
    protocol: ErrorProtocol,
    at: SystemTime,
}

impl Anonymous {
    pub(crate) fn new(protocol: ErrorProtocol, at: SystemTime) -> Self {
        Anonymous { protocol, at }
    }

    /// The error protocol of the endpoint.
    pub fn protocol(&self) -> ErrorProtocol {
        self.protocol
    }

    /// The error the layer answers unsigned requests with when they are
    /// rejected: S3 `AccessDenied`, `MissingAuthenticationToken` elsewhere.
    pub fn to_error(&self) -> crate::AuthError {
        crate::AuthError::missing_authentication(self.protocol, self.at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let scope = CredentialScope::new("20150830", "eu-west-1", "s3").unwrap();
        let principal: Principal = "arn:aws:iam::111122223333:root".parse().unwrap();
        let a = Authenticated::new(AuthenticatedParts {
            principal: Arc::new(principal),
            access_key_id: "AKID/with/slashes",
            scope: &scope,
            signing_time: SystemTime::UNIX_EPOCH,
            location: SignatureLocation::Query,
            expires: Some(60),
            session_expiry: None,
            session_issued_at: None,
            payload: PayloadMode::Unsigned,
        });
        assert_eq!(a.access_key_id(), "AKID/with/slashes");
        let long = "A".repeat(200);
        let b = Authenticated::new(AuthenticatedParts {
            principal: Arc::clone(a.principal()),
            access_key_id: &long,
            scope: &scope,
            signing_time: SystemTime::UNIX_EPOCH,
            location: SignatureLocation::Header,
            expires: None,
            session_expiry: None,
            session_issued_at: None,
            payload: PayloadMode::Unsigned,
        });
        assert_eq!(b.access_key_id(), long);
        assert_eq!(b.service(), "s3");
        assert_eq!(a.scope(), scope);
        assert_eq!(a.region(), "eu-west-1");
        assert_eq!(a.service(), "s3");
        assert!(a.is_presigned());
        assert_eq!(
            a.presigned_expiry(),
            Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(60))
        );
        assert!(!a.is_temporary());
        let dbg = format!("{a:?}");
        assert!(dbg.contains("20150830/eu-west-1/s3"), "{dbg}");
    }
}
