//! [`Verifier`]: the settings, the protocol core and the identity layer put
//! together, without tower.
//!
//! [`SigV4Layer`](crate::SigV4Layer) is a thin shell around it. Use it
//! directly to verify requests in another framework, or to drive the body
//! yourself:
//!
//! 1. [`Verifier::verify`] parses and checks the signature (everything that
//!    needs no secret first), asks the [`CredentialStore`] for the secret, takes
//!    the signing key from the [`SigningKeyCache`] and, when the request declares
//!    its payload, verifies the signature. It returns a [`Verification`]:
//!    [`Verified`] when the signature checked out, [`NeedsBodyHash`] when the
//!    body's hash is part of what was signed (KMS, STS: no
//!    `x-amz-content-sha256`), or [`Anonymous`] for an unsigned request the
//!    settings let through.
//! 2. For [`NeedsBodyHash`], read the body (at most
//!    [`NeedsBodyHash::max_body_len`] bytes), hash it and call
//!    [`NeedsBodyHash::finish`].
//! 3. [`Verified::apply`] puts the [`Authenticated`] caller in the request
//!    extensions, fixes the headers of an `aws-chunked` request and wraps the
//!    body in the [`VerifiedBody`] that checks it as it streams.
//!
//! [`Verifier::authenticate`] does all three for an [`http::Request`].
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, UNIX_EPOCH};
//! use tower_sigv4::identity::{ManualClock, StaticCredentials};
//! use tower_sigv4::settings::SigV4Settings;
//! use tower_sigv4::verifier::{Verification, Verifier};
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let store = StaticCredentials::builder()
//!     .root("111122223333", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
//!     .build()
//!     .unwrap();
//! // The S3 API reference's GET Object example, verified at its own time.
//! let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_369_353_600)));
//! let settings = SigV4Settings::default().with_region("us-east-1").with_clock(clock);
//! let verifier = Verifier::with_settings(store, settings);
//!
//! let request = http::Request::get("/test.txt")
//!     .header("host", "examplebucket.s3.amazonaws.com")
//!     .header("range", "bytes=0-9")
//!     .header("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
//!     .header("x-amz-date", "20130524T000000Z")
//!     .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
//!     .body(http_body_util::Empty::<bytes::Bytes>::new())
//!     .unwrap();
//! let (mut parts, body) = request.into_parts();
//! let verified = match verifier.verify(&parts).await.unwrap() {
//!     Verification::Verified(v) => v,
//!     _ => unreachable!("the request declares its payload hash"),
//! };
//! assert_eq!(verified.authenticated().principal().arn(), "arn:aws:iam::111122223333:root");
//! let body = verified.apply(&mut parts, body);
//! assert!(parts.extensions.get::<tower_sigv4::Authenticated>().is_some());
//! # let _ = body;
//! # });
//! ```

use std::fmt;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::SystemTime;

use bytes::{Buf, Bytes, BytesMut};
use http::header::{HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH, TRANSFER_ENCODING};
use http::request::Parts;
use http::{HeaderMap, Request, Response};
use http_body::Body;
use sha2::{Digest, Sha256};

use crate::authenticated::{Anonymous, Authenticated, AuthenticatedParts};
use crate::body::{BoxError, VerifiedBody};
use crate::error::{AuthError, AuthErrorKind, MismatchReport};
use crate::future::GateFuture;
use crate::identity::{Credential, CredentialStore, LookupError, SigningKeyCache};
use crate::response::ErrorBody;
use crate::response::ErrorProtocol;
use crate::settings::{SigV4Settings, UnsignedRequests};
use crate::sigv4::canonical::{texts_before_body, texts_with_body};
use crate::sigv4::chunked::{ChunkSigner, ChunkedConfig, ChunkedDecoder};
use crate::sigv4::{
    self, CanonicalRequest, ErrorKind, PayloadMode, PendingSignature, RequestView, SignedRequest,
    SigningKey, StringToSign,
};

/// `x-amz-decoded-content-length`.
const X_AMZ_DECODED_CONTENT_LENGTH: &str = "x-amz-decoded-content-length";
/// `x-amz-trailer`.
const X_AMZ_TRAILER: &str = "x-amz-trailer";

/// Verifies SigV4 requests against a [`CredentialStore`]. See the
/// [module docs](self).
///
/// Cloning is cheap (one reference count): the store, the settings and the
/// signing-key cache are shared.
pub struct Verifier<S> {
    shared: Arc<Shared<S>>,
}

struct Shared<S> {
    store: S,
    settings: SigV4Settings,
    keys: Arc<SigningKeyCache>,
}

