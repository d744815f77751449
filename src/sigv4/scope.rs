//! The credential scope (`YYYYMMDD/region/service/aws4_request`), the
//! access key id in front of it, and the signed-header list.

use std::borrow::Cow;
use std::fmt;

use super::auth::SignatureLocation;
use super::byte_search::{short_eq, sorts_before};
use super::error::{Detail, Error, ErrorKind, Limit};
use super::key::SCOPE_TERMINATOR;
use super::time::{digit_pairs, valid_ymd};

/// The date part of a credential scope: 8 ASCII digits naming a valid day.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeDate([u8; 8]);

impl ScopeDate {
    /// Parses `YYYYMMDD`.
    pub fn parse(s: &[u8]) -> Option<ScopeDate> {
        let d: [u8; 8] = s.try_into().ok()?;
        let [year_hi, year_lo, month, day] = digit_pairs(&d)?;
        if !valid_ymd(i64::from(year_hi * 100 + year_lo), month, day) {
            return None;
        }
        Some(ScopeDate(d))
    }

    /// The 8 digits, as bytes.
    pub(crate) fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }

    /// The 8 digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for ScopeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ScopeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScopeDate({})", self.as_str())
    }
}

/// A SigV4 credential scope: the date, region and service a signing key is
/// derived for (the terminator `aws4_request` is checked when parsing).
///
/// ```
/// use tower_sigv4::sigv4::CredentialScope;
///
/// let scope = CredentialScope::new("20150830", "us-east-1", "iam").unwrap();
/// assert_eq!(scope.to_string(), "20150830/us-east-1/iam/aws4_request");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CredentialScope<'a> {
    date: ScopeDate,
    region: Cow<'a, str>,
    service: Cow<'a, str>,
}

impl<'a> CredentialScope<'a> {
    /// A scope from its parts; `None` when the date is not a valid `YYYYMMDD`
    /// or the region or service is empty or holds a `/`.
    pub fn new(
        date: &str,
        region: impl Into<Cow<'a, str>>,
        service: impl Into<Cow<'a, str>>,
    ) -> Option<Self> {
        let (region, service) = (region.into(), service.into());
        let ok = |s: &str| !s.is_empty() && !s.contains('/');
        if !ok(&region) || !ok(&service) {
            return None;
        }
        Some(CredentialScope {
            date: ScopeDate::parse(date.as_bytes())?,
            region,
            service,
        })
    }

    /// The scope date, `YYYYMMDD`.
    pub fn date(&self) -> &str {
        self.date.as_str()
    }

    /// The scope date as a value.
    pub fn scope_date(&self) -> ScopeDate {
        self.date
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> CredentialScope<'static> {
        CredentialScope {
            date: self.date,
            region: Cow::Owned(self.region.into_owned()),
            service: Cow::Owned(self.service.into_owned()),
        }
    }
}

impl fmt::Display for CredentialScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.date.as_str(),
            self.region,
            self.service,
            SCOPE_TERMINATOR
        )
    }
}

/// Splits a `Cow` into one of its sub-slices, borrowed when the source is.
fn sub<'a>(src: &Cow<'a, str>, range: std::ops::Range<usize>) -> Cow<'a, str> {
    match src {
        Cow::Borrowed(s) => Cow::Borrowed(&s[range]),
        Cow::Owned(s) => Cow::Owned(s[range].to_owned()),
    }
}

const CREDENTIAL_SHAPE: &str =
    "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

/// Parses `AKID/YYYYMMDD/region/service/aws4_request`. The access key id may
/// itself contain `/`: the scope is the last four parts.
pub(crate) fn parse_credential<'a>(
    credential: Cow<'a, str>,
    location: SignatureLocation,
) -> Result<(Cow<'a, str>, CredentialScope<'a>), Error> {
    let s: &str = &credential;
    // Positions of the last four '/'.
    let Some([t, sv, rg, dt]) = last_four_slashes(s.as_bytes()) else {
        return Err(Error::malformed_credential(location, CREDENTIAL_SHAPE));
    };
    let akid = 0..dt;
    let date = dt + 1..rg;
    let region = rg + 1..sv;
    let service = sv + 1..t;
    let term = t + 1..s.len();
    let scope_date = check_credential_parts(
        [
            &s[akid.clone()],
            &s[date],
            &s[region.clone()],
            &s[service.clone()],
            &s[term],
        ],
        location,
    )?;
    let scope = CredentialScope {
        date: scope_date,
        region: sub(&credential, region),
        service: sub(&credential, service),
    };
    Ok((sub(&credential, akid), scope))
}

