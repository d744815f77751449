//! The `aws-chunked` body decoder and its chunk and trailer signature chain,
//! as a sans-IO state machine.
//!
//! S3 uploads whose `x-amz-content-sha256` is one of the streaming sentinels
//! carry their body in `aws-chunked` framing
//! ([`sigv4-streaming`](https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html),
//! [`sigv4-streaming-trailers`](https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html)):
//!
//! | `x-amz-content-sha256` | chunks | after the final chunk |
//! |---|---|---|
//! | `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` | `hex-size;chunk-signature=sig\r\ndata\r\n` | `\r\n` |
//! | `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` | as above | `name:value\r\n`… `x-amz-trailer-signature:sig\r\n\r\n` |
//! | `STREAMING-UNSIGNED-PAYLOAD-TRAILER` | `hex-size\r\ndata\r\n` | `name:value\r\n`… `\r\n` |
//!
//! Each chunk signature signs
//! `AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n<previous signature>\n<sha256("")>\n<sha256(data)>`,
//! the first "previous signature" being the request's own (the seed). The trailer
//! signature signs `AWS4-HMAC-SHA256-TRAILER\n<date>\n<scope>\n<previous>\n<sha256(trailers)>`,
//! where the trailers are the `name:value\n` lines with lowercase names and
//! trimmed values, sorted by name, without the signature line.
//!
//! [`ChunkedDecoder`] takes the encoded bytes in pieces of any size and hands
//! out the decoded data, then the verified trailers. In the signed modes a
//! chunk's data is held back until its signature verifies (so at most one
//! chunk, bounded by [`ChunkedConfig::max_chunk_size`], is buffered, and the
//! buffer grows only as bytes arrive). Unsigned chunks are handed out at once:
//! the trailing checksum, checked at the end, guards them, so a consumer must
//! not commit anything before the decoder reports the end.
//!
//! ```
//! use bytes::Bytes;
//! use tower_sigv4::sigv4::chunked::{ChunkedConfig, ChunkedDecoder, Decoded};
//!
//! # fn main() -> Result<(), tower_sigv4::sigv4::chunked::ChunkedError> {
//! // STREAMING-UNSIGNED-PAYLOAD-TRAILER with `x-amz-trailer: x-amz-checksum-crc32`.
//! let config = ChunkedConfig::default()
//!     .with_declared_trailers("x-amz-checksum-crc32")?
//!     .with_decoded_content_length(Some(5));
//! let mut decoder = ChunkedDecoder::unsigned_with_trailer(config);
//!
//! let mut body = Vec::new();
//! let mut trailers = None;
//! // The body as it might arrive from the network, in three frames.
//! for frame in [&b"5\r\nhel"[..], b"lo\r\n0\r\nx-amz-checksum-", b"crc32:NhCmhg==\r\n\r\n"] {
//!     let mut input = Bytes::copy_from_slice(frame);
//!     loop {
//!         match decoder.decode(&mut input)? {
//!             Decoded::Data(data) => body.extend_from_slice(&data),
//!             Decoded::End(t) => trailers = Some(t),
//!             Decoded::NeedMore => break, // `input` is now empty
//!         }
//!     }
//! }
//! decoder.finish()?; // the body ended: was the encoding complete?
//! assert_eq!(body, b"hello");
//! assert_eq!(trailers.unwrap()["x-amz-checksum-crc32"], "NhCmhg==");
//! # Ok(())
//! # }
//! ```

mod checksum;
mod error;
mod signer;

use std::collections::VecDeque;

use bytes::{Buf as _, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};
use sha2::{Digest as _, Sha256};

pub use checksum::ChecksumAlgorithm;
pub use error::{ChunkedError, ChunkedErrorKind};
pub use signer::ChunkSigner;

use checksum::{ChecksumFault, RunningChecksum};
use error::Detail;
use signer::{Claimed, SignatureChain};

/// The longest chunk header line accepted (`hex-size;extensions\r\n`). A signed
/// header is under 100 bytes; the limit leaves room for unknown extensions
/// while bounding what is held for a line that never ends.
pub const MAX_CHUNK_HEADER_LINE: usize = 4096;

