//! The `aws-chunked` decoder against independently produced bodies: the two
//! worked examples of the S3 API reference (their chunk and trailer
//! signatures come from the documentation, recomputed with Python), bodies
//! signed at test time by the `aws-sigv4` crate, and hostile inputs.
//!
//! Run the throughput measurement with
//! `cargo test --release --test chunked -- --ignored --nocapture`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;
use std::time::{Duration, Instant, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderMap;
use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tower_sigv4::sigv4::chunked::{
    ChecksumAlgorithm, ChunkSigner, ChunkedConfig, ChunkedDecoder, ChunkedError, ChunkedErrorKind,
    Decoded,
};
use tower_sigv4::sigv4::SigningKey;

// ---------------------------------------------------------------------------
// Memory accounting: live and peak heap bytes of the current thread, so that a
// test can show that a lying chunk header allocates nothing of its size.

struct CountingAllocator;

thread_local! {
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn note_dealloc(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size)));
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// bookkeeping only touches const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_dealloc(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_dealloc(layout.size());
        note_alloc(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Peak heap growth of this thread while `f` runs.
fn peak_growth<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get) - base)
}

// ---------------------------------------------------------------------------
// Shared test data.

fn shared_file(relative: &str) -> Option<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("valid JSON")),
        Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{} is missing under CI: {e}", path.display())
        }
        Err(e) => {
            eprintln!("skipping: {} not readable ({e})", path.display());
            None
        }
    }
}

/// One of the two streaming worked examples, with its body rebuilt from the
/// documented chunk header lines and trailer.
struct WorkedExample {
    body: Vec<u8>,
    payload: Vec<u8>,
    signer: ChunkSigner,
    config: ChunkedConfig,
    trailer: bool,
    /// (start, end) of each chunk's data within `body`.
    data_ranges: Vec<(usize, usize)>,
    expected_trailers: Vec<(String, String)>,
}

