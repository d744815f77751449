//! The `aws-chunked` decoder, fed in arbitrary frame splits.
//!
//! Input: `mode, flags, decoded length (4 bytes LE), split seed (2 bytes),
//! rest`. Modes 0-2 decode `rest` as a body (signed with the seed of the S3
//! worked examples, so that the seed corpus verifies; signed with trailer;
//! unsigned with trailer). Mode 3 reads `rest` as a recipe: the harness
//! signs the chunks itself (HMAC-SHA256 written here from the S3 docs, not
//! the crate's signer), then optionally corrupts or truncates the body.
//!
//! Properties:
//! - the outcome (data, trailers, error kind) does not depend on how the
//!   body is split into frames;
//! - the decoder never holds more than one chunk plus its line and trailer
//!   limits;
//! - mode 3: an intact body decodes to exactly its data and trailer; a body
//!   with any byte changed, or cut short, is refused.
#![no_main]

mod common;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use tower_sigv4::sigv4::chunked::{
    ChecksumAlgorithm, ChunkSigner, ChunkedConfig, ChunkedDecoder, ChunkedErrorKind, Decoded,
    MAX_CHUNK_HEADER_LINE,
};
use tower_sigv4::sigv4::SigningKey;

/// The S3 worked examples' credentials and time.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE: &str = "20130524T000000Z";
const SCOPE: &str = "20130524/us-east-1/s3/aws4_request";
const SEED_CHUNKED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const SEED_TRAILER: &str = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Small, so that the fuzzer reaches the bound.
const MAX_CHUNK: u64 = 1 << 20;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Signed,
    SignedTrailer,
    UnsignedTrailer,
}

fn key() -> SigningKey {
    SigningKey::derive(SECRET.as_bytes(), "20130524", "us-east-1", "s3")
}

