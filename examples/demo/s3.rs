//! An in-memory S3, path style: enough for `aws s3 cp`, boto3's
//! `put_object`, `get_object`, `upload_file` and presigned URLs, and the
//! JavaScript and Rust SDKs.
//!
//! Every handler runs behind `SigV4Layer`: the caller is already known
//! (its [`Principal`] comes from the request extensions), and the body is
//! the verified body, so what is stored is exactly what the layer
//! delivered: a decoding error anywhere would show up as a wrong object.
//! Each object records the ARN of its writer, returned as the metadata
//! header `x-amz-meta-writer-arn`; buckets belong to the caller's account.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use http::header::{
    HeaderName, HeaderValue, ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    LAST_MODIFIED, LOCATION, RANGE,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt as _, Either, Full, LengthLimitError, Limited};
use tower_sigv4::body::{BoxError, VerifiedBodyError};
use tower_sigv4::identity::Principal;
use tower_sigv4::response::{http_date, ErrorBody, ErrorProtocol, ErrorReport, RequestId};

use super::checksum::{self, Algorithm, Claimed, DigestError};
use super::xml;

/// The response body of every demo handler: a document, or an error
/// rendered by the crate.
pub type DemoBody = Either<Full<Bytes>, ErrorBody>;

/// The metadata header naming an object's writer. The server sets it; a
/// client cannot.
pub const WRITER_HEADER: &str = "x-amz-meta-writer-arn";

/// The limits of the in-memory store. S3's own limits are larger; a demo
/// that keeps everything in memory bounds what one client can make it hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest body of one PutObject or UploadPart.
    pub max_object_size: usize,
    /// All object and part bytes held at once.
    pub max_total_bytes: u64,
    /// Buckets in the whole demo.
    pub max_buckets: usize,
    /// Multipart uploads in progress.
    pub max_uploads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_object_size: 256 << 20,
            max_total_bytes: 2 << 30,
            max_buckets: 1_000,
            max_uploads: 1_000,
        }
    }
}

/// S3's limits on part numbers and sizes.
const MAX_PART_NUMBER: u32 = 10_000;
const MIN_PART_SIZE: usize = 5 << 20;
/// S3 allows 2 KB of user metadata per object.
const MAX_METADATA_BYTES: usize = 2 << 10;
/// The largest XML request body the demo reads (CompleteMultipartUpload of
/// 10,000 parts fits).
const MAX_XML_BODY: usize = 2 << 20;
const MAX_LIST_KEYS: usize = 1_000;

/// Who is calling, and about which request.
pub struct RequestContext {
    /// The authenticated caller.
    pub principal: Arc<Principal>,
    /// The id this request's response carries.
    pub request_id: RequestId,
    /// `http` or `https`, for the `Location` of a completed upload.
    pub scheme: &'static str,
}

/// The in-memory S3.
pub struct S3 {
    region: String,
    limits: Limits,
    store: Mutex<Store>,
}

#[derive(Default)]
struct Store {
    buckets: BTreeMap<String, Bucket>,
    uploads: HashMap<String, Upload>,
    total_bytes: u64,
}

struct Bucket {
    owner: String,
    created: SystemTime,
    objects: BTreeMap<String, Object>,
}

#[derive(Clone)]
struct Object {
    data: Bytes,
    etag: String,
    last_modified: SystemTime,
    content_type: HeaderValue,
    /// Other representation headers (`Content-Encoding`, `Cache-Control`,
    /// …) and the `x-amz-meta-*` headers, the writer's included.
    headers: Vec<(HeaderName, HeaderValue)>,
    checksum: StoredChecksum,
}

#[derive(Clone)]
struct StoredChecksum {
    algorithm: Algorithm,
    value: String,
    /// `FULL_OBJECT` or `COMPOSITE`.
    kind: &'static str,
}

struct Upload {
    bucket: String,
    key: String,
    content_type: HeaderValue,
    headers: Vec<(HeaderName, HeaderValue)>,
    algorithm: Option<Algorithm>,
    full_object: bool,
    parts: BTreeMap<u32, Part>,
}

struct Part {
    data: Bytes,
    md5: [u8; 16],
    checksum: Option<Claimed>,
}

/// An S3 error, rendered by the crate's S3 renderer.
pub struct S3Error(ErrorReport);

impl S3Error {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        S3Error(ErrorReport::new(status, code, message.into()))
    }

    fn field(self, name: &'static str, value: impl Into<String>) -> Self {
        S3Error(self.0.with_field(name, value))
    }

    fn no_such_bucket(bucket: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
        )
        .field("BucketName", bucket)
    }

    fn no_such_key(key: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .field("Key", key)
    }

    fn no_such_upload(upload_id: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload \
             may have been aborted or completed.",
        )
        .field("UploadId", upload_id)
    }

    fn access_denied() -> Self {
        S3Error::new(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied")
    }

    fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
            .field("ArgumentName", name)
            .field("ArgumentValue", value)
    }

    fn not_implemented() -> Self {
        S3Error::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented",
        )
    }

    fn malformed_xml() -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our \
             published schema",
        )
    }

    fn too_large(limit: usize) -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        )
        .field("MaxSizeAllowed", limit.to_string())
    }

    fn store_full() -> Self {
        S3Error::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "The demo's in-memory store is full. Delete objects or restart the demo.",
        )
    }

    fn from_digest(err: DigestError) -> Self {
        match err {
            DigestError::Mismatch(m) => S3Error::new(StatusCode::BAD_REQUEST, "BadDigest", m),
            DigestError::Invalid(m) => S3Error::new(StatusCode::BAD_REQUEST, "InvalidDigest", m),
        }
    }

    /// The report, for tests.
    #[cfg(test)]
    pub fn report(&self) -> &ErrorReport {
        &self.0
    }
}