fn worked_example(name: &str) -> Option<WorkedExample> {
    let case = shared_file(&format!("test-suites/s3-examples/{name}.json"))?;
    let s = |v: &Value| v.as_str().expect("string").to_owned();
    let header = |name: &str| {
        case["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|h| s(&h[1]))
    };
    let expected = &case["expected"];
    let payload = {
        let p = &case["payload"];
        let unit = p["repeat"].as_str().unwrap().as_bytes().to_vec();
        let len = p["len"].as_u64().unwrap() as usize;
        unit.into_iter().cycle().take(len).collect::<Vec<u8>>()
    };

    // The body: each documented header line, CRLF, the chunk data, CRLF.
    let mut body = Vec::new();
    let mut data_ranges = Vec::new();
    let mut offset = 0;
    for chunk in expected["chunks"].as_array().unwrap() {
        let len = chunk["data_len"].as_u64().unwrap() as usize;
        body.extend_from_slice(chunk["header_line"].as_str().unwrap().as_bytes());
        body.extend_from_slice(b"\r\n");
        if len > 0 {
            data_ranges.push((body.len(), body.len() + len));
            body.extend_from_slice(&payload[offset..offset + len]);
            body.extend_from_slice(b"\r\n");
            offset += len;
        }
    }
    assert_eq!(offset, payload.len(), "the chunks cover the payload");
    let trailer = expected.get("trailer").is_some();
    let mut expected_trailers = Vec::new();
    if trailer {
        let t = &expected["trailer"];
        for line in t["canonical_trailer_headers"].as_str().unwrap().lines() {
            let (n, v) = line.split_once(':').unwrap();
            expected_trailers.push((n.to_owned(), v.to_owned()));
            body.extend_from_slice(format!("{n}:{v}\r\n").as_bytes());
        }
        body.extend_from_slice(b"x-amz-trailer-signature:");
        body.extend_from_slice(t["signature"].as_str().unwrap().as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"\r\n");
    assert_eq!(
        body.len() as u64,
        expected["encoded_body_length"].as_u64().unwrap()
    );

    // The scope and date as the request's string to sign states them.
    let sts = s(&expected["string_to_sign"]);
    let lines: Vec<&str> = sts.split('\n').collect();
    let (amz_date, scope) = (lines[1], lines[2]);
    let key = SigningKey::derive(
        case["secret_access_key"].as_str().unwrap().as_bytes(),
        &scope[..8],
        case["region"].as_str().unwrap(),
        case["service"].as_str().unwrap(),
    );
    let signer = ChunkSigner::with_hex_seed(
        key,
        amz_date,
        scope,
        expected["seed_signature"].as_str().unwrap(),
    )
    .unwrap();
    let mut config = ChunkedConfig::default().with_decoded_content_length(Some(
        header("x-amz-decoded-content-length")
            .unwrap()
            .parse()
            .unwrap(),
    ));
    if let Some(t) = header("x-amz-trailer") {
        config = config.with_declared_trailers(&t).unwrap();
    }
    Some(WorkedExample {
        body,
        payload,
        signer,
        config,
        trailer,
        data_ranges,
        expected_trailers,
    })
}

impl WorkedExample {
    fn decoder(&self) -> ChunkedDecoder {
        if self.trailer {
            ChunkedDecoder::signed_with_trailer(self.signer.clone(), self.config.clone())
        } else {
            ChunkedDecoder::signed(self.signer.clone(), self.config.clone())
        }
    }
}

/// Feeds `body` in pieces whose lengths come from `sizes` (cycled), as a
/// `poll_frame` loop would, and collects the decoded data and trailers.
fn decode_in_pieces(
    mut decoder: ChunkedDecoder,
    body: &[u8],
    mut sizes: impl FnMut() -> usize,
) -> Result<(Vec<u8>, HeaderMap), ChunkedError> {
    let body = Bytes::copy_from_slice(body);
    let mut out = Vec::new();
    let mut trailers = None;
    let mut at = 0;
    while at < body.len() {
        let n = sizes().clamp(1, body.len() - at);
        let mut input = body.slice(at..at + n);
        at += n;
        loop {
            match decoder.decode(&mut input)? {
                Decoded::Data(d) => out.extend_from_slice(&d),
                Decoded::End(t) => trailers = Some(t),
                Decoded::NeedMore => {
                    assert!(input.is_empty(), "NeedMore leaves no input behind");
                    break;
                }
            }
        }
    }
    decoder.finish()?;
    Ok((out, trailers.expect("End was reported")))
}

fn decode_whole(
    decoder: ChunkedDecoder,
    body: &[u8],
) -> Result<(Vec<u8>, HeaderMap), ChunkedError> {
    decode_in_pieces(decoder, body, || usize::MAX)
}

/// xorshift64*: a small deterministic generator for split sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn check_trailers(example: &WorkedExample, trailers: &HeaderMap) {
    assert_eq!(trailers.len(), example.expected_trailers.len());
    for (n, v) in &example.expected_trailers {
        assert_eq!(trailers[n.as_str()], v.as_str());
    }
}

// ---------------------------------------------------------------------------
// The worked examples.

fn worked_example_decodes_in_every_split(name: &str) {
    let Some(example) = worked_example(name) else {
        return;
    };
    let (data, trailers) = decode_whole(example.decoder(), &example.body).unwrap();
    assert_eq!(data, example.payload);
    check_trailers(&example, &trailers);
    let (data, trailers) = example
        .decoder()
        .decode_all(Bytes::from(example.body.clone()))
        .unwrap();
    assert_eq!(data, example.payload);
    check_trailers(&example, &trailers);
    if example.trailer {
        assert_eq!(trailers["x-amz-checksum-crc32c"], "sOO8/Q==");
    }
    for size in 1..=97 {
        let (data, trailers) = decode_in_pieces(example.decoder(), &example.body, || size)
            .unwrap_or_else(|e| panic!("split {size}: {e}"));
        assert_eq!(data, example.payload, "split {size}");
        check_trailers(&example, &trailers);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..64 {
        // Mostly small pieces, sometimes a large one.
        let (data, _) = decode_in_pieces(example.decoder(), &example.body, || {
            if rng.below(8) == 0 {
                rng.below(70_000) as usize
            } else {
                1 + rng.below(300) as usize
            }
        })
        .unwrap_or_else(|e| panic!("random round {round}: {e}"));
        assert_eq!(data, example.payload, "random round {round}");
    }
}

#[test]
fn chunked_upload_example_decodes_in_every_split() {
    worked_example_decodes_in_every_split("chunked-upload");
}

#[test]
fn chunked_upload_trailer_example_decodes_in_every_split() {
    worked_example_decodes_in_every_split("chunked-upload-trailer");
}

fn worked_example_rejects_every_flip(name: &str) {
    let Some(example) = worked_example(name) else {
        return;
    };
    let in_data = |i: usize| {
        example
            .data_ranges
            .iter()
            .any(|&(s, e)| (s..e).contains(&i))
    };
    let mut flipped_positions = 0;
    for i in 0..example.body.len() {
        // Every byte of framing, signatures and trailer; every 251st data byte
        // plus the first and last of each chunk.
        let edge = example
            .data_ranges
            .iter()
            .any(|&(s, e)| i == s || i + 1 == e);
        if in_data(i) && !edge && i % 251 != 0 {
            continue;
        }
        let mut body = example.body.clone();
        body[i] ^= 0x01;
        flipped_positions += 1;
        let result = decode_whole(example.decoder(), &body);
        let err = result.expect_err(&format!("flip at {i} accepted"));
        if in_data(i) {
            assert_eq!(
                err.kind(),
                ChunkedErrorKind::ChunkSignatureMismatch,
                "flip at {i}"
            );
        } else {
            // Framing is parsed across piece boundaries: a split feed rejects
            // the flip the same way.
            let split = decode_in_pieces(example.decoder(), &body, || 61).unwrap_err();
            assert_eq!(split.kind(), err.kind(), "flip at {i}");
        }
    }
    assert!(flipped_positions > 500);
}

#[test]
fn chunked_upload_example_rejects_every_flip() {
    worked_example_rejects_every_flip("chunked-upload");
}

#[test]
fn chunked_upload_trailer_example_rejects_every_flip() {
    worked_example_rejects_every_flip("chunked-upload-trailer");
}

#[test]
fn worked_example_fails_with_the_wrong_seed_key_or_scope() {
    let Some(example) = worked_example("chunked-upload-trailer") else {
        return;
    };
    let key = SigningKey::derive(
        b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "20130524",
        "us-east-1",
        "s3",
    );
    let seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    let good = ChunkSigner::with_hex_seed(
        key.clone(),
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        seed,
    )
    .unwrap();
    let decoder =
        |signer: ChunkSigner| ChunkedDecoder::signed_with_trailer(signer, example.config.clone());
    assert!(decode_whole(decoder(good), &example.body).is_ok());
    let wrong_signers = [
        ChunkSigner::with_hex_seed(
            key.clone(),
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            &seed.replace("106e", "106f"),
        ),
        ChunkSigner::with_hex_seed(
            SigningKey::derive(
                b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                "20130524",
                "us-east-1",
                "s3",
            ),
            "20130524T000000Z",
            "20130524/us-east-1/s3/aws4_request",
            seed,
        ),
        ChunkSigner::with_hex_seed(
            key.clone(),
            "20130524T000001Z",
            "20130524/us-east-1/s3/aws4_request",
            seed,
        ),
        ChunkSigner::with_hex_seed(
            key,
            "20130524T000000Z",
            "20130524/us-west-2/s3/aws4_request",
            seed,
        ),
    ];
    for signer in wrong_signers {
        let err = decode_whole(decoder(signer.unwrap()), &example.body).unwrap_err();
        assert_eq!(err.kind(), ChunkedErrorKind::ChunkSignatureMismatch);
        assert_eq!(err.code(), "SignatureDoesNotMatch");
    }
}

#[test]
fn signed_chunks_are_held_until_verified() {
    let Some(example) = worked_example("chunked-upload") else {
        return;
    };
    // Feed everything up to one byte before the end of the first chunk's data:
    // nothing may come out yet.
    let (start, end) = example.data_ranges[0];
    let mut decoder = example.decoder();
    let mut input = Bytes::copy_from_slice(&example.body[..end - 1]);
    assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
    assert_eq!(decoder.buffered_len(), end - 1 - start);
    let mut last = Bytes::copy_from_slice(&example.body[end - 1..end]);
    let Ok(Decoded::Data(first)) = decoder.decode(&mut last) else {
        panic!("the verified chunk comes out")
    };
    assert!(!first.is_empty());
    // With the last data byte flipped, the chunk never comes out.
    let mut decoder = example.decoder();
    let mut input = Bytes::copy_from_slice(&example.body[..end - 1]);
    assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
    let mut last = Bytes::from(vec![example.body[end - 1] ^ 1]);
    assert_eq!(
        decoder.decode(&mut last).unwrap_err().kind(),
        ChunkedErrorKind::ChunkSignatureMismatch
    );
}

// ---------------------------------------------------------------------------
// Bodies signed by the `aws-sigv4` crate.

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2013-05-24T00:00:00Z.
const TIME_SECS: u64 = 1_369_353_600;

fn sigv4_identity() -> aws_smithy_runtime_api::client::identity::Identity {
    aws_credential_types::Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test").into()
}

fn our_signer(seed_hex: &str) -> ChunkSigner {
    ChunkSigner::with_hex_seed(
        SigningKey::derive(SECRET.as_bytes(), "20130524", "us-east-1", "s3"),
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        seed_hex,
    )
    .unwrap()
}

/// Bitwise reference CRCs (reflected, init and xor-out all ones), written
/// straight from the algorithm definitions and checked against the catalogue
/// check values below: independent of the crate the decoder uses.
fn reference_crc(poly_reflected: u64, width: u32, data: &[u8]) -> u64 {
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    let mut crc = mask;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ poly_reflected
            } else {
                crc >> 1
            };
        }
    }
    crc ^ mask
}

