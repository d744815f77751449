//! [`VerifiedBody`]: the request body the inner service receives.
//!
//! The signature covers a claimed payload hash; whether the bytes that follow
//! match that claim can only be known once they have all been read. How that
//! is checked depends on the payload mode the client signed (taken from the
//! signed `x-amz-content-sha256`, never from `Content-Encoding`):
//!
//! | mode | what the body does |
//! |---|---|
//! | signed hex hash (`x-amz-content-sha256: <hex>`) | streams through, hashed on the way; a mismatch is an error from the last `poll_frame` |
//! | no hash header (KMS-, STS-style) | read and hashed by the layer before the signature is checked, then handed on whole |
//! | `UNSIGNED-PAYLOAD` | streams through unchecked, as the client chose |
//! | `STREAMING-*` (`aws-chunked`) | decoded; each signed chunk's signature checked before its bytes go on; the trailing checksum and the decoded length checked at the end; the trailers handed on as an HTTP trailers frame |
//!
//! # Errors
//!
//! A body whose bytes do not match what was signed ends with an error frame
//! instead of its last data: `poll_frame` yields `Err` holding a
//! [`VerifiedBodyError`], boxed as [`BoxError`] like the errors of the inner
//! body (a connection reset, for example). Downcast it to tell them apart,
//! and answer the client with [`VerifiedBodyError::to_report`]:
//!
//! ```
//! use std::time::SystemTime;
//! use tower_sigv4::body::{BoxError, VerifiedBodyError};
//!
//! fn describe(err: &BoxError) -> String {
//!     match err.downcast_ref::<VerifiedBodyError>() {
//!         Some(e) => format!("the body does not match its signature: {}", e.code()),
//!         None => format!("the connection failed: {err}"),
//!     }
//! }
//!
//! fn respond(err: &VerifiedBodyError) -> http::Response<tower_sigv4::response::ErrorBody> {
//!     err.to_report().render(err.protocol(), SystemTime::now())
//! }
//! ```
//!
//! [`is_end_stream`](http_body::Body::is_end_stream) is never true before the
//! check has run, so a reader that stops at the end of the stream cannot skip
//! it. A handler that acts on a streamed body before its end must be able to
//! undo what it did; one that cannot should collect the body first (signed
//! `aws-chunked` chunks are held back until their signature verifies, so
//! only the checks at the end concern them).

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use http::{HeaderMap, StatusCode};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use sha2::{Digest, Sha256};

use crate::response::{ErrorProtocol, ErrorReport};
use crate::sigv4::chunked::{ChunkedDecoder, ChunkedError, ChunkedErrorKind, Decoded};

/// The boxed error type of [`VerifiedBody`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pin_project! {
    /// The request body handed to the inner service. See the [module docs](self).
    pub struct VerifiedBody<B> {
        #[pin]
        state: State<B>,
        protocol: ErrorProtocol,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<B> {
        PassThrough { #[pin] body: B },
        Hashed {
            #[pin] body: B,
            hasher: Sha256,
            expected: [u8; 32],
            checked: bool,
        },
        Buffered { data: Option<Bytes> },
        Chunked {
            #[pin] body: B,
            decoder: Box<ChunkedDecoder>,
            input: Bytes,
            phase: Phase,
            trailers: Option<HeaderMap>,
            remaining: Option<u64>,
        },
    }
}

/// Where an `aws-chunked` body stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Decoding chunks (and, after the final one, waiting for the transport
    /// to end, so that bytes after the encoding are caught).
    Decoding,
    /// Verified and ended: the trailers frame (if any) goes out next.
    Trailers,
    Done,
}

impl<B> VerifiedBody<B> {
    fn with_state(state: State<B>) -> Self {
        VerifiedBody {
            state,
            protocol: ErrorProtocol::S3,
        }
    }

    /// A body passed on unchecked (`UNSIGNED-PAYLOAD`, or a request that carries no body hash to check).
    pub fn pass_through(body: B) -> Self {
        VerifiedBody::with_state(State::PassThrough { body })
    }