/// Pieces of chunk data shorter than this are copied together rather than
/// kept as separate `Bytes`, so that data fed in tiny pieces does not cost one
/// `Bytes` handle per piece: a held chunk has at most two handles per KiB
/// (about 6% of its size in bookkeeping), while frames of 1 KiB and more
/// pass without a copy.
const COALESCE_BELOW: usize = 1024;

/// The `aws-chunked` framing a request declared in `x-amz-content-sha256`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    SignedPayload,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
    SignedPayloadTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks and an unsigned trailer.
    UnsignedPayloadTrailer,
}

impl ChunkedMode {
    /// The mode a `x-amz-content-sha256` value declares, if it is one of the
    /// three `aws-chunked` sentinels (compared exactly, as AWS does).
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        match value {
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => Some(Self::SignedPayload),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => Some(Self::SignedPayloadTrailer),
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => Some(Self::UnsignedPayloadTrailer),
            _ => None,
        }
    }

    /// The `x-amz-content-sha256` sentinel of this mode.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedPayload => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            Self::SignedPayloadTrailer => "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            Self::UnsignedPayloadTrailer => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        }
    }

    /// Whether each chunk carries a signature.
    pub fn is_signed(self) -> bool {
        !matches!(self, Self::UnsignedPayloadTrailer)
    }

    /// Whether a trailer section follows the final chunk.
    pub fn has_trailer(self) -> bool {
        !matches!(self, Self::SignedPayload)
    }
}

/// Limits and expectations for one `aws-chunked` body.
///
/// ```
/// use tower_sigv4::sigv4::chunked::{ChecksumAlgorithm, ChunkedConfig};
///
/// let config = ChunkedConfig::default()
///     .with_trailer_checksum(Some(ChecksumAlgorithm::Crc64Nvme))
///     .with_decoded_content_length(Some(1024))
///     .with_max_chunk_size(16 << 20);
/// assert_eq!(config.min_chunk_size, 8192);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChunkedConfig {
    /// The largest chunk accepted, in bytes. Signed chunks are buffered whole
    /// until their signature verifies, so this bounds the decoder's memory.
    /// Default: 64 MiB.
    pub max_chunk_size: u64,
    /// Every chunk but the last must hold at least this many bytes. Default:
    /// 8192, as S3 requires (`InvalidChunkSizeError`); 0 turns the rule off.
    pub min_chunk_size: u64,
    /// The largest trailer section accepted, in bytes, line ends included.
    /// Default: 8 KiB (S3 accepts a single checksum trailer, under 200 bytes).
    pub max_trailer_size: usize,
    /// The checksum trailer the request declared in `x-amz-trailer`: it is
    /// computed over the decoded data and must arrive and match. Default: none.
    pub trailer_checksum: Option<ChecksumAlgorithm>,
    /// `x-amz-decoded-content-length`: the decoded length must equal it.
    /// Default: not checked.
    pub decoded_content_length: Option<u64>,
}

impl Default for ChunkedConfig {
    fn default() -> Self {
        ChunkedConfig {
            max_chunk_size: 64 << 20,
            min_chunk_size: 8192,
            max_trailer_size: 8 << 10,
            trailer_checksum: None,
            decoded_content_length: None,
        }
    }
}

impl ChunkedConfig {
    /// Sets [`max_chunk_size`](Self::max_chunk_size).
    pub fn with_max_chunk_size(mut self, bytes: u64) -> Self {
        self.max_chunk_size = bytes;
        self
    }

    /// Sets [`min_chunk_size`](Self::min_chunk_size).
    pub fn with_min_chunk_size(mut self, bytes: u64) -> Self {
        self.min_chunk_size = bytes;
        self
    }

    /// Sets [`max_trailer_size`](Self::max_trailer_size).
    pub fn with_max_trailer_size(mut self, bytes: usize) -> Self {
        self.max_trailer_size = bytes;
        self
    }

    /// Sets [`trailer_checksum`](Self::trailer_checksum).
    pub fn with_trailer_checksum(mut self, algorithm: Option<ChecksumAlgorithm>) -> Self {
        self.trailer_checksum = algorithm;
        self
    }

