//! `aws-chunked` bodies through the layer and [`VerifiedBody`], checked
//! against an independent signer: the S3 API reference's worked examples
//! (seed, chunk and trailer signatures given in the files, computed outside
//! this crate). Each body is delivered in random frame splits, from one byte
//! upward, and must arrive intact; one flipped byte anywhere in a chunk, a
//! chunk signature, the framing or the trailer must be refused.

#[path = "layer_support.rs"]
mod support;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use support::*;
use tower::{Service, ServiceBuilder, ServiceExt};
use tower_sigv4::identity::StaticCredentials;
use tower_sigv4::sigv4::chunked::ChunkedErrorKind;
use tower_sigv4::{
    AuthErrorKind, SigV4Layer, SigV4Settings, VerifiedBody, VerifiedBodyError,
    VerifiedBodyErrorKind, Verifier,
};

/// A body delivered as the given frames.
struct Frames(VecDeque<Bytes>);

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
    }
}

/// `data` cut into frames of random sizes in `1..=max`.
fn split(data: &[u8], rng: &mut Rng, max: usize) -> Frames {
    let data = Bytes::copy_from_slice(data);
    let mut frames = VecDeque::new();
    let mut at = 0;
    while at < data.len() {
        let n = rng.size(max).min(data.len() - at);
        frames.push_back(data.slice(at..at + n));
        at += n;
    }
    Frames(frames)
}

fn store() -> StaticCredentials {
    StaticCredentials::builder()
        .root("111122223333", ROOT_AKID, ROOT_SECRET)
        .build()
        .unwrap()
}

fn verifier() -> Verifier<StaticCredentials> {
    let clock = Arc::new(tower_sigv4::identity::ManualClock::new(s3_example_time()));
    Verifier::with_settings(
        store(),
        SigV4Settings::default()
            .with_region("us-east-1")
            .with_service("s3")
            .with_clock(clock),
    )
}

fn examples() -> Vec<ChunkedExample> {
    ["chunked-upload.json", "chunked-upload-trailer.json"]
        .into_iter()
        .filter_map(chunked_example)
        .collect()
}

/// Collects a verified body: its data and trailers, or the error.
async fn collect(
    body: VerifiedBody<Frames>,
) -> Result<(Bytes, Option<http::HeaderMap>), tower_sigv4::body::BoxError> {
    let collected = body.collect().await?;
    let trailers = collected.trailers().cloned();
    Ok((collected.to_bytes(), trailers))
}

#[tokio::test]
async fn worked_examples_arrive_intact_in_any_frame_split() {
    let verifier = verifier();
    for ex in examples() {
        let mut rng = Rng::new(0x5eed);
        // One byte per frame, then random sizes up to several limits.
        let mut splits = vec![1usize];
        for max in [2, 3, 7, 64, 1000, 8191, 65_537, 70_000] {
            splits.extend([max; 3]);
        }
        for max in splits {
            let body = split(&ex.encoded, &mut rng, max);
            let request = ex.request("/examplebucket/chunkObject.txt", body);
            let request = verifier.authenticate(request).await.unwrap();
            assert_eq!(request.headers()["content-length"], "66560");
            assert!(!request.headers().contains_key("content-encoding"));
            let (data, trailers) = collect(request.into_body())
                .await
                .unwrap_or_else(|e| panic!("{} split {max}: {e}", ex.name));
            assert_eq!(data.len(), ex.decoded.len(), "{} split {max}", ex.name);
            assert!(data == ex.decoded, "{} split {max}: data differs", ex.name);
            match &ex.trailer {
                Some((name, value)) => {
                    let trailers = trailers.expect("a trailers frame");
                    assert_eq!(trailers[name.as_str()], value.as_str());
                    assert_eq!(trailers.len(), 1, "the trailer signature is not handed on");
                }
                None => assert!(trailers.is_none()),
            }
        }
    }
}