fn reference_checksum(algorithm: ChecksumAlgorithm, data: &[u8]) -> String {
    use base64::Engine as _;
    let digest = match algorithm {
        ChecksumAlgorithm::Crc32 => (reference_crc(0xEDB8_8320, 32, data) as u32)
            .to_be_bytes()
            .to_vec(),
        ChecksumAlgorithm::Crc32c => (reference_crc(0x82F6_3B78, 32, data) as u32)
            .to_be_bytes()
            .to_vec(),
        ChecksumAlgorithm::Crc64Nvme => reference_crc(0x9A6C_9329_AC4B_C9B5, 64, data)
            .to_be_bytes()
            .to_vec(),
        other => panic!("no reference implementation for {other}"),
    };
    base64::engine::general_purpose::STANDARD.encode(digest)
}

#[test]
fn reference_crcs_match_the_catalogue() {
    assert_eq!(reference_crc(0xEDB8_8320, 32, b"123456789"), 0xCBF4_3926);
    assert_eq!(reference_crc(0x82F6_3B78, 32, b"123456789"), 0xE306_9283);
    assert_eq!(
        reference_crc(0x9A6C_9329_AC4B_C9B5, 64, b"123456789"),
        0xAE8B_1486_0A79_9888
    );
    // And the documented CRC-32C of the worked example's payload.
    assert_eq!(
        reference_checksum(ChecksumAlgorithm::Crc32c, &[b'a'; 66560]),
        "sOO8/Q=="
    );
}