    /// Sets [`decoded_content_length`](Self::decoded_content_length).
    pub fn with_decoded_content_length(mut self, length: Option<u64>) -> Self {
        self.decoded_content_length = length;
        self
    }

    /// Sets [`trailer_checksum`](Self::trailer_checksum) from the value of the
    /// request's `x-amz-trailer` header, a comma-separated list of header
    /// names, refusing what S3 refuses: a name that is not one of the
    /// `x-amz-checksum-*` headers ([`ChunkedErrorKind::UnsupportedTrailer`]) and
    /// more than one checksum ([`ChunkedErrorKind::MultipleChecksums`]).
    pub fn with_declared_trailers(mut self, x_amz_trailer: &str) -> Result<Self, ChunkedError> {
        let mut found = None;
        for name in x_amz_trailer
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let algorithm = ChecksumAlgorithm::from_header_name(name).ok_or_else(|| {
                ChunkedError::new(
                    ChunkedErrorKind::UnsupportedTrailer,
                    "x-amz-trailer names a header that is not a supported checksum",
                )
            })?;
            if found.replace(algorithm).is_some() {
                return Err(ChunkedError::new(
                    ChunkedErrorKind::MultipleChecksums,
                    "x-amz-trailer names more than one checksum",
                ));
            }
        }
        self.trailer_checksum = found;
        Ok(self)
    }
}

/// What [`ChunkedDecoder::decode`] produced.
#[derive(Debug)]
pub enum Decoded {
    /// Decoded body bytes, verified if the mode is signed. Call `decode` again,
    /// with the same input.
    Data(Bytes),
    /// All input was consumed (the input is now empty) and more is needed.
    /// Feed the next piece of the body, or call [`ChunkedDecoder::finish`] if
    /// the body has ended. Also returned, with empty input, after [`End`](Self::End).
    NeedMore,
    /// The encoding ended and everything verified: the final chunk, the
    /// trailer signature, the checksum and the decoded length. Carries the
    /// trailers (empty when there were none), without `x-amz-trailer-signature`.
    /// Nothing may follow: the body must end here.
    End(HeaderMap),
}

/// Decodes and verifies one `aws-chunked` body, fed in pieces of any size.
///
/// The caller owns the IO: it passes each piece of the body to
/// [`decode`](Self::decode) until it returns [`Decoded::NeedMore`] (the piece
/// is then fully consumed), and calls [`finish`](Self::finish) when the body
/// ends. After an error every call returns that error again. See the
/// [module documentation](self) for the format and an example.
pub struct ChunkedDecoder {
    mode: ChunkedMode,
    chain: Option<SignatureChain>,
    config: ChunkedConfig,
    state: State,
    /// A chunk header line (or the trailer section) split across inputs.
    line: Vec<u8>,
    /// Start, within `line`, of the trailer line being read.
    trailer_line_start: usize,
    checksum: Option<RunningChecksum>,
    /// Signed modes: the current chunk's data and its running hash.
    held: HeldChunk,
    chunk_hash: Sha256,
    claimed: Claimed,
    /// Verified data not yet handed out.
    pending: VecDeque<Bytes>,
    decoded: u64,
    chunks_seen: u64,
    previous_chunk_size: Option<u64>,
}

#[derive(Clone)]
enum State {
    Header,
    Data {
        remaining: u64,
    },
    /// The CRLF after a chunk's data; `next` says where it leads.
    Crlf {
        seen_cr: bool,
        next: AfterCrlf,
    },
    Trailer,
    Done,
    Failed(ChunkedError),
}

#[derive(Clone, Copy)]
enum AfterCrlf {
    NextChunk,
    End,
}

impl ChunkedDecoder {
    /// A decoder for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailer.
    pub fn signed(signer: ChunkSigner, config: ChunkedConfig) -> Self {
        Self::build(ChunkedMode::SignedPayload, Some(signer), config)
    }