/// The positions of the encoded body worth flipping: every byte of framing,
/// signatures and trailer, and a spread of data bytes in each chunk.
fn positions(ex: &ChunkedExample, rng: &mut Rng) -> Vec<usize> {
    let mut out = Vec::new();
    let body = &ex.encoded;
    let mut at = 0;
    loop {
        let line_end = at + body[at..].windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        out.extend(at..line_end);
        let size = usize::from_str_radix(
            std::str::from_utf8(&body[at..line_end])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        if size == 0 {
            // The trailer section (or the final CRLF): every byte.
            out.extend(line_end..body.len());
            return out;
        }
        let data = line_end..line_end + size;
        out.extend([data.start, data.start + 1, data.end - 1]);
        out.extend((0..32).map(|_| data.start + (rng.next_u64() as usize) % size));
        out.extend([data.end, data.end + 1]);
        at = data.end + 2;
    }
}

#[tokio::test]
async fn one_flipped_byte_anywhere_is_refused() {
    let verifier = verifier();
    for ex in examples() {
        let mut rng = Rng::new(7);
        let positions = positions(&ex, &mut rng);
        assert!(positions.len() > 300, "{}", positions.len());
        for pos in positions {
            let mut encoded = ex.encoded.clone();
            encoded[pos] ^= 0x01;
            let body = split(&encoded, &mut rng, 4096);
            let request = ex.request("/examplebucket/chunkObject.txt", body);
            // The headers are untouched: the seed signature verifies.
            let request = verifier.authenticate(request).await.unwrap();
            let err = match collect(request.into_body()).await {
                Ok(_) => panic!("{}: flipping byte {pos} went unnoticed", ex.name),
                Err(e) => e,
            };
            let err = err
                .downcast_ref::<VerifiedBodyError>()
                .unwrap_or_else(|| panic!("{}: byte {pos}: not a verification error", ex.name));
            let VerifiedBodyErrorKind::AwsChunked(kind) = err.kind() else {
                panic!("{}: byte {pos}: {err:?}", ex.name);
            };
            // Whatever the fault, nothing of the tampered chunk was accepted.
            assert!(
                matches!(
                    kind,
                    ChunkedErrorKind::ChunkSignatureMismatch
                        | ChunkedErrorKind::TrailerSignatureMismatch
                        | ChunkedErrorKind::Malformed
                        | ChunkedErrorKind::MalformedTrailer
                        | ChunkedErrorKind::UnexpectedTrailer
                        | ChunkedErrorKind::MissingTrailer
                        | ChunkedErrorKind::ChecksumMismatch
                        | ChunkedErrorKind::InvalidChecksumValue
                        | ChunkedErrorKind::DecodedLengthMismatch
                        | ChunkedErrorKind::Truncated
                        | ChunkedErrorKind::DataAfterEnd
                        | ChunkedErrorKind::ChunkTooSmall
                ),
                "{}: byte {pos}: {kind:?}",
                ex.name
            );
        }
    }
}

#[tokio::test]
async fn signed_chunk_data_is_held_back_until_its_signature_verifies() {
    let verifier = verifier();
    let Some(ex) = chunked_example("chunked-upload.json") else {
        return;
    };
    // Flip the last data byte of the first (64 KiB) chunk: none of that
    // chunk may reach the handler.
    let mut encoded = ex.encoded.clone();
    let first_line = encoded.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    encoded[first_line + 65_535] ^= 0x01;
    let request = ex.request(&ex.path, split(&encoded, &mut Rng::new(3), 100));
    let mut body = verifier.authenticate(request).await.unwrap().into_body();
    let mut received = 0usize;
    loop {
        match body.frame().await {
            Some(Ok(frame)) => received += frame.data_ref().map_or(0, |d| d.len()),
            Some(Err(e)) => {
                let e = e.downcast_ref::<VerifiedBodyError>().unwrap();
                assert_eq!(e.code(), "SignatureDoesNotMatch");
                assert_eq!(e.status(), 403);
                break;
            }
            None => panic!("the body ended without an error"),
        }
    }
    assert_eq!(received, 0, "bytes of an unverified chunk went on");
    assert!(body.is_end_stream());
}

#[tokio::test]
async fn flipped_seed_signature_or_signed_header_is_refused_by_the_layer() {
    let verifier = verifier();
    for ex in examples() {
        // The seed signature, in the Authorization header.
        let mut bad = ex.request(
            "/examplebucket/chunkObject.txt",
            split(&ex.encoded, &mut Rng::new(1), 512),
        );
        let auth = bad.headers()["authorization"].to_str().unwrap().to_owned();
        let last = auth.len() - 1;
        let mut flipped = auth.into_bytes();
        flipped[last] ^= 0x01;
        bad.headers_mut().insert(
            "authorization",
            http::HeaderValue::from_bytes(&flipped).unwrap(),
        );
        let err = verifier.authenticate(bad).await.unwrap_err();
        assert_eq!(
            err.kind(),
            AuthErrorKind::Request(tower_sigv4::sigv4::ErrorKind::SignatureMismatch)
        );
        assert_eq!(err.code(), "SignatureDoesNotMatch");

        // The signed decoded length.
        let mut bad = ex.request(
            "/examplebucket/chunkObject.txt",
            split(&ex.encoded, &mut Rng::new(1), 512),
        );
        bad.headers_mut()
            .insert("x-amz-decoded-content-length", "66561".parse().unwrap());
        let err = verifier.authenticate(bad).await.unwrap_err();
        assert_eq!(err.code(), "SignatureDoesNotMatch");
    }
}

#[tokio::test]
async fn the_layer_delivers_random_splits_to_a_service_fn() {
    let Some(ex) = chunked_example("chunked-upload-trailer.json") else {
        return;
    };
    let clock = Arc::new(tower_sigv4::identity::ManualClock::new(s3_example_time()));
    let settings = SigV4Settings::default()
        .with_region("us-east-1")
        .with_service("s3")
        .with_clock(clock);
    let mut service = ServiceBuilder::new()
        .layer(SigV4Layer::with_settings(store(), settings))
        .service_fn(|req: Request<VerifiedBody<Frames>>| async move {
            let collected = req.into_body().collect().await?;
            let trailers = collected.trailers().cloned().unwrap_or_default();
            let data = collected.to_bytes();
            let text = format!(
                "{} {}",
                data.len(),
                trailers
                    .get("x-amz-checksum-crc32c")
                    .map_or("none", |v| v.to_str().unwrap())
            );
            Ok::<_, tower_sigv4::body::BoxError>(Response::new(Full::new(Bytes::from(text))))
        });
    let mut rng = Rng::new(99);
    for max in [1, 5, 333, 9000] {
        let request = ex.request(
            "/examplebucket/chunkObject.txt",
            split(&ex.encoded, &mut rng, max),
        );
        let response = service.ready().await.unwrap().call(request).await.unwrap();
        assert_eq!(response.status(), 200);
        let text = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, format!("66560 {}", ex.trailer.as_ref().unwrap().1));
    }
}