fn decoder(mode: Mode, seed: &str, config: ChunkedConfig) -> ChunkedDecoder {
    let signer = || ChunkSigner::with_hex_seed(key(), DATE, SCOPE, seed).expect("hex seed");
    match mode {
        Mode::Signed => ChunkedDecoder::signed(signer(), config),
        Mode::SignedTrailer => ChunkedDecoder::signed_with_trailer(signer(), config),
        Mode::UnsignedTrailer => ChunkedDecoder::unsigned_with_trailer(config),
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Ok { data: Vec<u8>, trailers: HeaderMap },
    Err(ChunkedErrorKind),
}

/// Feeds `body` in pieces whose sizes come from `seed` (0: all at once).
fn run(mut d: ChunkedDecoder, body: &[u8], seed: u16) -> Outcome {
    let bound = MAX_CHUNK as usize + MAX_CHUNK_HEADER_LINE + 8192 + 64;
    let mut data = Vec::new();
    let mut trailers = None;
    let mut rng = u32::from(seed) | 1;
    let mut at = 0;
    while at < body.len() {
        let len = if seed == 0 {
            body.len()
        } else {
            rng ^= rng << 13;
            rng ^= rng >> 17;
            rng ^= rng << 5;
            // Mostly tiny pieces, sometimes large ones.
            match rng % 8 {
                0..=4 => 1 + (rng >> 8) as usize % 4,
                5 | 6 => 1 + (rng >> 8) as usize % 64,
                _ => 1 + (rng >> 8) as usize % 70_000,
            }
        };
        let end = body.len().min(at + len);
        let mut piece = Bytes::copy_from_slice(&body[at..end]);
        at = end;
        loop {
            let event = d.decode(&mut piece);
            assert!(
                d.buffered_len() <= bound,
                "decoder holds {} bytes",
                d.buffered_len()
            );
            match event {
                Ok(Decoded::Data(chunk)) => {
                    data.extend_from_slice(&chunk);
                }
                Ok(Decoded::End(t)) => {
                    assert!(trailers.is_none(), "End reported twice");
                    trailers = Some(t);
                }
                Ok(Decoded::NeedMore) => {
                    assert!(piece.is_empty(), "NeedMore with input left");
                    break;
                }
                Err(e) => return Outcome::Err(e.kind()),
            }
        }
    }
    match d.finish() {
        Ok(()) => Outcome::Ok {
            data,
            trailers: trailers.expect("finish succeeded without End"),
        },
        Err(e) => Outcome::Err(e.kind()),
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(msg);
    m.finalize().into_bytes().into()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn base64(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in b.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A signed `aws-chunked` body built from a recipe: chunk lengths and data
/// from the input, signatures computed here from the documented formulas.
fn synthesize(recipe: &[u8], trailer: bool) -> (Vec<u8>, Vec<u8>, String) {
    let k_date = hmac(format!("AWS4{SECRET}").as_bytes(), b"20130524");
    let k_region = hmac(&k_date, b"us-east-1");
    let k_service = hmac(&k_region, b"s3");
    let k_signing = hmac(&k_service, b"aws4_request");
    let mut previous = SEED_TRAILER.to_owned();
    let sign_chunk = |data: &[u8], previous: &mut String| {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{DATE}\n{SCOPE}\n{previous}\n{EMPTY_SHA256}\n{}",
            hex(&Sha256::digest(data))
        );
        *previous = hex(&hmac(&k_signing, sts.as_bytes()));
        previous.clone()
    };
    let mut body = Vec::new();
    let mut payload = Vec::new();
    let mut rest = recipe;
    while rest.len() >= 2 && payload.len() < 200_000 {
        let len = (usize::from(rest[0]) | usize::from(rest[1]) << 8) % 3000 + 1;
        rest = &rest[2..];
        let data: Vec<u8> = (0..len)
            .map(|i| {
                if rest.is_empty() {
                    0
                } else {
                    rest[i % rest.len()]
                }
            })
            .collect();
        rest = &rest[len.min(rest.len())..];
        let sig = sign_chunk(&data, &mut previous);
        body.extend_from_slice(format!("{len:x};chunk-signature={sig}\r\n").as_bytes());
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\r\n");
        payload.extend_from_slice(&data);
    }
    let sig = sign_chunk(b"", &mut previous);
    body.extend_from_slice(format!("0;chunk-signature={sig}\r\n").as_bytes());
    let mut checksum = String::new();
    if trailer {
        checksum = base64(&Sha256::digest(&payload));
        let canonical = format!("x-amz-checksum-sha256:{checksum}\n");
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\n{DATE}\n{SCOPE}\n{previous}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let sig = hex(&hmac(&k_signing, sts.as_bytes()));
        body.extend_from_slice(
            format!("x-amz-checksum-sha256:{checksum}\r\nx-amz-trailer-signature:{sig}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(b"\r\n");
    (body, payload, checksum)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (mode_byte, flags) = (data[0], data[1]);
    let declared_len = u32::from_le_bytes([data[2], data[3], data[4], data[5]]);
    let split = u16::from_le_bytes([data[6], data[7]]);
    let rest = &data[8..];

    if mode_byte % 4 == 3 {
        // The recipe: flags bit 0 = signed trailer, bytes 2..6 = where to
        // corrupt (0: nowhere), bit 1 = cut there instead of flipping.
        let trailer = flags & 1 == 1;
        let (mut body, payload, checksum) = synthesize(rest, trailer);
        let mut config = ChunkedConfig::default()
            .with_min_chunk_size(0)
            .with_max_chunk_size(MAX_CHUNK)
            .with_decoded_content_length(Some(payload.len() as u64));
        let mode = if trailer {
            config = config.with_trailer_checksum(Some(ChecksumAlgorithm::Sha256));
            Mode::SignedTrailer
        } else {
            Mode::Signed
        };
        let damage = declared_len as usize % (body.len() + 1);
        let damaged = damage > 0;
        if damaged {
            if flags & 2 == 2 {
                body.truncate(damage - 1);
            } else {
                // Every byte of the encoding is signed data or ASCII syntax;
                // setting the top bit changes the data or breaks the syntax.
                body[damage - 1] ^= 0x80;
            }
        }
        let whole = run(decoder(mode, SEED_TRAILER, config.clone()), &body, 0);
        let pieces = run(decoder(mode, SEED_TRAILER, config), &body, split);
        assert_eq!(whole, pieces, "the outcome depends on the frame split");
        match whole {
            Outcome::Ok { data, trailers } => {
                assert!(!damaged, "a damaged body was accepted");
                assert_eq!(data, payload);
                if trailer {
                    assert_eq!(trailers.len(), 1);
                    assert_eq!(trailers["x-amz-checksum-sha256"], checksum.as_str());
                } else {
                    assert!(trailers.is_empty());
                }
            }
            Outcome::Err(kind) => assert!(damaged, "an intact body was refused: {kind:?}"),
        }
        return;
    }

    let (mode, seed) = match mode_byte % 4 {
        0 => (Mode::Signed, SEED_CHUNKED),
        1 => (Mode::SignedTrailer, SEED_TRAILER),
        _ => (Mode::UnsignedTrailer, SEED_CHUNKED),
    };
    let mut config = ChunkedConfig::default().with_max_chunk_size(MAX_CHUNK);
    if flags & 1 == 1 {
        config = config.with_min_chunk_size(0);
    }
    let algorithm = match (flags >> 1) % 8 {
        n @ 1..=5 => Some(ChecksumAlgorithm::ALL[usize::from(n) - 1]),
        _ => None,
    };
    config = config.with_trailer_checksum(algorithm);
    if flags & 0x10 != 0 {
        config = config.with_decoded_content_length(Some(u64::from(declared_len)));
    }
    let whole = run(decoder(mode, seed, config.clone()), rest, 0);
    let pieces = run(decoder(mode, seed, config), rest, split.max(1));
    assert_eq!(whole, pieces, "the outcome depends on the frame split");
});
