//! Signing-key derivation: `kDate → kRegion → kService → kSigning`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use super::mac::{HmacPads, Sha256Stream};

type HmacSha256 = Hmac<Sha256>;

/// The terminal string of every SigV4 credential scope.
pub const SCOPE_TERMINATOR: &str = "aws4_request";

/// A SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
///
/// The key is as sensitive as the secret it came from for the scope it was
/// derived for: its `Debug` output is redacted and its bytes are wiped on drop.
///
/// ```
/// use tower_sigv4::sigv4::SigningKey;
///
/// // The key from the AWS General Reference example.
/// let key = SigningKey::derive(
///     b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
///     "20150830",
///     "us-east-1",
///     "iam",
/// );
/// assert_eq!(
///     hex::encode(key.as_bytes()),
///     "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
/// );
/// ```
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    /// HMAC's key blocks, compressed once here rather than on every
    /// verification (see `sigv4::mac`).
    pads: HmacPads,
}

impl SigningKey {
    /// Derives the signing key for one credential scope from a secret access key.
    ///
    /// `date` is the scope date (`YYYYMMDD`).
    pub fn derive(secret: &[u8], date: &str, region: &str, service: &str) -> Self {
        // "AWS4" + secret, kept on the stack when it fits so that no heap copy
        // of the secret outlives this call.
        let mut k_date = {
            let mut prefixed = [0u8; 132];
            let mac = if secret.len() <= prefixed.len() - 4 {
                prefixed[..4].copy_from_slice(b"AWS4");
                prefixed[4..4 + secret.len()].copy_from_slice(secret);
                let m = hmac_sha256(&prefixed[..4 + secret.len()], date.as_bytes());
                prefixed.zeroize();
                m
            } else {
                let mut v = Vec::with_capacity(4 + secret.len());
                v.extend_from_slice(b"AWS4");
                v.extend_from_slice(secret);
                let m = hmac_sha256(&v, date.as_bytes());
                v.zeroize();
                m
            };
            mac
        };
        let mut k_region = hmac_sha256(&k_date, region.as_bytes());
        let mut k_service = hmac_sha256(&k_region, service.as_bytes());
        let k_signing = hmac_sha256(&k_service, SCOPE_TERMINATOR.as_bytes());
        k_date.zeroize();
        k_region.zeroize();
        k_service.zeroize();
        SigningKey::from_bytes(k_signing)
    }

    /// Builds a key from its 32 raw bytes (for example one held in a cache).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SigningKey {
            pads: HmacPads::new(&bytes),
            bytes,
        }
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// An HMAC-SHA256 instance keyed with this key, ready to be cloned for each
    /// message (the aws-chunked chain signs every chunk with one such instance).
    pub fn mac(&self) -> Hmac<Sha256> {
        <HmacSha256 as Mac>::new_from_slice(&self.bytes).expect("HMAC takes keys of any length")
    }

    /// A stream for a message to sign with [`SigningKey::sign_stream`].
    pub(crate) fn start_signing(&self) -> Sha256Stream {
        self.pads.start()
    }

    /// HMAC's key blocks.
    pub(crate) fn pads(&self) -> &HmacPads {
        &self.pads
    }

    /// The HMAC of the message fed into `stream` (from [`SigningKey::start_signing`]).
    pub(crate) fn sign_stream(&self, stream: Sha256Stream) -> [u8; 32] {
        self.pads.finish(stream)
    }

    /// `HMAC-SHA256(key, message)`: the signature of a string to sign.
    pub fn sign(&self, message: &[u8]) -> [u8; 32] {
        let mut stream = self.pads.start();
        stream.update(message);
        self.pads.finish(stream)
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = SigningKey::derive(b"secret", "20150830", "us-east-1", "iam");
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode(key.as_bytes())));
        assert_eq!(shown, "SigningKey(** redacted **)");
    }

    #[test]
    fn long_secret_derives_like_short_path() {
        // A secret longer than the stack buffer takes the heap path; the key
        // must equal a direct computation of the chain.
        let secret = vec![b'k'; 200];
        let mut prefixed = b"AWS4".to_vec();
        prefixed.extend_from_slice(&secret);
        let k = hmac_sha256(&prefixed, b"20150830");
        let k = hmac_sha256(&k, b"us-east-1");
        let k = hmac_sha256(&k, b"s3");
        let k = hmac_sha256(&k, b"aws4_request");
        assert_eq!(
            SigningKey::derive(&secret, "20150830", "us-east-1", "s3").as_bytes(),
            &k
        );
    }
}
