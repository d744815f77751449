//! The payload a request declares: the `x-amz-content-sha256` header, the
//! presigned `X-Amz-Content-Sha256` parameter, or the service default.
//!
//! The mode comes only from a signed value (or the service's presigned
//! default), never from unsigned headers such as `Content-Encoding`.

use super::hex_digits::decode_hex_32;

/// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: `aws-chunked`, every chunk signed.
pub const STREAMING_SIGNED: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
/// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and a signed trailer.
pub const STREAMING_SIGNED_TRAILER: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
/// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks, a trailer with a checksum.
pub const STREAMING_UNSIGNED_TRAILER: &str = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
/// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD` (SigV4a, not supported).
pub const STREAMING_ECDSA: &str = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
/// `STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER` (SigV4a, not supported).
pub const STREAMING_ECDSA_TRAILER: &str = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";

/// How the request body is covered by the signature.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadMode {
    /// A SHA-256 digest was declared: the body must hash to it.
    Sha256([u8; 32]),
    /// `UNSIGNED-PAYLOAD` (declared, or the presigned default of S3).
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    StreamingUnsignedTrailer,
    /// Nothing declared: the payload line is the hash of the body, which the
    /// caller computes and passes to [`verify_signature`](super::verify_signature).
    FromBody,
}

impl PayloadMode {
    /// Parses a declared value: 64 hex digits or one of the HMAC sentinels.
    /// `None` for anything else (including the SigV4a sentinels).
    pub fn parse_declared(value: &[u8]) -> Option<PayloadMode> {
        if value.len() == 64 {
            let mut digest = [0u8; 32];
            if decode_hex_32(value, &mut digest) {
                return Some(PayloadMode::Sha256(digest));
            }
            return None;
        }
        match value {
            v if v == UNSIGNED_PAYLOAD.as_bytes() => Some(PayloadMode::Unsigned),
            v if v == STREAMING_SIGNED.as_bytes() => Some(PayloadMode::StreamingSigned),
            v if v == STREAMING_SIGNED_TRAILER.as_bytes() => {
                Some(PayloadMode::StreamingSignedTrailer)
            }
            v if v == STREAMING_UNSIGNED_TRAILER.as_bytes() => {
                Some(PayloadMode::StreamingUnsignedTrailer)
            }
            _ => None,
        }
    }

    /// The sentinel string of the non-hash modes.
    pub fn sentinel(&self) -> Option<&'static str> {
        match self {
            PayloadMode::Unsigned => Some(UNSIGNED_PAYLOAD),
            PayloadMode::StreamingSigned => Some(STREAMING_SIGNED),
            PayloadMode::StreamingSignedTrailer => Some(STREAMING_SIGNED_TRAILER),
            PayloadMode::StreamingUnsignedTrailer => Some(STREAMING_UNSIGNED_TRAILER),
            PayloadMode::Sha256(_) | PayloadMode::FromBody => None,
        }
    }

    /// An `aws-chunked` body (one of the `STREAMING-*` modes).
    pub fn is_streaming(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned
                | PayloadMode::StreamingSignedTrailer
                | PayloadMode::StreamingUnsignedTrailer
        )
    }

    /// The chunks carry signatures chained from the seed signature.
    pub fn has_signed_chunks(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned | PayloadMode::StreamingSignedTrailer
        )
    }
}

impl std::fmt::Debug for PayloadMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PayloadMode::Sha256(d) => write!(f, "Sha256({})", hex::encode(d)),
            PayloadMode::FromBody => f.write_str("FromBody"),
            other => f.write_str(other.sentinel().unwrap_or("?")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hashes_and_sentinels() {
        let empty = b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(matches!(
            PayloadMode::parse_declared(empty),
            Some(PayloadMode::Sha256(d)) if d[0] == 0xe3
        ));
        for s in [
            UNSIGNED_PAYLOAD,
            STREAMING_SIGNED,
            STREAMING_SIGNED_TRAILER,
            STREAMING_UNSIGNED_TRAILER,
        ] {
            let m = PayloadMode::parse_declared(s.as_bytes()).unwrap();
            assert_eq!(m.sentinel(), Some(s));
        }
        assert!(PayloadMode::parse_declared(STREAMING_ECDSA.as_bytes()).is_none());
        assert!(PayloadMode::parse_declared(b"unsigned-payload").is_none());
        assert!(PayloadMode::parse_declared(&empty[1..]).is_none());
        let mut bad = *empty;
        bad[3] = b'g';
        assert!(PayloadMode::parse_declared(&bad).is_none());
    }
}
