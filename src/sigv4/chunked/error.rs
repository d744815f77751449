//! The typed error of the `aws-chunked` decoder, with the code, status and
//! message that Amazon S3 answers for each fault.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

use super::checksum::ChecksumAlgorithm;

/// What went wrong while decoding an `aws-chunked` body.
///
/// Each kind maps to the error code and HTTP status that Amazon S3 returns for
/// the same fault ([`code`](Self::code), [`status`](Self::status)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChunkedErrorKind {
    /// The framing is broken: a chunk size that is not hex or overflows, a
    /// missing or misplaced CRLF, a missing `chunk-signature` in a signed mode,
    /// a chunk header line that is too long. S3: `IncompleteBody`.
    Malformed,
    /// The body ended before the final chunk (or before its trailer section
    /// ended). S3: `IncompleteBody`.
    Truncated,
    /// Bytes followed the end of the encoded body. S3: `IncompleteBody`.
    DataAfterEnd,
    /// A chunk other than the last one was smaller than the minimum chunk size
    /// (8192 bytes at S3). S3: `InvalidChunkSizeError`.
    ChunkTooSmall,
    /// A chunk header declared more bytes than the configured maximum chunk
    /// size. S3 has no such per-chunk limit; the closest answer is
    /// `EntityTooLarge`.
    ChunkTooLarge,
    /// A chunk's `chunk-signature` does not match. S3: `SignatureDoesNotMatch`.
    ChunkSignatureMismatch,
    /// The `x-amz-trailer-signature` does not match. S3: `SignatureDoesNotMatch`.
    TrailerSignatureMismatch,
    /// The decoded length differs from `x-amz-decoded-content-length`.
    /// S3: `IncompleteBody`.
    DecodedLengthMismatch,
    /// The trailing checksum does not match the decoded data. S3: `BadDigest`.
    ChecksumMismatch,
    /// The trailing checksum value is not the base64 of a digest of the right
    /// length. S3: `InvalidRequest`.
    InvalidChecksumValue,
    /// The trailer section is not `name:value` lines, a name repeats, or the
    /// trailer signature line is missing or malformed.
    /// S3: `MalformedTrailerError`.
    MalformedTrailer,
    /// A trailer arrived that `x-amz-trailer` did not declare.
    /// S3: `MalformedTrailerError`.
    UnexpectedTrailer,
    /// A trailer that `x-amz-trailer` declared did not arrive.
    /// S3: `MalformedTrailerError`.
    MissingTrailer,
    /// The trailer section exceeded the configured maximum size.
    /// S3: `MalformedTrailerError`.
    TrailerTooLarge,
    /// `x-amz-trailer` names something other than an `x-amz-checksum-*`
    /// header that S3 supports. S3: `InvalidRequest`.
    UnsupportedTrailer,
    /// `x-amz-trailer` names more than one checksum. S3: `InvalidRequest`.
    MultipleChecksums,
}