/// [`parse_credential`] of the five parts, already cut, borrowed as they are.
pub(crate) fn credential_from_parts<'a>(
    parts: [&'a str; 5],
    location: SignatureLocation,
) -> Result<(Cow<'a, str>, CredentialScope<'a>), Error> {
    let date = check_credential_parts(parts, location)?;
    let [akid, _, region, service, _] = parts;
    let scope = CredentialScope {
        date,
        region: Cow::Borrowed(region),
        service: Cow::Borrowed(service),
    };
    Ok((Cow::Borrowed(akid), scope))
}

/// The checks of a credential's parts (access key id, date, region, service,
/// terminator), in AWS's order; the scope date when they pass.
fn check_credential_parts(
    [akid, date, region, service, term]: [&str; 5],
    location: SignatureLocation,
) -> Result<ScopeDate, Error> {
    if akid.is_empty() {
        return Err(Error::malformed_credential(
            location,
            "a non-empty Access Key (AKID) must be provided in the credential.",
        ));
    }
    let Some(scope_date) = ScopeDate::parse(date.as_bytes()) else {
        return Err(Error::malformed_credential(
            location,
            format!(
                "incorrect date format \"{}\". This date in the credential must be in the format \"yyyyMMdd\".",
                printable(date)
            ),
        ));
    };
    if region.is_empty() || service.is_empty() {
        return Err(Error::malformed_credential(location, CREDENTIAL_SHAPE));
    }
    if term != SCOPE_TERMINATOR {
        return Err(Error::new(
            ErrorKind::BadTerminator,
            Some(location),
            Detail::Terminator(printable(term)),
        ));
    }
    Ok(scope_date)
}

/// The positions of the last four `/` of `s`, last first.
///
/// A well-formed credential ends in `/YYYYMMDD/region/service/aws4_request`:
/// the terminator and the date have fixed lengths, so only the region and
/// the service are scanned (the access key id, often the longest part, is
/// not). Anything else is scanned from the end.
fn last_four_slashes(s: &[u8]) -> Option<[usize; 4]> {
    const TAIL: &[u8] = b"/aws4_request";
    let scan_back = |end: usize| s[..end].iter().rposition(|&b| b == b'/');
    if s.ends_with(TAIL) {
        let t = s.len() - TAIL.len();
        let sv = scan_back(t)?;
        let rg = scan_back(sv)?;
        if let Some(dt) = rg.checked_sub(9) {
            if s[dt] == b'/' && !s[dt + 1..rg].contains(&b'/') {
                return Some([t, sv, rg, dt]);
            }
        }
        return Some([t, sv, rg, scan_back(rg)?]);
    }
    let t = scan_back(s.len())?;
    let sv = scan_back(t)?;
    let rg = scan_back(sv)?;
    Some([t, sv, rg, scan_back(rg)?])
}

/// A request value shown in a message: bounded, control characters dropped.
pub(crate) fn printable(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// How many names of a [`SignedHeaders`] list have their place recorded at
/// parse time (requests from the AWS SDKs sign well under this many); the
/// rest of a longer list is found by scanning.
const INDEXED: usize = 32;

/// The `SignedHeaders` list: lowercase names, sorted, no duplicates, `;`-separated.
#[derive(Clone)]
pub struct SignedHeaders<'a> {
    list: Cow<'a, str>,
    /// The end of each of the first `indexed` names in `list`: looking a
    /// name up compares lengths before bytes, with no scan for `;`.
    ends: [u16; INDEXED],
    indexed: u8,
    /// Which of the names the checks ask about are in the list.
    known: KnownNames,
    /// Bit `n` set: some name is `n` bytes long (bit 63: 63 or more). Most
    /// headers of a request are not signed, and most are refused by their
    /// length alone.
    lengths: u64,
}

/// The names whose presence in the list the checks test on every request,
/// noted while parsing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct KnownNames(u8);

impl KnownNames {
    pub(crate) const HOST: u8 = 1;
    pub(crate) const X_AMZ_DATE: u8 = 2;
    pub(crate) const DATE: u8 = 4;
    pub(crate) const SECURITY_TOKEN: u8 = 8;
    pub(crate) const CONTENT_SHA256: u8 = 16;

    fn of(name: &[u8]) -> u8 {
        match name {
            b"host" => Self::HOST,
            b"x-amz-date" => Self::X_AMZ_DATE,
            b"date" => Self::DATE,
            b"x-amz-security-token" => Self::SECURITY_TOKEN,
            b"x-amz-content-sha256" => Self::CONTENT_SHA256,
            _ => 0,
        }
    }
}