impl<S> Clone for Verifier<S> {
    fn clone(&self) -> Self {
        Verifier {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<S> fmt::Debug for Verifier<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("settings", &self.shared.settings)
            .field("signing_keys", &self.shared.keys.stats())
            .finish_non_exhaustive()
    }
}

impl<S> Verifier<S> {
    /// A verifier with the default settings.
    pub fn new(store: S) -> Self {
        Verifier::with_settings(store, SigV4Settings::default())
    }

    /// A verifier with `settings` and its own signing-key cache.
    pub fn with_settings(store: S, settings: SigV4Settings) -> Self {
        Verifier::from_parts(store, settings, Arc::new(SigningKeyCache::new()))
    }

    /// A verifier sharing a signing-key cache (with other verifiers, or with
    /// a benchmark that reads its counters).
    pub fn from_parts(store: S, settings: SigV4Settings, keys: Arc<SigningKeyCache>) -> Self {
        Verifier {
            shared: Arc::new(Shared {
                store,
                settings,
                keys,
            }),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &SigV4Settings {
        &self.shared.settings
    }

    /// The credential store.
    pub fn store(&self) -> &S {
        &self.shared.store
    }

    /// The signing-key cache.
    pub fn signing_keys(&self) -> &Arc<SigningKeyCache> {
        &self.shared.keys
    }
}

/// The outcome of [`Verifier::verify`].
#[derive(Debug)]
#[non_exhaustive]
// Boxing the large variant would cost an allocation per request; the value
// lives once, inside the verification future.
#[allow(clippy::large_enum_variant)]
pub enum Verification {
    /// The signature checked out.
    Verified(Verified),
    /// The signature covers the hash of the body: read and hash it, then
    /// call [`NeedsBodyHash::finish`].
    NeedsBodyHash(NeedsBodyHash),
    /// An unsigned request, let through by
    /// [`UnsignedRequests::Anonymous`].
    Anonymous(Anonymous),
}

/// A request whose signature checked out, and how its body is to be checked.
pub struct Verified {
    authenticated: Authenticated,
    plan: BodyPlan,
    protocol: ErrorProtocol,
}

enum BodyPlan {
    /// `UNSIGNED-PAYLOAD`, or a body the caller already hashed.
    PassThrough,
    /// A declared SHA-256, checked as the body streams.
    Hashed([u8; 32]),
    /// `aws-chunked`.
    Chunked {
        decoder: Box<ChunkedDecoder>,
        decoded_length: Option<u64>,
    },
}

impl Verified {
    /// The caller.
    pub fn authenticated(&self) -> &Authenticated {
        &self.authenticated
    }

    /// The caller, without the body plan.
    pub fn into_authenticated(self) -> Authenticated {
        self.authenticated
    }

    /// The error protocol of the request's service.
    pub fn protocol(&self) -> ErrorProtocol {
        self.protocol
    }

    /// Puts the [`Authenticated`] caller in `parts.extensions`, and wraps
    /// `body` in the [`VerifiedBody`] its payload mode calls for. For an
    /// `aws-chunked` request it also fixes the headers the inner service sees:
    /// `Content-Length` becomes the decoded length (from
    /// `x-amz-decoded-content-length`, and `Transfer-Encoding` goes), and
    /// `aws-chunked` leaves `Content-Encoding`.
    pub fn apply<B>(self, parts: &mut Parts, body: B) -> VerifiedBody<B> {
        parts.extensions.insert(self.authenticated);
        let body = match self.plan {
            BodyPlan::PassThrough => VerifiedBody::pass_through(body),
            BodyPlan::Hashed(hash) => VerifiedBody::hashed(body, hash),
            BodyPlan::Chunked {
                decoder,
                decoded_length,
            } => {
                fix_chunked_headers(&mut parts.headers, decoded_length);
                VerifiedBody::aws_chunked_boxed(body, decoder, decoded_length)
            }
        };
        body.with_error_protocol(self.protocol)
    }

    /// Like [`apply`](Self::apply), for a body already read (after
    /// [`NeedsBodyHash::finish`]): the bytes are handed on as they are.
    pub fn apply_buffered<B>(self, parts: &mut Parts, data: Bytes) -> VerifiedBody<B> {
        parts.extensions.insert(self.authenticated);
        VerifiedBody::buffered(data).with_error_protocol(self.protocol)
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = match &self.plan {
            BodyPlan::PassThrough => "pass-through",
            BodyPlan::Hashed(_) => "hashed",
            BodyPlan::Chunked { .. } => "aws-chunked",
        };
        f.debug_struct("Verified")
            .field("authenticated", &self.authenticated)
            .field("body", &plan)
            .finish()
    }
}

/// A request whose signature covers the hash of its body. Everything but the
/// signature has been checked, and the credential found.
///
/// It holds no borrow of the request: the canonical request was hashed up
/// to its payload line when it was made (see
/// [`PendingSignature`]), so the parts can
/// move while the body is awaited.
pub struct NeedsBodyHash {
    pending: PendingSignature,
    authenticated: Authenticated,
    protocol: ErrorProtocol,
    now: SystemTime,
    max_body_len: usize,
    /// What an S3-style mismatch report needs, kept only when the request's
    /// service answers in S3's error format.
    report: Option<Box<ReportSource>>,
}

/// The parts of an S3 mismatch report known before the body.
struct ReportSource {
    signature_provided: String,
    /// The canonical request and the string to sign without their last
    /// lines, when [`SigV4Settings::signature_mismatch_details`] asks for them.
    texts: Option<(Vec<u8>, Vec<u8>)>,
}

impl NeedsBodyHash {
    /// The most bytes of body to read
    /// ([`SigV4Settings::max_buffered_body`]); over it, answer
    /// [`NeedsBodyHash::body_too_large`].
    pub fn max_body_len(&self) -> usize {
        self.max_body_len
    }

    /// The error protocol of the request's service.
    pub fn protocol(&self) -> ErrorProtocol {
        self.protocol
    }

    /// The caller the request will be from if the signature checks out.
    pub fn authenticated(&self) -> &Authenticated {
        &self.authenticated
    }

    /// Verifies the signature with the SHA-256 of the body.
    pub fn finish(self, body_hash: &[u8; 32]) -> Result<Verified, AuthError> {
        match self.pending.finish(body_hash) {
            Ok(()) => Ok(Verified {
                authenticated: self.authenticated,
                plan: BodyPlan::PassThrough,
                protocol: self.protocol,
            }),
            Err(e) => Err(self.signature_error(e, body_hash).traced()),
        }
    }

    /// [`finish`](Self::finish) with the outcome of reading the body.
    pub(crate) fn finish_read(
        self,
        read: Result<Bytes, ReadError>,
    ) -> Result<(Verified, Bytes), AuthError> {
        match read {
            Ok(data) => {
                let hash: [u8; 32] = Sha256::digest(&data).into();
                self.finish(&hash).map(|verified| (verified, data))
            }
            Err(ReadError::TooLarge(proposed)) => Err(self.body_too_large(proposed)),
            Err(ReadError::Body(e)) => Err(self.body_read_failed(e)),
        }
    }

    /// The error for a body over [`max_body_len`](Self::max_body_len)
    /// (`proposed`: its length when known, from `Content-Length`).
    pub fn body_too_large(&self, proposed: Option<u64>) -> AuthError {
        self.context(AuthError::body_too_large(
            proposed,
            self.max_body_len as u64,
            self.protocol,
            self.now,
        ))
        .traced()
    }

    /// The error for a body that failed to arrive.
    pub fn body_read_failed(&self, error: impl Into<BoxError>) -> AuthError {
        self.context(AuthError::body_read(error, self.protocol, self.now))
            .traced()
    }

    fn context(&self, error: AuthError) -> AuthError {
        let caller = &self.authenticated;
        error.with_request(caller.access_key_id(), Some(caller.scope().to_string()))
    }

    fn signature_error(&self, error: sigv4::Error, body_hash: &[u8; 32]) -> AuthError {
        let mismatch = error.kind() == ErrorKind::SignatureMismatch;
        let mut e = self.context(AuthError::core(error, self.protocol, self.now));
        if let (true, Some(report)) = (mismatch, &self.report) {
            let details = report.texts.as_ref().map(|(canonical, string_to_sign)| {
                texts_with_body(canonical, string_to_sign, body_hash)
            });
            e = e.with_mismatch(MismatchReport {
                signature_provided: report.signature_provided.clone(),
                details,
            });
        }
        e
    }
}

impl fmt::Debug for NeedsBodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeedsBodyHash")
            .field("authenticated", &self.authenticated)
            .field("max_body_len", &self.max_body_len)
            .finish_non_exhaustive()
    }
}

/// A request that passed every check but the signature, its key found.
/// Borrowed, and short-lived: the parsed request is large, and a move is a
/// copy.
struct Checked<'p, 'a> {
    prepared: &'p Prepared<'a>,
    key: SigningKey,
    credential: Credential,
    mismatch_details: bool,
}

impl Checked<'_, '_> {
    fn context(&self, error: AuthError) -> AuthError {
        let signed = &self.prepared.signed;
        error.with_request(signed.access_key_id(), Some(signed.scope().to_string()))
    }