type S3Result = Result<Response<DemoBody>, S3Error>;

impl S3 {
    /// An empty S3 for `region`.
    pub fn new(region: &str, limits: Limits) -> Self {
        S3 {
            region: region.to_owned(),
            limits,
            store: Mutex::new(Store::default()),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked mid-update leaves maps that are still
        // consistent enough for a demo; keep serving.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves one S3 request.
    pub async fn handle<B>(&self, ctx: &RequestContext, req: Request<B>) -> Response<DemoBody>
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let head = req.method() == Method::HEAD;
        let mut response = match self.route(ctx, req).await {
            Ok(response) => response,
            Err(err) => {
                let mut response = err
                    .0
                    .render_with_id(ErrorProtocol::S3, SystemTime::now(), &ctx.request_id)
                    .map(Either::Right);
                if head {
                    // HEAD answers carry no body; the status says it all.
                    *response.body_mut() = Either::Left(Full::new(Bytes::new()));
                    response.headers_mut().remove(CONTENT_TYPE);
                    response
                        .headers_mut()
                        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
                }
                response
            }
        };
        let headers = response.headers_mut();
        headers.insert(
            "x-amz-request-id",
            HeaderValue::from_str(ctx.request_id.as_str()).expect("request ids are ASCII"),
        );
        headers.insert(
            "x-amz-id-2",
            HeaderValue::from_str(ctx.request_id.host_id()).expect("host ids are ASCII"),
        );
        headers.insert(http::header::DATE, http_date(SystemTime::now()));
        headers.insert(http::header::SERVER, HeaderValue::from_static("AmazonS3"));
        response
    }

    async fn route<B>(&self, ctx: &RequestContext, req: Request<B>) -> S3Result
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let (bucket, key) = split_path(req.uri().path())?;
        let query = Query::parse(req.uri().query())?;
        if let Some(name) = query.unsupported_subresource() {
            let _ = name;
            return Err(S3Error::not_implemented());
        }
        let method = req.method().clone();
        let Some(bucket) = bucket else {
            return match method {
                Method::GET => self.list_buckets(ctx),
                _ => Err(method_not_allowed(&method, "SERVICE")),
            };
        };
        let Some(key) = key else {
            return match method {
                Method::PUT => self.create_bucket(ctx, &bucket, req.into_body()).await,
                Method::HEAD => self.head_bucket(ctx, &bucket),
                Method::DELETE => self.delete_bucket(ctx, &bucket),
                Method::GET if query.has("location") => self.bucket_location(ctx, &bucket),
                Method::GET if query.get("list-type") == Some("2") => {
                    self.list_objects_v2(ctx, &bucket, &query)
                }
                Method::GET => Err(S3Error::not_implemented()),
                _ => Err(method_not_allowed(&method, "BUCKET")),
            };
        };
        match method {
            Method::PUT if req.headers().contains_key("x-amz-copy-source") => {
                Err(S3Error::not_implemented())
            }
            Method::PUT if query.has("uploadId") || query.has("partNumber") => {
                self.upload_part(ctx, &bucket, &key, &query, req).await
            }
            Method::PUT => self.put_object(ctx, &bucket, &key, &query, req).await,
            Method::GET if query.has("uploadId") => Err(S3Error::not_implemented()),
            Method::GET => self.get_object(ctx, &bucket, &key, req.headers(), false),
            Method::HEAD => self.get_object(ctx, &bucket, &key, req.headers(), true),
            Method::DELETE if query.has("uploadId") => {
                self.abort_upload(ctx, &bucket, &key, &query)
            }
            Method::DELETE => self.delete_object(ctx, &bucket, &key),
            Method::POST if query.has("uploads") => {
                self.create_upload(ctx, &bucket, &key, req.headers())
            }
            Method::POST if query.has("uploadId") => {
                self.complete_upload(ctx, &bucket, &key, &query, req).await
            }
            _ => Err(method_not_allowed(&method, "OBJECT")),
        }
    }