    /// A body whose SHA-256 must equal `expected`, checked as it streams.
    pub fn hashed(body: B, expected: [u8; 32]) -> Self {
        VerifiedBody::with_state(State::Hashed {
            body,
            hasher: Sha256::new(),
            expected,
            checked: false,
        })
    }

    /// A body already read (and checked) by the layer.
    pub fn buffered(data: Bytes) -> Self {
        VerifiedBody::with_state(State::Buffered {
            data: (!data.is_empty()).then_some(data),
        })
    }

    /// An `aws-chunked` body decoded and verified by `decoder` as it streams.
    /// `decoded_length` (`x-amz-decoded-content-length`) feeds the size hint;
    /// the decoder itself enforces it.
    pub fn aws_chunked(body: B, decoder: ChunkedDecoder, decoded_length: Option<u64>) -> Self {
        VerifiedBody::aws_chunked_boxed(body, Box::new(decoder), decoded_length)
    }

    pub(crate) fn aws_chunked_boxed(
        body: B,
        decoder: Box<ChunkedDecoder>,
        decoded_length: Option<u64>,
    ) -> Self {
        VerifiedBody::with_state(State::Chunked {
            body,
            decoder,
            input: Bytes::new(),
            phase: Phase::Decoding,
            trailers: None,
            remaining: decoded_length,
        })
    }

    /// Reports errors for a service speaking `protocol` (default S3), as
    /// [`VerifiedBodyError::protocol`].
    pub fn with_error_protocol(mut self, protocol: ErrorProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    fn mode(&self) -> &'static str {
        match &self.state {
            State::PassThrough { .. } => "pass-through",
            State::Hashed { .. } => "hashed",
            State::Buffered { .. } => "buffered",
            State::Chunked { .. } => "aws-chunked",
        }
    }
}