impl<'a> SignedHeaders<'a> {
    pub(crate) fn parse(
        list: Cow<'a, str>,
        max: usize,
        location: SignatureLocation,
    ) -> Result<Self, Error> {
        if list.is_empty() {
            return Err(Error::malformed(
                location,
                "the SignedHeaders list is empty.",
            ));
        }
        let bad_name = || {
            Error::malformed(
                location,
                "the SignedHeaders list must hold lowercase header names separated by ';'.",
            )
        };
        let bytes = list.as_bytes();
        let mut ends = [0u16; INDEXED];
        let (mut count, mut start, mut prev_start) = (0usize, 0usize, 0usize);
        let mut known = 0u8;
        let mut lengths = 0u64;
        while start <= bytes.len() {
            // One pass per name: the table tells name bytes, the separator
            // and everything else apart.
            let mut end = start;
            let mut class = NAME;
            while end < bytes.len() {
                class = LIST_BYTE[usize::from(bytes[end])];
                if class != NAME {
                    break;
                }
                end += 1;
            }
            if count >= max {
                return Err(Error::too_large(Some(location), Limit::SignedHeaders));
            }
            if end == start || (end < bytes.len() && class != SEPARATOR) {
                return Err(bad_name());
            }
            let name = &bytes[start..end];
            if count > 0 && !sorts_before(&bytes[prev_start..start - 1], name) {
                return Err(Error::malformed(
                    location,
                    "the SignedHeaders list must be sorted and without duplicates.",
                ));
            }
            if count < INDEXED {
                if let Ok(end) = u16::try_from(end) {
                    ends[count] = end;
                }
            }
            known |= KnownNames::of(name);
            lengths |= length_bit(name.len());
            count += 1;
            prev_start = start;
            start = end + 1;
        }
        // Offsets past u16 (a list over 64 KiB, only under raised limits)
        // are not recorded: such a list is scanned.
        let indexed = if bytes.len() <= usize::from(u16::MAX) {
            count.min(INDEXED) as u8
        } else {
            0
        };
        Ok(SignedHeaders {
            list,
            ends,
            indexed,
            known: KnownNames(known),
            lengths,
        })
    }

    /// The list as sent (`host;x-amz-date`).
    pub fn as_str(&self) -> &str {
        &self.list
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        Names {
            list: &self.list,
            ends: &self.ends[..usize::from(self.indexed)],
            pos: 0,
            next: 0,
        }
    }

    /// The position of `name` (lowercase) in the list, if it is signed.
    pub fn position(&self, name: &str) -> Option<usize> {
        let list = self.list.as_bytes();
        let name = name.as_bytes();
        if self.lengths & length_bit(name.len()) == 0 {
            return None;
        }
        let mut start = 0;
        for (i, &end) in self.ends[..usize::from(self.indexed)].iter().enumerate() {
            let end = usize::from(end);
            if short_eq(&list[start..end], name) {
                return Some(i);
            }
            start = end + 1;
        }
        if start >= list.len() {
            return None;
        }
        let rest = std::str::from_utf8(&list[start..]).unwrap_or_default();
        (Names {
            list: rest,
            ends: &[],
            pos: 0,
            next: 0,
        })
        .position(|n| n.as_bytes() == name)
        .map(|i| i + usize::from(self.indexed))
    }

    /// Whether the list holds the names of `which` (a set of
    /// [`KnownNames`] bits), without looking them up.
    pub(crate) fn signs(&self, which: u8) -> bool {
        self.known.0 & which == which
    }

    /// Whether `name` (lowercase) is signed.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.list.bytes().filter(|&b| b == b';').count() + 1
    }

    /// Always false: a parsed list holds at least one name.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// A copy that borrows nothing.
    pub fn into_owned(self) -> SignedHeaders<'static> {
        SignedHeaders {
            list: Cow::Owned(self.list.into_owned()),
            ends: self.ends,
            indexed: self.indexed,
            known: self.known,
            lengths: self.lengths,
        }
    }
}

// The list is its text: the recorded offsets follow from it.
impl PartialEq for SignedHeaders<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl Eq for SignedHeaders<'_> {}

impl std::hash::Hash for SignedHeaders<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.list.hash(state);
    }
}

impl fmt::Debug for SignedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SignedHeaders").field(&self.list).finish()
    }
}

/// The names of a `;`-separated list (ASCII: see [`SignedHeaders::parse`]):
/// the recorded ones by offset, then the rest by scanning.
struct Names<'s> {
    list: &'s str,
    ends: &'s [u16],
    /// Index into `ends` of the next recorded name.
    pos: usize,
    /// Where the next name starts.
    next: usize,
}