    /// The caller, from the parsed request and the credential.
    fn authenticated(&self) -> Authenticated {
        let signed = &self.prepared.signed;
        Authenticated::new(AuthenticatedParts {
            principal: Arc::clone(self.credential.principal()),
            access_key_id: signed.access_key_id(),
            scope: signed.scope(),
            signing_time: signed.date().to_system_time(),
            location: signed.location(),
            expires: signed.expires(),
            session_expiry: self.credential.expiry(),
            session_issued_at: self.credential.issued_at(),
            payload: signed.payload_mode(),
        })
    }

    /// The check of a request whose payload hash is not declared: the body
    /// is needed. `None` when the request declares it.
    fn awaiting_body(&self, max_body_len: usize) -> Option<NeedsBodyHash> {
        let (signed, view) = (self.prepared.signed, self.prepared.view);
        let pending = PendingSignature::new(signed, view, &self.key)?;
        let report = self.prepared.protocol.is_s3().then(|| {
            Box::new(ReportSource {
                signature_provided: hex::encode(signed.signature()),
                texts: self
                    .mismatch_details
                    .then(|| texts_before_body(signed, view)),
            })
        });
        Some(NeedsBodyHash {
            pending,
            authenticated: self.authenticated(),
            protocol: self.prepared.protocol,
            now: self.prepared.now,
            max_body_len,
            report,
        })
    }

