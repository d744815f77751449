//! One pass over a request's header map that finds everything the checks
//! and the canonical request need from it.
//!
//! A `HeaderMap` lookup by name hashes the name, probes, and compares; the
//! checks and the canonical request would make a dozen such lookups per
//! request (each signed header twice, the SigV4 headers, the `x-amz-*`
//! rule). Walking the map once and placing each header by its position in
//! the `SignedHeaders` list costs less than two of them.

use http::{HeaderMap, HeaderName, HeaderValue};

use super::auth::names::{X_AMZ_CONTENT_SHA256, X_AMZ_DATE, X_AMZ_SECURITY_TOKEN};
use super::auth::SignatureLocation;
use super::scope::SignedHeaders;

/// How many signed headers keep their value in the scan; the values of
/// headers further down a longer list are looked up by name.
pub(crate) const SLOTS: usize = 16;

/// The value of a header that must not repeat, and whether it did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Single<'a> {
    pub(crate) value: Option<&'a HeaderValue>,
    pub(crate) repeated: bool,
}

impl<'a> Single<'a> {
    fn see(&mut self, value: &'a HeaderValue) {
        if self.value.is_some() {
            self.repeated = true;
        } else {
            self.value = Some(value);
        }
    }
}

/// What the pass found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeaderScan<'a> {
    /// The map walked (compared by address: a scan answers for its own map only).
    map: &'a HeaderMap,
    /// The first value of each of the first [`SLOTS`] signed headers.
    values: [Option<&'a HeaderValue>; SLOTS],
    /// Bit `i`: signed header `i` has more than one value.
    repeated: u16,
    pub(crate) x_amz_date: Single<'a>,
    pub(crate) date: Single<'a>,
    pub(crate) security_token: Single<'a>,
    pub(crate) content_sha256: Single<'a>,
    /// The largest total length of the values of one signed header, each
    /// value counted with one byte for its separator.
    pub(crate) longest_signed: usize,
    /// Some `x-amz-*` header is not signed (and not exempt, see [`HeaderScan::new`]).
    pub(crate) unsigned_amz: bool,
}

impl<'a> HeaderScan<'a> {
    /// Walks `map` once.
    ///
    /// `token_signed`: whether the scope's service signs the session token;
    /// when it does not, an unsigned `x-amz-security-token` is not an
    /// unsigned `x-amz-*` header. Presigned URLs from `aws-sigv4` leave
    /// `x-amz-user-agent` and `x-amz-checksum-mode` out on purpose, so those
    /// two are exempt for the query form.
    pub(crate) fn new(
        map: &'a HeaderMap,
        signed: &SignedHeaders<'_>,
        location: SignatureLocation,
        token_signed: bool,
    ) -> Self {
        let mut scan = HeaderScan {
            map,
            values: [None; SLOTS],
            repeated: 0,
            x_amz_date: Single::default(),
            date: Single::default(),
            security_token: Single::default(),
            content_sha256: Single::default(),
            longest_signed: 0,
            unsigned_amz: false,
        };
        // The map yields the values of one name one after the other: the
        // name is placed once per run of values.
        let mut current: Option<&HeaderName> = None;
        let mut place = Place::default();
        let mut total = 0usize;
        for (name, value) in map {
            let first_of_name = !current.is_some_and(|c| std::ptr::eq(c, name));
            if first_of_name {
                current = Some(name);
                total = 0;
                place = Place::of(name, signed, location, token_signed, &mut scan);
            }
            if let Some(i) = place.signed {
                total = total.saturating_add(value.len() + 1);
                scan.longest_signed = scan.longest_signed.max(total);
                if i < SLOTS {
                    if first_of_name {
                        scan.values[i] = Some(value);
                    } else {
                        scan.repeated |= 1 << i;
                    }
                }
            }
            let single = match place.single {
                Some(SigV4Header::XAmzDate) => &mut scan.x_amz_date,
                Some(SigV4Header::Date) => &mut scan.date,
                Some(SigV4Header::SecurityToken) => &mut scan.security_token,
                Some(SigV4Header::ContentSha256) => &mut scan.content_sha256,
                None => continue,
            };
            single.see(value);
        }
        scan
    }

    /// Whether this scan was made of `map`.
    pub(crate) fn is_of(&self, map: &HeaderMap) -> bool {
        std::ptr::eq(self.map, map)
    }

    /// The value of signed header `i` when it has exactly one (`Some(None)`:
    /// it has none), or `None` when the caller must look it up by name (more
    /// than one value, or `i` past the slots).
    pub(crate) fn single_value(&self, i: usize) -> Option<Option<&'a HeaderValue>> {
        if i < SLOTS && self.repeated & (1 << i) == 0 {
            Some(self.values[i])
        } else {
            None
        }
    }
}

#[derive(Clone, Copy)]
enum SigV4Header {
    XAmzDate,
    Date,
    SecurityToken,
    ContentSha256,
}