#[derive(Clone, Copy, Debug)]
enum Framing {
    Signed,
    SignedTrailer,
    UnsignedTrailer,
}

/// An encoded body, signed by `aws-sigv4`, with the positions of its data.
struct Encoded {
    body: Vec<u8>,
    data_ranges: Vec<(usize, usize)>,
}

fn encode(
    framing: Framing,
    payload: &[u8],
    chunk_size: usize,
    checksum: Option<ChecksumAlgorithm>,
    seed_hex: &str,
) -> Encoded {
    use aws_sigv4::sign::v4::{sign_chunk, sign_trailer, SigningParams};
    let identity = sigv4_identity();
    let params = SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(TIME_SECS))
        .settings(())
        .build()
        .unwrap();
    let signed = !matches!(framing, Framing::UnsignedTrailer);
    let mut previous = seed_hex.to_owned();
    let mut body = Vec::new();
    let mut data_ranges = Vec::new();
    let mut pieces: Vec<&[u8]> = payload.chunks(chunk_size.max(1)).collect();
    pieces.push(&[]);
    for piece in pieces {
        body.extend_from_slice(format!("{:x}", piece.len()).as_bytes());
        if signed {
            let sig = sign_chunk(&Bytes::copy_from_slice(piece), &previous, &params).unwrap();
            previous = sig.signature().to_owned();
            body.extend_from_slice(format!(";chunk-signature={previous}").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        if !piece.is_empty() {
            data_ranges.push((body.len(), body.len() + piece.len()));
            body.extend_from_slice(piece);
            body.extend_from_slice(b"\r\n");
        }
    }
    if !matches!(framing, Framing::Signed) {
        let mut trailers = aws_smithy_runtime_api::http::Headers::new();
        if let Some(a) = checksum {
            let value = reference_checksum(a, payload);
            body.extend_from_slice(format!("{}:{value}\r\n", a.header_name()).as_bytes());
            trailers.insert(a.header_name(), value);
        }
        if signed {
            let sig = sign_trailer(&trailers, &previous, &params).unwrap();
            body.extend_from_slice(
                format!("x-amz-trailer-signature:{}\r\n", sig.signature()).as_bytes(),
            );
        }
    }
    body.extend_from_slice(b"\r\n");
    Encoded { body, data_ranges }
}

fn decoder_for(
    framing: Framing,
    seed_hex: &str,
    checksum: Option<ChecksumAlgorithm>,
    length: usize,
    min_chunk_size: u64,
) -> ChunkedDecoder {
    let config = ChunkedConfig::default()
        .with_trailer_checksum(checksum)
        .with_decoded_content_length(Some(length as u64))
        .with_min_chunk_size(min_chunk_size);
    match framing {
        Framing::Signed => ChunkedDecoder::signed(our_signer(seed_hex), config),
        Framing::SignedTrailer => ChunkedDecoder::signed_with_trailer(our_signer(seed_hex), config),
        Framing::UnsignedTrailer => ChunkedDecoder::unsigned_with_trailer(config),
    }
}

fn payload_of(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    (0..len).map(|_| rng.next() as u8).collect()
}

const CRCS: [ChecksumAlgorithm; 3] = [
    ChecksumAlgorithm::Crc32,
    ChecksumAlgorithm::Crc32c,
    ChecksumAlgorithm::Crc64Nvme,
];

fn framing_strategy() -> impl Strategy<Value = (Framing, Option<ChecksumAlgorithm>)> {
    prop_oneof![
        Just((Framing::Signed, None)),
        Just((Framing::SignedTrailer, None)),
        (0..3usize).prop_map(|i| (Framing::SignedTrailer, Some(CRCS[i]))),
        // Unsigned data is only guarded by its checksum: always declare one.
        (0..3usize).prop_map(|i| (Framing::UnsignedTrailer, Some(CRCS[i]))),
    ]
}

proptest! {
    // 48 cases by default (debug builds hash slowly); PROPTEST_CASES raises it.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48),
        ..ProptestConfig::default()
    })]

    /// Whatever aws-sigv4 signs verifies, in any split, and decodes to the payload.
    #[test]
    fn aws_sigv4_signed_bodies_decode(
        (framing, checksum) in framing_strategy(),
        len in 0usize..40_000,
        chunk_size in 8192usize..20_000,
        seed in any::<u64>(),
        split in 1usize..5000,
    ) {
        let seed_hex = hex::encode(Sha256::digest(seed.to_be_bytes()));
        let payload = payload_of(len, seed);
        let encoded = encode(framing, &payload, chunk_size, checksum, &seed_hex);
        let decoder = decoder_for(framing, &seed_hex, checksum, len, 8192);
        let (data, trailers) = decode_in_pieces(decoder, &encoded.body, || split).unwrap();
        prop_assert_eq!(data, payload);
        if let Some(a) = checksum {
            prop_assert_eq!(trailers.len(), 1);
            prop_assert!(trailers.contains_key(a.header_name()));
        } else {
            prop_assert!(trailers.is_empty());
        }
    }

    /// Any single-bit change is rejected, except an ASCII case change of a
    /// letter outside the data (hex digits, extension and trailer names are
    /// case-insensitive, so that change keeps the same meaning).
    #[test]
    fn aws_sigv4_signed_bodies_reject_any_bit_flip(
        (framing, checksum) in framing_strategy(),
        len in 1usize..20_000,
        chunk_size in 1usize..9000,
        seed in any::<u64>(),
        position in any::<prop::sample::Index>(),
        bit in 0u32..8,
    ) {
        let seed_hex = hex::encode(Sha256::digest(seed.to_be_bytes()));
        let payload = payload_of(len, seed);
        let encoded = encode(framing, &payload, chunk_size, checksum, &seed_hex);
        let i = position.index(encoded.body.len());
        let in_data = encoded.data_ranges.iter().any(|&(s, e)| (s..e).contains(&i));
        let original = encoded.body[i];
        let flipped = original ^ (1 << bit);
        prop_assume!(in_data || !(original.is_ascii_alphabetic() && original ^ flipped == 0x20));
        let mut body = encoded.body.clone();
        body[i] = flipped;
        let decoder = decoder_for(framing, &seed_hex, checksum, len, 0);
        prop_assert!(decode_whole(decoder, &body).is_err(), "flip of bit {} at {} accepted", bit, i);
    }
}

