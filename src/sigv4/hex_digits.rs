//! The hex forms SigV4 reads and writes: signatures and payload hashes
//! (64 digits in, either case) and hashes in the string to sign (64 digits
//! out, lowercase). Tables, one lookup per digit or per byte: `hex`'s
//! general-purpose functions cost more than the rest of the `Authorization`
//! parse in the verification profile.

/// Marks a byte that is no hex digit in the tables of [`hex_table`].
pub(crate) const NOT_HEX: u8 = 0xff;

/// The value of each hex digit (`0-9`, `A-F`, and `a-f` when `lower_too`),
/// [`NOT_HEX`] for any other byte.
pub(crate) const fn hex_table(lower_too: bool) -> [u8; 256] {
    let mut table = [NOT_HEX; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' if lower_too => c - b'a' + 10,
            _ => NOT_HEX,
        };
        b += 1;
    }
    table
}

/// The value of each hex digit of either case.
pub(crate) static DIGIT_VALUE: [u8; 256] = hex_table(true);

/// The two lowercase digits of each byte value.
static BYTE_DIGITS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [HEX[b >> 4], HEX[b & 15]];
        b += 1;
    }
    t
};

/// Decodes 64 hex digits (either case) into `out`; false on any other
/// input (a length other than 64, a byte that is not a digit).
pub(crate) fn decode_hex_32(hex_digits: &[u8], out: &mut [u8; 32]) -> bool {
    if hex_digits.len() != 64 {
        return false;
    }
    let mut bad = 0u8;
    for (o, pair) in out.iter_mut().zip(hex_digits.chunks_exact(2)) {
        let (hi, lo) = (
            DIGIT_VALUE[usize::from(pair[0])],
            DIGIT_VALUE[usize::from(pair[1])],
        );
        bad |= hi | lo;
        *o = hi.wrapping_shl(4) | lo;
    }
    bad & 0xf0 == 0
}

/// The 64 lowercase hex digits of `bytes`.
pub(crate) fn hex_encode(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&BYTE_DIGITS[usize::from(b)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_hex_crate() {
        for seed in 0..64u8 {
            let bytes: [u8; 32] =
                std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ seed.wrapping_mul(11));
            let mut out = [0u8; 64];
            hex_encode(&bytes, &mut out);
            assert_eq!(out.as_slice(), hex::encode(bytes).as_bytes());
            let mut back = [0u8; 32];
            assert!(decode_hex_32(&out, &mut back));
            assert_eq!(back, bytes);
            let upper = hex::encode_upper(bytes);
            assert!(decode_hex_32(upper.as_bytes(), &mut back));
            assert_eq!(back, bytes);
        }
    }

    #[test]
    fn refuses_what_is_not_64_digits() {
        let mut out = [0u8; 32];
        let good = [b'a'; 64];
        assert!(decode_hex_32(&good, &mut out));
        assert!(!decode_hex_32(&good[..63], &mut out));
        assert!(!decode_hex_32(&[b'a'; 65], &mut out));
        for bad in [b'g', b'G', b' ', b'/', b':', b'@', b'`', 0x00, 0x80, 0xff] {
            for at in [0, 1, 31, 62, 63] {
                let mut digits = good;
                digits[at] = bad;
                assert!(!decode_hex_32(&digits, &mut out), "{bad:#x} at {at}");
            }
        }
    }
}
