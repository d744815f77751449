//! The XML documents the demo reads and writes, as serde types for
//! quick-xml: the element names and their order are AWS's, taken from the
//! S3 and STS API references.

use quick_xml::events::{BytesDecl, Event};
use serde::{Deserialize, Serialize};

/// The XML namespace of S3 documents.
pub const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
/// The XML namespace of STS documents.
pub const STS_XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Serializes `value` as the document element `root`, after an XML
/// declaration as AWS sends it.
pub fn to_document<T: Serialize>(root: &str, value: &T) -> String {
    let mut declaration = quick_xml::Writer::new(Vec::new());
    declaration
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    let mut out = String::from_utf8(declaration.into_inner()).expect("the declaration is ASCII");
    let serializer = quick_xml::se::Serializer::with_root(&mut out, Some(root))
        .expect("the root names used here are valid XML names");
    value
        .serialize(serializer)
        .expect("the demo's documents hold only strings and numbers");
    out
}

// ---------------------------------------------------------------- S3 ------

/// `ListAllMyBucketsResult` (ListBuckets).
#[derive(Serialize)]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "Buckets")]
    pub buckets: Buckets,
}

/// The `Owner` element: the account's canonical user id.
#[derive(Serialize)]
pub struct Owner {
    #[serde(rename = "ID")]
    pub id: String,
}

/// The `Buckets` list.
#[derive(Serialize)]
pub struct Buckets {
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

/// One bucket of ListBuckets.
#[derive(Serialize)]
pub struct BucketEntry {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
    #[serde(rename = "BucketRegion")]
    pub bucket_region: String,
}

/// `LocationConstraint` (GetBucketLocation): empty for `us-east-1`.
#[derive(Serialize)]
pub struct LocationConstraint {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "$text", skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// `CreateBucketConfiguration`, the optional body of CreateBucket.
#[derive(Deserialize, Default)]
pub struct CreateBucketConfiguration {
    #[serde(rename = "LocationConstraint", default)]
    pub location_constraint: Option<String>,
}

/// `ListBucketResult` (ListObjectsV2).
#[derive(Serialize)]
pub struct ListBucketResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "KeyCount")]
    pub key_count: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(
        rename = "NextContinuationToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    #[serde(rename = "StartAfter", skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    #[serde(rename = "Contents", default)]
    pub contents: Vec<ObjectEntry>,
    #[serde(rename = "CommonPrefixes", default)]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One object of ListObjectsV2.
#[derive(Serialize)]
pub struct ObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "ChecksumAlgorithm", skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<&'static str>,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(rename = "StorageClass")]
    pub storage_class: &'static str,
}

/// One `CommonPrefixes` entry.
#[derive(Serialize)]
pub struct CommonPrefix {
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// `InitiateMultipartUploadResult` (CreateMultipartUpload).
#[derive(Serialize)]
pub struct InitiateMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
}

/// `CompleteMultipartUpload`, the body of CompleteMultipartUpload.
#[derive(Deserialize)]
pub struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletedPart>,
}

/// One part named by CompleteMultipartUpload.
#[derive(Deserialize)]
pub struct CompletedPart {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "ChecksumCRC32", default)]
    pub checksum_crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    pub checksum_crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    pub checksum_crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1", default)]
    pub checksum_sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    pub checksum_sha256: Option<String>,
}

impl CompletedPart {
    /// The checksum the client listed for this part, if any, as
    /// (algorithm, base64 value).
    pub fn checksum(&self) -> Option<(&'static str, &str)> {
        [
            ("CRC32", &self.checksum_crc32),
            ("CRC32C", &self.checksum_crc32c),
            ("CRC64NVME", &self.checksum_crc64nvme),
            ("SHA1", &self.checksum_sha1),
            ("SHA256", &self.checksum_sha256),
        ]
        .into_iter()
        .find_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    }
}

/// `CompleteMultipartUploadResult`.
#[derive(Serialize)]
pub struct CompleteMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

// --------------------------------------------------------------- STS ------

/// `GetCallerIdentityResponse`.
#[derive(Serialize)]
pub struct GetCallerIdentityResponse {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "GetCallerIdentityResult")]
    pub result: GetCallerIdentityResult,
    #[serde(rename = "ResponseMetadata")]
    pub metadata: ResponseMetadata,
}

/// `GetCallerIdentityResult`.
#[derive(Serialize)]
pub struct GetCallerIdentityResult {
    #[serde(rename = "Arn")]
    pub arn: String,
    #[serde(rename = "UserId")]
    pub user_id: String,
    #[serde(rename = "Account")]
    pub account: String,
}

/// `ResponseMetadata`, closing every Query-protocol response.
#[derive(Serialize)]
pub struct ResponseMetadata {
    #[serde(rename = "RequestId")]
    pub request_id: String,
}

/// `AssumeRoleResponse`.
#[derive(Serialize)]
pub struct AssumeRoleResponse {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "AssumeRoleResult")]
    pub result: AssumeRoleResult,
    #[serde(rename = "ResponseMetadata")]
    pub metadata: ResponseMetadata,
}

/// `AssumeRoleResult`.
#[derive(Serialize)]
pub struct AssumeRoleResult {
    #[serde(rename = "AssumedRoleUser")]
    pub assumed_role_user: AssumedRoleUser,
    #[serde(rename = "Credentials")]
    pub credentials: Credentials,
}

/// `AssumedRoleUser`.
#[derive(Serialize)]
pub struct AssumedRoleUser {
    #[serde(rename = "AssumedRoleId")]
    pub assumed_role_id: String,
    #[serde(rename = "Arn")]
    pub arn: String,
}

/// `Credentials`: the temporary key, its secret, token and expiry.
#[derive(Serialize)]
pub struct Credentials {
    #[serde(rename = "AccessKeyId")]
    pub access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    pub secret_access_key: String,
    #[serde(rename = "SessionToken")]
    pub session_token: String,
    #[serde(rename = "Expiration")]
    pub expiration: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_identity_document_has_aws_shape() {
        let doc = to_document(
            "GetCallerIdentityResponse",
            &GetCallerIdentityResponse {
                xmlns: STS_XMLNS,
                result: GetCallerIdentityResult {
                    arn: "arn:aws:iam::111122223333:root".into(),
                    user_id: "111122223333".into(),
                    account: "111122223333".into(),
                },
                metadata: ResponseMetadata {
                    request_id: "r".into(),
                },
            },
        );
        assert_eq!(
            doc,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetCallerIdentityResponse \
             xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
             <Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId>\
             <Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata>\
             <RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        );
    }
}