#[test]
fn aws_sigv4_signed_bodies_reject_flips_at_every_position() {
    // Exhaustive over a small body in each framing: every byte, every bit.
    for (framing, checksum) in [
        (Framing::Signed, None),
        (Framing::SignedTrailer, Some(ChecksumAlgorithm::Crc32)),
        (Framing::UnsignedTrailer, Some(ChecksumAlgorithm::Crc64Nvme)),
    ] {
        let seed_hex = hex::encode(Sha256::digest(b"seed"));
        let payload = payload_of(40, 7);
        let encoded = encode(framing, &payload, 16, checksum, &seed_hex);
        let decoder = || decoder_for(framing, &seed_hex, checksum, payload.len(), 0);
        assert_eq!(decode_whole(decoder(), &encoded.body).unwrap().0, payload);
        for i in 0..encoded.body.len() {
            let in_data = encoded
                .data_ranges
                .iter()
                .any(|&(s, e)| (s..e).contains(&i));
            for bit in 0..8 {
                let original = encoded.body[i];
                let flipped = original ^ (1 << bit);
                if !in_data && original.is_ascii_alphabetic() && bit == 5 {
                    continue;
                }
                let mut body = encoded.body.clone();
                body[i] = flipped;
                assert!(
                    decode_whole(decoder(), &body).is_err(),
                    "{framing:?}: flip of bit {bit} at {i} ({:?}) accepted",
                    original as char
                );
            }
        }
    }
}