    /// A decoder for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed
    /// chunks followed by a signed trailer.
    pub fn signed_with_trailer(signer: ChunkSigner, config: ChunkedConfig) -> Self {
        Self::build(ChunkedMode::SignedPayloadTrailer, Some(signer), config)
    }

    /// A decoder for `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks
    /// followed by an unsigned trailer (whose checksum guards the data).
    pub fn unsigned_with_trailer(config: ChunkedConfig) -> Self {
        Self::build(ChunkedMode::UnsignedPayloadTrailer, None, config)
    }

    fn build(mode: ChunkedMode, signer: Option<ChunkSigner>, config: ChunkedConfig) -> Self {
        ChunkedDecoder {
            mode,
            chain: signer.map(ChunkSigner::into_chain),
            checksum: config.trailer_checksum.map(RunningChecksum::new),
            config,
            state: State::Header,
            line: Vec::new(),
            trailer_line_start: 0,
            held: HeldChunk::default(),
            chunk_hash: Sha256::new(),
            claimed: Claimed::parse(&[b'0'; 64]).expect("64 digits"),
            pending: VecDeque::new(),
            decoded: 0,
            chunks_seen: 0,
            previous_chunk_size: None,
        }
    }

    /// The framing this decoder reads.
    pub fn mode(&self) -> ChunkedMode {
        self.mode
    }

    /// Decoded bytes so far (handed out or verified and waiting).
    pub fn decoded_len(&self) -> u64 {
        self.decoded
    }

    /// Bytes the decoder holds right now: a partial header or trailer, and
    /// chunk data waiting for its signature or to be handed out. Bounded by
    /// the chunk size plus the line and trailer limits.
    pub fn buffered_len(&self) -> usize {
        self.line.len() + self.held.len + self.pending.iter().map(Bytes::len).sum::<usize>()
    }

    /// Whether the encoding has ended and verified ([`Decoded::End`] was returned).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// Consumes bytes from the front of `input` and returns the next event.
    ///
    /// [`Decoded::Data`] may leave bytes in `input`: call again with it.
    /// [`Decoded::NeedMore`] means `input` has been consumed entirely (partial
    /// lines are kept inside), so the caller can replace it with the next piece.
    pub fn decode(&mut self, input: &mut Bytes) -> Result<Decoded, ChunkedError> {
        if let Some(data) = self.pending.pop_front() {
            return Ok(Decoded::Data(data));
        }
        match self.step(input) {
            Ok(event) => Ok(event),
            Err(e) => {
                self.state = State::Failed(e.clone());
                self.line = Vec::new();
                self.held = HeldChunk::default();
                self.pending.clear();
                Err(e)
            }
        }
    }