impl<B> Body for VerifiedBody<B>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        let protocol = *this.protocol;
        match this.state.project() {
            StateProj::PassThrough { body } => {
                let frame = ready!(body.poll_frame(cx));
                Poll::Ready(frame.map(|f| f.map(frame_to_bytes).map_err(Into::into)))
            }
            StateProj::Hashed {
                body,
                hasher,
                expected,
                checked,
            } => {
                if *checked {
                    return Poll::Ready(None);
                }
                match ready!(body.poll_frame(cx)) {
                    Some(Ok(frame)) => {
                        let frame = frame_to_bytes(frame);
                        if let Some(data) = frame.data_ref() {
                            hasher.update(data);
                        }
                        Poll::Ready(Some(Ok(frame)))
                    }
                    Some(Err(e)) => {
                        *checked = true;
                        Poll::Ready(Some(Err(e.into())))
                    }
                    None => {
                        *checked = true;
                        let computed: [u8; 32] = std::mem::take(hasher).finalize().into();
                        if computed == *expected {
                            Poll::Ready(None)
                        } else {
                            let e = VerifiedBodyError::hash_mismatch(*expected, computed)
                                .in_protocol(protocol)
                                .traced();
                            Poll::Ready(Some(Err(Box::new(e))))
                        }
                    }
                }
            }
            StateProj::Buffered { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            StateProj::Chunked {
                mut body,
                decoder,
                input,
                phase,
                trailers,
                remaining,
            } => loop {
                match *phase {
                    Phase::Done => return Poll::Ready(None),
                    Phase::Trailers => {
                        *phase = Phase::Done;
                        return Poll::Ready(trailers.take().map(|t| Ok(Frame::trailers(t))));
                    }
                    Phase::Decoding => {}
                }
                let fail = |e: ChunkedError| {
                    let e = VerifiedBodyError::chunked(e).in_protocol(protocol).traced();
                    Poll::Ready(Some(Err(Box::new(e) as BoxError)))
                };
                match decoder.decode(input) {
                    Ok(Decoded::Data(data)) => {
                        if data.is_empty() {
                            continue;
                        }
                        if let Some(r) = remaining {
                            *r = r.saturating_sub(data.len() as u64);
                        }
                        return Poll::Ready(Some(Ok(Frame::data(data))));
                    }
                    Ok(Decoded::End(t)) => {
                        *trailers = (!t.is_empty()).then_some(t);
                        continue;
                    }
                    Ok(Decoded::NeedMore) => {}
                    Err(e) => {
                        *phase = Phase::Done;
                        return fail(e);
                    }
                }
                // `input` is used up: read the next piece of the transport.
                match ready!(body.as_mut().poll_frame(cx)) {
                    Some(Ok(frame)) => {
                        // Transport trailers (HTTP/1.1 chunked, HTTP/2) carry
                        // nothing of aws-chunked's; they are dropped.
                        if let Ok(mut data) = frame.into_data() {
                            *input = data.copy_to_bytes(data.remaining());
                        }
                    }
                    Some(Err(e)) => {
                        *phase = Phase::Done;
                        return Poll::Ready(Some(Err(e.into())));
                    }
                    None => match decoder.finish() {
                        Ok(()) => *phase = Phase::Trailers,
                        Err(e) => {
                            *phase = Phase::Done;
                            return fail(e);
                        }
                    },
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.state {
            State::PassThrough { body } => body.is_end_stream(),
            // The check runs on the poll that sees the end: until then, never "ended".
            State::Hashed { checked, .. } => *checked,
            State::Buffered { data } => data.is_none(),
            State::Chunked { phase, .. } => *phase == Phase::Done,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.state {
            State::PassThrough { body } => body.size_hint(),
            State::Hashed { body, checked, .. } => {
                if *checked {
                    SizeHint::with_exact(0)
                } else {
                    body.size_hint()
                }
            }
            State::Buffered { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            State::Chunked {
                phase, remaining, ..
            } => match (phase, remaining) {
                (Phase::Decoding, Some(r)) => SizeHint::with_exact(*r),
                (Phase::Decoding, None) => SizeHint::default(),
                _ => SizeHint::with_exact(0),
            },
        }
    }
}

impl<B> fmt::Debug for VerifiedBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedBody")
            .field("mode", &self.mode())
            .finish_non_exhaustive()
    }
}

fn frame_to_bytes<D: Buf>(frame: Frame<D>) -> Frame<Bytes> {
    frame.map_data(|mut d| d.copy_to_bytes(d.remaining()))
}

/// Why a verified body failed: its bytes do not match what was signed.
///
/// Found inside the [`BoxError`] of [`VerifiedBody`]'s `poll_frame`: see the
/// [module docs](self) for how to downcast it. Its [`code`](Self::code),
/// [`status`](Self::status) and [`message`](Self::message) are what Amazon S3
/// answers for the same fault, the table is in [`error`](crate::error). It
/// never holds a key or a signature the server computed.
#[derive(Clone)]
pub struct VerifiedBodyError {
    kind: VerifiedBodyErrorKind,
    source: ErrorSource,
    protocol: ErrorProtocol,
}

#[derive(Clone)]
enum ErrorSource {
    Hashes {
        claimed: [u8; 32],
        computed: [u8; 32],
    },
    Chunked(ChunkedError),
}

/// The kinds of [`VerifiedBodyError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifiedBodyErrorKind {
    /// The body's SHA-256 differs from the signed `x-amz-content-sha256`.
    PayloadHashMismatch,
    /// The `aws-chunked` body failed to decode or verify.
    AwsChunked(ChunkedErrorKind),
}

impl VerifiedBodyError {
    pub(crate) fn hash_mismatch(claimed: [u8; 32], computed: [u8; 32]) -> Self {
        VerifiedBodyError {
            kind: VerifiedBodyErrorKind::PayloadHashMismatch,
            source: ErrorSource::Hashes { claimed, computed },
            protocol: ErrorProtocol::S3,
        }
    }

    pub(crate) fn chunked(error: ChunkedError) -> Self {
        VerifiedBodyError {
            kind: VerifiedBodyErrorKind::AwsChunked(error.kind()),
            source: ErrorSource::Chunked(error),
            protocol: ErrorProtocol::S3,
        }
    }

    fn in_protocol(mut self, protocol: ErrorProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Emits the failure's one `tracing` event (feature `tracing`).
    fn traced(self) -> Self {
        #[cfg(feature = "tracing")]
        tracing::info!(
            target: "tower_sigv4",
            code = self.code(),
            status = self.status().as_u16(),
            kind = ?self.kind,
            reason = %self,
            "SigV4 request body rejected"
        );
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> VerifiedBodyErrorKind {
        self.kind
    }

    /// The error protocol of the service the request was scoped to.
    pub fn protocol(&self) -> ErrorProtocol {
        self.protocol
    }

    /// The AWS error code, as S3 reports it (`XAmzContentSHA256Mismatch`,
    /// `SignatureDoesNotMatch`, `BadDigest`, `IncompleteBody`, …).
    pub fn code(&self) -> &'static str {
        match &self.source {
            ErrorSource::Hashes { .. } => "XAmzContentSHA256Mismatch",
            ErrorSource::Chunked(e) => e.code(),
        }
    }

    /// The HTTP status S3 answers with.
    pub fn status(&self) -> StatusCode {
        match &self.source {
            ErrorSource::Hashes { .. } => StatusCode::BAD_REQUEST,
            ErrorSource::Chunked(e) => e.status(),
        }
    }

    /// The message S3 answers with.
    pub fn message(&self) -> std::borrow::Cow<'static, str> {
        match &self.source {
            ErrorSource::Hashes { .. } => {
                "The provided 'x-amz-content-sha256' header does not match what was computed."
                    .into()
            }
            ErrorSource::Chunked(e) => e.message(),
        }
    }

    /// For [`VerifiedBodyErrorKind::PayloadHashMismatch`]: the hash the
    /// client signed and the hash of the bytes received.
    pub fn hashes(&self) -> Option<([u8; 32], [u8; 32])> {
        match &self.source {
            ErrorSource::Hashes { claimed, computed } => Some((*claimed, *computed)),
            ErrorSource::Chunked(_) => None,
        }
    }

    /// The decoder's error, for [`VerifiedBodyErrorKind::AwsChunked`].
    pub fn chunked_error(&self) -> Option<&ChunkedError> {
        match &self.source {
            ErrorSource::Chunked(e) => Some(e),
            ErrorSource::Hashes { .. } => None,
        }
    }

    /// The error as S3 reports it, ready to render: `XAmzContentSHA256Mismatch`
    /// carries `ClientComputedContentSHA256` and `S3ComputedContentSHA256`,
    /// `InvalidChunkSizeError` carries `Chunk` and `BadChunkSize`.
    pub fn to_report(&self) -> ErrorReport {
        let report = ErrorReport::new(self.status(), self.code(), self.message());
        match &self.source {
            ErrorSource::Hashes { claimed, computed } => report
                .with_field("ClientComputedContentSHA256", hex::encode(claimed))
                .with_field("S3ComputedContentSHA256", hex::encode(computed)),
            ErrorSource::Chunked(e) => match e.invalid_chunk() {
                Some((chunk, size)) => report
                    .with_field("Chunk", chunk.to_string())
                    .with_field("BadChunkSize", size.to_string()),
                None => report,
            },
        }
    }
}

impl fmt::Debug for VerifiedBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("VerifiedBodyError");
        d.field("kind", &self.kind).field("code", &self.code());
        if let ErrorSource::Chunked(e) = &self.source {
            d.field("source", e);
        }
        d.finish()
    }
}

