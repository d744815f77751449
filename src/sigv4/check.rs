//! The checks AWS makes before any secret is needed: scope, time window,
//! signed-header rules and value sizes.

use std::time::SystemTime;

use http::header::DATE;

use super::auth::names::{X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use super::auth::{DateSource, SignatureLocation, SignedRequest};
use super::error::{Detail, Error, ErrorKind, Limit};
use super::header_scan::HeaderScan;
use super::request::RequestView;
use super::scope::{printable, KnownNames};
use super::settings::{SessionTokenMode, VerifySettings};
use super::time::unix_seconds;

/// Runs every check that needs no secret, in AWS's order: the scope (region,
/// service, date), the time window (clock skew; expiry and not-yet-valid for
/// presigned requests), the signed-header rules (`host`, the date header, the
/// session token, `x-amz-content-sha256`, every `x-amz-*` header when the
/// setting asks), and the length of each signed header value.
///
/// `now` is the server time: pass `SystemTime::now()` in production, any
/// time in tests.
pub fn check(
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
    settings: &VerifySettings,
    now: SystemTime,
) -> Result<(), Error> {
    let loc = Some(signed.location());
    let scope = signed.scope();

    if let Some(expected) = settings.regions().first() {
        if !settings.regions().iter().any(|r| r == scope.region()) {
            return Err(Error::new(
                ErrorKind::WrongRegion,
                loc,
                Detail::Region {
                    got: printable(scope.region()),
                    expected: expected.clone(),
                },
            ));
        }
    }
    if let Some(expected) = settings.services().first() {
        if !settings.services().iter().any(|s| s == scope.service()) {
            return Err(Error::new(
                ErrorKind::WrongService,
                loc,
                Detail::Service {
                    got: printable(scope.service()),
                    expected: expected.clone(),
                },
            ));
        }
    }
    if scope.scope_date().as_bytes()[..] != signed.date().as_bytes()[..8] {
        return Err(Error::new(
            ErrorKind::ScopeDateMismatch,
            loc,
            Detail::Dates {
                scope: scope.date().to_owned(),
                request: signed.date(),
                source: signed.date_source().name(),
            },
        ));
    }

    check_time(signed, settings, now)?;
    let scan = signed.header_scan(request.headers());
    check_signed_headers(signed, request, settings, &scan)?;
    if scan.longest_signed > settings.limits.max_header_value_len.saturating_add(1) {
        return Err(Error::too_large(loc, Limit::HeaderValueLength));
    }
    Ok(())
}

fn check_time(
    signed: &SignedRequest<'_>,
    settings: &VerifySettings,
    now: SystemTime,
) -> Result<(), Error> {
    let loc = Some(signed.location());
    let now_s = unix_seconds(now);
    let req_s = signed.date().unix_seconds();
    let skew = i64::try_from(settings.max_clock_skew.as_secs()).unwrap_or(i64::MAX);
    let skewed = || Detail::Skew {
        request: signed.date(),
        server: now,
        max: settings.max_clock_skew,
    };
    match signed.expires() {
        None => {
            if (now_s - req_s).abs() > skew {
                return Err(Error::new(ErrorKind::RequestTimeTooSkewed, loc, skewed()));
            }
        }
        Some(expires) => {
            if u64::from(expires) > settings.max_presigned_expiry.as_secs() {
                return Err(Error::new(
                    ErrorKind::InvalidExpires,
                    loc,
                    Detail::Owned(format!(
                        "X-Amz-Expires must be less than {} seconds",
                        settings.max_presigned_expiry.as_secs()
                    )),
                ));
            }
            if req_s - now_s > skew {
                return Err(Error::new(ErrorKind::NotYetValid, loc, skewed()));
            }
            if now_s - req_s > i64::from(expires) {
                return Err(Error::new(
                    ErrorKind::Expired,
                    loc,
                    Detail::Expiry {
                        request: signed.date(),
                        expires,
                        server: now,
                    },
                ));
            }
        }
    }
    Ok(())
}

fn not_signed(kind: ErrorKind, signed: &SignedRequest<'_>, names: String) -> Error {
    Error::new(kind, Some(signed.location()), Detail::Headers(names))
}

fn check_signed_headers(
    signed: &SignedRequest<'_>,
    request: &RequestView<'_>,
    settings: &VerifySettings,
    scan: &HeaderScan<'_>,
) -> Result<(), Error> {
    let list = signed.signed_headers();
    let headers = request.headers();
    if !list.signs(KnownNames::HOST) {
        return Err(not_signed(ErrorKind::HostNotSigned, signed, "host".into()));
    }
    let header_auth = signed.location() == SignatureLocation::Header;
    if header_auth {
        let (date_header, bit) = match signed.date_source() {
            DateSource::Date => (DATE.as_str(), KnownNames::DATE),
            _ => (X_AMZ_DATE, KnownNames::X_AMZ_DATE),
        };
        if !list.signs(bit) {
            return Err(not_signed(
                ErrorKind::DateNotSigned,
                signed,
                date_header.into(),
            ));
        }
    }
    let token_signed = signed.rules().session_token == SessionTokenMode::Include;
    if token_signed
        && scan.security_token.value.is_some()
        && !list.signs(KnownNames::SECURITY_TOKEN)
    {
        return Err(not_signed(
            ErrorKind::TokenNotSigned,
            signed,
            X_AMZ_SECURITY_TOKEN.into(),
        ));
    }
    if header_auth {
        if scan.content_sha256.value.is_some() {
            if !list.signs(KnownNames::CONTENT_SHA256) {
                return Err(not_signed(
                    ErrorKind::ContentSha256NotSigned,
                    signed,
                    X_AMZ_CONTENT_SHA256.into(),
                ));
            }
        } else if signed.rules().require_content_sha256 {
            return Err(Error::new(
                ErrorKind::MissingContentSha256,
                Some(signed.location()),
                Detail::None,
            ));
        }
    }
    if settings.require_signed_amz_headers {
        // `aws-sigv4` leaves these two out of presigned signatures on
        // purpose: requiring them would refuse the URLs it makes.
        let presigned_extra =
            |n: &str| !header_auth && (n == "x-amz-user-agent" || n == "x-amz-checksum-mode");
        let exempt = |n: &str| (!token_signed && n == X_AMZ_SECURITY_TOKEN) || presigned_extra(n);
        let unsigned = |n: &&http::HeaderName| {
            let n = n.as_str();
            n.starts_with("x-amz-") && !exempt(n) && !list.contains(n)
        };
        if scan.unsigned_amz {
            let names: Vec<&str> = headers
                .keys()
                .filter(unsigned)
                .map(|n| n.as_str())
                .collect();
            return Err(not_signed(
                ErrorKind::UnsignedAmzHeader,
                signed,
                names.join(";"),
            ));
        }
    }
    Ok(())
}