#[test]
fn signed_trailer_variants_real_clients_send() {
    // Trailer names in any case and blanks around the value are accepted:
    // the signature covers the lowercase name and the trimmed value, which
    // is how aws-sigv4 (and the other SDK signers) canonicalise them.
    let seed_hex = hex::encode(Sha256::digest(b"variants"));
    // Printable, so that the body can be edited as text.
    let payload = b"0123456789".repeat(10);
    let encoded = encode(
        Framing::SignedTrailer,
        &payload,
        8192,
        Some(ChecksumAlgorithm::Crc32c),
        &seed_hex,
    );
    let text = String::from_utf8_lossy(&encoded.body).into_owned();
    let variants = [
        text.replace("x-amz-checksum-crc32c:", "X-Amz-Checksum-CRC32C:"),
        text.replace("x-amz-checksum-crc32c:", "x-amz-checksum-crc32c: "),
        text.replace("x-amz-trailer-signature:", "x-amz-trailer-signature: "),
    ];
    for variant in variants {
        let decoder = decoder_for(
            Framing::SignedTrailer,
            &seed_hex,
            Some(ChecksumAlgorithm::Crc32c),
            100,
            8192,
        );
        let (data, trailers) = decode_whole(decoder, variant.as_bytes()).unwrap();
        assert_eq!(data, payload);
        assert!(trailers.contains_key("x-amz-checksum-crc32c"));
    }
}

#[test]
fn an_added_trailer_breaks_the_trailer_signature() {
    let seed_hex = hex::encode(Sha256::digest(b"added"));
    let payload = b"ten bytes!".to_vec();
    let encoded = encode(
        Framing::SignedTrailer,
        &payload,
        8192,
        Some(ChecksumAlgorithm::Crc32),
        &seed_hex,
    );
    let text = String::from_utf8_lossy(&encoded.body).into_owned();
    let added = text.replace(
        "x-amz-trailer-signature:",
        "x-amz-meta-extra:1\r\nx-amz-trailer-signature:",
    );
    let decoder = decoder_for(
        Framing::SignedTrailer,
        &seed_hex,
        Some(ChecksumAlgorithm::Crc32),
        10,
        8192,
    );
    let err = decode_whole(decoder, added.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ChunkedErrorKind::TrailerSignatureMismatch);
    // Without its signature line, the trailer is refused too.
    let dropped: String = text
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("x-amz-trailer-signature:"))
        .collect();
    let decoder = decoder_for(
        Framing::SignedTrailer,
        &seed_hex,
        Some(ChecksumAlgorithm::Crc32),
        10,
        8192,
    );
    assert_eq!(
        decode_whole(decoder, dropped.as_bytes())
            .unwrap_err()
            .kind(),
        ChunkedErrorKind::MalformedTrailer
    );
}

// ---------------------------------------------------------------------------
// Hostile input: typed errors, no panic, memory bounded.

fn first_error(decoder: &mut ChunkedDecoder, input: &[u8]) -> ChunkedError {
    let mut input = Bytes::copy_from_slice(input);
    loop {
        match decoder.decode(&mut input) {
            Ok(Decoded::NeedMore) => return decoder.finish().unwrap_err(),
            Ok(_) => {}
            Err(e) => return e,
        }
    }
}

#[test]
fn lying_chunk_sizes() {
    let sig = "0".repeat(64);
    let signed = || ChunkedDecoder::signed(our_signer(&sig), ChunkedConfig::default());
    // 2^63: over the maximum chunk size, refused at the header.
    let e = first_error(
        &mut signed(),
        format!("8000000000000000;chunk-signature={sig}\r\n").as_bytes(),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::ChunkTooLarge);
    // Eighteen hex digits overflow 64 bits.
    let e = first_error(
        &mut signed(),
        format!("ffffffffffffffffff;chunk-signature={sig}\r\n").as_bytes(),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::Malformed);
    assert_eq!(e.code(), "IncompleteBody");
    // Just over the configured maximum.
    let mut d = ChunkedDecoder::signed(
        our_signer(&sig),
        ChunkedConfig::default().with_max_chunk_size(1 << 20),
    );
    let e = first_error(
        &mut d,
        format!("100001;chunk-signature={sig}\r\n").as_bytes(),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::ChunkTooLarge);
    assert_eq!(e.code(), "EntityTooLarge");
}