    /// Tells the decoder that the body has ended. `Ok` only if the encoding
    /// was complete ([`Decoded::End`] was returned); otherwise the body was
    /// cut short ([`ChunkedErrorKind::Truncated`]) or had failed before.
    pub fn finish(&mut self) -> Result<(), ChunkedError> {
        match &self.state {
            State::Done => Ok(()),
            State::Failed(e) => Err(e.clone()),
            _ => {
                let e = ChunkedError::new(
                    ChunkedErrorKind::Truncated,
                    "the body ended before the final chunk and its trailer",
                );
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    /// Decodes a whole body held in memory: the decoded data and the trailers.
    pub fn decode_all(mut self, mut body: Bytes) -> Result<(Bytes, HeaderMap), ChunkedError> {
        let mut out = BytesMut::new();
        let mut trailers = None;
        loop {
            match self.decode(&mut body)? {
                Decoded::Data(data) => out.extend_from_slice(&data),
                Decoded::End(t) => trailers = Some(t),
                Decoded::NeedMore => break,
            }
        }
        self.finish()?;
        Ok((out.freeze(), trailers.unwrap_or_default()))
    }

    fn step(&mut self, input: &mut Bytes) -> Result<Decoded, ChunkedError> {
        loop {
            match self.state.clone() {
                State::Failed(e) => return Err(e),
                State::Done => {
                    return if input.is_empty() {
                        Ok(Decoded::NeedMore)
                    } else {
                        Err(ChunkedError::new(
                            ChunkedErrorKind::DataAfterEnd,
                            "bytes follow the end of the aws-chunked encoding",
                        ))
                    };
                }
                State::Header => {
                    if !self.read_header(input)? {
                        return Ok(Decoded::NeedMore);
                    }
                }
                State::Data { remaining } => {
                    if input.is_empty() {
                        return Ok(Decoded::NeedMore);
                    }
                    if let Some(data) = self.read_data(input, remaining)? {
                        return Ok(Decoded::Data(data));
                    }
                }
                State::Crlf { seen_cr, next } => {
                    let Some(&byte) = input.first() else {
                        return Ok(Decoded::NeedMore);
                    };
                    input.advance(1);
                    match (seen_cr, byte) {
                        (false, b'\r') => {
                            self.state = State::Crlf {
                                seen_cr: true,
                                next,
                            }
                        }
                        (true, b'\n') => match next {
                            AfterCrlf::NextChunk => self.state = State::Header,
                            AfterCrlf::End => return self.end(HeaderMap::new()),
                        },
                        _ => {
                            return Err(malformed(match next {
                                AfterCrlf::NextChunk => "chunk data is not followed by CRLF",
                                AfterCrlf::End => "the final chunk is not followed by CRLF",
                            }))
                        }
                    }
                }
                State::Trailer => match self.read_trailer(input)? {
                    Some(trailers) => return self.end(trailers),
                    None => return Ok(Decoded::NeedMore),
                },
            }
        }
    }

    fn end(&mut self, trailers: HeaderMap) -> Result<Decoded, ChunkedError> {
        self.state = State::Done;
        self.line = Vec::new();
        Ok(Decoded::End(trailers))
    }

    /// Reads a chunk header line; `false` when more input is needed.
    fn read_header(&mut self, input: &mut Bytes) -> Result<bool, ChunkedError> {
        let newline = input.iter().position(|&b| b == b'\n');
        let Some(pos) = newline else {
            if self.line.len() + input.len() > MAX_CHUNK_HEADER_LINE {
                return Err(malformed("chunk header line too long"));
            }
            self.line.extend_from_slice(input);
            input.clear();
            return Ok(false);
        };
        if self.line.len() + pos + 1 > MAX_CHUNK_HEADER_LINE {
            return Err(malformed("chunk header line too long"));
        }
        let header = if self.line.is_empty() {
            let header = parse_chunk_header(&input[..=pos])?;
            input.advance(pos + 1);
            header
        } else {
            self.line.extend_from_slice(&input[..=pos]);
            input.advance(pos + 1);
            let header = parse_chunk_header(&self.line)?;
            self.line.clear();
            header
        };
        self.start_chunk(header)?;
        Ok(true)
    }

    fn start_chunk(&mut self, header: ChunkHeader) -> Result<(), ChunkedError> {
        let size = header.size;
        self.chunks_seen += 1;
        // A non-empty chunk shows that the previous one was not the last.
        let min = self.config.min_chunk_size;
        if let Some(previous) = self.previous_chunk_size.filter(|&p| size > 0 && p < min) {
            return Err(ChunkedError::new(
                ChunkedErrorKind::ChunkTooSmall,
                "a chunk other than the last is smaller than the minimum chunk size",
            )
            .with_detail(Detail::ChunkSize {
                chunk: self.chunks_seen,
                bad_size: previous,
                min,
            }));
        }
        if size > self.config.max_chunk_size {
            return Err(ChunkedError::new(
                ChunkedErrorKind::ChunkTooLarge,
                "a chunk header declares more than the maximum chunk size",
            ));
        }
        if let Some(declared) = self.config.decoded_content_length {
            let total = self.decoded.checked_add(size);
            let mismatch = if size == 0 {
                self.decoded != declared
            } else {
                total.is_none_or(|t| t > declared)
            };
            if mismatch {
                return Err(ChunkedError::new(
                    ChunkedErrorKind::DecodedLengthMismatch,
                    "the decoded length differs from x-amz-decoded-content-length",
                ));
            }
        }
        if self.mode.is_signed() {
            self.claimed = header
                .signature
                .ok_or_else(|| malformed("a signed chunk has no chunk-signature extension"))?;
        }
        self.previous_chunk_size = Some(size);
        if size > 0 {
            self.state = State::Data { remaining: size };
            return Ok(());
        }
        // The final chunk: its (empty) data is signed like any other.
        if self.chain.is_some() {
            self.verify_held_chunk()?;
        }
        if self.mode.has_trailer() {
            self.state = State::Trailer;
        } else {
            if self.checksum.is_some() {
                return Err(ChunkedError::new(
                    ChunkedErrorKind::MissingTrailer,
                    "a checksum trailer was declared but this mode carries no trailer",
                ));
            }
            self.state = State::Crlf {
                seen_cr: false,
                next: AfterCrlf::End,
            };
        }
        Ok(())
    }

    /// Takes chunk data from `input`; returns data to hand out, if any.
    fn read_data(
        &mut self,
        input: &mut Bytes,
        remaining: u64,
    ) -> Result<Option<Bytes>, ChunkedError> {
        let take = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
        let piece = input.split_to(take);
        let remaining = remaining - take as u64;
        self.decoded += take as u64;
        if let Some(checksum) = &mut self.checksum {
            checksum.update(&piece);
        }
        self.state = if remaining == 0 {
            State::Crlf {
                seen_cr: false,
                next: AfterCrlf::NextChunk,
            }
        } else {
            State::Data { remaining }
        };
        if self.chain.is_none() {
            return Ok(Some(piece));
        }
        self.chunk_hash.update(&piece);
        if remaining > 0 {
            self.held.push(piece);
            return Ok(None);
        }
        self.verify_held_chunk()?;
        if self.held.is_empty() {
            // The whole chunk came in one piece: hand it out without copying.
            return Ok(Some(piece));
        }
        self.held.push(piece);
        self.held.drain_into(&mut self.pending);
        Ok(self.pending.pop_front())
    }

    fn verify_held_chunk(&mut self) -> Result<(), ChunkedError> {
        let digest: [u8; 32] = self.chunk_hash.finalize_reset().into();
        let chain = self.chain.as_mut().expect("signed mode has a chain");
        if chain.verify_chunk(&digest, &self.claimed) {
            Ok(())
        } else {
            Err(ChunkedError::new(
                ChunkedErrorKind::ChunkSignatureMismatch,
                "a chunk signature does not match its data",
            ))
        }
    }

    /// Reads trailer lines until the empty line; `None` when more input is needed.
    fn read_trailer(&mut self, input: &mut Bytes) -> Result<Option<HeaderMap>, ChunkedError> {
        loop {
            let Some(pos) = input.iter().position(|&b| b == b'\n') else {
                self.keep_trailer_bytes(input.len())?;
                self.line.extend_from_slice(input);
                input.clear();
                return Ok(None);
            };
            self.keep_trailer_bytes(pos + 1)?;
            self.line.extend_from_slice(&input[..=pos]);
            input.advance(pos + 1);
            let current = &self.line[self.trailer_line_start..];
            if current == b"\r\n" {
                let section = std::mem::take(&mut self.line);
                return self
                    .finish_trailer(&section[..self.trailer_line_start])
                    .map(Some);
            }
            self.trailer_line_start = self.line.len();
        }
    }

    fn keep_trailer_bytes(&self, more: usize) -> Result<(), ChunkedError> {
        if self.line.len() + more > self.config.max_trailer_size {
            return Err(ChunkedError::new(
                ChunkedErrorKind::TrailerTooLarge,
                "the trailer section exceeds the maximum trailer size",
            ));
        }
        Ok(())
    }

    /// Verifies a complete trailer section (its lines, without the final
    /// empty line) and returns the trailers.
    fn finish_trailer(&mut self, section: &[u8]) -> Result<HeaderMap, ChunkedError> {
        let mut entries: Vec<(String, &[u8])> = Vec::new();
        let mut signature = None;
        for line in section.split_inclusive(|&b| b == b'\n') {
            let (name, value) = parse_trailer_line(line)?;
            if name == "x-amz-trailer-signature" {
                if !self.mode.is_signed() {
                    return Err(ChunkedError::new(
                        ChunkedErrorKind::UnexpectedTrailer,
                        "a trailer signature arrived in an unsigned mode",
                    ));
                }
                let claimed = Claimed::parse(value).ok_or_else(|| {
                    malformed_trailer("the trailer signature is not 64 hex digits")
                })?;
                if signature.replace(claimed).is_some() {
                    return Err(malformed_trailer("the trailer signature appears twice"));
                }
            } else {
                if entries.iter().any(|(n, _)| *n == name) {
                    return Err(malformed_trailer("a trailer appears twice"));
                }
                entries.push((name, value));
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));

        if let Some(chain) = &mut self.chain {
            let claimed =
                signature.ok_or_else(|| malformed_trailer("the trailer signature is missing"))?;
            let mut hash = Sha256::new();
            for (name, value) in &entries {
                hash.update(name.as_bytes());
                hash.update(b":");
                hash.update(value);
                hash.update(b"\n");
            }
            if !chain.verify_trailer(&hash.finalize().into(), &claimed) {
                return Err(ChunkedError::new(
                    ChunkedErrorKind::TrailerSignatureMismatch,
                    "the trailer signature does not match the trailers",
                ));
            }
        }

        let declared = self.checksum.as_ref().map(RunningChecksum::algorithm);
        let mut claimed_checksum = None;
        for (name, value) in &entries {
            match declared {
                Some(a) if a.header_name() == name => claimed_checksum = Some(*value),
                _ => {
                    return Err(ChunkedError::new(
                        ChunkedErrorKind::UnexpectedTrailer,
                        "a trailer arrived that x-amz-trailer did not declare",
                    ))
                }
            }
        }
        if let Some(checksum) = &self.checksum {
            let algorithm = checksum.algorithm();
            let value = claimed_checksum.ok_or_else(|| {
                ChunkedError::new(
                    ChunkedErrorKind::MissingTrailer,
                    "the checksum trailer declared in x-amz-trailer did not arrive",
                )
            })?;
            match checksum.check(value) {
                Ok(()) => {}
                Err(ChecksumFault::Invalid) => {
                    return Err(ChunkedError::new(
                        ChunkedErrorKind::InvalidChecksumValue,
                        "the checksum trailer is not a valid digest",
                    )
                    .with_detail(Detail::Algorithm(algorithm)))
                }
                Err(ChecksumFault::Mismatch) => {
                    return Err(ChunkedError::new(
                        ChunkedErrorKind::ChecksumMismatch,
                        "the checksum trailer does not match the decoded data",
                    )
                    .with_detail(Detail::Algorithm(algorithm)))
                }
            }
        }

        let mut map = HeaderMap::with_capacity(entries.len());
        for (name, value) in entries {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| malformed_trailer("a trailer name is not a header name"))?;
            let value = HeaderValue::from_bytes(value)
                .map_err(|_| malformed_trailer("a trailer value is not a header value"))?;
            map.append(name, value);
        }
        Ok(map)
    }
}

impl std::fmt::Debug for ChunkedDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedDecoder")
            .field("mode", &self.mode)
            .field("config", &self.config)
            .field("decoded", &self.decoded)
            .field("chunks_seen", &self.chunks_seen)
            .finish_non_exhaustive()
    }
}