    /// Checks that `bucket` exists and belongs to the caller's account.
    fn owned_bucket<'s>(
        store: &'s mut Store,
        ctx: &RequestContext,
        bucket: &str,
    ) -> Result<&'s mut Bucket, S3Error> {
        let found = store
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| S3Error::no_such_bucket(bucket))?;
        if found.owner != ctx.principal.account().as_str() {
            return Err(S3Error::access_denied());
        }
        Ok(found)
    }

    fn list_buckets(&self, ctx: &RequestContext) -> S3Result {
        let account = ctx.principal.account().as_str();
        let store = self.store();
        let bucket = store
            .buckets
            .iter()
            .filter(|(_, b)| b.owner == account)
            .map(|(name, b)| xml::BucketEntry {
                name: name.clone(),
                creation_date: xml_time(b.created),
                bucket_region: self.region.clone(),
            })
            .collect();
        drop(store);
        Ok(xml_response(
            StatusCode::OK,
            "ListAllMyBucketsResult",
            &xml::ListAllMyBucketsResult {
                xmlns: xml::S3_XMLNS,
                owner: xml::Owner {
                    id: canonical_user_id(account),
                },
                buckets: xml::Buckets { bucket },
            },
        ))
    }

    async fn create_bucket<B>(&self, ctx: &RequestContext, bucket: &str, body: B) -> S3Result
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        check_bucket_name(bucket)?;
        let (body, _) = read_body(body, MAX_XML_BODY).await?;
        if !body.is_empty() {
            let config: xml::CreateBucketConfiguration =
                parse_xml(&body).ok_or_else(S3Error::malformed_xml)?;
            match config.location_constraint.as_deref() {
                None | Some("") => {}
                // S3 in us-east-1 refuses an explicit us-east-1 constraint.
                Some(region) if region == self.region && self.region != "us-east-1" => {}
                Some(region) => {
                    return Err(S3Error::new(
                        StatusCode::BAD_REQUEST,
                        "InvalidLocationConstraint",
                        "The specified location-constraint is not valid",
                    )
                    .field("LocationConstraint", region));
                }
            }
        }
        let account = ctx.principal.account().as_str();
        let mut store = self.store();
        if let Some(existing) = store.buckets.get(bucket) {
            if existing.owner != account {
                return Err(S3Error::new(
                    StatusCode::CONFLICT,
                    "BucketAlreadyExists",
                    "The requested bucket name is not available. The bucket namespace is \
                     shared by all users of the system. Please select a different name and \
                     try again.",
                )
                .field("BucketName", bucket));
            }
            // us-east-1 answers 200 to its owner re-creating a bucket; other
            // regions say BucketAlreadyOwnedByYou.
            if self.region != "us-east-1" {
                return Err(S3Error::new(
                    StatusCode::CONFLICT,
                    "BucketAlreadyOwnedByYou",
                    "Your previous request to create the named bucket succeeded and you \
                     already own it.",
                )
                .field("BucketName", bucket));
            }
        } else {
            if store.buckets.len() >= self.limits.max_buckets {
                return Err(S3Error::new(
                    StatusCode::BAD_REQUEST,
                    "TooManyBuckets",
                    "You have attempted to create more buckets than allowed",
                ));
            }
            store.buckets.insert(
                bucket.to_owned(),
                Bucket {
                    owner: account.to_owned(),
                    created: SystemTime::now(),
                    objects: BTreeMap::new(),
                },
            );
        }
        drop(store);
        let mut response = empty_response(StatusCode::OK);
        response.headers_mut().insert(
            LOCATION,
            HeaderValue::from_str(&format!("/{bucket}")).expect("bucket names are ASCII"),
        );
        Ok(response)
    }

    fn head_bucket(&self, ctx: &RequestContext, bucket: &str) -> S3Result {
        let mut store = self.store();
        S3::owned_bucket(&mut store, ctx, bucket)?;
        drop(store);
        let mut response = empty_response(StatusCode::OK);
        response.headers_mut().insert(
            "x-amz-bucket-region",
            HeaderValue::from_str(&self.region).expect("regions are ASCII"),
        );
        Ok(response)
    }

    fn delete_bucket(&self, ctx: &RequestContext, bucket: &str) -> S3Result {
        let mut store = self.store();
        let found = S3::owned_bucket(&mut store, ctx, bucket)?;
        if !found.objects.is_empty() {
            return Err(S3Error::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            )
            .field("BucketName", bucket));
        }
        store.buckets.remove(bucket);
        Ok(empty_response(StatusCode::NO_CONTENT))
    }

    fn bucket_location(&self, ctx: &RequestContext, bucket: &str) -> S3Result {
        let mut store = self.store();
        S3::owned_bucket(&mut store, ctx, bucket)?;
        drop(store);
        Ok(xml_response(
            StatusCode::OK,
            "LocationConstraint",
            &xml::LocationConstraint {
                xmlns: xml::S3_XMLNS,
                region: (self.region != "us-east-1").then(|| self.region.clone()),
            },
        ))
    }

    fn list_objects_v2(&self, ctx: &RequestContext, bucket: &str, query: &Query) -> S3Result {
        let prefix = query.get("prefix").unwrap_or("");
        let delimiter = query.get("delimiter").filter(|d| !d.is_empty());
        let start_after = query.get("start-after");
        let url_encoded = match query.get("encoding-type") {
            None => false,
            Some("url") => true,
            Some(other) => {
                return Err(S3Error::invalid_argument(
                    "Invalid Encoding Method specified in Request",
                    "encoding-type",
                    other,
                ))
            }
        };
        let max_keys = match query.get("max-keys") {
            None => MAX_LIST_KEYS,
            Some(text) => text.parse::<usize>().map_err(|_| {
                S3Error::invalid_argument(
                    "Provided max-keys not an integer or within integer range",
                    "max-keys",
                    text,
                )
            })?,
        }
        .min(MAX_LIST_KEYS);
        let token = query.get("continuation-token");
        let resume_after = match token {
            Some(token) => Some(decode_token(token).ok_or_else(|| {
                S3Error::invalid_argument(
                    "The continuation token provided is incorrect",
                    "continuation-token",
                    token,
                )
            })?),
            None => start_after.map(str::to_owned),
        };

        let mut store = self.store();
        let found = S3::owned_bucket(&mut store, ctx, bucket)?;
        let lower = match &resume_after {
            Some(after) => Bound::Excluded(after.as_str()),
            None => Bound::Unbounded,
        };
        let mut contents = Vec::new();
        let mut common_prefixes: Vec<String> = Vec::new();
        let mut last = None;
        let mut truncated = false;
        for (key, object) in found
            .objects
            .range::<str, _>((lower, Bound::Unbounded))
            .filter(|(k, _)| k.starts_with(prefix))
        {
            let rolled_up = delimiter.and_then(|d| {
                key[prefix.len()..]
                    .find(d)
                    .map(|i| &key[..prefix.len() + i + d.len()])
            });
            if let Some(common) = rolled_up {
                if common_prefixes.last().map(String::as_str) == Some(common) {
                    continue;
                }
                // A continuation token that stopped on this prefix already
                // listed it.
                if resume_after.as_deref() == Some(common) {
                    continue;
                }
            }
            if contents.len() + common_prefixes.len() == max_keys {
                truncated = true;
                break;
            }
            match rolled_up {
                Some(common) => {
                    common_prefixes.push(common.to_owned());
                    last = Some(common.to_owned());
                }
                None => {
                    contents.push(xml::ObjectEntry {
                        key: encode_if(url_encoded, key),
                        last_modified: xml_time(object.last_modified),
                        etag: object.etag.clone(),
                        checksum_algorithm: Some(object.checksum.algorithm.name()),
                        size: object.data.len() as u64,
                        storage_class: "STANDARD",
                    });
                    last = Some(key.clone());
                }
            }
        }
        drop(store);
        let key_count = contents.len() + common_prefixes.len();
        Ok(xml_response(
            StatusCode::OK,
            "ListBucketResult",
            &xml::ListBucketResult {
                xmlns: xml::S3_XMLNS,
                name: bucket.to_owned(),
                prefix: encode_if(url_encoded, prefix),
                delimiter: delimiter.map(|d| encode_if(url_encoded, d)),
                max_keys,
                encoding_type: url_encoded.then(|| "url".to_owned()),
                key_count,
                is_truncated: truncated,
                continuation_token: token.map(str::to_owned),
                next_continuation_token: if truncated {
                    last.map(|k| URL_SAFE_NO_PAD.encode(k))
                } else {
                    None
                },
                start_after: start_after.map(|s| encode_if(url_encoded, s)),
                contents,
                common_prefixes: common_prefixes
                    .into_iter()
                    .map(|p| xml::CommonPrefix {
                        prefix: encode_if(url_encoded, &p),
                    })
                    .collect(),
            },
        ))
    }

    async fn put_object<B>(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        query: &Query,
        req: Request<B>,
    ) -> S3Result
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        check_key(key)?;
        {
            let mut store = self.store();
            S3::owned_bucket(&mut store, ctx, bucket)?;
        }
        let (parts, body) = req.into_parts();
        check_declared_length(&parts.headers, self.limits.max_object_size)?;
        let (headers, metadata) = stored_headers(&parts.headers, &ctx.principal)?;
        let (data, trailers) = read_body(body, self.limits.max_object_size).await?;
        let claimed = verify_digests(&parts.headers, query, trailers.as_ref(), &data)?;
        let checksum = match claimed {
            Some(c) => StoredChecksum {
                algorithm: c.algorithm,
                value: c.value,
                kind: "FULL_OBJECT",
            },
            // S3 computes a CRC64NVME for objects uploaded without one.
            None => StoredChecksum {
                algorithm: Algorithm::Crc64Nvme,
                value: Algorithm::Crc64Nvme.compute(&data),
                kind: "FULL_OBJECT",
            },
        };
        let object = Object {
            etag: format!("\"{}\"", checksum::md5_hex(&data)),
            data,
            last_modified: SystemTime::now(),
            content_type: content_type(&parts.headers),
            headers: headers.into_iter().chain(metadata).collect(),
            checksum,
        };
        let mut response = empty_response(StatusCode::OK);
        let out = response.headers_mut();
        out.insert(ETAG, header(&object.etag));
        out.insert(
            object.checksum.algorithm.header(),
            header(&object.checksum.value),
        );
        out.insert(
            "x-amz-checksum-type",
            HeaderValue::from_static("FULL_OBJECT"),
        );
        self.insert_object(ctx, bucket, key, object)?;
        Ok(response)
    }

    fn insert_object(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        object: Object,
    ) -> Result<(), S3Error> {
        let mut store = self.store();
        let size = object.data.len() as u64;
        let replaced = store
            .buckets
            .get(bucket)
            .and_then(|b| b.objects.get(key))
            .map_or(0, |o| o.data.len() as u64);
        if store.total_bytes - replaced + size > self.limits.max_total_bytes {
            return Err(S3Error::store_full());
        }
        // The bucket may have been deleted while the body streamed in.
        let found = S3::owned_bucket(&mut store, ctx, bucket)?;
        found.objects.insert(key.to_owned(), object);
        store.total_bytes = store.total_bytes - replaced + size;
        Ok(())
    }

    fn get_object(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        request_headers: &HeaderMap,
        head: bool,
    ) -> S3Result {
        let object = {
            let mut store = self.store();
            let found = S3::owned_bucket(&mut store, ctx, bucket)?;
            found
                .objects
                .get(key)
                .cloned()
                .ok_or_else(|| S3Error::no_such_key(key))?
        };
        let total = object.data.len();
        let range = match request_headers.get(RANGE).and_then(|v| v.to_str().ok()) {
            Some(spec) => parse_range(spec, total)?,
            None => None,
        };
        let (status, data) = match range {
            Some((start, end)) => (StatusCode::PARTIAL_CONTENT, object.data.slice(start..=end)),
            None => (StatusCode::OK, object.data.clone()),
        };
        let mut builder = Response::builder()
            .status(status)
            .header(CONTENT_TYPE, object.content_type.clone())
            .header(CONTENT_LENGTH, data.len())
            .header(ETAG, header(&object.etag))
            .header(LAST_MODIFIED, http_date(object.last_modified))
            .header(ACCEPT_RANGES, "bytes");
        if let Some((start, end)) = range {
            builder = builder.header(CONTENT_RANGE, format!("bytes {start}-{end}/{total}"));
        }
        let checksum_mode = request_headers
            .get("x-amz-checksum-mode")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"ENABLED"));
        // S3 returns the whole object's checksum only with the whole object.
        if checksum_mode && range.is_none() {
            builder = builder
                .header(object.checksum.algorithm.header(), &object.checksum.value)
                .header("x-amz-checksum-type", object.checksum.kind);
        }
        for (name, value) in &object.headers {
            builder = builder.header(name, value);
        }
        let body = if head { Bytes::new() } else { data };
        Ok(builder
            .body(Either::Left(Full::new(body)))
            .expect("stored headers are valid"))
    }

    fn delete_object(&self, ctx: &RequestContext, bucket: &str, key: &str) -> S3Result {
        let mut store = self.store();
        let found = S3::owned_bucket(&mut store, ctx, bucket)?;
        // S3 answers 204 whether or not the key existed.
        if let Some(old) = found.objects.remove(key) {
            store.total_bytes -= old.data.len() as u64;
        }
        Ok(empty_response(StatusCode::NO_CONTENT))
    }

    fn create_upload(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        request_headers: &HeaderMap,
    ) -> S3Result {
        check_key(key)?;
        let algorithm = match request_headers
            .get("x-amz-checksum-algorithm")
            .map(|v| v.to_str().ok().and_then(Algorithm::from_name))
        {
            None => None,
            Some(Some(a)) => Some(a),
            Some(None) => {
                return Err(S3Error::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequest",
                    "Checksum algorithm provided is unsupported. Please try again with any of \
                     the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
                ))
            }
        };
        let full_object = match request_headers.get("x-amz-checksum-type") {
            Some(v) => v.as_bytes().eq_ignore_ascii_case(b"FULL_OBJECT"),
            // CRC64NVME has only the full-object form.
            None => algorithm == Some(Algorithm::Crc64Nvme),
        };
        let (headers, metadata) = stored_headers(request_headers, &ctx.principal)?;
        let upload_id = random_id()?;
        let mut store = self.store();
        S3::owned_bucket(&mut store, ctx, bucket)?;
        if store.uploads.len() >= self.limits.max_uploads {
            return Err(S3Error::store_full());
        }
        store.uploads.insert(
            upload_id.clone(),
            Upload {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                content_type: content_type(request_headers),
                headers: headers.into_iter().chain(metadata).collect(),
                algorithm,
                full_object,
                parts: BTreeMap::new(),
            },
        );
        drop(store);
        let mut response = xml_response(
            StatusCode::OK,
            "InitiateMultipartUploadResult",
            &xml::InitiateMultipartUploadResult {
                xmlns: xml::S3_XMLNS,
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                upload_id,
            },
        );
        if let Some(algorithm) = algorithm {
            let headers = response.headers_mut();
            headers.insert(
                "x-amz-checksum-algorithm",
                HeaderValue::from_static(algorithm.name()),
            );
            headers.insert(
                "x-amz-checksum-type",
                HeaderValue::from_static(if full_object {
                    "FULL_OBJECT"
                } else {
                    "COMPOSITE"
                }),
            );
        }
        Ok(response)
    }

    async fn upload_part<B>(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        query: &Query,
        req: Request<B>,
    ) -> S3Result
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let upload_id = query.get("uploadId").unwrap_or("");
        let number_text = query.get("partNumber").unwrap_or("");
        let number = number_text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
            .ok_or_else(|| {
                S3Error::invalid_argument(
                    "Part number must be an integer between 1 and 10000, inclusive",
                    "partNumber",
                    number_text,
                )
            })?;
        let algorithm = {
            let mut store = self.store();
            S3::owned_bucket(&mut store, ctx, bucket)?;
            let upload = store
                .uploads
                .get(upload_id)
                .filter(|u| u.bucket == bucket && u.key == key)
                .ok_or_else(|| S3Error::no_such_upload(upload_id))?;
            upload.algorithm
        };
        let (parts, body) = req.into_parts();
        check_declared_length(&parts.headers, self.limits.max_object_size)?;
        let (data, trailers) = read_body(body, self.limits.max_object_size).await?;
        let claimed = verify_digests(&parts.headers, query, trailers.as_ref(), &data)?;
        let checksum = match (claimed, algorithm) {
            (Some(c), Some(a)) if c.algorithm != a => {
                return Err(S3Error::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidRequest",
                    format!(
                        "Checksum Type mismatch occurred, expected checksum Type: {}, actual \
                         checksum Type: {}",
                        a.name().to_ascii_lowercase(),
                        c.algorithm.name().to_ascii_lowercase()
                    ),
                ))
            }
            (Some(c), _) => Some(c),
            (None, Some(a)) => Some(Claimed {
                algorithm: a,
                value: a.compute(&data),
            }),
            (None, None) => None,
        };
        let part = Part {
            md5: checksum::md5(&data),
            data,
            checksum,
        };
        let etag = format!("\"{}\"", hex::encode(part.md5));
        let mut response = empty_response(StatusCode::OK);
        response.headers_mut().insert(ETAG, header(&etag));
        if let Some(c) = &part.checksum {
            response
                .headers_mut()
                .insert(c.algorithm.header(), header(&c.value));
        }

        let mut store = self.store();
        let size = part.data.len() as u64;
        let upload = store
            .uploads
            .get(upload_id)
            .ok_or_else(|| S3Error::no_such_upload(upload_id))?;
        let replaced = upload.parts.get(&number).map_or(0, |p| p.data.len() as u64);
        if store.total_bytes - replaced + size > self.limits.max_total_bytes {
            return Err(S3Error::store_full());
        }
        store
            .uploads
            .get_mut(upload_id)
            .expect("checked above under the same lock")
            .parts
            .insert(number, part);
        store.total_bytes = store.total_bytes - replaced + size;
        Ok(response)
    }

    async fn complete_upload<B>(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        query: &Query,
        req: Request<B>,
    ) -> S3Result
    where
        B: Body<Data = Bytes>,
        B::Error: Into<BoxError>,
    {
        let upload_id = query.get("uploadId").unwrap_or("").to_owned();
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or("localhost")
            .to_owned();
        let (body, _) = read_body(req.into_body(), MAX_XML_BODY).await?;
        let listed: xml::CompleteMultipartUpload =
            parse_xml(&body).ok_or_else(S3Error::malformed_xml)?;
        if listed.parts.is_empty() {
            return Err(S3Error::malformed_xml());
        }
        if listed
            .parts
            .windows(2)
            .any(|w| w[0].part_number >= w[1].part_number)
        {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidPartOrder",
                "The list of parts was not in ascending order. The parts list must be \
                 specified in order by part number.",
            ));
        }

        // Take the upload out of the store so that the object is built
        // without holding the lock.
        let upload = {
            let mut store = self.store();
            S3::owned_bucket(&mut store, ctx, bucket)?;
            match store.uploads.get(&upload_id) {
                Some(u) if u.bucket == bucket && u.key == key => {}
                _ => return Err(S3Error::no_such_upload(&upload_id)),
            }
            let upload = store.uploads.remove(&upload_id).expect("present");
            if let Err(err) = check_listed_parts(&upload, &listed) {
                store.uploads.insert(upload_id.clone(), upload);
                return Err(err);
            }
            upload
        };

        let chosen: Vec<&Part> = listed
            .parts
            .iter()
            .map(|p| &upload.parts[&p.part_number])
            .collect();
        let size: usize = chosen.iter().map(|p| p.data.len()).sum();
        let mut data = BytesMut::with_capacity(size);
        for part in &chosen {
            data.extend_from_slice(&part.data);
        }
        let data = data.freeze();
        let etag = format!(
            "\"{}\"",
            checksum::multipart_etag(chosen.iter().map(|p| &p.md5))
        );
        let checksum = match upload.algorithm {
            Some(a) if !upload.full_object => {
                // S3's composite checksum: the checksum of the parts'
                // checksums, then the part count.
                let mut joined = Vec::new();
                for part in &chosen {
                    let value = part.checksum.as_ref().map(|c| c.value.as_str());
                    joined.extend(
                        value
                            .and_then(|v| STANDARD.decode(v).ok())
                            .unwrap_or_default(),
                    );
                }
                StoredChecksum {
                    algorithm: a,
                    value: format!("{}-{}", a.compute(&joined), chosen.len()),
                    kind: "COMPOSITE",
                }
            }
            Some(a) => StoredChecksum {
                algorithm: a,
                value: a.compute(&data),
                kind: "FULL_OBJECT",
            },
            None => StoredChecksum {
                algorithm: Algorithm::Crc64Nvme,
                value: Algorithm::Crc64Nvme.compute(&data),
                kind: "FULL_OBJECT",
            },
        };
        let mut headers = upload.headers.clone();
        // The object's writer is whoever completed the upload.
        headers.retain(|(name, _)| name != WRITER_HEADER);
        headers.push((
            HeaderName::from_static(WRITER_HEADER),
            header(ctx.principal.arn()),
        ));
        let object = Object {
            data,
            etag: etag.clone(),
            last_modified: SystemTime::now(),
            content_type: upload.content_type.clone(),
            headers,
            checksum,
        };
        {
            // The parts' bytes leave the store; the object's come in.
            let parts_bytes: u64 = upload.parts.values().map(|p| p.data.len() as u64).sum();
            let mut store = self.store();
            store.total_bytes -= parts_bytes;
        }
        self.insert_object(ctx, bucket, key, object)?;
        Ok(xml_response(
            StatusCode::OK,
            "CompleteMultipartUploadResult",
            &xml::CompleteMultipartUploadResult {
                xmlns: xml::S3_XMLNS,
                location: format!(
                    "{}://{host}/{bucket}/{}",
                    ctx.scheme,
                    encode_key_for_url(key)
                ),
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                etag,
            },
        ))
    }

    fn abort_upload(
        &self,
        ctx: &RequestContext,
        bucket: &str,
        key: &str,
        query: &Query,
    ) -> S3Result {
        let upload_id = query.get("uploadId").unwrap_or("");
        let mut store = self.store();
        S3::owned_bucket(&mut store, ctx, bucket)?;
        match store.uploads.get(upload_id) {
            Some(u) if u.bucket == bucket && u.key == key => {}
            _ => return Err(S3Error::no_such_upload(upload_id)),
        }
        let upload = store.uploads.remove(upload_id).expect("present");
        let freed: u64 = upload.parts.values().map(|p| p.data.len() as u64).sum();
        store.total_bytes -= freed;
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}