impl fmt::Display for VerifiedBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            ErrorSource::Hashes { .. } => {
                f.write_str("the request body does not match the signed x-amz-content-sha256 value")
            }
            ErrorSource::Chunked(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl std::error::Error for VerifiedBodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.source {
            ErrorSource::Chunked(e) => Some(e),
            ErrorSource::Hashes { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::collections::VecDeque;

    fn sha(data: &[u8]) -> [u8; 32] {
        Sha256::digest(data).into()
    }

    /// A body that yields the given pieces as separate data frames.
    struct Pieces(VecDeque<Bytes>);

    impl Body for Pieces {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> Pieces {
        Pieces(parts.iter().map(|p| Bytes::from_static(p)).collect())
    }

    #[tokio::test]
    async fn hashed_body_passes_matching_bytes() {
        let body = VerifiedBody::hashed(chunks(&[b"hello ", b"world"]), sha(b"hello world"));
        let collected = body.collect().await.unwrap().to_bytes();
        assert_eq!(&collected[..], b"hello world");
    }

    #[tokio::test]
    async fn hashed_body_fails_on_the_last_frame() {
        let mut body = VerifiedBody::hashed(chunks(&[b"hello ", b"world"]), sha(b"hello there"));
        assert!(!body.is_end_stream());
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.data_ref().unwrap(), &b"hello "[..]);
        let second = body.frame().await.unwrap().unwrap();
        assert_eq!(second.data_ref().unwrap(), &b"world"[..]);
        assert!(!body.is_end_stream(), "must not end before the check ran");
        let err = body.frame().await.unwrap().unwrap_err();
        let err = err
            .downcast_ref::<VerifiedBodyError>()
            .expect("our error type");
        assert_eq!(err.code(), "XAmzContentSHA256Mismatch");
        assert_eq!(err.kind(), VerifiedBodyErrorKind::PayloadHashMismatch);
        let report = err.to_report();
        assert_eq!(report.status(), StatusCode::BAD_REQUEST);
        assert_eq!(report.fields()[0].1, hex::encode(sha(b"hello there")));
        assert_eq!(report.fields()[1].1, hex::encode(sha(b"hello world")));
        assert!(body.is_end_stream());
        assert!(body.frame().await.is_none());
    }

    #[tokio::test]
    async fn empty_hashed_body_checks_the_empty_hash() {
        let body = VerifiedBody::hashed(chunks(&[]), sha(b""));
        assert!(body.collect().await.unwrap().to_bytes().is_empty());
        let body = VerifiedBody::hashed(chunks(&[]), sha(b"x"));
        assert!(body.collect().await.is_err());
    }

    #[tokio::test]
    async fn buffered_body_yields_its_bytes_once() {
        let mut body =
            VerifiedBody::<http_body_util::Empty<Bytes>>::buffered(Bytes::from_static(b"abc"));
        assert_eq!(body.size_hint().exact(), Some(3));
        assert_eq!(
            body.frame().await.unwrap().unwrap().into_data().unwrap(),
            &b"abc"[..]
        );
        assert!(body.is_end_stream());
    }

    #[tokio::test]
    async fn unsigned_chunked_body_decodes_and_hands_on_trailers() {
        use crate::sigv4::chunked::ChunkedConfig;
        // The decoder's own documented example: CRC32 of "hello".
        let config = ChunkedConfig::default()
            .with_declared_trailers("x-amz-checksum-crc32")
            .unwrap()
            .with_decoded_content_length(Some(5));
        let decoder = ChunkedDecoder::unsigned_with_trailer(config);
        let mut body = VerifiedBody::aws_chunked(
            chunks(&[
                b"5\r\nhel",
                b"lo\r\n0\r\nx-amz-checksum-",
                b"crc32:NhCmhg==\r\n\r\n",
            ]),
            decoder,
            Some(5),
        );
        assert_eq!(body.size_hint().exact(), Some(5));
        let mut data = Vec::new();
        let mut trailers = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.unwrap();
            match frame.into_data() {
                Ok(d) => data.extend_from_slice(&d),
                Err(f) => trailers = f.into_trailers().ok(),
            }
        }
        assert_eq!(data, b"hello");
        assert_eq!(trailers.unwrap()["x-amz-checksum-crc32"], "NhCmhg==");
        assert!(body.is_end_stream());
    }

    #[tokio::test]
    async fn chunked_body_rejects_bytes_after_the_end() {
        use crate::sigv4::chunked::ChunkedConfig;
        let config = ChunkedConfig::default()
            .with_declared_trailers("x-amz-checksum-crc32")
            .unwrap();
        let decoder = ChunkedDecoder::unsigned_with_trailer(config);
        let body = VerifiedBody::aws_chunked(
            chunks(&[
                b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
                b"x",
            ]),
            decoder,
            None,
        );
        let err = body.collect().await.unwrap_err();
        let err = err.downcast_ref::<VerifiedBodyError>().unwrap();
        assert_eq!(
            err.kind(),
            VerifiedBodyErrorKind::AwsChunked(ChunkedErrorKind::DataAfterEnd)
        );
        assert_eq!(err.code(), "IncompleteBody");
    }
}