/// Where the values of one header name go.
#[derive(Default)]
struct Place {
    /// Its position in the `SignedHeaders` list.
    signed: Option<usize>,
    single: Option<SigV4Header>,
}

impl Place {
    fn of(
        name: &HeaderName,
        signed: &SignedHeaders<'_>,
        location: SignatureLocation,
        token_signed: bool,
        scan: &mut HeaderScan<'_>,
    ) -> Place {
        let name = name.as_str();
        let single = match name {
            X_AMZ_DATE => Some(SigV4Header::XAmzDate),
            "date" => Some(SigV4Header::Date),
            X_AMZ_SECURITY_TOKEN => Some(SigV4Header::SecurityToken),
            X_AMZ_CONTENT_SHA256 => Some(SigV4Header::ContentSha256),
            _ => None,
        };
        let position = signed.position(name);
        if position.is_none() && name.starts_with("x-amz-") {
            let exempt = (!token_signed && name == X_AMZ_SECURITY_TOKEN)
                || (location == SignatureLocation::Query
                    && (name == "x-amz-user-agent" || name == "x-amz-checksum-mode"));
            scan.unsigned_amz |= !exempt;
        }
        Place {
            signed: position,
            single,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn list(s: &'static str) -> SignedHeaders<'static> {
        SignedHeaders::parse(Cow::Borrowed(s), 128, SignatureLocation::Header).unwrap()
    }

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn places_signed_headers_and_sigv4_headers() {
        let m = map(&[
            ("x-amz-date", "20150830T123600Z"),
            ("host", "example.com"),
            ("x-foo", "a"),
            ("x-foo", "bb"),
            ("content-type", "text/plain"),
        ]);
        let scan = HeaderScan::new(
            &m,
            &list("content-type;host;x-amz-date;x-foo"),
            SignatureLocation::Header,
            true,
        );
        assert!(scan.is_of(&m));
        assert!(!scan.is_of(&m.clone()));
        assert_eq!(
            scan.single_value(0),
            Some(Some(&HeaderValue::from_static("text/plain")))
        );
        assert_eq!(
            scan.single_value(1),
            Some(Some(&HeaderValue::from_static("example.com")))
        );
        assert_eq!(scan.single_value(3), None, "x-foo has two values");
        assert_eq!(scan.x_amz_date.value.unwrap(), "20150830T123600Z");
        assert!(!scan.x_amz_date.repeated);
        assert_eq!(scan.date, Single::default());
        // The longest: x-amz-date's 16 bytes and a separator (x-foo: 1 + 1 + 2 + 1).
        assert_eq!(scan.longest_signed, 17);
        assert!(!scan.unsigned_amz);
    }

    #[test]
    fn repeated_values_and_totals() {
        let m = map(&[
            ("x-long", "aaaa"),
            ("x-long", "bbbbbbbb"),
            ("x-amz-date", "1"),
            ("x-amz-date", "2"),
        ]);
        let scan = HeaderScan::new(
            &m,
            &list("x-amz-date;x-long"),
            SignatureLocation::Header,
            true,
        );
        assert!(scan.x_amz_date.repeated);
        assert_eq!(scan.longest_signed, 4 + 1 + 8 + 1);
        assert_eq!(scan.single_value(1), None);
    }

    #[test]
    fn unsigned_amz_headers_and_their_exemptions() {
        let unsigned = |pairs: &[(&'static str, &'static str)], loc, token_signed| {
            HeaderScan::new(&map(pairs), &list("host"), loc, token_signed).unsigned_amz
        };
        let h = SignatureLocation::Header;
        let q = SignatureLocation::Query;
        assert!(unsigned(&[("x-amz-meta-a", "1")], h, true));
        assert!(!unsigned(&[("x-other", "1")], h, true));
        assert!(unsigned(&[("x-amz-security-token", "t")], h, true));
        assert!(!unsigned(&[("x-amz-security-token", "t")], h, false));
        assert!(unsigned(&[("x-amz-user-agent", "u")], h, true));
        assert!(!unsigned(&[("x-amz-user-agent", "u")], q, true));
        assert!(!unsigned(&[("x-amz-checksum-mode", "ENABLED")], q, true));
    }

    #[test]
    fn headers_past_the_slots_are_found_by_name() {
        let names: Vec<String> = (0..20).map(|i| format!("x-h{i:02}")).collect();
        let joined: &'static str = Box::leak(names.join(";").into_boxed_str());
        let mut m = HeaderMap::new();
        for n in &names {
            m.append(
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_static("v"),
            );
        }
        let scan = HeaderScan::new(&m, &list(joined), SignatureLocation::Header, true);
        for i in 0..SLOTS {
            assert_eq!(
                scan.single_value(i),
                Some(Some(&HeaderValue::from_static("v")))
            );
        }
        for i in SLOTS..20 {
            assert_eq!(scan.single_value(i), None);
        }
    }
}
