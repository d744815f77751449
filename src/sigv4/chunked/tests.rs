//! Unit tests of the state machine's parsing rules and of S3's answers to
//! malformed bodies. End-to-end tests against independently signed bodies
//! live in `tests/chunked.rs`.
//!
//! The bodies and expected S3 answers below are the cases of versitygw's S3
//! compatibility suite (`tests/integration`, unsigned streaming trailer), whose
//! expectations follow what Amazon S3 answers. Checksum values were made with
//! Python's zlib/hashlib and bitwise CRC-32C/CRC-64/NVME code checked against
//! the catalogue check values; they equal the values in that suite.

use super::*;

fn unsigned(config: ChunkedConfig) -> ChunkedDecoder {
    ChunkedDecoder::unsigned_with_trailer(config)
}

fn run(mut decoder: ChunkedDecoder, body: &[u8]) -> Result<(Vec<u8>, HeaderMap), ChunkedError> {
    let mut out = Vec::new();
    let mut trailers = None;
    let mut input = Bytes::copy_from_slice(body);
    loop {
        match decoder.decode(&mut input)? {
            Decoded::Data(d) => out.extend_from_slice(&d),
            Decoded::End(t) => trailers = Some(t),
            Decoded::NeedMore => break,
        }
    }
    decoder.finish()?;
    Ok((out, trailers.unwrap_or_default()))
}

fn crc64(length: u64) -> ChunkedConfig {
    ChunkedConfig::default()
        .with_trailer_checksum(Some(ChecksumAlgorithm::Crc64Nvme))
        .with_decoded_content_length(Some(length))
}

fn error_of(body: &[u8], config: ChunkedConfig) -> ChunkedError {
    run(unsigned(config), body).expect_err("must be rejected")
}

