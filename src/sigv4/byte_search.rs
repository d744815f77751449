//! Finding one byte value in a short slice, eight bytes per step, and
//! comparing short byte strings a word at a time.
//!
//! The values SigV4 takes apart (the `Authorization` header, header values)
//! are tens to hundreds of bytes: too short for the set-up of a vectorised
//! search to pay, too long for a byte-at-a-time loop to be free. Header
//! names are compared a few times per request each, and are mostly 4 to 16
//! bytes long: a call to `memcmp` costs more than the comparison.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// The high bit of each byte of a word.
pub(crate) const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// A mask with the high bit set in each byte of `word` that lies in
/// `lo..=hi`, for words whose bytes are all below 0x80 (test `word & HIGHS`
/// first; above it the sums may carry into the next byte). Adding
/// `0x80 - lo` sets a byte's high bit when it is at least `lo`, adding
/// `0x7f - hi` when it is above `hi`; below 0x80 no sum carries.
#[inline(always)]
pub(crate) fn bytes_within(word: u64, lo: u8, hi: u8) -> u64 {
    word.wrapping_add(ONES * u64::from(0x80 - lo))
        & !word.wrapping_add(ONES * u64::from(0x7f - hi))
        & HIGHS
}

/// A mask with the high bit set in each byte of `word` that is zero, and
/// possibly in bytes above the lowest zero (the borrow runs upwards): the
/// lowest set bit is exact.
#[inline]
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The index of the first `needle` in `haystack`.
#[inline]
pub(crate) fn find_byte(haystack: &[u8], needle: u8) -> Option<usize> {
    let spread = u64::from_ne_bytes([needle; 8]);
    let mut chunks = haystack.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ spread;
        let hits = zero_bytes(word);
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| at + i)
}

/// Whether `haystack` holds `needle`.
#[inline]
pub(crate) fn contains_byte(haystack: &[u8], needle: u8) -> bool {
    find_byte(haystack, needle).is_some()
}

/// Whether `a` equals `b`: two overlapping word loads for lengths 4 to 16.
#[inline]
pub(crate) fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let w = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8"));
        return (w(a, 0) ^ w(b, 0)) | (w(a, n - 8) ^ w(b, n - 8)) == 0;
    }
    if (4..8).contains(&n) {
        let w = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4"));
        return (w(a, 0) ^ w(b, 0)) | (w(a, n - 4) ^ w(b, n - 4)) == 0;
    }
    a == b
}

/// The first 8 bytes of `s` (zeros past its end) as a big-endian number:
/// for strings without zero bytes, comparing these compares the strings'
/// first 8 bytes in lexicographic order, a shorter prefix first.
#[inline]
fn prefix_be(s: &[u8]) -> u64 {
    if s.len() >= 8 {
        return u64::from_be_bytes(s[..8].try_into().expect("8"));
    }
    let mut word = 0u64;
    for (i, &b) in s.iter().enumerate() {
        word |= u64::from(b) << (56 - 8 * i);
    }
    word
}

/// Whether `a` sorts strictly before `b` (lexicographic bytes), for strings
/// without zero bytes: mostly decided by their first 8 bytes.
#[inline]
pub(crate) fn sorts_before(a: &[u8], b: &[u8]) -> bool {
    let (x, y) = (prefix_be(a), prefix_be(b));
    if x != y {
        return x < y;
    }
    a < b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_a_plain_search() {
        // Every length to 40, the needle at every place, with bytes around it
        // that trip a careless zero-byte test (0x00, 0x01, 0x80, needle ± 1).
        for needle in [b',', b' ', 0x00, 0x01, 0x80, 0xff] {
            for len in 0..40usize {
                for fill in [
                    0x00u8,
                    0x01,
                    0x80,
                    0xff,
                    needle.wrapping_add(1),
                    needle.wrapping_sub(1),
                ] {
                    let mut hay = vec![fill; len];
                    if fill == needle {
                        continue;
                    }
                    assert_eq!(find_byte(&hay, needle), None, "{needle} {len} {fill}");
                    for at in 0..len {
                        hay[at] = needle;
                        let expected = hay.iter().position(|&b| b == needle);
                        assert_eq!(
                            find_byte(&hay, needle),
                            expected,
                            "{needle} {len} {fill} {at}"
                        );
                        // A second needle further on does not move the answer.
                        if at + 3 < len {
                            hay[at + 3] = needle;
                            assert_eq!(find_byte(&hay, needle), Some(at));
                            hay[at + 3] = fill;
                        }
                        hay[at] = fill;
                    }
                }
            }
        }
        assert!(contains_byte(b"a b", b' '));
        assert!(!contains_byte(b"ab", b' '));
    }

    /// Strings of 0 to 20 bytes over a small alphabet: every length class
    /// of the word compares, with shared prefixes of every length.
    fn short_strings() -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new()];
        for len in 1..=20usize {
            for seed in 0..12u32 {
                out.push(
                    (0..len)
                        .map(|i| b"ab-z"[((seed >> (i % 5)) as usize + i / 7) % 4])
                        .collect(),
                );
            }
        }
        out
    }

    #[test]
    fn short_compares_agree_with_slices() {
        let strings = short_strings();
        for a in &strings {
            for b in &strings {
                assert_eq!(short_eq(a, b), a == b, "{a:?} {b:?}");
                assert_eq!(sorts_before(a, b), a < b, "{a:?} {b:?}");
            }
        }
    }
}
