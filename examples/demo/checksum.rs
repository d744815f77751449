//! S3's additional checksums (`x-amz-checksum-*`) and `Content-MD5`, as the
//! demo checks them over the bytes the verified body delivered.
//!
//! For `aws-chunked` uploads the layer has already checked the trailing
//! checksum; the demo checks again over what it stored, and it checks the
//! header form (a checksum sent as a header with a plain body) itself, as S3
//! does, answering `BadDigest` on a mismatch.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderMap;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// An S3 checksum algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl Algorithm {
    /// Every algorithm, in the order S3 lists them.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Crc64Nvme,
        Algorithm::Sha1,
        Algorithm::Sha256,
    ];

    /// The name in `x-amz-sdk-checksum-algorithm` and in XML (`CRC32`, …).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
        }
    }

    /// The header that carries it (`x-amz-checksum-crc32`, …).
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Parses a name as sent in `x-amz-checksum-algorithm` (any case).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The base64 checksum of `data`.
    pub fn compute(self, data: &[u8]) -> String {
        use crc_fast::{checksum, CrcAlgorithm};
        match self {
            Algorithm::Crc32 => {
                STANDARD.encode((checksum(CrcAlgorithm::Crc32IsoHdlc, data) as u32).to_be_bytes())
            }
            Algorithm::Crc32c => {
                STANDARD.encode((checksum(CrcAlgorithm::Crc32Iscsi, data) as u32).to_be_bytes())
            }
            Algorithm::Crc64Nvme => {
                STANDARD.encode(checksum(CrcAlgorithm::Crc64Nvme, data).to_be_bytes())
            }
            Algorithm::Sha1 => STANDARD.encode(Sha1::digest(data)),
            Algorithm::Sha256 => STANDARD.encode(Sha256::digest(data)),
        }
    }
}

/// A checksum the client claimed, from a header or a trailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub algorithm: Algorithm,
    pub value: String,
}

/// The first `x-amz-checksum-*` value in `headers` (request headers or the
/// trailers frame of an `aws-chunked` body).
pub fn claimed(headers: &HeaderMap) -> Option<Claimed> {
    Algorithm::ALL.into_iter().find_map(|algorithm| {
        let value = headers.get(algorithm.header())?.to_str().ok()?;
        Some(Claimed {
            algorithm,
            value: value.trim().to_owned(),
        })
    })
}

/// Why a digest was refused, as S3 words it.
#[derive(Debug, PartialEq, Eq)]
pub enum DigestError {
    /// `BadDigest`: the value does not match the bytes.
    Mismatch(String),
    /// `InvalidDigest`: the value is not a digest at all.
    Invalid(String),
}

/// Checks a claimed checksum against the stored bytes.
pub fn check(claimed: &Claimed, data: &[u8]) -> Result<(), DigestError> {
    if claimed.algorithm.compute(data) == claimed.value {
        Ok(())
    } else {
        Err(DigestError::Mismatch(format!(
            "The {} you specified did not match the calculated checksum.",
            claimed.algorithm.name()
        )))
    }
}

/// Checks `Content-MD5` when the client sent one.
pub fn check_content_md5(headers: &HeaderMap, data: &[u8]) -> Result<(), DigestError> {
    let Some(value) = headers.get("content-md5") else {
        return Ok(());
    };
    let invalid = || DigestError::Invalid("The Content-MD5 you specified is not valid.".into());
    let claimed = value.to_str().map_err(|_| invalid())?;
    let decoded = STANDARD.decode(claimed.trim()).map_err(|_| invalid())?;
    if decoded.len() != 16 {
        return Err(invalid());
    }
    if decoded[..] == Md5::digest(data)[..] {
        Ok(())
    } else {
        Err(DigestError::Mismatch(
            "The Content-MD5 you specified did not match what we received.".into(),
        ))
    }
}

/// The hex MD5 of `data`: S3's ETag of a single-part object.
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The ETag of a multipart object: the MD5 of the parts' binary MD5s,
/// then `-` and the number of parts.
pub fn multipart_etag<'a>(part_md5s: impl IntoIterator<Item = &'a [u8; 16]>) -> String {
    let mut md5 = Md5::new();
    let mut count = 0usize;
    for part in part_md5s {
        md5.update(part);
        count += 1;
    }
    format!("{}-{count}", hex::encode(md5.finalize()))
}

/// The binary MD5 of `data`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published check values of each CRC over "123456789", as base64
    // of their big-endian bytes (what S3 sends).
    #[test]
    fn crc_check_values() {
        let check = b"123456789";
        assert_eq!(
            Algorithm::Crc32.compute(check),
            STANDARD.encode(0xCBF4_3926u32.to_be_bytes())
        );
        assert_eq!(
            Algorithm::Crc32c.compute(check),
            STANDARD.encode(0xE306_9283u32.to_be_bytes())
        );
        assert_eq!(
            Algorithm::Crc64Nvme.compute(check),
            STANDARD.encode(0xAE8B_1486_0A79_9888u64.to_be_bytes())
        );
    }

    #[test]
    fn empty_object_etag_is_md5_of_nothing() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }

    #[test]
    fn content_md5_mismatch_and_garbage_are_told_apart() {
        let mut headers = HeaderMap::new();
        headers.insert("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==".parse().unwrap());
        assert_eq!(check_content_md5(&headers, b""), Ok(()));
        assert!(matches!(
            check_content_md5(&headers, b"x"),
            Err(DigestError::Mismatch(_))
        ));
        headers.insert("content-md5", "not base64!".parse().unwrap());
        assert!(matches!(
            check_content_md5(&headers, b""),
            Err(DigestError::Invalid(_))
        ));
    }
}
