//! RFC 4648 base32 (`A–Z`, `2–7`, no padding): the alphabet of AWS access key
//! ids and unique ids.

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Appends the first `chars` base32 characters of `bytes` to `out`.
///
/// `bytes` must hold at least `chars * 5` bits.
pub(crate) fn push_base32(bytes: &[u8], chars: usize, out: &mut String) {
    debug_assert!(bytes.len() * 8 >= chars * 5);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    let mut written = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 && written < chars {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 0x1f) as usize]));
            written += 1;
        }
        buffer &= (1 << bits) - 1;
        if written == chars {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_rfc4648_vectors() {
        // RFC 4648 section 10: BASE32("foobar") = "MZXW6YTBOI======"; the
        // tenth character needs padding bits, so only whole groups are taken.
        let mut s = String::new();
        push_base32(b"foobar", 9, &mut s);
        assert_eq!(s, "MZXW6YTBO");
        let mut s = String::new();
        push_base32(b"fooba", 8, &mut s);
        assert_eq!(s, "MZXW6YTB");
    }
}
