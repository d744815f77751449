//! Request dates: the 16-byte ISO 8601 basic form (`20150830T123600Z`) that
//! enters the string to sign, parsed without allocation.
//!
//! Time is never read from the system clock here: every check takes `now`
//! from the caller, so tests (and replays of recorded traffic) set it.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::byte_search::{bytes_within, HIGHS};

/// A request date, second precision, UTC, kept with its 16-byte ISO 8601
/// basic form (`YYYYMMDD'T'HHMMSS'Z'`) as it enters the string to sign.
///
/// ```
/// use tower_sigv4::sigv4::AmzDate;
///
/// let d = AmzDate::parse(b"20150830T123600Z").unwrap();
/// assert_eq!(d.as_str(), "20150830T123600Z");
/// assert_eq!(d.date_str(), "20150830");
/// assert_eq!(d.unix_seconds(), 1_440_938_160);
/// // An RFC 1123 `Date` header gives the same instant.
/// assert_eq!(AmzDate::parse_http_date(b"Sun, 30 Aug 2015 12:36:00 GMT"), Some(d));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AmzDate {
    secs: i64,
    text: [u8; 16],
}

impl AmzDate {
    /// Parses the ISO 8601 basic form `YYYYMMDDTHHMMSSZ` (exactly 16 bytes).
    pub fn parse(s: &[u8]) -> Option<AmzDate> {
        let text: [u8; 16] = s.try_into().ok()?;
        let (date, time) = text.split_at(8);
        let [year_hi, year_lo, month, day] = digit_pairs(date.try_into().ok()?)?;
        // `THHMMSSZ`: the time's pairs are read one byte further on, the
        // lane of `Z` replaced by `00`.
        let time = u64::from_le_bytes(time.try_into().ok()?);
        if time & 0xff != u64::from(b'T') || time >> 56 != u64::from(b'Z') {
            return None;
        }
        let hhmmss = (time >> 8) & 0x0000_ffff_ffff_ffff;
        let padded = hhmmss | (u64::from(u16::from_le_bytes([b'0', b'0'])) << 48);
        let [hour, minute, second, _] = digit_pairs(&padded.to_le_bytes())?;
        let year = i64::from(year_hi * 100 + year_lo);
        let secs = civil_to_unix(year, month, day, hour, minute, second)?;
        Some(AmzDate { secs, text })
    }

    /// Parses an HTTP `Date` header value: the IMF-fixdate of RFC 9110
    /// (`Sun, 06 Nov 1994 08:49:37 GMT`) or, as S3 also accepts, the ISO 8601
    /// basic form. The result carries the ISO form that enters the string to sign.
    pub fn parse_http_date(s: &[u8]) -> Option<AmzDate> {
        if let Some(d) = AmzDate::parse(s) {
            return Some(d);
        }
        // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes.
        if s.len() != 29 || &s[3..5] != b", " || &s[25..] != b" GMT" {
            return None;
        }
        const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
        if !DAYS.contains(&&s[0..3]) {
            return None;
        }
        const MONTHS: [&[u8]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        if s[7] != b' ' || s[11] != b' ' || s[16] != b' ' || s[19] != b':' || s[22] != b':' {
            return None;
        }
        let day = digits(&s[5..7])?;
        let month = MONTHS.iter().position(|m| *m == &s[8..11])? as u32 + 1;
        let year = digits(&s[12..16])? as i64;
        let hour = digits(&s[17..19])?;
        let minute = digits(&s[20..22])?;
        let second = digits(&s[23..25])?;
        let secs = civil_to_unix(year, month, day, hour, minute, second)?;
        Some(AmzDate::from_unix(secs))
    }

    /// The date at `secs` seconds after the Unix epoch (clamped to years 0..=9999).
    pub fn from_unix(secs: i64) -> AmzDate {
        // Years 0000..=9999 are all the 16-byte form can hold.
        const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        let secs = secs.clamp(MIN, MAX);
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = unix_days_to_civil(days);
        let (hh, mm, ss) = (rem / 3600, (rem / 60) % 60, rem % 60);
        let mut text = *b"00000000T000000Z";
        put(&mut text[0..4], y as u32);
        put(&mut text[4..6], m);
        put(&mut text[6..8], d);
        put(&mut text[9..11], hh as u32);
        put(&mut text[11..13], mm as u32);
        put(&mut text[13..15], ss as u32);
        AmzDate { secs, text }
    }

    /// The date of a `SystemTime`, truncated to the second.
    pub fn from_system_time(t: SystemTime) -> AmzDate {
        AmzDate::from_unix(unix_seconds(t))
    }

    /// The 16-byte ISO 8601 basic form.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever stored.
        std::str::from_utf8(&self.text).unwrap_or("")
    }

    /// The 16 bytes of [`AmzDate::as_str`].
    pub(crate) fn as_bytes(&self) -> &[u8; 16] {
        &self.text
    }

    /// The `YYYYMMDD` part: what the credential scope date must equal.
    pub fn date_str(&self) -> &str {
        &self.as_str()[..8]
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The same instant as a `SystemTime`.
    pub fn to_system_time(&self) -> SystemTime {
        if self.secs >= 0 {
            UNIX_EPOCH + Duration::from_secs(self.secs as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(self.secs.unsigned_abs())
        }
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmzDate({})", self.as_str())
    }
}

/// Whole seconds since the Unix epoch (negative before it), saturating.
pub(crate) fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => {
            let d = e.duration();
            // -0.5 s is second -1: floor, like the date it names.
            let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            if d.subsec_nanos() > 0 {
                -s.saturating_add(1)
            } else {
                -s
            }
        }
    }
}