/// Checks the parts a CompleteMultipartUpload names against those uploaded.
fn check_listed_parts(
    upload: &Upload,
    listed: &xml::CompleteMultipartUpload,
) -> Result<(), S3Error> {
    let invalid_part = || {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidPart",
            "One or more of the specified parts could not be found. The part may not have \
             been uploaded, or the specified entity tag may not match the part's entity tag.",
        )
    };
    let last = listed.parts.len() - 1;
    for (i, listed_part) in listed.parts.iter().enumerate() {
        let part = upload
            .parts
            .get(&listed_part.part_number)
            .ok_or_else(invalid_part)?;
        let etag = listed_part.etag.trim().trim_matches('"');
        if !etag.eq_ignore_ascii_case(&hex::encode(part.md5)) {
            return Err(invalid_part().field("ETag", listed_part.etag.clone()));
        }
        if let (Some((name, value)), Some(stored)) = (listed_part.checksum(), &part.checksum) {
            if name != stored.algorithm.name() || value != stored.value {
                return Err(invalid_part());
            }
        }
        if i != last && part.data.len() < MIN_PART_SIZE {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed object size.",
            )
            .field("ProposedSize", part.data.len().to_string())
            .field("MinSizeAllowed", MIN_PART_SIZE.to_string())
            .field("PartNumber", listed_part.part_number.to_string())
            .field("ETag", listed_part.etag.clone()));
        }
    }
    Ok(())
}