    /// Verifies the signature of a request that declares its payload.
    fn verify_signature(&self) -> Result<Verified, AuthError> {
        let Prepared {
            signed,
            view,
            protocol,
            chunked,
            ..
        } = self.prepared;
        if let Err(e) = sigv4::verify_signature(signed, view, &self.key, None) {
            return Err(self.signature_error(e));
        }
        let plan = match signed.payload_mode() {
            PayloadMode::Sha256(hash) => BodyPlan::Hashed(hash),
            PayloadMode::StreamingSigned
            | PayloadMode::StreamingSignedTrailer
            | PayloadMode::StreamingUnsignedTrailer => {
                let (config, decoded_length) = chunked
                    .clone()
                    .unwrap_or_else(|| (ChunkedConfig::default(), None));
                let decoder = match signed.payload_mode() {
                    PayloadMode::StreamingUnsignedTrailer => {
                        ChunkedDecoder::unsigned_with_trailer(config)
                    }
                    mode => {
                        // The seed of the chunk chain is the request's own
                        // signature, which just verified.
                        let signer = ChunkSigner::new(
                            self.key.clone(),
                            signed.date().as_str(),
                            signed.scope().to_string(),
                            *signed.signature(),
                        );
                        if mode == PayloadMode::StreamingSigned {
                            ChunkedDecoder::signed(signer, config)
                        } else {
                            ChunkedDecoder::signed_with_trailer(signer, config)
                        }
                    }
                };
                BodyPlan::Chunked {
                    decoder: Box::new(decoder),
                    decoded_length,
                }
            }
            _ => BodyPlan::PassThrough,
        };
        Ok(Verified {
            authenticated: self.authenticated(),
            plan,
            protocol: *protocol,
        })
    }

    fn signature_error(&self, error: sigv4::Error) -> AuthError {
        let Prepared {
            signed,
            view,
            protocol,
            now,
            ..
        } = *self.prepared;
        let mismatch = error.kind() == ErrorKind::SignatureMismatch;
        let mut e = self.context(AuthError::core(error, protocol, now));
        if mismatch && protocol.is_s3() {
            // What the client should have signed, rebuilt from the request:
            // never the signature the server computed.
            let details = if self.mismatch_details {
                CanonicalRequest::new(signed, view, None).ok().map(|creq| {
                    let sts = StringToSign::new(signed, &creq.sha256());
                    (sts.as_str().to_owned(), creq.as_bytes().to_vec())
                })
            } else {
                None
            };
            e = e.with_mismatch(MismatchReport {
                signature_provided: hex::encode(signed.signature()),
                details,
            });
        }
        e
    }
}

impl<S: CredentialStore> Verifier<S> {
    /// Verifies the signature of a request from its parts (the body is not
    /// touched). See the [module docs](self).
    ///
    /// Errors carry the code, status and message AWS answers with in the
    /// error protocol of the request's service.
    pub async fn verify(&self, parts: &Parts) -> Result<Verification, AuthError> {
        self.verify_inner(parts).await.map_err(AuthError::traced)
    }