impl<'s> Iterator for Names<'s> {
    type Item = &'s str;

    fn next(&mut self) -> Option<&'s str> {
        if self.next > self.list.len() {
            return None;
        }
        let start = self.next;
        let end = match self.ends.get(self.pos) {
            Some(&end) => {
                self.pos += 1;
                usize::from(end)
            }
            None => self.list.as_bytes()[start..]
                .iter()
                .position(|&b| b == b';')
                .map_or(self.list.len(), |i| start + i),
        };
        self.next = end + 1;
        Some(&self.list[start..end])
    }
}

/// A byte of a `SignedHeaders` list: part of a name (RFC 9110 token
/// characters, uppercase letters excluded), the separator, or neither.
const NAME: u8 = 0;
const SEPARATOR: u8 = 1;
const OTHER: u8 = 2;

/// The bit of [`SignedHeaders`]'s length set for a name of `len` bytes.
#[inline]
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The class of each byte: one load per byte of the list.
static LIST_BYTE: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if matches!(c,
            b'a'..=b'z' | b'0'..=b'9'
            | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
            | b'^' | b'_' | b'`' | b'|' | b'~')
        {
            table[b] = NAME;
        }
        b += 1;
    }
    table[b';' as usize] = SEPARATOR;
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    const H: SignatureLocation = SignatureLocation::Header;

    #[test]
    fn the_last_four_slashes_are_found_whatever_the_shape() {
        let plain = |s: &[u8]| {
            let mut cuts = s
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, &b)| b == b'/')
                .map(|(i, _)| i);
            Some([cuts.next()?, cuts.next()?, cuts.next()?, cuts.next()?])
        };
        let parts = [
            "",
            "A",
            "AK/ID",
            "20150830",
            "2015083",
            "201508301",
            "x/y",
            "us-east-1",
            "s3",
        ];
        for a in parts {
            for d in parts {
                for r in parts {
                    for v in parts {
                        for t in ["aws4_request", "aws4_reques", "x", ""] {
                            let s = format!("{a}/{d}/{r}/{v}/{t}");
                            assert_eq!(last_four_slashes(s.as_bytes()), plain(s.as_bytes()), "{s}");
                            let s = format!("{d}/{r}/{v}/{t}");
                            assert_eq!(last_four_slashes(s.as_bytes()), plain(s.as_bytes()), "{s}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn access_key_may_contain_slashes() {
        let (akid, scope) =
            parse_credential("AK/ID/20150830/us-east-1/iam/aws4_request".into(), H).unwrap();
        assert_eq!(akid, "AK/ID");
        assert_eq!(scope.to_string(), "20150830/us-east-1/iam/aws4_request");
        assert!(matches!(akid, Cow::Borrowed(_)));
    }

    #[test]
    fn credential_failures() {
        let kind = |s: &str| parse_credential(s.to_owned().into(), H).unwrap_err().kind();
        assert_eq!(
            kind("AKID/20150830/us-east-1/iam"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("/20150830/us-east-1/iam/aws4_request"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("AKID/2015083/us-east-1/iam/aws4_request"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("AKID/20150231/us-east-1/iam/aws4_request"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("AKID/20150830//iam/aws4_request"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("AKID/20150830/us-east-1//aws4_request"),
            ErrorKind::MalformedAuthorization
        );
        assert_eq!(
            kind("AKID/20150830/us-east-1/iam/aws4_reques"),
            ErrorKind::BadTerminator
        );
        // One part too many shifts the scope: the "date" is then "us-east-1".
        assert_eq!(
            kind("AKID/20150830/us-east-1/iam/aws4_request/"),
            ErrorKind::MalformedAuthorization
        );
    }

    #[test]
    fn signed_header_rules() {
        let p = |s: &str| SignedHeaders::parse(s.to_owned().into(), 4, H).map(|h| h.len());
        assert_eq!(p("host;x-amz-date"), Ok(2));
        for bad in [
            "",
            "host;",
            ";host",
            "Host",
            "x-amz-date;host",
            "host;host",
            "ho st",
        ] {
            assert_eq!(
                p(bad).unwrap_err().kind(),
                ErrorKind::MalformedAuthorization,
                "{bad}"
            );
        }
        let all = [
            (KnownNames::DATE, "date"),
            (KnownNames::HOST, "host"),
            (KnownNames::CONTENT_SHA256, "x-amz-content-sha256"),
            (KnownNames::X_AMZ_DATE, "x-amz-date"),
            (KnownNames::SECURITY_TOKEN, "x-amz-security-token"),
        ];
        // Each subset of the five, with names around them that are close.
        for subset in 0..32u32 {
            let mut names = vec!["a", "dates", "hos", "x-amz-content-sha25", "zz"];
            names.extend(
                all.iter()
                    .enumerate()
                    .filter(|(i, _)| subset & (1 << i) != 0)
                    .map(|(_, (_, n))| *n),
            );
            names.sort_unstable();
            let list = names.join(";");
            let h = SignedHeaders::parse(Cow::Owned(list.clone()), 16, H).unwrap();
            for (i, (bit, name)) in all.iter().enumerate() {
                assert_eq!(h.signs(*bit), subset & (1 << i) != 0, "{list} {name}");
                assert_eq!(h.signs(*bit), h.contains(name), "{list} {name}");
            }
        }
        let e = p("a;b;c;d;e").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TooLarge);
        assert_eq!(e.limit(), Some(Limit::SignedHeaders));
    }

    /// The rules read plainly: split at `;`, then each name, then the order.
    fn reference(list: &str, max: usize) -> Result<Vec<&str>, ErrorKind> {
        let names: Vec<&str> = list.split(';').collect();
        for (i, name) in names.iter().enumerate() {
            if i >= max {
                return Err(ErrorKind::TooLarge);
            }
            let lower_tchar = |b: u8| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
            };
            if name.is_empty() || !name.bytes().all(lower_tchar) {
                return Err(ErrorKind::MalformedAuthorization);
            }
            if i > 0 && names[i - 1] >= *name {
                return Err(ErrorKind::MalformedAuthorization);
            }
        }
        Ok(names)
    }

    /// Longer lists than the exhaustive test below reaches: random pieces
    /// of usual name bytes, rarer name bytes, separators and bytes that are
    /// neither.
    #[test]
    fn long_signed_header_lists_parse_as_the_plain_rules_say() {
        const PIECES: &[&str] = &[
            "host",
            "x-amz-date",
            "content-type",
            "a",
            "z",
            "0",
            "9",
            "-",
            "x-amz-meta-",
            ";",
            ";",
            ";",
            "!",
            "_",
            "~",
            "|",
            "`",
            "A",
            " ",
            "é",
            "\u{7f}",
            "/",
            ":",
            "abcdefghijklmnop",
        ];
        let mut x: u64 = 0x853c_49e6_748f_ea9b;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut outcomes = [0usize; 2];
        for _ in 0..20_000 {
            let n = 1 + next() % 12;
            let list: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let ours = SignedHeaders::parse(Cow::Borrowed(list.as_str()), 64, H);
            match (ours, reference(&list, 64)) {
                (Ok(h), Ok(names)) => {
                    assert_eq!(h.iter().collect::<Vec<_>>(), names, "{list:?}");
                    for (i, n) in names.iter().enumerate() {
                        assert_eq!(h.position(n), Some(i), "{list:?} {n}");
                    }
                    outcomes[0] += 1;
                }
                (Err(e), Err(kind)) => {
                    assert_eq!(e.kind(), kind, "{list:?}");
                    outcomes[1] += 1;
                }
                (ours, plain) => panic!("{list:?}: {ours:?} against {plain:?}"),
            }
        }
        // Both answers come up often.
        assert!(outcomes.iter().all(|&n| n > 1000), "{outcomes:?}");
    }

    #[test]
    fn signed_headers_parse_as_the_plain_rules_say() {
        // Every list of up to 6 bytes over an alphabet of name bytes, the
        // separator and bytes that are neither.
        let alphabet = [b'a', b'b', b'-', b';', b'A', b' '];
        let mut lists = vec![String::new()];
        let mut last = lists.clone();
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|l| alphabet.iter().map(move |&c| format!("{l}{}", c as char)))
                .collect();
            lists.extend(last.iter().cloned());
        }
        for list in &lists {
            for max in [2, 64] {
                let ours = SignedHeaders::parse(Cow::Borrowed(list.as_str()), max, H);
                match (ours, reference(list, max)) {
                    (Ok(h), Ok(names)) => {
                        assert_eq!(h.iter().collect::<Vec<_>>(), names, "{list:?}");
                        for (i, n) in names.iter().enumerate() {
                            assert_eq!(h.position(n), Some(i), "{list:?} {n}");
                        }
                        assert_eq!(h.position("c"), None);
                    }
                    (Err(e), Err(kind)) => assert_eq!(e.kind(), kind, "{list:?}"),
                    (ours, plain) => panic!("{list:?}: {ours:?} against {plain:?}"),
                }
            }
        }
    }
}