/// Reads a whole body up to `limit` bytes, with its trailers.
async fn read_body<B>(body: B, limit: usize) -> Result<(Bytes, Option<HeaderMap>), S3Error>
where
    B: Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    match Limited::new(body, limit).collect().await {
        Ok(collected) => {
            let trailers = collected.trailers().cloned();
            Ok((collected.to_bytes(), trailers))
        }
        Err(err) => Err(body_error(&err, limit)),
    }
}

/// The S3 error for a body that failed: over the demo's limit, refused by
/// the layer (its own report), or cut short.
pub fn body_error(err: &BoxError, limit: usize) -> S3Error {
    if err.downcast_ref::<LengthLimitError>().is_some() {
        return S3Error::too_large(limit);
    }
    if let Some(verified) = err.downcast_ref::<VerifiedBodyError>() {
        return S3Error(verified.to_report());
    }
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
    )
}

/// Refuses a body whose declared length is over the limit before reading it.
fn check_declared_length(headers: &HeaderMap, limit: usize) -> Result<(), S3Error> {
    let declared = headers
        .get("x-amz-decoded-content-length")
        .or_else(|| headers.get(CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => Err(S3Error::too_large(limit)),
        _ => Ok(()),
    }
}

/// Checks `Content-MD5` and the claimed `x-amz-checksum-*` (header, or the
/// trailer of an `aws-chunked` body) against the bytes received.
///
/// A presigned URL may carry the checksum as a query parameter (the
/// JavaScript SDK's presigner does, over an empty body unless told
/// otherwise); S3 holds the upload to it as to the header.
fn verify_digests(
    headers: &HeaderMap,
    query: &Query,
    trailers: Option<&HeaderMap>,
    data: &[u8],
) -> Result<Option<Claimed>, S3Error> {
    checksum::check_content_md5(headers, data).map_err(S3Error::from_digest)?;
    let claimed = checksum::claimed(headers)
        .or_else(|| trailers.and_then(checksum::claimed))
        .or_else(|| query.claimed_checksum());
    if let Some(claimed) = &claimed {
        checksum::check(claimed, data).map_err(S3Error::from_digest)?;
    }
    Ok(claimed)
}

/// The representation headers and user metadata an object keeps, with the
/// writer's ARN in place of anything the client sent under that name.
#[allow(clippy::type_complexity)]
fn stored_headers(
    headers: &HeaderMap,
    writer: &Principal,
) -> Result<
    (
        Vec<(HeaderName, HeaderValue)>,
        Vec<(HeaderName, HeaderValue)>,
    ),
    S3Error,
> {
    const KEPT: [&str; 5] = [
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "expires",
    ];
    let kept = KEPT
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?;
            // The layer strips `aws-chunked`; an empty remainder is no
            // encoding at all.
            (!value.is_empty()).then(|| (HeaderName::from_static(name), value.clone()))
        })
        .collect();
    let mut metadata: Vec<(HeaderName, HeaderValue)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-amz-meta-") && *name != WRITER_HEADER)
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let size: usize = metadata
        .iter()
        .map(|(n, v)| n.as_str().len() - "x-amz-meta-".len() + v.len())
        .sum();
    if size > MAX_METADATA_BYTES {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size.",
        )
        .field("Size", size.to_string())
        .field("MaxSizeAllowed", MAX_METADATA_BYTES.to_string()));
    }
    metadata.push((HeaderName::from_static(WRITER_HEADER), header(writer.arn())));
    Ok((kept, metadata))
}