impl ChunkedErrorKind {
    /// The error code Amazon S3 returns for this fault.
    pub fn code(self) -> &'static str {
        match self {
            Self::Malformed
            | Self::Truncated
            | Self::DataAfterEnd
            | Self::DecodedLengthMismatch => "IncompleteBody",
            Self::ChunkTooSmall => "InvalidChunkSizeError",
            Self::ChunkTooLarge => "EntityTooLarge",
            Self::ChunkSignatureMismatch | Self::TrailerSignatureMismatch => {
                "SignatureDoesNotMatch"
            }
            Self::ChecksumMismatch => "BadDigest",
            Self::InvalidChecksumValue | Self::UnsupportedTrailer | Self::MultipleChecksums => {
                "InvalidRequest"
            }
            Self::MalformedTrailer
            | Self::UnexpectedTrailer
            | Self::MissingTrailer
            | Self::TrailerTooLarge => "MalformedTrailerError",
        }
    }

    /// The HTTP status Amazon S3 returns for this fault.
    pub fn status(self) -> StatusCode {
        match self {
            Self::ChunkSignatureMismatch | Self::TrailerSignatureMismatch => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// Extra facts some kinds carry, for the message and for S3's extra XML
/// elements (`<Chunk>`, `<BadChunkSize>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    None,
    Algorithm(ChecksumAlgorithm),
    ChunkSize { chunk: u64, bad_size: u64, min: u64 },
}

/// An `aws-chunked` body was rejected.
///
/// Opaque: inspect it with [`kind`](Self::kind), and render it with
/// [`code`](Self::code), [`status`](Self::status) and [`message`](Self::message),
/// which give what Amazon S3 answers. It never holds a key or an expected
/// signature, so it is safe to log.
#[derive(Clone, PartialEq, Eq)]
pub struct ChunkedError {
    kind: ChunkedErrorKind,
    reason: &'static str,
    detail: Detail,
}

impl ChunkedError {
    pub(crate) fn new(kind: ChunkedErrorKind, reason: &'static str) -> Self {
        ChunkedError {
            kind,
            reason,
            detail: Detail::None,
        }
    }

    pub(crate) fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = detail;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ChunkedErrorKind {
        self.kind
    }

    /// The error code Amazon S3 returns (`IncompleteBody`, `BadDigest`, ...).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The HTTP status Amazon S3 returns.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The message Amazon S3 returns with [`code`](Self::code).
    pub fn message(&self) -> Cow<'static, str> {
        match self.kind {
            ChunkedErrorKind::Malformed
            | ChunkedErrorKind::Truncated
            | ChunkedErrorKind::DataAfterEnd => {
                Cow::Borrowed("The request body terminated unexpectedly")
            }
            ChunkedErrorKind::DecodedLengthMismatch => Cow::Borrowed(
                "You did not provide the number of bytes specified by the Content-Length HTTP header",
            ),
            ChunkedErrorKind::ChunkTooSmall => match self.detail {
                Detail::ChunkSize { min, .. } if min != 8192 => Cow::Owned(format!(
                    "Only the last chunk is allowed to have a size less than {min} bytes"
                )),
                _ => Cow::Borrowed(
                    "Only the last chunk is allowed to have a size less than 8192 bytes",
                ),
            },
            ChunkedErrorKind::ChunkTooLarge => {
                Cow::Borrowed("Your proposed upload exceeds the maximum allowed object size.")
            }
            ChunkedErrorKind::ChunkSignatureMismatch
            | ChunkedErrorKind::TrailerSignatureMismatch => Cow::Borrowed(
                "The request signature we calculated does not match the signature you provided. \
                 Check your key and signing method.",
            ),
            ChunkedErrorKind::ChecksumMismatch => match self.detail {
                Detail::Algorithm(a) => Cow::Owned(format!(
                    "The {} you specified did not match the calculated checksum.",
                    a.name()
                )),
                _ => Cow::Borrowed("The checksum you specified did not match the calculated checksum."),
            },
            ChunkedErrorKind::InvalidChecksumValue => match self.detail {
                Detail::Algorithm(a) => Cow::Owned(format!(
                    "Value for {} trailing header is invalid.",
                    a.header_name()
                )),
                _ => Cow::Borrowed("Value for x-amz-checksum trailing header is invalid."),
            },
            ChunkedErrorKind::MalformedTrailer
            | ChunkedErrorKind::UnexpectedTrailer
            | ChunkedErrorKind::MissingTrailer
            | ChunkedErrorKind::TrailerTooLarge => Cow::Borrowed(
                "The request contained trailing data that was not well-formed or did not conform \
                 to our published schema.",
            ),
            ChunkedErrorKind::UnsupportedTrailer => {
                Cow::Borrowed("The value specified in the x-amz-trailer header is not supported")
            }
            ChunkedErrorKind::MultipleChecksums => Cow::Borrowed(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
            ),
        }
    }

    /// The checksum algorithm concerned, for [`ChunkedErrorKind::ChecksumMismatch`]
    /// and [`ChunkedErrorKind::InvalidChecksumValue`].
    pub fn checksum_algorithm(&self) -> Option<ChecksumAlgorithm> {
        match self.detail {
            Detail::Algorithm(a) => Some(a),
            _ => None,
        }
    }

    /// For [`ChunkedErrorKind::ChunkTooSmall`]: the 1-based number of the chunk
    /// whose header showed that an earlier chunk was not the last, and the size
    /// of that earlier, too small chunk. S3 reports them as `<Chunk>` and
    /// `<BadChunkSize>`.
    pub fn invalid_chunk(&self) -> Option<(u64, u64)> {
        match self.detail {
            Detail::ChunkSize {
                chunk, bad_size, ..
            } => Some((chunk, bad_size)),
            _ => None,
        }
    }
}