/// Eight ASCII digits as four two-digit numbers (`20150830` → 20, 15, 8,
/// 30), or `None` if a byte is not a digit: one `u64`, all lanes at once.
#[inline]
pub(crate) fn digit_pairs(s: &[u8; 8]) -> Option<[u32; 4]> {
    const LANES: u64 = u64::from_ne_bytes([0x01; 8]);
    let w = u64::from_le_bytes(*s);
    if w & HIGHS != 0 || bytes_within(w, b'0', b'9') != HIGHS {
        return None;
    }
    let v = w - LANES * u64::from(b'0');
    // Each even byte: its digit times ten plus the next one.
    let pairs = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
    Some([0, 16, 32, 48].map(|shift| ((pairs >> shift) & 0xff) as u32))
}

fn digits(s: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

fn put(out: &mut [u8], mut v: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Validates a calendar date (`YYYYMMDD` digits already parsed).
pub(crate) fn valid_ymd(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

fn civil_to_unix(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> Option<i64> {
    if !valid_ymd(y, m, d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    Some(civil_to_unix_days(y, m, d) * 86_400 + i64::from(hh * 3600 + mm * 60 + ss))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_to_unix_days(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn unix_days_to_civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse as the rules read, a field at a time.
    fn parse_by_fields(s: &[u8]) -> Option<AmzDate> {
        if s.len() != 16 || s[8] != b'T' || s[15] != b'Z' {
            return None;
        }
        let year = digits(&s[0..4])? as i64;
        let month = digits(&s[4..6])?;
        let day = digits(&s[6..8])?;
        let hour = digits(&s[9..11])?;
        let minute = digits(&s[11..13])?;
        let second = digits(&s[13..15])?;
        let secs = civil_to_unix(year, month, day, hour, minute, second)?;
        Some(AmzDate {
            secs,
            text: s.try_into().ok()?,
        })
    }

    /// Every byte value at every position of valid dates (month ends, leap
    /// days, the ends of each field's range), and every date of a leap
    /// year and its neighbours at a few times, against the field-by-field
    /// reading; the scope date alike.
    #[test]
    fn the_word_parse_agrees_with_the_field_parse() {
        let bases = [
            "20150830T123600Z",
            "20000229T235959Z",
            "19000228T000000Z",
            "99991231T235959Z",
            "00000101T000000Z",
            "20240131T095909Z",
        ];
        for base in bases {
            for at in 0..16 {
                for b in 0..=255u8 {
                    let mut s = base.as_bytes().to_vec();
                    s[at] = b;
                    assert_eq!(AmzDate::parse(&s), parse_by_fields(&s), "{s:?}");
                    if at < 8 {
                        let scope = crate::sigv4::ScopeDate::parse(&s[..8]).is_some();
                        let y = digits(&s[0..4]).map(i64::from);
                        let expected = matches!(
                            (y, digits(&s[4..6]), digits(&s[6..8])),
                            (Some(y), Some(m), Some(d)) if valid_ymd(y, m, d)
                        );
                        assert_eq!(scope, expected, "{s:?}");
                    }
                }
            }
        }
        for year in [1999, 2000, 2023, 2024, 2100] {
            for month in 0..=13 {
                for day in 0..=32 {
                    for time in ["000000", "235959", "240000", "236000", "235960"] {
                        let s = format!("{year:04}{month:02}{day:02}T{time}Z");
                        assert_eq!(
                            AmzDate::parse(s.as_bytes()),
                            parse_by_fields(s.as_bytes()),
                            "{s}"
                        );
                    }
                }
            }
        }
        for len in [0, 8, 15, 17] {
            assert_eq!(AmzDate::parse(&vec![b'0'; len]), None);
        }
    }

    #[test]
    fn round_trips_through_unix_seconds() {
        for s in [
            "19700101T000000Z",
            "20000229T235959Z",
            "20150830T123600Z",
            "20991231T000000Z",
            "19691231T235959Z",
        ] {
            let d = AmzDate::parse(s.as_bytes()).unwrap();
            assert_eq!(AmzDate::from_unix(d.unix_seconds()).as_str(), s);
            assert_eq!(AmzDate::from_system_time(d.to_system_time()), d);
        }
        assert_eq!(
            AmzDate::parse(b"19700101T000000Z").unwrap().unix_seconds(),
            0
        );
    }

    #[test]
    fn rejects_impossible_dates_and_bad_shapes() {
        for s in [
            "20150230T000000Z",
            "20150229T000000Z",
            "21000229T000000Z",
            "20151301T000000Z",
            "20150001T000000Z",
            "20150830T240000Z",
            "20150830T126000Z",
            "20150830T123660Z",
            "20150830 123600Z",
            "20150830T123600",
            "2015083OT123600Z",
            "+2015830T123600Z",
            "",
        ] {
            assert_eq!(AmzDate::parse(s.as_bytes()), None, "{s}");
        }
        assert!(AmzDate::parse(b"20000229T000000Z").is_some());
    }

    #[test]
    fn http_dates() {
        let d = AmzDate::parse_http_date(b"Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(d.as_str(), "19941106T084937Z");
        assert_eq!(
            AmzDate::parse_http_date(b"Sun, 06 Nov 1994 08:49:37 UTC"),
            None
        );
        assert_eq!(
            AmzDate::parse_http_date(b"Xyz, 06 Nov 1994 08:49:37 GMT"),
            None
        );
        assert_eq!(
            AmzDate::parse_http_date(b"Sun, 31 Nov 1994 08:49:37 GMT"),
            None
        );
        assert_eq!(
            AmzDate::parse_http_date("Sun, 06 Nov 1994 08:49:3\u{e9} GMT".as_bytes()),
            None
        );
    }

    #[test]
    fn system_time_before_epoch_floors() {
        let t = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(unix_seconds(t), -1);
        assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_secs(2)), -2);
    }
}
