//! Secret access keys: redacted, wiped on drop, compared in constant time.

use std::fmt;
use std::sync::{Arc, OnceLock};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// A secret access key (or any other secret the identity layer holds).
///
/// - `Debug` prints `SecretKey(** redacted **)`; there is no `Display`.
/// - The bytes are wiped when the last clone is dropped (clones share one
///   allocation, so handing a credential out per request copies nothing).
/// - `==` runs in constant time for keys of equal length.
///
/// ```
/// use tower_sigv4::identity::SecretKey;
///
/// let secret = SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// assert_eq!(format!("{secret:?}"), "SecretKey(** redacted **)");
/// assert_eq!(secret, SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));
/// assert_eq!(secret.as_bytes().len(), 40);
/// ```
#[derive(Clone)]
pub struct SecretKey(Arc<SecretBytes>);

struct SecretBytes {
    bytes: Box<[u8]>,
    // The keyed fingerprint that names this secret in the signing-key cache;
    // computed on first use, once per credential rather than once per request.
    fingerprint: OnceLock<[u8; 32]>,
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.bytes.zeroize();
        if let Some(fp) = self.fingerprint.get_mut() {
            fp.zeroize();
        }
    }
}

impl SecretKey {
    /// Wraps secret bytes, wiping the caller's buffer.
    pub fn new(mut bytes: Vec<u8>) -> Self {
        // `into_boxed_slice` may reallocate and leave an unwiped copy behind,
        // so copy into an exact allocation and wipe the original instead.
        let exact: Box<[u8]> = bytes.as_slice().into();
        bytes.zeroize();
        SecretKey(Arc::new(SecretBytes {
            bytes: exact,
            fingerprint: OnceLock::new(),
        }))
    }

    /// The secret's bytes, for the signing-key derivation.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// The secret as text, when it is UTF-8 (AWS secrets are 40 ASCII
    /// characters). Only for handing freshly issued credentials to their
    /// owner, for example in an STS response; never log it.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0.bytes).ok()
    }

    /// The length of the secret in bytes.
    pub fn len(&self) -> usize {
        self.0.bytes.len()
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.bytes.is_empty()
    }

    /// `HMAC-SHA256(per-process random key, secret)`: names the secret in the
    /// signing-key cache without holding it, so that a rotated secret never
    /// meets a key derived from the old one.
    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        self.0.fingerprint.get_or_init(|| {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(process_fingerprint_key())
                .expect("HMAC takes keys of any length");
            mac.update(&self.0.bytes);
            mac.finalize().into_bytes().into()
        })
    }
}

impl From<Vec<u8>> for SecretKey {
    fn from(bytes: Vec<u8>) -> Self {
        SecretKey::new(bytes)
    }
}

impl From<String> for SecretKey {
    fn from(s: String) -> Self {
        SecretKey::new(s.into_bytes())
    }
}

impl From<&str> for SecretKey {
    fn from(s: &str) -> Self {
        SecretKey::new(s.as_bytes().to_vec())
    }
}

impl From<&[u8]> for SecretKey {
    fn from(s: &[u8]) -> Self {
        SecretKey::new(s.to_vec())
    }
}

impl ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        subtle::Choice::from(u8::from(ct_eq_bytes(self.as_bytes(), other.as_bytes())))
    }
}

/// Whether `a == b`, in a time that depends on their lengths only (unequal
/// lengths answer at once, as `subtle` does).
///
/// Eight bytes at a time: `subtle`'s slice comparison goes through an
/// optimization barrier per byte, which costs about ten times as much on a
/// session token of several hundred bytes. The differences are OR-ed into
/// one word, with no branch on the data; the accumulator goes through
/// [`std::hint::black_box`] on each word so that the compiler cannot turn
/// the loop into an early exit, and the last test is `subtle`'s.
pub(crate) fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a_words, b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let (a_tail, b_tail) = (a_words.remainder(), b_words.remainder());
    let mut acc = 0u64;
    for (x, y) in a_words.zip(b_words) {
        let x = u64::from_ne_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_ne_bytes(y.try_into().expect("8 bytes"));
        acc = std::hint::black_box(acc | (x ^ y));
    }
    for (x, y) in a_tail.iter().zip(b_tail) {
        acc |= u64::from(x ^ y);
    }
    bool::from(acc.ct_eq(&0))
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(** redacted **)")
    }
}

/// Fills `buf` from the operating system's random source.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}

fn process_fingerprint_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        if fill_random(&mut key).is_err() {
            // Without the OS source, fall back to values that still differ per
            // process and per start: the fingerprint only has to keep secrets
            // apart and not be reversible, which SHA-256 ensures by itself.
            let local = 0u8;
            let digest = Sha256::new()
                .chain_update(std::process::id().to_le_bytes())
                .chain_update(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos())
                        .to_le_bytes(),
                )
                .chain_update((std::ptr::addr_of!(local) as usize).to_le_bytes())
                .finalize();
            key.copy_from_slice(&digest);
        }
        key
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_equality_of_byte_strings() {
        assert!(ct_eq_bytes(b"", b""));
        for len in [1usize, 7, 8, 9, 16, 430] {
            let a: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            assert!(ct_eq_bytes(&a, &a.clone()));
            for at in [0, len / 2, len - 1] {
                let mut b = a.clone();
                b[at] ^= 0x01;
                assert!(!ct_eq_bytes(&a, &b), "{len} {at}");
            }
            assert!(!ct_eq_bytes(&a, &a[..len - 1]));
        }
    }

    #[test]
    fn fingerprint_is_keyed_and_not_the_secret() {
        let a = SecretKey::from("secret-a");
        let b = SecretKey::from("secret-b");
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), SecretKey::from("secret-a").fingerprint());
        // Not a plain hash: the per-process key is mixed in.
        let plain: [u8; 32] = Sha256::digest(b"secret-a").into();
        assert_ne!(a.fingerprint(), &plain);
    }

    #[test]
    fn equality_needs_every_byte() {
        let a = SecretKey::from("abcdef");
        assert_ne!(a, SecretKey::from("abcdeg"));
        assert_ne!(a, SecretKey::from("abcde"));
        assert_eq!(a, a.clone());
    }
}
