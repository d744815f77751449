//! Finding one byte value in a short slice, eight bytes per step.
//!
//! The values SigV4 takes apart (the `Authorization` header, header values)
//! are tens to hundreds of bytes: too short for the set-up of a vectorised
//! search to pay, too long for a byte-at-a-time loop to be free.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

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
}