    async fn verify_inner(&self, parts: &Parts) -> Result<Verification, AuthError> {
        let shared = &self.shared;
        let now = shared.settings.clock().now();
        let view = RequestView::from_parts(parts);
        let parsed = sigv4::parse(&view, shared.settings.verify_settings());
        let Ok(Some(signed)) = &parsed else {
            return refuse_unparsed(&shared.settings, parts, parsed.err(), now);
        };
        let prepared = shared.prepare(parts, &view, signed, now)?;
        let found = shared
            .store
            .lookup(signed.access_key_id(), signed.security_token())
            .await;
        shared.after_lookup(&prepared, found)
    }

    /// [`verify`](Self::verify) without waiting, when the credential store
    /// answers at once ([`CredentialStore::lookup_now`]: in-memory stores,
    /// cache hits); `None` when the store has to be awaited (then call
    /// [`verify`](Self::verify)).
    pub fn verify_now(&self, parts: &Parts) -> Option<Result<Verification, AuthError>> {
        self.shared.verify_now(parts)
    }
    /// Verifies a whole request: [`verify`](Self::verify), the body read and
    /// hashed when the signature covers it (up to
    /// [`SigV4Settings::max_buffered_body`]; a larger `Content-Length` is
    /// refused without reading anything), and [`Verified::apply`].
    ///
    /// The request that comes back carries [`Authenticated`] (or
    /// [`Anonymous`]) in its extensions and a [`VerifiedBody`].
    pub async fn authenticate<B>(
        &self,
        request: Request<B>,
    ) -> Result<Request<VerifiedBody<B>>, AuthError>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (mut parts, body) = request.into_parts();
        match self.verify(&parts).await? {
            Verification::Verified(verified) => {
                let body = verified.apply(&mut parts, body);
                Ok(Request::from_parts(parts, body))
            }
            Verification::NeedsBodyHash(pending) => {
                let declared = content_length(&parts.headers);
                let read = read_capped(body, pending.max_body_len(), declared).await;
                let (verified, data) = pending.finish_read(read)?;
                let body = verified.apply_buffered(&mut parts, data);
                Ok(Request::from_parts(parts, body))
            }
            Verification::Anonymous(anonymous) => {
                let protocol = anonymous.protocol();
                parts.extensions.insert(anonymous);
                Ok(Request::from_parts(
                    parts,
                    VerifiedBody::pass_through(body).with_error_protocol(protocol),
                ))
            }
        }
    }
}

/// What the response future of [`SigV4Service`](crate::SigV4Service) needs
/// of a [`Verifier`], without naming its store.
pub(crate) trait Gate<B>: Send + Sync {
    /// [`Verifier::verify_now`].
    fn verify_now(&self, parts: &Parts) -> Option<Result<Verification, AuthError>>;

    /// The settings.
    fn settings(&self) -> &SigV4Settings;

    /// [`Verifier::authenticate`] in a boxed future, the error rendered.
    fn authenticate_boxed(
        self: Arc<Self>,
        request: Request<B>,
    ) -> GateFuture<Request<VerifiedBody<B>>>;
}

impl<S, B> Gate<B> for Shared<S>
where
    S: CredentialStore + 'static,
    B: Body + Send + 'static,
    B::Error: Into<BoxError>,
{
    fn verify_now(&self, parts: &Parts) -> Option<Result<Verification, AuthError>> {
        Shared::verify_now(self, parts)
    }

    fn settings(&self) -> &SigV4Settings {
        &self.settings
    }

    fn authenticate_boxed(
        self: Arc<Self>,
        request: Request<B>,
    ) -> GateFuture<Request<VerifiedBody<B>>> {
        let verifier = Verifier { shared: self };
        Box::pin(async move {
            verifier
                .authenticate(request)
                .await
                .map_err(|error| error_response(verifier.settings(), error))
        })
    }
}

/// The response for a refused request, the [`AuthError`] in its extensions.
pub(crate) fn error_response(settings: &SigV4Settings, error: AuthError) -> Response<ErrorBody> {
    let mut response = settings.error_response().make_error_response(&error);
    response.extensions_mut().insert(error);
    response
}

impl<S: CredentialStore + 'static> Verifier<S> {
    /// The verifier as a [`Gate`] for bodies of type `B`.
    pub(crate) fn gate<B>(&self) -> Arc<dyn Gate<B>>
    where
        B: Body + Send + 'static,
        B::Error: Into<BoxError>,
    {
        self.shared.clone()
    }
}

/// A request that passed every check that needs no secret. It borrows the
/// parsed request where [`sigv4::parse`] left it: the parse is large, and
/// each move of it is a copy.
struct Prepared<'p> {
    signed: &'p SignedRequest<'p>,
    view: &'p RequestView<'p>,
    protocol: ErrorProtocol,
    now: SystemTime,
    chunked: Option<(ChunkedConfig, Option<u64>)>,
}