impl fmt::Debug for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ChunkedError");
        d.field("kind", &self.kind).field("reason", &self.reason);
        match self.detail {
            Detail::None => {}
            Detail::Algorithm(a) => {
                d.field("algorithm", &a);
            }
            Detail::ChunkSize {
                chunk, bad_size, ..
            } => {
                d.field("chunk", &chunk).field("bad_chunk_size", &bad_size);
            }
        }
        d.finish()
    }
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "aws-chunked body rejected ({}): {}",
            self.code(),
            self.reason
        )
    }
}

impl std::error::Error for ChunkedError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_s3_code_and_status() {
        use ChunkedErrorKind::*;
        let table = [
            (Malformed, "IncompleteBody", 400),
            (Truncated, "IncompleteBody", 400),
            (DataAfterEnd, "IncompleteBody", 400),
            (ChunkTooSmall, "InvalidChunkSizeError", 400),
            (ChunkTooLarge, "EntityTooLarge", 400),
            (ChunkSignatureMismatch, "SignatureDoesNotMatch", 403),
            (TrailerSignatureMismatch, "SignatureDoesNotMatch", 403),
            (DecodedLengthMismatch, "IncompleteBody", 400),
            (ChecksumMismatch, "BadDigest", 400),
            (InvalidChecksumValue, "InvalidRequest", 400),
            (MalformedTrailer, "MalformedTrailerError", 400),
            (UnexpectedTrailer, "MalformedTrailerError", 400),
            (MissingTrailer, "MalformedTrailerError", 400),
            (TrailerTooLarge, "MalformedTrailerError", 400),
            (UnsupportedTrailer, "InvalidRequest", 400),
            (MultipleChecksums, "InvalidRequest", 400),
        ];
        for (kind, code, status) in table {
            let e = ChunkedError::new(kind, "test");
            assert_eq!(e.code(), code, "{kind:?}");
            assert_eq!(e.status().as_u16(), status, "{kind:?}");
            assert!(!e.message().is_empty());
            assert!(e.to_string().contains(code));
        }
    }

    #[test]
    fn bad_digest_message_names_the_algorithm_as_s3_does() {
        let e = ChunkedError::new(ChunkedErrorKind::ChecksumMismatch, "x")
            .with_detail(Detail::Algorithm(ChecksumAlgorithm::Crc32));
        assert_eq!(
            e.message(),
            "The CRC32 you specified did not match the calculated checksum."
        );
        let e = ChunkedError::new(ChunkedErrorKind::InvalidChecksumValue, "x")
            .with_detail(Detail::Algorithm(ChecksumAlgorithm::Crc64Nvme));
        assert_eq!(
            e.message(),
            "Value for x-amz-checksum-crc64nvme trailing header is invalid."
        );
        assert_eq!(e.checksum_algorithm(), Some(ChecksumAlgorithm::Crc64Nvme));
    }

    #[test]
    fn invalid_chunk_size_carries_chunk_and_size() {
        let e = ChunkedError::new(ChunkedErrorKind::ChunkTooSmall, "x").with_detail(
            Detail::ChunkSize {
                chunk: 2,
                bad_size: 3,
                min: 8192,
            },
        );
        assert_eq!(e.invalid_chunk(), Some((2, 3)));
        assert_eq!(
            e.message(),
            "Only the last chunk is allowed to have a size less than 8192 bytes"
        );
    }
}