/// The current signed chunk's data, waiting for its signature: large pieces
/// kept as they came (no copy), small ones gathered into one buffer.
#[derive(Default)]
struct HeldChunk {
    segments: VecDeque<Bytes>,
    small: BytesMut,
    len: usize,
}

impl HeldChunk {
    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, piece: Bytes) {
        self.len += piece.len();
        if piece.len() < COALESCE_BELOW {
            self.small.extend_from_slice(&piece);
        } else {
            self.flush_small();
            self.segments.push_back(piece);
        }
    }

    fn flush_small(&mut self) {
        if !self.small.is_empty() {
            self.segments.push_back(self.small.split().freeze());
        }
    }

    fn drain_into(&mut self, out: &mut VecDeque<Bytes>) {
        self.flush_small();
        out.append(&mut self.segments);
        self.len = 0;
    }
}

struct ChunkHeader {
    size: u64,
    signature: Option<Claimed>,
}

fn malformed(reason: &'static str) -> ChunkedError {
    ChunkedError::new(ChunkedErrorKind::Malformed, reason)
}

fn malformed_trailer(reason: &'static str) -> ChunkedError {
    ChunkedError::new(ChunkedErrorKind::MalformedTrailer, reason)
}

/// `tchar` of RFC 9110: the characters of a token.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn skip_whitespace(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    &s[n..]
}

