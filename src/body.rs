//! [`VerifiedBody`]: the request body the inner service receives.
//!
//! The signature covers a claimed payload hash; whether the bytes that follow
//! match that claim can only be known once they have all been read. How that
//! is checked depends on the payload mode the client signed:
//!
//! | mode | what the body does |
//! |---|---|
//! | signed hex hash (`x-amz-content-sha256: <hex>`) | streams through, hashed on the way; a mismatch is an error from the last `poll_frame` |
//! | no hash header (KMS-, STS-style) | read and hashed by the layer before the signature is checked, then handed on whole |
//! | `UNSIGNED-PAYLOAD` | streams through unchecked, as the client chose |
//! | `STREAMING-*` (`aws-chunked`) | decoded; each chunk's signature checked before its bytes go on |
//!
//! # Errors
//!
//! A body whose bytes do not match what was signed ends with an error frame
//! instead of its last data: `poll_frame` yields `Err` holding a
//! [`VerifiedBodyError`], boxed as [`BoxError`] like the errors of the inner
//! body. Downcast it to tell the two apart:
//!
//! ```
//! use tower_sigv4::body::{BoxError, VerifiedBodyError};
//!
//! fn describe(err: &BoxError) -> String {
//!     match err.downcast_ref::<VerifiedBodyError>() {
//!         Some(e) => format!("the body does not match its signature: {}", e.code()),
//!         None => format!("the connection failed: {err}"),
//!     }
//! }
//! ```
//!
//! [`is_end_stream`](http_body::Body::is_end_stream) is never true before the
//! check has run, so a reader that stops at the end of the stream cannot skip
//! it. A handler that acts on a streamed body before its end must be able to
//! undo what it did; one that cannot should use the buffered mode.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use http::StatusCode;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use sha2::{Digest, Sha256};

use crate::response::ErrorReport;

/// The boxed error type of [`VerifiedBody`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pin_project! {
    /// The request body handed to the inner service. See the [module docs](self).
    pub struct VerifiedBody<B> {
        #[pin]
        state: State<B>,
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
    }
}

impl<B> VerifiedBody<B> {
    /// A body passed on unchecked (`UNSIGNED-PAYLOAD`, or a request that carries no body hash to check).
    pub fn pass_through(body: B) -> Self {
        VerifiedBody {
            state: State::PassThrough { body },
        }
    }

    /// A body whose SHA-256 must equal `expected`, checked as it streams.
    pub fn hashed(body: B, expected: [u8; 32]) -> Self {
        VerifiedBody {
            state: State::Hashed {
                body,
                hasher: Sha256::new(),
                expected,
                checked: false,
            },
        }
    }

    /// A body already read (and checked) by the layer.
    pub fn buffered(data: Bytes) -> Self {
        VerifiedBody {
            state: State::Buffered {
                data: (!data.is_empty()).then_some(data),
            },
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
        match self.project().state.project() {
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
                    Some(Err(e)) => Poll::Ready(Some(Err(e.into()))),
                    None => {
                        *checked = true;
                        let computed: [u8; 32] = std::mem::take(hasher).finalize().into();
                        if computed == *expected {
                            Poll::Ready(None)
                        } else {
                            Poll::Ready(Some(Err(Box::new(VerifiedBodyError::hash_mismatch(
                                *expected, computed,
                            )))))
                        }
                    }
                }
            }
            StateProj::Buffered { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.state {
            State::PassThrough { body } => body.is_end_stream(),
            // The check runs on the poll that sees the end: until then, never "ended".
            State::Hashed { checked, .. } => *checked,
            State::Buffered { data } => data.is_none(),
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
        }
    }
}

impl<B> fmt::Debug for VerifiedBody<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match &self.state {
            State::PassThrough { .. } => "pass-through",
            State::Hashed { .. } => "hashed",
            State::Buffered { .. } => "buffered",
        };
        f.debug_struct("VerifiedBody").field("mode", &mode).finish()
    }
}

fn frame_to_bytes<D: Buf>(frame: Frame<D>) -> Frame<Bytes> {
    frame.map_data(|mut d| d.copy_to_bytes(d.remaining()))
}

/// Why a verified body failed: its bytes do not match what was signed.
///
/// Found inside the [`BoxError`] of [`VerifiedBody`]'s `poll_frame`.
#[derive(Debug)]
pub struct VerifiedBodyError {
    kind: VerifiedBodyErrorKind,
}

/// The kinds of [`VerifiedBodyError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedBodyErrorKind {
    /// The body's SHA-256 differs from the signed `x-amz-content-sha256`.
    PayloadHashMismatch {
        /// The hash the client signed, in hex.
        claimed: String,
        /// The hash of the bytes received, in hex.
        computed: String,
    },
}

impl VerifiedBodyError {
    fn hash_mismatch(claimed: [u8; 32], computed: [u8; 32]) -> Self {
        VerifiedBodyError {
            kind: VerifiedBodyErrorKind::PayloadHashMismatch {
                claimed: hex::encode(claimed),
                computed: hex::encode(computed),
            },
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &VerifiedBodyErrorKind {
        &self.kind
    }

    /// The AWS error code, as S3 reports it.
    pub fn code(&self) -> &'static str {
        match self.kind {
            VerifiedBodyErrorKind::PayloadHashMismatch { .. } => "XAmzContentSHA256Mismatch",
        }
    }

    /// The error as S3 reports it, ready to render (`XAmzContentSHA256Mismatch`, 400,
    /// with `ClientComputedContentSHA256` and `S3ComputedContentSHA256`).
    pub fn to_report(&self) -> ErrorReport {
        match &self.kind {
            VerifiedBodyErrorKind::PayloadHashMismatch { claimed, computed } => ErrorReport::new(
                StatusCode::BAD_REQUEST,
                self.code(),
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
            .with_field("ClientComputedContentSHA256", claimed.clone())
            .with_field("S3ComputedContentSHA256", computed.clone()),
        }
    }
}

impl fmt::Display for VerifiedBodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            VerifiedBodyErrorKind::PayloadHashMismatch { .. } => {
                f.write_str("the request body does not match the signed x-amz-content-sha256 value")
            }
        }
    }
}

impl std::error::Error for VerifiedBodyError {}

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
        let report = err.to_report();
        assert_eq!(report.status(), StatusCode::BAD_REQUEST);
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
}