#[test]
fn a_lying_size_allocates_only_what_arrives() {
    // With no maximum at all, a signed chunk declaring 2^62 bytes: the buffer
    // grows with the bytes that arrive (1 MiB here), never towards 2^62.
    let sig = "0".repeat(64);
    let config = ChunkedConfig::default().with_max_chunk_size(u64::MAX);
    let mut decoder = ChunkedDecoder::signed(our_signer(&sig), config);
    let header = Bytes::from(format!("4000000000000000;chunk-signature={sig}\r\n"));
    let piece = Bytes::from(vec![b'x'; 16 * 1024]);
    let (result, peak) = peak_growth(|| {
        let mut input = header.clone();
        assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
        for _ in 0..64 {
            let mut input = piece.clone();
            assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
        }
        decoder.finish()
    });
    assert_eq!(result.unwrap_err().kind(), ChunkedErrorKind::Truncated);
    assert!(peak < 4 << 20, "peak heap growth {peak} bytes");
    // Small pieces are gathered by copying, so the held bytes are what came in.
    let mut decoder = ChunkedDecoder::signed(
        our_signer(&sig),
        ChunkedConfig::default().with_max_chunk_size(u64::MAX),
    );
    let mut input = header.clone();
    let _ = decoder.decode(&mut input);
    for _ in 0..1000 {
        let mut one = Bytes::from_static(b"y");
        assert!(matches!(decoder.decode(&mut one), Ok(Decoded::NeedMore)));
    }
    assert_eq!(decoder.buffered_len(), 1000);
}

#[test]
fn an_endless_stream_without_a_final_chunk() {
    // 2,000 valid unsigned chunks of 8 KiB (16 MiB) and no final chunk: the
    // data flows, nothing accumulates, and the end of the body is an error.
    let chunk = {
        let mut c = b"2000\r\n".to_vec();
        c.extend_from_slice(&[b'z'; 8192]);
        c.extend_from_slice(b"\r\n");
        Bytes::from(c)
    };
    let mut decoder = ChunkedDecoder::unsigned_with_trailer(
        ChunkedConfig::default().with_trailer_checksum(Some(ChecksumAlgorithm::Crc32)),
    );
    let mut total = 0u64;
    for _ in 0..2000 {
        let mut input = chunk.clone();
        loop {
            match decoder.decode(&mut input).unwrap() {
                Decoded::Data(d) => total += d.len() as u64,
                Decoded::NeedMore => break,
                Decoded::End(_) => panic!("no final chunk was sent"),
            }
        }
        assert_eq!(decoder.buffered_len(), 0);
    }
    assert_eq!(total, 2000 * 8192);
    let e = decoder.finish().unwrap_err();
    assert_eq!(e.kind(), ChunkedErrorKind::Truncated);
    assert_eq!(e.code(), "IncompleteBody");

    // Signed: 300 chunks signed by aws-sigv4, each released once verified.
    let seed_hex = hex::encode(Sha256::digest(b"endless"));
    let payload = payload_of(300 * 8192, 11);
    let encoded = encode(Framing::Signed, &payload, 8192, None, &seed_hex);
    let cut = encoded.data_ranges.last().unwrap().1 + 2; // before the final chunk
    let mut decoder = decoder_for(Framing::Signed, &seed_hex, None, payload.len(), 8192);
    let mut input = Bytes::copy_from_slice(&encoded.body[..cut]);
    let mut out = 0;
    loop {
        match decoder.decode(&mut input).unwrap() {
            Decoded::Data(d) => out += d.len(),
            Decoded::NeedMore => break,
            Decoded::End(_) => panic!("no final chunk was sent"),
        }
        assert!(decoder.buffered_len() <= 8192);
    }
    assert_eq!(out, payload.len());
    assert_eq!(
        decoder.finish().unwrap_err().kind(),
        ChunkedErrorKind::Truncated
    );
}

#[test]
fn garbage_after_the_final_chunk() {
    let Some(example) = worked_example("chunked-upload") else {
        return;
    };
    for garbage in [&b"x"[..], b"\r\n", b"0\r\n\r\n", b"0;chunk-signature="] {
        let mut body = example.body.clone();
        body.extend_from_slice(garbage);
        let e = decode_whole(example.decoder(), &body).unwrap_err();
        assert_eq!(e.kind(), ChunkedErrorKind::DataAfterEnd, "{garbage:?}");
        assert_eq!(e.code(), "IncompleteBody");
    }
}