fn take_token(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|&&b| is_tchar(b)).count();
    s.split_at(n)
}

/// Parses `hex-size *( BWS ";" BWS name [ BWS "=" BWS value ] ) CRLF`
/// (the chunk line of RFC 9112), keeping the `chunk-signature` extension.
fn parse_chunk_header(line: &[u8]) -> Result<ChunkHeader, ChunkedError> {
    let line = line
        .strip_suffix(b"\r\n")
        .ok_or_else(|| malformed("chunk header line does not end with CRLF"))?;
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 {
        return Err(malformed("chunk size is not hexadecimal"));
    }
    let mut size: u64 = 0;
    for &b in &line[..digits] {
        let digit = (b as char).to_digit(16).expect("hex digit") as u64;
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(digit))
            .ok_or_else(|| malformed("chunk size overflows"))?;
    }
    let mut rest = &line[digits..];
    let mut signature = None;
    loop {
        rest = skip_whitespace(rest);
        if rest.is_empty() {
            break;
        }
        rest = rest
            .strip_prefix(b";")
            .ok_or_else(|| malformed("unexpected bytes in chunk header"))?;
        let (name, after) = take_token(skip_whitespace(rest));
        if name.is_empty() {
            return Err(malformed("empty chunk extension name"));
        }
        rest = skip_whitespace(after);
        let mut value: &[u8] = &[];
        if let Some(after_eq) = rest.strip_prefix(b"=") {
            let after_eq = skip_whitespace(after_eq);
            (value, rest) = if after_eq.first() == Some(&b'"') {
                take_quoted(after_eq)?
            } else {
                take_token(after_eq)
            };
        }
        if name.eq_ignore_ascii_case(b"chunk-signature") {
            let claimed = Claimed::parse(value)
                .ok_or_else(|| malformed("chunk signature is not 64 hex digits"))?;
            if signature.replace(claimed).is_some() {
                return Err(malformed("chunk signature appears twice"));
            }
        }
    }
    Ok(ChunkHeader { size, signature })
}