fn content_type(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("binary/octet-stream"))
}

/// Splits `/bucket/key…` into the decoded bucket and key. The key keeps
/// every byte of the path after the bucket's slash: `//`, a trailing slash
/// and `%2F` all stay as they are, as S3 keys are not paths.
fn split_path(path: &str) -> Result<(Option<String>, Option<String>), S3Error> {
    let rest = path.strip_prefix('/').unwrap_or(path);
    if rest.is_empty() {
        return Ok((None, None));
    }
    let (bucket, key) = match rest.split_once('/') {
        Some((bucket, key)) => (bucket, (!key.is_empty()).then_some(key)),
        None => (rest, None),
    };
    let decode = |raw: &str| {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| {
                S3Error::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidURI",
                    "Couldn't parse the specified URI.",
                )
                .field("URI", path)
            })
    };
    Ok((Some(decode(bucket)?), key.map(decode).transpose()?))
}

/// S3's bucket naming rules (general purpose buckets).
fn check_bucket_name(name: &str) -> Result<(), S3Error> {
    let bytes = name.as_bytes();
    let valid = (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
        && !name.starts_with("xn--")
        && !name.ends_with("-s3alias");
    if valid {
        Ok(())
    } else {
        Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .field("BucketName", name))
    }
}

fn check_key(key: &str) -> Result<(), S3Error> {
    if key.len() > 1024 {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "KeyTooLongError",
            "Your key is too long",
        )
        .field("MaxSizeAllowed", "1024")
        .field("Size", key.len().to_string()));
    }
    Ok(())
}