/// The answer to a request [`sigv4::parse`] found no signature in
/// (`error`: `None`) or could not read.
fn refuse_unparsed(
    settings: &SigV4Settings,
    parts: &Parts,
    error: Option<sigv4::Error>,
    now: SystemTime,
) -> Result<Verification, AuthError> {
    let protocol = settings.fallback_protocol_for(parts);
    match error {
        Some(e) => Err(AuthError::core(e, protocol, now)),
        None => match settings.unsigned_requests {
            UnsignedRequests::Anonymous => {
                Ok(Verification::Anonymous(Anonymous::new(protocol, now)))
            }
            _ => Err(AuthError::missing_authentication(protocol, now)),
        },
    }
}

impl<S: CredentialStore> Shared<S> {
    fn verify_now(&self, parts: &Parts) -> Option<Result<Verification, AuthError>> {
        if !self.store.answers_now() {
            return None;
        }
        let settings = &self.settings;
        let now = settings.clock().now();
        let view = RequestView::from_parts(parts);
        let parsed = sigv4::parse(&view, settings.verify_settings());
        let Ok(Some(signed)) = &parsed else {
            return Some(
                refuse_unparsed(settings, parts, parsed.err(), now).map_err(AuthError::traced),
            );
        };
        let prepared = match self.prepare(parts, &view, signed, now) {
            Ok(prepared) => prepared,
            Err(e) => return Some(Err(e.traced())),
        };
        let found = self
            .store
            .lookup_now(signed.access_key_id(), signed.security_token())?;
        Some(
            self.after_lookup(&prepared, found)
                .map_err(AuthError::traced),
        )
    }

    /// The checks that need no secret, and the payload rules.
    fn prepare<'p>(
        &self,
        parts: &Parts,
        view: &'p RequestView<'p>,
        signed: &'p SignedRequest<'p>,
        now: SystemTime,
    ) -> Result<Prepared<'p>, AuthError> {
        let settings = &self.settings;
        let core = settings.verify_settings();
        let service = signed.scope().service();
        let protocol = if settings.accepts_service(service) {
            settings.service_config(service).error_protocol
        } else {
            settings.fallback_protocol_for(parts)
        };
        let context =
            |e: AuthError| e.with_request(signed.access_key_id(), Some(signed.scope().to_string()));
        if let Err(e) = sigv4::check(signed, view, core, now) {
            return Err(context(AuthError::core(e, protocol, now)));
        }

        // The payload rules need no secret either: decide them before the lookup.
        let mode = signed.payload_mode();
        let mut chunked = None;
        if mode == PayloadMode::Unsigned {
            if let Some(value) = aws_chunked_encoding(&parts.headers) {
                return Err(context(
                    AuthError::new(AuthErrorKind::ChunkedWithUnsignedPayload, protocol, now)
                        .with_argument("Content-Encoding", value),
                ));
            }
            if !settings.service_config(service).unsigned_payload {
                return Err(context(AuthError::new(
                    AuthErrorKind::UnsignedPayloadNotAllowed,
                    protocol,
                    now,
                )));
            }
        } else if mode.is_streaming() {
            match chunked_config(&parts.headers, settings) {
                Ok(config) => chunked = Some(config),
                Err(e) => return Err(context(e.into_error(protocol, now))),
            }
        }
        Ok(Prepared {
            signed,
            view,
            protocol,
            now,
            chunked,
        })
    }

    /// The signing key, and the signature when the request declares its
    /// payload.
    fn after_lookup(
        &self,
        prepared: &Prepared<'_>,
        found: Result<Credential, LookupError>,
    ) -> Result<Verification, AuthError> {
        let Prepared {
            signed,
            protocol,
            now,
            ..
        } = prepared;
        let (protocol, now) = (*protocol, *now);
        let context =
            |e: AuthError| e.with_request(signed.access_key_id(), Some(signed.scope().to_string()));
        let credential = match found {
            Ok(credential) => credential,
            Err(e) => return Err(context(AuthError::lookup(e, protocol, now))),
        };
        if credential.is_expired_at(now) {
            return Err(context(AuthError::lookup(
                LookupError::token_expired(),
                protocol,
                now,
            )));
        }
        let scope = signed.scope();
        let key = self.keys.signing_key(
            signed.access_key_id(),
            credential.secret(),
            scope.date(),
            scope.region(),
            scope.service(),
        );
        let checked = Checked {
            prepared,
            key,
            credential,
            mismatch_details: self.settings.signature_mismatch_details,
        };
        if let Some(pending) = checked.awaiting_body(self.settings.max_buffered_body) {
            return Ok(Verification::NeedsBodyHash(pending));
        }
        checked.verify_signature().map(Verification::Verified)
    }
}