#[test]
fn chunk_header_parsing() {
    let h = parse_chunk_header(
        b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
    )
    .unwrap();
    assert_eq!(h.size, 0x10000);
    assert!(h.signature.is_some());
    // Either case of hex, leading zeros, unknown extensions with token or
    // quoted values, and blanks around the separators.
    for line in [
        &b"aBc\r\n"[..],
        b"0aBc\r\n",
        b"abc;foo=bar\r\n",
        b"abc ; foo = \"b;a\\\"r\" ;baz\r\n",
        b"ABC;x\r\n",
    ] {
        let h = parse_chunk_header(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(h.size, 0xabc);
        assert!(h.signature.is_none());
    }
    for line in [
        &b"\r\n"[..],
        b"abc\n",
        b"abc\r\r\n",
        b"abc;\r\n",
        b"abc;=x\r\n",
        b"abc:chunk-signature=x\r\n",
        b"abcx\r\n",
        b" abc\r\n",
        b"abc;foo=\"bar\r\n",
        b"-1\r\n",
        b"abc;chunk-signature=abc\r\n",
        b"ffffffffffffffffff\r\n",
        b"10000000000000000\r\n",
    ] {
        assert_eq!(
            parse_chunk_header(line).err().map(|e| e.kind()),
            Some(ChunkedErrorKind::Malformed),
            "{line:?}"
        );
    }
    // 2^64 - 1 fits; one digit more overflows.
    assert_eq!(
        parse_chunk_header(b"ffffffffffffffff\r\n").unwrap().size,
        u64::MAX
    );
    assert_eq!(
        parse_chunk_header(b"000000000000000000000001\r\n")
            .unwrap()
            .size,
        1
    );
    let sig = "a".repeat(64);
    let twice = format!("1;chunk-signature={sig};chunk-signature={sig}\r\n");
    assert_eq!(
        parse_chunk_header(twice.as_bytes()).err().map(|e| e.kind()),
        Some(ChunkedErrorKind::Malformed)
    );
}

#[test]
fn trailer_line_parsing() {
    let (n, v) = parse_trailer_line(b"X-Amz-Checksum-CRC32: \t NhCmhg== \r\n").unwrap();
    assert_eq!(n, "x-amz-checksum-crc32");
    assert_eq!(v, b"NhCmhg==");
    let (n, v) = parse_trailer_line(b"a:\r\n").unwrap();
    assert_eq!((n.as_str(), v), ("a", &b""[..]));
    for bad in [
        &b"no colon\r\n"[..],
        b":value\r\n",
        b"name :value\r\n",
        b"na me:value\r\n",
        b"name:va\rlue\r\n",
        b"name:va\x00lue\r\n",
        b"name:value\n",
        b"name:value\t\n",
    ] {
        assert_eq!(
            parse_trailer_line(bad).err().map(|e| e.kind()),
            Some(ChunkedErrorKind::MalformedTrailer),
            "{bad:?}"
        );
    }
}

#[test]
fn unsigned_body_decodes_with_its_checksum() {
    let (data, trailers) = run(
        unsigned(crc64(5)),
        b"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n",
    )
    .unwrap();
    assert_eq!(data, b"hello");
    assert_eq!(trailers.len(), 1);
    assert_eq!(trailers["x-amz-checksum-crc64nvme"], "M3eFcAZSQlc=");
    // Without a declared trailer, an empty trailer section.
    let (data, trailers) = run(
        unsigned(ChunkedConfig::default().with_decoded_content_length(Some(11))),
        b"B\r\nhello world\r\n0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(data, b"hello world");
    assert!(trailers.is_empty());
}

#[test]
fn s3_incomplete_body_cases() {
    let bodies: [&[u8]; 10] = [
        b"A\ndummy data\r\n0\r\n\r\n",
        b"A\r\ndummy data0\r\n\r\n",
        b"A\r\nXYZ\r\ndummy data\r\n0\r\n\r\n",
        b"B\r\ndummy data\r\n0\r\n\r\n",
        b"A\r\ndummy data\r\n0\r\n",
        b"A\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n",
        b"A\r\n",
        b"A\r\nA\r\ndummy data\r\n0\r\n\r\n",
        b"invalid_chunk_size\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n",
        b"A\r\ndummy data\r\nJ\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n",
    ];
    for body in bodies {
        let e = error_of(body, crc64(10));
        assert_eq!(e.code(), "IncompleteBody", "{body:?}: {e:?}");
        assert_eq!(e.status(), http::StatusCode::BAD_REQUEST);
    }
    // The same framing with the right checksum is accepted.
    let ok = b"A\r\ndummy data\r\n0\r\nx-amz-checksum-crc64nvme:dPVWc2vU1+Q=\r\n\r\n";
    assert_eq!(run(unsigned(crc64(10)), ok).unwrap().0, b"dummy data");
}

#[test]
fn s3_malformed_trailer_cases() {
    let cases: [(&[u8], Option<ChecksumAlgorithm>, ChunkedErrorKind); 4] = [
        (
            b"5\r\nhello\r\n0\r\n\r\n",
            Some(ChecksumAlgorithm::Crc64Nvme),
            ChunkedErrorKind::MissingTrailer,
        ),
        (
            b"5\r\nhello\r\n0\r\n:M3eFcAZSQlc=\r\n\r\n",
            Some(ChecksumAlgorithm::Crc64Nvme),
            ChunkedErrorKind::MalformedTrailer,
        ),
        (
            b"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n",
            None,
            ChunkedErrorKind::UnexpectedTrailer,
        ),
        (
            b"5\r\nhello\r\n0\r\ninvalid_trailer:M3eFcAZSQlc=\r\n\r\n",
            Some(ChecksumAlgorithm::Crc64Nvme),
            ChunkedErrorKind::UnexpectedTrailer,
        ),
    ];
    for (body, declared, kind) in cases {
        let config = ChunkedConfig::default()
            .with_trailer_checksum(declared)
            .with_decoded_content_length(Some(5));
        let e = error_of(body, config);
        assert_eq!(e.kind(), kind, "{body:?}");
        assert_eq!(e.code(), "MalformedTrailerError");
        assert_eq!(
            e.message(),
            "The request contained trailing data that was not well-formed or did not conform \
             to our published schema."
        );
    }
}

#[test]
fn s3_checksum_value_cases() {
    let e = error_of(
        b"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:invalid_checksum\r\n\r\n",
        crc64(5),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::InvalidChecksumValue);
    assert_eq!(e.code(), "InvalidRequest");
    assert_eq!(
        e.message(),
        "Value for x-amz-checksum-crc64nvme trailing header is invalid."
    );
    // A valid CRC-64/NVME, of other data.
    let e = error_of(
        b"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:QFRKMGE3tuw=\r\n\r\n",
        crc64(5),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::ChecksumMismatch);
    assert_eq!(e.code(), "BadDigest");
    assert_eq!(
        e.message(),
        "The CRC64NVME you specified did not match the calculated checksum."
    );
}

#[test]
fn every_algorithm_accepts_its_value_and_rejects_another() {
    // "dummy data", in the trailer form S3 receives from the SDKs.
    let values = [
        (ChecksumAlgorithm::Crc32, "QWaN2w==", "MSpqpg=="),
        (ChecksumAlgorithm::Crc32c, "R/I7iQ==", "5if0QQ=="),
        (ChecksumAlgorithm::Crc64Nvme, "dPVWc2vU1+Q=", "SmzZ/LTp1CA="),
        (
            ChecksumAlgorithm::Sha1,
            "YR/1TvTYOJz5gtqVFoBJBtmTibY=",
            "L7XhNBn8iSRoZeejJPR27GJOh0A=",
        ),
        (
            ChecksumAlgorithm::Sha256,
            "eXuwq/95jXIAr3aF3KeQHt/8Ur8mUA1b2XKCZY7iQVI=",
            "fRpUEnsiJQL1t5tfsIAwYRUqRPkrN+I8ZSe69mXU2po=",
        ),
    ];
    for (algorithm, right, wrong) in values {
        let config = ChunkedConfig::default()
            .with_trailer_checksum(Some(algorithm))
            .with_decoded_content_length(Some(10));
        let body = |v: &str| {
            format!(
                "A\r\ndummy data\r\n0\r\n{}:{v}\r\n\r\n",
                algorithm.header_name()
            )
        };
        let (data, trailers) = run(unsigned(config.clone()), body(right).as_bytes()).unwrap();
        assert_eq!(data, b"dummy data");
        assert_eq!(trailers[algorithm.header_name()], right);
        let e = error_of(body(wrong).as_bytes(), config.clone());
        assert_eq!(e.kind(), ChunkedErrorKind::ChecksumMismatch, "{algorithm}");
        assert_eq!(e.checksum_algorithm(), Some(algorithm));
        // One flipped data byte.
        let flipped = body(right).replace("dummy", "dummz");
        let e = error_of(flipped.as_bytes(), config);
        assert_eq!(e.kind(), ChunkedErrorKind::ChecksumMismatch, "{algorithm}");
    }
}

#[test]
fn only_the_last_chunk_may_be_small() {
    let a = "a".repeat(1000);
    let body = format!("3E8\r\n{a}\r\n3E8\r\n{a}\r\n0\r\n\r\n");
    let e = error_of(body.as_bytes(), ChunkedConfig::default());
    assert_eq!(e.kind(), ChunkedErrorKind::ChunkTooSmall);
    assert_eq!(e.code(), "InvalidChunkSizeError");
    assert_eq!(e.invalid_chunk(), Some((2, 1000)));
    // The rule can be turned off, and a small last chunk is always fine.
    assert!(run(
        unsigned(ChunkedConfig::default().with_min_chunk_size(0)),
        body.as_bytes()
    )
    .is_ok());
    let big = "b".repeat(8192);
    let body = format!("2000\r\n{big}\r\n3E8\r\n{a}\r\n0\r\n\r\n");
    assert_eq!(
        run(unsigned(ChunkedConfig::default()), body.as_bytes())
            .unwrap()
            .0
            .len(),
        9192
    );
}

#[test]
fn declared_sizes_are_bounded_before_anything_is_read() {
    for size in ["8000000000000000", "4000001"] {
        let body = format!("{size}\r\nabc");
        let e = error_of(body.as_bytes(), ChunkedConfig::default());
        assert_eq!(e.kind(), ChunkedErrorKind::ChunkTooLarge, "{size}");
        assert_eq!(e.code(), "EntityTooLarge");
    }
    let e = error_of(
        b"6\r\nhello!\r\n0\r\n\r\n",
        ChunkedConfig::default().with_decoded_content_length(Some(5)),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::DecodedLengthMismatch);
    let e = error_of(
        b"4\r\nhell\r\n0\r\n\r\n",
        ChunkedConfig::default().with_decoded_content_length(Some(5)),
    );
    assert_eq!(e.kind(), ChunkedErrorKind::DecodedLengthMismatch);
}

#[test]
fn after_the_end() {
    let mut decoder = unsigned(ChunkedConfig::default());
    let mut input = Bytes::from_static(b"0\r\n\r\n");
    assert!(matches!(decoder.decode(&mut input), Ok(Decoded::End(_))));
    assert!(decoder.is_done());
    assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
    assert!(decoder.finish().is_ok());
    let mut more = Bytes::from_static(b"x");
    let e = decoder.decode(&mut more).unwrap_err();
    assert_eq!(e.kind(), ChunkedErrorKind::DataAfterEnd);
    assert_eq!(e.code(), "IncompleteBody");
    // Poisoned: the same error again, and finish reports it too.
    assert_eq!(decoder.decode(&mut Bytes::new()).unwrap_err(), e);
    assert_eq!(decoder.finish().unwrap_err(), e);
}

#[test]
fn truncation_anywhere_is_reported_by_finish() {
    let body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc64nvme:M3eFcAZSQlc=\r\n\r\n";
    for cut in 0..body.len() {
        let e = error_of(&body[..cut], crc64(5));
        assert_eq!(e.kind(), ChunkedErrorKind::Truncated, "cut at {cut}");
        assert_eq!(e.code(), "IncompleteBody");
    }
}

#[test]
fn trailer_section_is_bounded() {
    let mut decoder = unsigned(crc64(0).with_max_trailer_size(64));
    let mut input = Bytes::from_static(b"0\r\n");
    assert!(matches!(decoder.decode(&mut input), Ok(Decoded::NeedMore)));
    let mut fed = 0;
    let err = loop {
        let mut piece = Bytes::from_static(b"x-amz-meta-a:bbbbbbbbbb");
        fed += piece.len();
        match decoder.decode(&mut piece) {
            Ok(Decoded::NeedMore) => assert!(decoder.buffered_len() <= 64),
            Ok(other) => panic!("{other:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ChunkedErrorKind::TrailerTooLarge);
    assert!(fed < 128);
    // A chunk header line that never ends.
    let mut decoder = unsigned(ChunkedConfig::default());
    let err = loop {
        let mut piece = Bytes::from_static(b"00000000");
        match decoder.decode(&mut piece) {
            Ok(Decoded::NeedMore) => assert!(decoder.buffered_len() <= MAX_CHUNK_HEADER_LINE),
            Ok(other) => panic!("{other:?}"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ChunkedErrorKind::Malformed);
}

#[test]
fn declared_trailers_parse_as_s3_does() {
    let c = ChunkedConfig::default()
        .with_declared_trailers(" X-Amz-Checksum-SHA256 ")
        .unwrap();
    assert_eq!(c.trailer_checksum, Some(ChecksumAlgorithm::Sha256));
    let c = ChunkedConfig::default().with_declared_trailers("").unwrap();
    assert_eq!(c.trailer_checksum, None);
    for (value, kind) in [
        ("x-amz-checksum-sha3", ChunkedErrorKind::UnsupportedTrailer),
        (
            "AAAAAAAAAAAAAAAAAAAAA",
            ChunkedErrorKind::UnsupportedTrailer,
        ),
        ("x-amz-meta-foo", ChunkedErrorKind::UnsupportedTrailer),
        (
            "x-amz-checksum-crc32,x-amz-checksum-sha1",
            ChunkedErrorKind::MultipleChecksums,
        ),
    ] {
        let e = ChunkedConfig::default()
            .with_declared_trailers(value)
            .unwrap_err();
        assert_eq!(e.kind(), kind, "{value}");
        assert_eq!(e.code(), "InvalidRequest");
    }
    assert_eq!(
        ChunkedConfig::default()
            .with_declared_trailers("x-amz-checksum-sha3")
            .unwrap_err()
            .message(),
        "The value specified in the x-amz-trailer header is not supported"
    );
}

#[test]
fn modes_round_trip_their_sentinels() {
    for mode in [
        ChunkedMode::SignedPayload,
        ChunkedMode::SignedPayloadTrailer,
        ChunkedMode::UnsignedPayloadTrailer,
    ] {
        assert_eq!(ChunkedMode::from_content_sha256(mode.as_str()), Some(mode));
    }
    assert_eq!(ChunkedMode::from_content_sha256("UNSIGNED-PAYLOAD"), None);
    assert_eq!(
        ChunkedMode::from_content_sha256("streaming-unsigned-payload-trailer"),
        None
    );
}

#[test]
fn signed_modes_require_the_chunk_signature() {
    let signer = ChunkSigner::new(SigningKey::from_bytes([0; 32]), "D", "S", [0; 32]);
    let e = run(
        ChunkedDecoder::signed(signer.clone(), ChunkedConfig::default()),
        b"0\r\n\r\n",
    )
    .unwrap_err();
    assert_eq!(e.kind(), ChunkedErrorKind::Malformed);
    // A well-formed but wrong signature on the final chunk.
    let body = format!("0;chunk-signature={}\r\n\r\n", "0".repeat(64));
    let e = run(
        ChunkedDecoder::signed(signer, ChunkedConfig::default()),
        body.as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ChunkedErrorKind::ChunkSignatureMismatch);
    assert_eq!(e.code(), "SignatureDoesNotMatch");
    assert_eq!(e.status(), http::StatusCode::FORBIDDEN);
}

#[test]
fn unsigned_data_flows_without_copy_or_hold() {
    let body = Bytes::from_static(b"5\r\nhello\r\n0\r\n\r\n");
    let mut input = body.clone();
    let mut decoder = unsigned(ChunkedConfig::default());
    let Ok(Decoded::Data(d)) = decoder.decode(&mut input) else {
        panic!("data first")
    };
    // The data is a view of the input buffer, not a copy.
    assert_eq!(d.as_ptr(), body[3..].as_ptr());
    assert_eq!(decoder.buffered_len(), 0);
}

use crate::sigv4::SigningKey;
