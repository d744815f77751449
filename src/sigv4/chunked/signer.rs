//! The chunk and trailer signature chain of the signed `aws-chunked` modes.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

use crate::sigv4::SigningKey;

type HmacSha256 = Hmac<Sha256>;

/// Hex SHA-256 of the empty string: the fixed fifth line of every chunk's
/// string to sign (it stands for the chunk headers, which S3 does not sign).
const EMPTY_SHA256_HEX: &[u8; 64] =
    b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What the signed `aws-chunked` modes need to verify each chunk: the signing
/// key, the request's `X-Amz-Date` and credential scope, and the seed
/// signature (the verified signature of the request itself).
///
/// Its `Debug` output shows the date and the scope only.
#[derive(Clone)]
pub struct ChunkSigner {
    key: SigningKey,
    amz_date: String,
    scope: String,
    seed: [u8; 32],
}

impl ChunkSigner {
    /// Builds the signer from the verified request's signing key, its
    /// `X-Amz-Date` (`20130524T000000Z`), its credential scope
    /// (`20130524/us-east-1/s3/aws4_request`) and its signature (the seed).
    pub fn new(
        key: SigningKey,
        amz_date: impl Into<String>,
        scope: impl Into<String>,
        seed_signature: [u8; 32],
    ) -> Self {
        ChunkSigner {
            key,
            amz_date: amz_date.into(),
            scope: scope.into(),
            seed: seed_signature,
        }
    }

    /// Like [`new`](Self::new), with the seed signature as the 64 hex digits
    /// of the `Authorization` header. `None` if it is not 64 hex digits.
    pub fn with_hex_seed(
        key: SigningKey,
        amz_date: impl Into<String>,
        scope: impl Into<String>,
        seed_signature_hex: &str,
    ) -> Option<Self> {
        let mut seed = [0u8; 32];
        hex::decode_to_slice(seed_signature_hex, &mut seed).ok()?;
        Some(Self::new(key, amz_date, scope, seed))
    }

    /// The `X-Amz-Date` the chain signs with.
    pub fn amz_date(&self) -> &str {
        &self.amz_date
    }

    /// The credential scope the chain signs with.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    pub(crate) fn into_chain(self) -> SignatureChain {
        // Both strings to sign start with the same three lines for every chunk:
        // absorb them once into a keyed HMAC and clone that state per chunk.
        let base = self.key.mac();
        let mut payload = base.clone();
        payload.update(b"AWS4-HMAC-SHA256-PAYLOAD\n");
        let mut trailer = base;
        trailer.update(b"AWS4-HMAC-SHA256-TRAILER\n");
        for mac in [&mut payload, &mut trailer] {
            mac.update(self.amz_date.as_bytes());
            mac.update(b"\n");
            mac.update(self.scope.as_bytes());
            mac.update(b"\n");
        }
        let mut previous = [0u8; 64];
        hex::encode_to_slice(self.seed, &mut previous).expect("64 bytes hold 32 in hex");
        SignatureChain {
            payload,
            trailer,
            previous,
        }
    }
}

impl fmt::Debug for ChunkSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChunkSigner")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The running state of the chain: each verified signature becomes the
/// "previous signature" of the next string to sign.
pub(crate) struct SignatureChain {
    payload: HmacSha256,
    trailer: HmacSha256,
    /// Hex of the last verified signature (the seed at first).
    previous: [u8; 64],
}

impl SignatureChain {
    /// Verifies a chunk's claimed signature over the hex SHA-256 of its data,
    /// and on success moves the chain forward.
    pub(crate) fn verify_chunk(&mut self, data_sha256: &[u8; 32], claimed: &Claimed) -> bool {
        let mut mac = self.payload.clone();
        mac.update(&self.previous);
        mac.update(b"\n");
        mac.update(EMPTY_SHA256_HEX);
        mac.update(b"\n");
        mac.update(&hex32(data_sha256));
        self.finish(mac, claimed)
    }