/// A refused `aws-chunked` header, turned into an [`AuthError`] once the
/// protocol is known.
enum ChunkedHeaderError {
    DecodedLength(String),
    Trailer(sigv4::chunked::ChunkedError),
}

impl ChunkedHeaderError {
    fn into_error(self, protocol: ErrorProtocol, now: SystemTime) -> AuthError {
        match self {
            ChunkedHeaderError::DecodedLength(value) => {
                AuthError::new(AuthErrorKind::InvalidDecodedContentLength, protocol, now)
                    .with_argument(X_AMZ_DECODED_CONTENT_LENGTH, value)
            }
            ChunkedHeaderError::Trailer(e) => AuthError::chunked(e, protocol, now),
        }
    }
}

/// The decoder settings of an `aws-chunked` request, from its headers and
/// the layer's chunk-size cap.
fn chunked_config(
    headers: &HeaderMap,
    settings: &SigV4Settings,
) -> Result<(ChunkedConfig, Option<u64>), ChunkedHeaderError> {
    let decoded_length = match headers.get(X_AMZ_DECODED_CONTENT_LENGTH) {
        Some(v) => Some(parse_length(v.as_bytes()).ok_or_else(|| {
            ChunkedHeaderError::DecodedLength(String::from_utf8_lossy(v.as_bytes()).into_owned())
        })?),
        None => None,
    };
    let mut config = ChunkedConfig::default()
        .with_max_chunk_size(settings.max_chunk_size)
        .with_decoded_content_length(decoded_length);
    let mut trailers = headers.get_all(X_AMZ_TRAILER).iter().peekable();
    if trailers.peek().is_some() {
        let mut declared = String::new();
        for v in trailers {
            if !declared.is_empty() {
                declared.push(',');
            }
            // A name that is not visible ASCII cannot be a checksum header.
            declared.push_str(v.to_str().unwrap_or("\u{fffd}"));
        }
        config = config
            .with_declared_trailers(&declared)
            .map_err(ChunkedHeaderError::Trailer)?;
    }
    Ok((config, decoded_length))
}

/// A decimal length of at most 19 digits (so it fits a `u64`).
fn parse_length(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| parse_length(v.as_bytes()))
}

/// The `Content-Encoding` value when it names `aws-chunked`.
fn aws_chunked_encoding(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(CONTENT_ENCODING)
        .iter()
        .find(|v| {
            v.as_bytes()
                .split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"aws-chunked"))
        })
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The headers the inner service sees for a decoded `aws-chunked` body.
fn fix_chunked_headers(headers: &mut HeaderMap, decoded_length: Option<u64>) {
    match decoded_length {
        Some(n) => {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
            headers.remove(TRANSFER_ENCODING);
        }
        // The encoded length says nothing of the decoded one.
        None => {
            headers.remove(CONTENT_LENGTH);
        }
    }
    if headers.contains_key(CONTENT_ENCODING) {
        let mut kept = Vec::new();
        for v in headers.get_all(CONTENT_ENCODING) {
            for token in v.as_bytes().split(|&b| b == b',') {
                let token = token.trim_ascii();
                if !token.is_empty() && !token.eq_ignore_ascii_case(b"aws-chunked") {
                    kept.push(token.to_vec());
                }
            }
        }
        headers.remove(CONTENT_ENCODING);
        if !kept.is_empty() {
            if let Ok(v) = HeaderValue::from_bytes(&kept.join(&b", "[..])) {
                headers.insert(CONTENT_ENCODING, v);
            }
        }
    }
}

pub(crate) enum ReadError {
    TooLarge(Option<u64>),
    Body(BoxError),
}

/// Reads a whole body of at most `cap` bytes; stops reading at the first
/// byte over it (and reads nothing when `Content-Length` says it is over).
async fn read_capped<B>(body: B, cap: usize, declared: Option<u64>) -> Result<Bytes, ReadError>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let mut read = BodyRead::new(&body, cap, declared)?;
    let mut body = pin!(body);
    std::future::poll_fn(|cx| read.poll_read(body.as_mut(), cx)).await
}

/// The state of a capped read of a whole body: frames are gathered until
/// the end, the first one without a copy.
pub(crate) struct BodyRead {
    first: Option<Bytes>,
    rest: BytesMut,
    total: usize,
    cap: usize,
    declared: Option<u64>,
}