fn method_not_allowed(method: &Method, resource: &'static str) -> S3Error {
    S3Error::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
    .field("Method", method.as_str())
    .field("ResourceType", resource)
}

/// Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` for an object of `total`
/// bytes. Forms S3 ignores (several ranges, another unit) give the whole
/// object; a range that starts past the end is `InvalidRange`.
fn parse_range(spec: &str, total: usize) -> Result<Option<(usize, usize)>, S3Error> {
    let Some(range) = spec.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if range.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = range.split_once('-') else {
        return Ok(None);
    };
    let unsatisfiable = || {
        S3Error::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
        .field("RangeRequested", spec)
        .field("ActualObjectSize", total.to_string())
    };
    let (first, last) = (first.trim(), last.trim());
    let (start, end) = match (first.parse::<usize>(), last.parse::<usize>()) {
        (Ok(start), Ok(end)) if start <= end => (start, end.min(total.saturating_sub(1))),
        (Ok(start), Err(_)) if last.is_empty() => (start, total.saturating_sub(1)),
        (Err(_), Ok(suffix)) if first.is_empty() => {
            if suffix == 0 {
                return Err(unsatisfiable());
            }
            (total.saturating_sub(suffix), total.saturating_sub(1))
        }
        _ => return Ok(None),
    };
    if start >= total {
        return Err(unsatisfiable());
    }
    Ok(Some((start, end)))
}