#[test]
fn a_one_mebibyte_trailer() {
    let trailer = {
        let mut t = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:".to_vec();
        t.extend(std::iter::repeat_n(b'A', 1 << 20));
        t.extend_from_slice(b"\r\n\r\n");
        t
    };
    let config = ChunkedConfig::default().with_trailer_checksum(Some(ChecksumAlgorithm::Crc32));
    // In one piece and in 1 KiB pieces: refused once past the limit, holding
    // no more than the limit.
    let mut decoder = ChunkedDecoder::unsigned_with_trailer(config.clone());
    let e = first_error(&mut decoder, &trailer);
    assert_eq!(e.kind(), ChunkedErrorKind::TrailerTooLarge);
    assert_eq!(e.code(), "MalformedTrailerError");
    let mut decoder = ChunkedDecoder::unsigned_with_trailer(config);
    let mut fed = 0;
    let err = loop {
        let end = (fed + 1024).min(trailer.len());
        let mut input = Bytes::copy_from_slice(&trailer[fed..end]);
        fed = end;
        let result = loop {
            match decoder.decode(&mut input) {
                Ok(Decoded::Data(_)) => continue,
                Ok(Decoded::NeedMore) => break Ok(()),
                Ok(Decoded::End(_)) => panic!("accepted"),
                Err(e) => break Err(e),
            }
        };
        assert!(decoder.buffered_len() <= 8 << 10);
        if let Err(e) = result {
            break e;
        }
    };
    assert_eq!(err.kind(), ChunkedErrorKind::TrailerTooLarge);
    assert!(fed <= 10 << 10, "refused after {fed} bytes");
}

#[test]
fn malformed_crlfs_are_typed_errors() {
    let Some(example) = worked_example("chunked-upload") else {
        return;
    };
    let text = String::from_utf8_lossy(&example.body).into_owned();
    let first_crlf = text.find("\r\n").unwrap();
    let variants = [
        // LF only after the chunk header.
        format!("{}\n{}", &text[..first_crlf], &text[first_crlf + 2..]),
        // CR only after the chunk header.
        format!("{}\r{}", &text[..first_crlf], &text[first_crlf + 2..]),
        // LF only after the final chunk.
        format!("{}\n", &text[..text.len() - 2]),
        // CRLF after the first chunk's data replaced by LF CR.
        {
            let (_, end) = example.data_ranges[0];
            format!("{}\n\r{}", &text[..end], &text[end + 2..])
        },
    ];
    for body in variants {
        let e = decode_whole(example.decoder(), body.as_bytes()).unwrap_err();
        assert_eq!(e.code(), "IncompleteBody", "{e:?}");
    }
}

// ---------------------------------------------------------------------------
// Throughput: 64 MiB in 64 KiB signed chunks against plain SHA-256 of the
// same bytes. Release mode only; prints the figures.

#[test]
#[ignore = "measurement: run with --release -- --ignored --nocapture"]
fn throughput_of_signed_chunks_against_plain_sha256() {
    const TOTAL: usize = 64 << 20;
    const CHUNK: usize = 64 << 10;
    let seed_hex = hex::encode(Sha256::digest(b"throughput"));
    let payload = payload_of(TOTAL, 99);
    let encoded = Bytes::from(encode(Framing::Signed, &payload, CHUNK, None, &seed_hex).body);
    // Frames of 16 KiB, as hyper commonly hands them out, and the whole body
    // as one buffer.
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let mut plain_run = || {
        std::hint::black_box(Sha256::digest(&payload));
    };
    let decode_with_frames = |frame: usize| {
        let mut decoder = decoder_for(Framing::Signed, &seed_hex, None, TOTAL, 8192);
        let mut n = 0;
        let mut at = 0;
        while at < encoded.len() {
            let mut input = encoded.slice(at..(at + frame).min(encoded.len()));
            at += frame;
            loop {
                match decoder.decode(&mut input).unwrap() {
                    Decoded::Data(d) => n += d.len(),
                    Decoded::NeedMore => break,
                    Decoded::End(_) => {}
                }
            }
        }
        decoder.finish().unwrap();
        assert_eq!(n, TOTAL);
    };
    // Interleaved rounds, best of each, so that a busy machine slows every
    // contender alike.
    let frames = [usize::MAX / 2, 16 << 10, 1 << 10];
    let mut plain = Duration::MAX;
    let mut decoded = [Duration::MAX; 3];
    for _ in 0..12 {
        plain = plain.min(time(&mut plain_run));
        for (best, frame) in decoded.iter_mut().zip(frames) {
            *best = (*best).min(time(&mut || decode_with_frames(frame)));
        }
    }
    let gbps = |d: Duration| TOTAL as f64 / d.as_secs_f64() / 1e9;
    println!("plain SHA-256 of the payload: {:.3} GB/s", gbps(plain));
    for (label, d) in ["one buffer", "16 KiB frames", "1 KiB frames"]
        .iter()
        .zip(decoded)
    {
        println!(
            "decode, {label}: {:.3} GB/s = {:.1}% of plain SHA-256",
            gbps(d),
            100.0 * plain.as_secs_f64() / d.as_secs_f64()
        );
    }
}
