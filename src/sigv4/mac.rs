//! HMAC-SHA256 with the key's pads already compressed, and a SHA-256 stream
//! that can start from such a state.
//!
//! A signing key signs many strings to sign. HMAC hashes `key ⊕ ipad` and
//! `key ⊕ opad` (one 64-byte block each) before any message byte: doing that
//! once when the key is derived, rather than on every verification, saves
//! two of the dozen SHA-256 blocks a small request costs. The states are
//! plain SHA-256 chaining values, continued with `sha2::compress256`.

use sha2::digest::generic_array::GenericArray;
use zeroize::Zeroize;

const BLOCK: usize = 64;

/// SHA-256's initial chaining value (FIPS 180-4, 5.3.3).
const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

fn compress(state: &mut [u32; 8], block: &[u8; BLOCK]) {
    sha2::compress256(state, &[*GenericArray::from_slice(block)]);
}

/// SHA-256 over bytes given piece by piece, from the initial value or from
/// a chaining value after whole blocks.
#[derive(Clone)]
pub(crate) struct Sha256Stream {
    state: [u32; 8],
    buf: [u8; BLOCK],
    buf_len: usize,
    /// Whole blocks compressed so far: the length hashed is this and
    /// `buf_len`, so the many small pieces of a canonical request add to
    /// no counter.
    blocks: u64,
}

impl Sha256Stream {
    pub(crate) fn new() -> Self {
        Sha256Stream::resume(IV, 0)
    }

    /// Continues from `state`, the chaining value after `blocks` whole blocks.
    fn resume(state: [u32; 8], blocks: u64) -> Self {
        Sha256Stream {
            state,
            buf: [0; BLOCK],
            buf_len: 0,
            blocks,
        }
    }

    /// Adds `data`: a copy into the block buffer when it fits there (the
    /// string to sign arrives in a dozen small pieces), blocks compressed
    /// otherwise.
    #[inline]
    pub(crate) fn update(&mut self, data: &[u8]) {
        if data.len() < BLOCK - self.buf_len {
            self.buf[self.buf_len..self.buf_len + data.len()].copy_from_slice(data);
            self.buf_len += data.len();
        } else {
            self.update_blocks(data);
        }
    }

    #[inline]
    pub(crate) fn update_byte(&mut self, byte: u8) {
        self.buf[self.buf_len] = byte;
        self.buf_len += 1;
        if self.buf_len == BLOCK {
            compress(&mut self.state, &self.buf);
            self.blocks = self.blocks.wrapping_add(1);
            self.buf_len = 0;
        }
    }

    fn update_blocks(&mut self, mut data: &[u8]) {
        if self.buf_len > 0 {
            let take = (BLOCK - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < BLOCK {
                return;
            }
            compress(&mut self.state, &self.buf);
            self.blocks = self.blocks.wrapping_add(1);
            self.buf_len = 0;
        }
        let whole = data.len() / BLOCK * BLOCK;
        for block in data[..whole].chunks_exact(BLOCK) {
            compress(&mut self.state, block.try_into().expect("64 bytes"));
        }
        self.blocks = self.blocks.wrapping_add((whole / BLOCK) as u64);
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    pub(crate) fn finish(mut self) -> [u8; 32] {
        let total = self
            .blocks
            .wrapping_mul(BLOCK as u64)
            .wrapping_add(self.buf_len as u64);
        let bits = total.wrapping_mul(8);
        let n = self.buf_len;
        self.buf[n] = 0x80;
        self.buf[n + 1..].fill(0);
        if n + 1 > BLOCK - 8 {
            compress(&mut self.state, &self.buf);
            self.buf.fill(0);
        }
        self.buf[BLOCK - 8..].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &self.buf);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        // Not wiped: a chaining value past the key block is a hash of the
        // pad and a public message, no more secret than the MAC itself (the
        // `hmac` crate does not wipe it either). The pads are wiped.
        out
    }
}

/// The two chaining values of HMAC-SHA256 under one 32-byte key: after
/// `key ⊕ ipad` and after `key ⊕ opad`. As sensitive as the key: wiped on drop.
impl super::encode::Sink for Sha256Stream {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }

    #[inline]
    fn put_byte(&mut self, byte: u8) {
        self.update_byte(byte);
    }
}

/// Whether two MACs are equal, in time that does not depend on where they
/// differ: the words are OR-ed together before the one test.
pub(crate) fn macs_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    let mut diff = 0u64;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let x = u64::from_ne_bytes(x.try_into().expect("8 bytes"));
        let y = u64::from_ne_bytes(y.try_into().expect("8 bytes"));
        diff |= x ^ y;
    }
    bool::from(diff.ct_eq(&0))
}

#[derive(Clone)]
pub(crate) struct HmacPads {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl HmacPads {
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        let pad = |byte: u8| {
            let mut block = [byte; BLOCK];
            for (b, k) in block.iter_mut().zip(key) {
                *b ^= k;
            }
            let mut state = IV;
            compress(&mut state, &block);
            block.zeroize();
            state
        };
        HmacPads {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// A stream for the message, to be closed by [`HmacPads::finish`].
    pub(crate) fn start(&self) -> Sha256Stream {
        Sha256Stream::resume(self.inner, 1)
    }

    /// The MAC of the message fed into `inner`.
    pub(crate) fn finish(&self, inner: Sha256Stream) -> [u8; 32] {
        let mut outer = Sha256Stream::resume(self.outer, 1);
        outer.update(&inner.finish());
        outer.finish()
    }
}

impl Drop for HmacPads {
    fn drop(&mut self) {
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};

    /// Every length from 0 to 300 bytes, fed whole and in uneven pieces.
    fn messages() -> impl Iterator<Item = Vec<u8>> {
        (0..300usize).map(|n| (0..n).map(|i| (i * 7 + n) as u8).collect())
    }

    fn pieces(msg: &[u8], stream: &mut Sha256Stream) {
        let mut rest = msg;
        let mut step = 1;
        while !rest.is_empty() {
            let take = step.min(rest.len());
            stream.update(&rest[..take]);
            rest = &rest[take..];
            step = step * 3 % 71 + 1;
        }
    }

    #[test]
    fn stream_equals_sha2() {
        for msg in messages() {
            let expected: [u8; 32] = Sha256::digest(&msg).into();
            let mut whole = Sha256Stream::new();
            whole.update(&msg);
            assert_eq!(whole.finish(), expected, "len {}", msg.len());
            let mut split = Sha256Stream::new();
            pieces(&msg, &mut split);
            assert_eq!(split.finish(), expected, "len {} in pieces", msg.len());
        }
    }

    #[test]
    fn pads_equal_the_hmac_crate() {
        for (i, msg) in messages().enumerate() {
            let key: [u8; 32] = Sha256::digest(i.to_be_bytes()).into();
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
            mac.update(&msg);
            let expected: [u8; 32] = mac.finalize().into_bytes().into();
            let pads = HmacPads::new(&key);
            let mut s = pads.start();
            pieces(&msg, &mut s);
            assert_eq!(pads.finish(s), expected, "len {}", msg.len());
        }
    }

    #[test]
    fn macs_equal_only_when_every_byte_is() {
        let a: [u8; 32] = Sha256::digest(b"a").into();
        assert!(macs_equal(&a, &a));
        for i in 0..32 {
            for bit in 0..8 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert!(!macs_equal(&a, &b), "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn rfc4231_case_2() {
        // Key "Jefe" is shorter than 32 bytes: HMAC pads it with zeros, which
        // is what a 32-byte key with trailing zeros gives.
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let pads = HmacPads::new(&key);
        let mut s = pads.start();
        s.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(pads.finish(s)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