/// Takes a quoted-string; returns its raw inside (escapes left in place,
/// since only unknown extensions, whose values are ignored, may use it).
fn take_quoted(s: &[u8]) -> Result<(&[u8], &[u8]), ChunkedError> {
    let mut i = 1;
    while i < s.len() {
        match s[i] {
            b'"' => return Ok((&s[1..i], &s[i + 1..])),
            b'\\' => i += 2,
            b'\r' | b'\n' => break,
            _ => i += 1,
        }
    }
    Err(malformed("unterminated quoted chunk extension value"))
}

/// Parses `name:value` ending in CRLF into a lowercase name and the value
/// without surrounding blanks, the form the trailer signature covers.
fn parse_trailer_line(line: &[u8]) -> Result<(String, &[u8]), ChunkedError> {
    // Every SDK ends trailer lines with CRLF; a bare LF is refused like a bare
    // CR, so that one line has one spelling.
    let line = line
        .strip_suffix(b"\r\n")
        .ok_or_else(|| malformed_trailer("a trailer line does not end with CRLF"))?;
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| malformed_trailer("a trailer line has no colon"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(malformed_trailer("a trailer name is empty or not a token"));
    }
    let value = skip_whitespace(value);
    let trimmed = value.len()
        - value
            .iter()
            .rev()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    let value = &value[..trimmed];
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(malformed_trailer(
            "a trailer value holds a control character",
        ));
    }
    let name = String::from_utf8(name.to_ascii_lowercase()).expect("tchar is ASCII");
    Ok((name, value))
}

#[cfg(test)]
mod tests;