impl BodyRead {
    /// A read of at most `cap` bytes of `body`, refused at once when the
    /// declared length or the body's own size hint is over it.
    pub(crate) fn new<B: Body>(
        body: &B,
        cap: usize,
        declared: Option<u64>,
    ) -> Result<BodyRead, ReadError> {
        let cap64 = cap as u64;
        if let Some(n) = declared.filter(|&n| n > cap64) {
            return Err(ReadError::TooLarge(Some(n)));
        }
        if body.size_hint().lower() > cap64 {
            return Err(ReadError::TooLarge(Some(body.size_hint().lower())));
        }
        Ok(BodyRead {
            first: None,
            rest: BytesMut::new(),
            total: 0,
            cap,
            declared,
        })
    }

    /// Reads frames until the end of the body, the first byte over the cap,
    /// an error, or a frame that is not there yet.
    pub(crate) fn poll_read<B>(
        &mut self,
        mut body: Pin<&mut B>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Bytes, ReadError>>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        // `is_end_stream` promises that the next poll answers `None`: a
        // body whose last frame came with its length known (hyper's, with a
        // `Content-Length`) ends here without another poll.
        while !body.is_end_stream() {
            let Some(frame) = ready!(body.as_mut().poll_frame(cx)) else {
                break;
            };
            let frame = frame.map_err(|e| ReadError::Body(e.into()))?;
            let Ok(mut data) = frame.into_data() else {
                continue;
            };
            let data = data.copy_to_bytes(data.remaining());
            self.total = self.total.saturating_add(data.len());
            if self.total > self.cap {
                return Poll::Ready(Err(ReadError::TooLarge(self.declared)));
            }
            // One frame (the usual case) is handed on without a copy.
            match self.first.take() {
                None if self.rest.is_empty() => self.first = Some(data),
                previous => {
                    if let Some(p) = previous {
                        self.rest.extend_from_slice(&p);
                    }
                    self.rest.extend_from_slice(&data);
                }
            }
        }
        Poll::Ready(Ok(match self.first.take() {
            Some(data) => data,
            None => std::mem::take(&mut self.rest).freeze(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked_is_removed_from_content_encoding() {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_ENCODING,
            HeaderValue::from_static("aws-chunked,gzip"),
        );
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("999"));
        h.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        fix_chunked_headers(&mut h, Some(5));
        assert_eq!(h[CONTENT_ENCODING], "gzip");
        assert_eq!(h[CONTENT_LENGTH], "5");
        assert!(!h.contains_key(TRANSFER_ENCODING));

        let mut h = HeaderMap::new();
        h.insert(CONTENT_ENCODING, HeaderValue::from_static("AWS-Chunked"));
        h.insert(CONTENT_LENGTH, HeaderValue::from_static("999"));
        fix_chunked_headers(&mut h, None);
        assert!(!h.contains_key(CONTENT_ENCODING));
        assert!(!h.contains_key(CONTENT_LENGTH));
    }

    #[test]
    fn lengths_are_bounded_decimals() {
        assert_eq!(parse_length(b"66560"), Some(66560));
        assert_eq!(parse_length(b"0"), Some(0));
        assert_eq!(parse_length(b""), None);
        assert_eq!(parse_length(b"-1"), None);
        assert_eq!(parse_length(b"1e3"), None);
        assert_eq!(parse_length(b"99999999999999999999"), None);
    }

    /// A body that yields the given pieces as separate data frames.
    struct Pieces(std::collections::VecDeque<Bytes>);

    impl Body for Pieces {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Ready(self.0.pop_front().map(|b| Ok(http_body::Frame::data(b))))
        }
    }

    fn pieces(parts: &[&'static [u8]]) -> Pieces {
        Pieces(parts.iter().map(|p| Bytes::from_static(p)).collect())
    }

    #[tokio::test]
    async fn capped_read_stops_at_the_cap() {
        use http_body_util::Full;
        let full = Full::new(Bytes::from_static(b"abcd"));
        assert!(matches!(
            read_capped(full, 3, None).await,
            Err(ReadError::TooLarge(_))
        ));
        let full = Full::new(Bytes::from_static(b"abc"));
        assert_eq!(read_capped(full, 3, None).await.ok().unwrap(), "abc");
        // Declared over the cap: refused before reading.
        let full = Full::new(Bytes::from_static(b"a"));
        assert!(matches!(
            read_capped(full, 3, Some(10)).await,
            Err(ReadError::TooLarge(Some(10)))
        ));
        // Several frames are gathered; reading stops at the first byte over.
        assert_eq!(
            read_capped(pieces(&[b"ab", b"c", b"d"]), 10, None)
                .await
                .ok()
                .unwrap(),
            "abcd"
        );
        let mut body = pieces(&[b"ab", b"cd", b"ef"]);
        assert!(matches!(
            read_capped(&mut body, 3, None).await,
            Err(ReadError::TooLarge(None))
        ));
        assert_eq!(body.0.len(), 1, "the frame after the cap was never read");
    }
}