    /// Verifies the trailer signature over the hex SHA-256 of the canonical
    /// trailer lines.
    pub(crate) fn verify_trailer(&mut self, trailer_sha256: &[u8; 32], claimed: &Claimed) -> bool {
        let mut mac = self.trailer.clone();
        mac.update(&self.previous);
        mac.update(b"\n");
        mac.update(&hex32(trailer_sha256));
        self.finish(mac, claimed)
    }

    fn finish(&mut self, mac: HmacSha256, claimed: &Claimed) -> bool {
        let computed = mac.finalize().into_bytes();
        let Claimed(Some(claimed)) = claimed else {
            return false;
        };
        if bool::from(computed.as_slice().ct_eq(claimed)) {
            self.previous = hex32(claimed);
            true
        } else {
            false
        }
    }
}

/// A signature as it came on the wire: `None` when its 64 characters are not
/// all lowercase hex, so that it can never match.
#[derive(Clone, Copy)]
pub(crate) struct Claimed(Option<[u8; 32]>);

impl Claimed {
    /// Parses 64 characters; `None` when the length is wrong (a framing
    /// fault, unlike a wrong digit, which is a signature mismatch).
    pub(crate) fn parse(hex_digits: &[u8]) -> Option<Claimed> {
        if hex_digits.len() != 64 {
            return None;
        }
        // AWS writes signatures in lowercase and compares them as strings.
        if !hex_digits
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            return Some(Claimed(None));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(hex_digits, &mut out).expect("checked lowercase hex");
        Some(Claimed(Some(out)))
    }
}

fn hex32(bytes: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    hex::encode_to_slice(bytes, &mut out).expect("64 bytes hold 32 in hex");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    #[test]
    fn debug_shows_no_key_or_seed() {
        let key = SigningKey::from_bytes([7u8; 32]);
        let signer = ChunkSigner::new(key, "20130524T000000Z", "scope", [0xab; 32]);
        let shown = format!("{signer:?}");
        assert!(!shown.contains("abab"));
        assert!(!shown.contains("0707"));
        assert!(shown.contains("20130524T000000Z"));
    }

    #[test]
    fn claimed_signature_parsing() {
        assert!(Claimed::parse(&[b'a'; 63]).is_none());
        assert!(Claimed::parse(&[b'a'; 65]).is_none());
        assert!(Claimed::parse(&[b'a'; 64]).unwrap().0.is_some());
        assert!(Claimed::parse(&[b'A'; 64]).unwrap().0.is_none());
        assert!(Claimed::parse(&[b'g'; 64]).unwrap().0.is_none());
    }

    #[test]
    fn chain_matches_a_direct_computation_and_advances() {
        // A direct, unoptimised computation of the documented string to sign.
        let key = SigningKey::from_bytes([1u8; 32]);
        let seed = [2u8; 32];
        let data_hash: [u8; 32] = Sha256::digest(b"chunk").into();
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\nDATE\nSCOPE\n{}\n{}\n{}",
            hex::encode(seed),
            hex::encode(Sha256::digest(b"")),
            hex::encode(data_hash)
        );
        let expected = key.sign(sts.as_bytes());
        let mut chain = ChunkSigner::new(key.clone(), "DATE", "SCOPE", seed).into_chain();
        let wrong = Claimed::parse(hex::encode([0u8; 32]).as_bytes()).unwrap();
        assert!(!chain.verify_chunk(&data_hash, &wrong));
        let right = Claimed::parse(hex::encode(expected).as_bytes()).unwrap();
        assert!(chain.verify_chunk(&data_hash, &right));
        // The same claim no longer verifies: the chain moved on.
        assert!(!chain.verify_chunk(&data_hash, &right));

        let trailer_hash: [u8; 32] = Sha256::digest(b"x:y\n").into();
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\nDATE\nSCOPE\n{}\n{}",
            hex::encode(expected),
            hex::encode(trailer_hash)
        );
        let mut chain = ChunkSigner::new(key.clone(), "DATE", "SCOPE", seed).into_chain();
        assert!(chain.verify_chunk(&data_hash, &right));
        let trailer_sig = Claimed::parse(hex::encode(key.sign(sts.as_bytes())).as_bytes()).unwrap();
        assert!(chain.verify_trailer(&trailer_hash, &trailer_sig));
    }
}