/// The decoded query string, in order.
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The most parameters the demo reads from one query string.
    const MAX_PARAMS: usize = 100;

    fn parse(query: Option<&str>) -> Result<Query, S3Error> {
        let query = query.unwrap_or("");
        if query.split('&').count() > Query::MAX_PARAMS {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Too many query parameters",
            ));
        }
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Query)
            .map_err(|_| {
                S3Error::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidURI",
                    "Couldn't parse the specified URI.",
                )
            })
    }

    /// An `x-amz-checksum-*` parameter of a presigned URL.
    fn claimed_checksum(&self) -> Option<Claimed> {
        Algorithm::ALL.into_iter().find_map(|algorithm| {
            let value = self
                .0
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(algorithm.header()))?;
            Some(Claimed {
                algorithm,
                value: value.1.clone(),
            })
        })
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A sub-resource S3 has and the demo does not: answering as if it were
    /// a plain GET or PUT would mislead the client.
    fn unsupported_subresource(&self) -> Option<&str> {
        const UNSUPPORTED: &[&str] = &[
            "accelerate",
            "acl",
            "analytics",
            "attributes",
            "cors",
            "delete",
            "encryption",
            "intelligent-tiering",
            "inventory",
            "legal-hold",
            "lifecycle",
            "logging",
            "metrics",
            "notification",
            "object-lock",
            "ownershipControls",
            "policy",
            "policyStatus",
            "publicAccessBlock",
            "replication",
            "requestPayment",
            "restore",
            "retention",
            "select",
            "tagging",
            "torrent",
            "versioning",
            "versions",
            "website",
        ];
        self.0
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| UNSUPPORTED.contains(k))
    }
}

fn decode_token(token: &str) -> Option<String> {
    String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}

/// `encoding-type=url`: S3 encodes as an HTML form would (space as `+`).
fn encode_if(url_encoded: bool, text: &str) -> String {
    if url_encoded {
        url_encode(text)
    } else {
        text.to_owned()
    }
}

fn url_encode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s[1..].to_owned())
        .unwrap_or_default()
}

/// A key as it appears in a URL path: each segment encoded, `/` kept.
fn encode_key_for_url(key: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(key, SEGMENT).to_string()
}

/// S3's XML timestamps: `2009-10-12T17:50:30.000Z`.
fn xml_time(at: SystemTime) -> String {
    use time::macros::format_description;
    let at = time::OffsetDateTime::from(at);
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .expect("every SystemTime after 1970 formats")
}

/// The canonical user id S3 shows for an account: 64 hex digits.
fn canonical_user_id(account: &str) -> String {
    use sha2::{Digest as _, Sha256};
    hex::encode(Sha256::digest(format!(
        "tower-sigv4 demo canonical user {account}"
    )))
}

fn random_id() -> Result<String, S3Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|_| {
        S3Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

fn header(value: &str) -> HeaderValue {
    // Stored values came from header values or are ASCII built here; an
    // ARN is ASCII.
    HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn parse_xml<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    quick_xml::de::from_str(std::str::from_utf8(body).ok()?).ok()
}

fn xml_response<T: serde::Serialize>(
    status: StatusCode,
    root: &str,
    value: &T,
) -> Response<DemoBody> {
    let document = xml::to_document(root, value);
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/xml")
        .header(CONTENT_LENGTH, document.len())
        .body(Either::Left(Full::new(Bytes::from(document))))
        .expect("static headers are valid")
}

fn empty_response(status: StatusCode) -> Response<DemoBody> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::new())));
    *response.status_mut() = status;
    if status != StatusCode::NO_CONTENT {
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_double_slashes_trailing_slashes_and_encoded_slashes() {
        let (bucket, key) = split_path("/b/a//b/%2F/c%20d/").ok().unwrap();
        assert_eq!(bucket.as_deref(), Some("b"));
        assert_eq!(key.as_deref(), Some("a//b///c d/"));
        assert_eq!(split_path("/b/").ok().unwrap(), (Some("b".into()), None));
        assert_eq!(split_path("/").ok().unwrap(), (None, None));
        assert!(split_path("/b/%FF").is_err());
    }

    #[test]
    fn ranges_as_s3_reads_them() {
        assert_eq!(parse_range("bytes=0-9", 100).ok().unwrap(), Some((0, 9)));
        assert_eq!(
            parse_range("bytes=90-200", 100).ok().unwrap(),
            Some((90, 99))
        );
        assert_eq!(parse_range("bytes=10-", 100).ok().unwrap(), Some((10, 99)));
        assert_eq!(parse_range("bytes=-10", 100).ok().unwrap(), Some((90, 99)));
        assert_eq!(parse_range("bytes=0-1,3-4", 100).ok().unwrap(), None);
        let err = parse_range("bytes=100-", 100).err().unwrap();
        assert_eq!(err.report().code(), "InvalidRange");
    }

    #[test]
    fn bucket_names() {
        for good in ["abc", "my.bucket-1", "a1b"] {
            assert!(check_bucket_name(good).is_ok(), "{good}");
        }
        for bad in ["ab", "ABC", "a..b", "-ab", "ab-", "192.168.1.1", "a_b"] {
            assert!(check_bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_encoding_is_form_style() {
        assert_eq!(url_encode("a b+c/é"), "a+b%2Bc%2F%C3%A9");
    }
}
