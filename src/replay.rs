//! Opt-in replay protection: remember every verified signature for as long
//! as it could still be accepted, and refuse a second use.
//!
//! SigV4 alone does not stop replays. A request signed with
//! `Authorization` stays valid for the whole clock-skew window (±15 minutes
//! by default) and a presigned URL until `X-Amz-Expires` runs out; whoever
//! sees the request on the way (a proxy, a log, a browser history) can send
//! it again, byte for byte, and it verifies again. AWS accepts such replays
//! for most APIs; a webhook receiver usually must not, because the second
//! delivery would trigger its action twice.
//!
//! [`ReplayCache`] is the guard: after a signature has verified, the caller
//! asks [`ReplayCache::check`] (or [`ReplayCache::check_request`]) whether it
//! was seen before. The first use is remembered until the moment the request
//! would be refused anyway (its date plus the allowed skew, or its presigned
//! expiry), so the memory needed depends on the rate of requests times the
//! window, never on what an attacker sends: only signatures that verified
//! are ever remembered, and nobody without a secret can make one.
//!
//! # Memory bound
//!
//! The cache holds at most [`ReplaySettings::max_entries`] signatures
//! (default 100,000). Each entry costs about 300 bytes of heap (the 32-byte
//! signature, its lifetime and moka's bookkeeping: 304 bytes measured with a
//! counting allocator in `tests/hostile.rs`), so the default bound is about
//! 30 MB. When the cache is full the guard **fails closed**:
//! [`ReplayErrorKind::CapacityExceeded`] refuses the new request instead of
//! evicting a signature that is still valid (an evicted signature could be
//! replayed). Size it above the number of requests the service accepts
//! within one window (`max_clock_skew × 2`, or the longest presigned expiry
//! you issue): 100,000 entries cover about 110 requests per second with the
//! default ±15 minutes.
//!
//! # Where it runs
//!
//! Check only signatures that verified (a forged request must not be able
//! to burn the signature of a genuine one that has not arrived yet), and
//! before the request has any effect. With `aws-chunked` bodies the request
//! signature is the seed of every chunk signature, so remembering it covers
//! the whole upload.
//!
//! With tower, put a [`ReplayLayer`] inside the
//! [`SigV4Layer`](crate::SigV4Layer) (so that it sees verified requests
//! only), built from the same settings:
//!
//! ```
//! use std::convert::Infallible;
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::Full;
//! use tower::ServiceBuilder;
//! use tower_sigv4::identity::StaticCredentials;
//! use tower_sigv4::replay::{ReplayCache, ReplayLayer};
//! use tower_sigv4::{SigV4Layer, SigV4Settings, VerifiedBody};
//!
//! let store = StaticCredentials::builder()
//!     .root("111122223333", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
//!     .build()
//!     .unwrap();
//! let settings = SigV4Settings::default().with_service("webhook");
//! let service = ServiceBuilder::new()
//!     .layer(SigV4Layer::with_settings(store, settings.clone()))
//!     .layer(ReplayLayer::new(ReplayCache::new(), &settings))
//!     .service_fn(|_req: Request<VerifiedBody<Full<Bytes>>>| async move {
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"delivered once"))))
//!     });
//! # let _ = service;
//! ```
//!
//! Without tower, call [`ReplayCache::check_request`] after
//! [`Verifier`](crate::Verifier) has verified the request, and answer a
//! refusal with [`ReplayError::report`].
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use tower_sigv4::replay::{ReplayCache, ReplayErrorKind};
//!
//! let replays = ReplayCache::new();
//! let signature = [7u8; 32];
//! let now = SystemTime::now();
//! // A header-signed request dated now stays acceptable for the skew window.
//! let valid_until = now + Duration::from_secs(15 * 60);
//!
//! assert!(replays.check(&signature, valid_until, now).is_ok());
//! let again = replays.check(&signature, valid_until, now).unwrap_err();
//! assert_eq!(again.kind(), ReplayErrorKind::Replayed);
//! ```

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use http::{Request, Response, StatusCode};
use moka::notification::RemovalCause;
use moka::policy::EvictionPolicy;
use moka::Expiry;
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::authenticated::Authenticated;
use crate::response::{ErrorBody, ErrorProtocol, ErrorReport, ResponseBody};
use crate::settings::SigV4Settings;
use crate::sigv4::{self, Dialect, RequestView, SignedRequest};

/// Settings of a [`ReplayCache`].
///
/// ```
/// use tower_sigv4::replay::{ReplayCache, ReplaySettings};
///
/// let replays = ReplayCache::with_settings(ReplaySettings::default().with_max_entries(10_000));
/// assert_eq!(replays.settings().max_entries, 10_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplaySettings {
    /// The most signatures remembered at once (default 100,000, about 30 MB).
    /// Beyond it, new requests are refused with
    /// [`ReplayErrorKind::CapacityExceeded`] until old entries expire.
    pub max_entries: u64,
    /// The longest an entry is kept, whatever the request claims (default
    /// 7 days, the longest presigned expiry AWS allows). Signatures whose
    /// validity ends sooner are dropped sooner.
    pub max_window: Duration,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        ReplaySettings {
            max_entries: 100_000,
            max_window: Duration::from_secs(604_800),
        }
    }
}

impl ReplaySettings {
    /// Sets [`max_entries`](Self::max_entries).
    pub fn with_max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets [`max_window`](Self::max_window).
    pub fn with_max_window(mut self, max_window: Duration) -> Self {
        self.max_window = max_window;
        self
    }
}

/// Why [`ReplayCache::check`] refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReplayErrorKind {
    /// The signature was used before, within its validity.
    Replayed,
    /// The cache is full of signatures that are still valid; refusing is the
    /// only way to stay safe (evicting one would let it be replayed).
    CapacityExceeded,
}

/// A request refused by the replay guard. See [`ReplayErrorKind`].
#[derive(Clone, PartialEq, Eq)]
pub struct ReplayError {
    kind: ReplayErrorKind,
}

impl ReplayError {
    /// What went wrong.
    pub fn kind(&self) -> ReplayErrorKind {
        self.kind
    }
}

impl fmt::Debug for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayError")
            .field("kind", &self.kind)
            .finish()
    }
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            ReplayErrorKind::Replayed => "this signed request has already been received",
            ReplayErrorKind::CapacityExceeded => {
                "too many signed requests within the replay window; retry later"
            }
        })
    }
}

impl std::error::Error for ReplayError {}

impl ReplayError {
    /// The error as an AWS service in `protocol` would word it. AWS itself
    /// does not refuse replays, so the codes are the closest it has: a
    /// replay is `AccessDenied` (403, `AccessDeniedException` in the Query
    /// and JSON protocols), a full cache is S3's `SlowDown` (503) or
    /// `ThrottlingException` (400), which clients retry with back-off.
    pub fn report(&self, protocol: ErrorProtocol) -> ErrorReport {
        let s3 = protocol.dialect() == Dialect::S3;
        match self.kind {
            ReplayErrorKind::Replayed => ErrorReport::new(
                StatusCode::FORBIDDEN,
                if s3 {
                    "AccessDenied"
                } else {
                    "AccessDeniedException"
                },
                "This signed request has already been received; sign each request anew.",
            ),
            ReplayErrorKind::CapacityExceeded if s3 => ErrorReport::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "SlowDown",
                "Please reduce your request rate.",
            ),
            ReplayErrorKind::CapacityExceeded => ErrorReport::new(
                StatusCode::BAD_REQUEST,
                "ThrottlingException",
                "Rate exceeded",
            ),
        }
    }
}

/// Remembers verified signatures until they expire and refuses a second
/// use. See the [module docs](self) for the memory bound and where to call it.
///
/// Cloning is cheap and shares the cache. Safe to use from many threads:
/// of two concurrent checks of the same signature, exactly one succeeds.
#[derive(Clone)]
pub struct ReplayCache {
    inner: Arc<Inner>,
}

struct Inner {
    cache: moka::sync::Cache<[u8; 32], Duration>,
    /// Entries inserted and not yet removed: moka's own count lags, and the
    /// guard must know the true number to refuse instead of evicting.
    live: Arc<AtomicU64>,
    settings: ReplaySettings,
}

/// Each entry expires when its request would no longer be accepted.
struct UntilInvalid;

impl Expiry<[u8; 32], Duration> for UntilInvalid {
    fn expire_after_create(
        &self,
        _key: &[u8; 32],
        remaining: &Duration,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(*remaining)
    }
}

impl ReplayCache {
    /// A cache with the default settings.
    pub fn new() -> Self {
        ReplayCache::with_settings(ReplaySettings::default())
    }

    /// A cache with `settings`.
    pub fn with_settings(settings: ReplaySettings) -> Self {
        let live = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&live);
        let cache = moka::sync::Cache::builder()
            // The guard refuses before this bound is reached; moka's own
            // bound is a backstop only, and LRU (not TinyLFU) makes sure a
            // new signature is always admitted.
            .max_capacity(settings.max_entries.saturating_mul(2).max(1))
            .eviction_policy(EvictionPolicy::lru())
            .expire_after(UntilInvalid)
            // Every removal (expired, replaced when an expired entry that
            // moka had not swept yet is overwritten, explicit) ends one
            // counted insert.
            .eviction_listener(move |_key, _value, _cause: RemovalCause| {
                counter.fetch_sub(1, Ordering::AcqRel);
            })
            .build();
        ReplayCache {
            inner: Arc::new(Inner {
                cache,
                live,
                settings,
            }),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &ReplaySettings {
        &self.inner.settings
    }

    /// How many signatures are remembered (entries that expired but have not
    /// been swept yet included).
    pub fn len(&self) -> u64 {
        self.inner.live.load(Ordering::Acquire)
    }

    /// Whether no signature is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sweeps expired entries now (moka otherwise does it as it goes).
    pub fn run_pending_tasks(&self) {
        self.inner.cache.run_pending_tasks();
    }

    /// Refuses `signature` if it was seen before, and otherwise remembers it
    /// until `valid_until` (the last moment its request is acceptable), as
    /// seen from `now`. Call it only for signatures that verified.
    pub fn check(
        &self,
        signature: &[u8; 32],
        valid_until: SystemTime,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        let remaining = valid_until
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
            // Whole-second clocks accept a request until the second after.
            .saturating_add(Duration::from_secs(1))
            .min(self.inner.settings.max_window);
        if self.inner.cache.contains_key(signature) {
            return Err(ReplayError {
                kind: ReplayErrorKind::Replayed,
            });
        }
        self.reserve()?;
        // `or_insert_with` (unlike `or_insert`) coalesces concurrent inserts
        // of one key: exactly one caller sees a fresh entry.
        let entry = self
            .inner
            .cache
            .entry(*signature)
            .or_insert_with(|| remaining);
        if entry.is_fresh() {
            Ok(())
        } else {
            self.inner.live.fetch_sub(1, Ordering::AcqRel);
            Err(ReplayError {
                kind: ReplayErrorKind::Replayed,
            })
        }
    }

    /// [`check`](Self::check) for a parsed request that verified: it stays
    /// acceptable until its date plus `max_clock_skew` (header signatures)
    /// or until its presigned expiry.
    pub fn check_request(
        &self,
        signed: &SignedRequest<'_>,
        max_clock_skew: Duration,
        now: SystemTime,
    ) -> Result<(), ReplayError> {
        self.check(signed.signature(), valid_until(signed, max_clock_skew), now)
    }

    /// Counts the entry about to be inserted, or refuses when the cache is
    /// full of live signatures.
    fn reserve(&self) -> Result<(), ReplayError> {
        let max = self.inner.settings.max_entries;
        for attempt in 0..2 {
            let before = self.inner.live.fetch_add(1, Ordering::AcqRel);
            if before < max {
                return Ok(());
            }
            self.inner.live.fetch_sub(1, Ordering::AcqRel);
            if attempt == 0 {
                // The count includes entries moka has not swept yet: sweep
                // once before refusing.
                self.inner.cache.run_pending_tasks();
            }
        }
        Err(ReplayError {
            kind: ReplayErrorKind::CapacityExceeded,
        })
    }
}

/// The last moment a verified request stays acceptable: its date plus the
/// allowed skew for a header signature, its expiry for a presigned URL.
pub fn valid_until(signed: &SignedRequest<'_>, max_clock_skew: Duration) -> SystemTime {
    let date = signed.date().to_system_time();
    match signed.expires() {
        Some(expires) => date + Duration::from_secs(u64::from(expires)),
        None => date + max_clock_skew,
    }
}

/// A tower layer that refuses the second use of a verified signature. Put it
/// inside [`SigV4Layer`](crate::SigV4Layer), built from the same settings
/// (for the clock-skew window, the clock and the error protocol of each
/// service). See the [module docs](self) for an example.
///
/// Requests without an [`Authenticated`] caller (anonymous requests let
/// through by the settings) pass untouched.
#[derive(Clone)]
pub struct ReplayLayer {
    cache: ReplayCache,
    settings: Arc<SigV4Settings>,
}

impl ReplayLayer {
    /// Guards with `cache`, reading the skew window, the clock and the error
    /// protocols from `settings` (those of the `SigV4Layer` in front).
    pub fn new(cache: ReplayCache, settings: &SigV4Settings) -> Self {
        ReplayLayer {
            cache,
            settings: Arc::new(settings.clone()),
        }
    }

    /// The cache.
    pub fn cache(&self) -> &ReplayCache {
        &self.cache
    }
}

impl fmt::Debug for ReplayLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayLayer")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for ReplayLayer {
    type Service = ReplayService<S>;

    fn layer(&self, inner: S) -> ReplayService<S> {
        ReplayService {
            inner,
            cache: self.cache.clone(),
            settings: Arc::clone(&self.settings),
        }
    }
}

/// The service of [`ReplayLayer`].
#[derive(Clone)]
pub struct ReplayService<S> {
    inner: S,
    cache: ReplayCache,
    settings: Arc<SigV4Settings>,
}

impl<S> fmt::Debug for ReplayService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayService")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl<S> ReplayService<S> {
    /// The refusal for `request`, if it was authenticated and its signature
    /// was seen before (or cannot be remembered).
    fn refusal(&self, parts: &http::request::Parts) -> Option<Response<ErrorBody>> {
        let authenticated = parts.extensions.get::<Authenticated>()?;
        let settings = &*self.settings;
        let core = settings.verify_settings();
        let now = settings.clock().now();
        // The layer in front verified this very signature: it parses.
        let view = RequestView::from_parts(parts);
        let signed = sigv4::parse(&view, core).ok()??;
        let error = self
            .cache
            .check_request(&signed, core.max_clock_skew, now)
            .err()?;
        let protocol = settings.protocol_for(authenticated.service());
        Some(error.report(protocol).render(protocol, now))
    }
}

impl<S, ReqB, ResB> Service<Request<ReqB>> for ReplayService<S>
where
    S: Service<Request<ReqB>, Response = Response<ResB>>,
{
    type Response = Response<ResponseBody<ResB>>;
    type Error = S::Error;
    type Future = ReplayFuture<S::Future, ResB>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqB>) -> Self::Future {
        let (parts, body) = request.into_parts();
        if let Some(response) = self.refusal(&parts) {
            return ReplayFuture {
                state: FutureState::Refused {
                    response: Some(response),
                    _body: PhantomData,
                },
            };
        }
        ReplayFuture {
            state: FutureState::Inner {
                future: self.inner.call(Request::from_parts(parts, body)),
            },
        }
    }
}

pin_project! {
    /// The response future of [`ReplayService`].
    pub struct ReplayFuture<F, B> {
        #[pin]
        state: FutureState<F, B>,
    }
}

pin_project! {
    #[project = FutureStateProj]
    enum FutureState<F, B> {
        Inner { #[pin] future: F },
        Refused { response: Option<Response<ErrorBody>>, _body: PhantomData<fn() -> B> },
    }
}

impl<F, B, E> Future for ReplayFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            FutureStateProj::Inner { future } => {
                let response = ready!(future.poll(cx))?;
                Poll::Ready(Ok(response.map(ResponseBody::inner)))
            }
            FutureStateProj::Refused { response, .. } => {
                let response = response.take().expect("polled after completion");
                Poll::Ready(Ok(response.map(ResponseBody::error)))
            }
        }
    }
}

impl<F, B> fmt::Debug for ReplayFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayFuture").finish_non_exhaustive()
    }
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache::new()
    }
}

impl fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayCache")
            .field("settings", &self.inner.settings)
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(n: u64) -> [u8; 32] {
        let mut s = [0u8; 32];
        s[..8].copy_from_slice(&n.to_le_bytes());
        s
    }

    #[test]
    fn second_use_is_refused_and_other_signatures_pass() {
        let cache = ReplayCache::new();
        let now = SystemTime::now();
        let until = now + Duration::from_secs(900);
        cache.check(&sig(1), until, now).unwrap();
        cache.check(&sig(2), until, now).unwrap();
        assert_eq!(
            cache.check(&sig(1), until, now).unwrap_err().kind(),
            ReplayErrorKind::Replayed
        );
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn entries_leave_when_their_request_would_be_refused_anyway() {
        let cache = ReplayCache::new();
        let now = SystemTime::now();
        // Already at the edge of its window: kept for the one-second margin only.
        cache.check(&sig(1), now, now).unwrap();
        assert!(cache.check(&sig(1), now, now).is_err());
        std::thread::sleep(Duration::from_millis(1300));
        cache.check(&sig(1), now, now).unwrap();
    }

    #[test]
    fn a_full_cache_refuses_instead_of_evicting() {
        let cache = ReplayCache::with_settings(ReplaySettings::default().with_max_entries(100));
        let now = SystemTime::now();
        let until = now + Duration::from_secs(900);
        for n in 0..100 {
            cache.check(&sig(n), until, now).unwrap();
        }
        assert_eq!(
            cache.check(&sig(1000), until, now).unwrap_err().kind(),
            ReplayErrorKind::CapacityExceeded
        );
        // Every remembered signature is still refused: none was evicted.
        for n in 0..100 {
            assert_eq!(
                cache.check(&sig(n), until, now).unwrap_err().kind(),
                ReplayErrorKind::Replayed
            );
        }
        assert_eq!(cache.len(), 100);
    }

    #[test]
    fn a_full_cache_accepts_again_once_entries_expire() {
        let cache = ReplayCache::with_settings(ReplaySettings::default().with_max_entries(10));
        let now = SystemTime::now();
        for n in 0..10 {
            cache.check(&sig(n), now, now).unwrap();
        }
        assert!(cache.check(&sig(99), now, now).is_err());
        std::thread::sleep(Duration::from_millis(1300));
        cache.check(&sig(99), now, now).unwrap();
    }

    #[test]
    fn concurrent_uses_of_one_signature_let_exactly_one_through() {
        let cache = ReplayCache::new();
        let now = SystemTime::now();
        let until = now + Duration::from_secs(900);
        let passed = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for n in 0..200 {
                        if cache.check(&sig(n), until, now).is_ok() {
                            passed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(passed.load(Ordering::Relaxed), 200);
        assert_eq!(cache.len(), 200);
    }

    #[test]
    fn the_window_is_capped() {
        let cache = ReplayCache::with_settings(
            ReplaySettings::default().with_max_window(Duration::from_millis(200)),
        );
        let now = SystemTime::now();
        cache
            .check(&sig(1), now + Duration::from_secs(86_400), now)
            .unwrap();
        std::thread::sleep(Duration::from_millis(500));
        cache.check(&sig(1), now, now).unwrap();
    }

    mod layer {
        use std::convert::Infallible;

        use bytes::Bytes;
        use http::{Request, Response};
        use http_body_util::{BodyExt, Empty, Full};
        use tower::{Service, ServiceBuilder, ServiceExt};

        use super::super::*;
        use crate::identity::{ManualClock, StaticCredentials};
        use crate::settings::UnsignedRequests;
        use crate::{SigV4Layer, VerifiedBody};

        /// The S3 API reference's GET Object example (2013-05-24).
        fn get_object() -> Request<Empty<Bytes>> {
            Request::get("/test.txt")
                .header("host", "examplebucket.s3.amazonaws.com")
                .header("range", "bytes=0-9")
                .header("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .header("x-amz-date", "20130524T000000Z")
                .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                .body(Empty::new())
                .unwrap()
        }

        /// The presigned GET of the same page, valid for a day.
        fn presigned() -> Request<Empty<Bytes>> {
            Request::get("/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
                .header("host", "examplebucket.s3.amazonaws.com")
                .body(Empty::new())
                .unwrap()
        }

        fn settings(clock: Arc<ManualClock>) -> SigV4Settings {
            SigV4Settings::default()
                .with_region("us-east-1")
                .with_service("s3")
                .with_clock(clock)
                .with_unsigned_requests(UnsignedRequests::Anonymous)
        }

        async fn call(
            cache: &ReplayCache,
            settings: &SigV4Settings,
            req: Request<Empty<Bytes>>,
        ) -> (u16, String) {
            let store = StaticCredentials::builder()
                .root(
                    "111122223333",
                    "AKIAIOSFODNN7EXAMPLE",
                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                )
                .build()
                .unwrap();
            let mut svc = ServiceBuilder::new()
                .layer(SigV4Layer::with_settings(store, settings.clone()))
                .layer(ReplayLayer::new(cache.clone(), settings))
                .service_fn(|_req: Request<VerifiedBody<Empty<Bytes>>>| async move {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"handled"))))
                });
            let response = svc.ready().await.unwrap().call(req).await.unwrap();
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }

        #[tokio::test]
        async fn a_verified_request_is_handled_once() {
            let start = std::time::UNIX_EPOCH + Duration::from_secs(1_369_353_600);
            let clock = Arc::new(ManualClock::new(start));
            let settings = settings(clock.clone());
            let cache = ReplayCache::new();

            assert_eq!(
                call(&cache, &settings, get_object()).await,
                (200, "handled".into())
            );
            let (status, body) = call(&cache, &settings, get_object()).await;
            assert_eq!(status, 403);
            assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");

            // Another signature passes, once; an unsigned request is not guarded.
            assert_eq!(call(&cache, &settings, presigned()).await.0, 200);
            assert_eq!(call(&cache, &settings, presigned()).await.0, 403);
            let anonymous = || Request::get("/public").body(Empty::new()).unwrap();
            assert_eq!(call(&cache, &settings, anonymous()).await.0, 200);
            assert_eq!(call(&cache, &settings, anonymous()).await.0, 200);
            assert_eq!(cache.len(), 2);

            // A request the layer refuses is not remembered: its signature
            // stays usable by the genuine request.
            clock.set(start + Duration::from_secs(3600));
            let cache = ReplayCache::new();
            assert_eq!(call(&cache, &settings, get_object()).await.0, 403);
            assert!(cache.is_empty());
        }

        #[tokio::test]
        async fn a_full_cache_answers_slow_down() {
            let clock = Arc::new(ManualClock::new(
                std::time::UNIX_EPOCH + Duration::from_secs(1_369_353_600),
            ));
            let settings = settings(clock);
            let cache = ReplayCache::with_settings(ReplaySettings::default().with_max_entries(1));
            assert_eq!(call(&cache, &settings, get_object()).await.0, 200);
            let (status, body) = call(&cache, &settings, presigned()).await;
            assert_eq!(status, 503);
            assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
        }

        #[test]
        fn reports_in_each_protocol() {
            let replayed = ReplayError {
                kind: ReplayErrorKind::Replayed,
            };
            assert_eq!(replayed.report(ErrorProtocol::S3).code(), "AccessDenied");
            assert_eq!(
                replayed.report(ErrorProtocol::AwsJson1_1).code(),
                "AccessDeniedException"
            );
            let full = ReplayError {
                kind: ReplayErrorKind::CapacityExceeded,
            };
            assert_eq!(full.report(ErrorProtocol::S3).status(), 503);
            assert_eq!(
                full.report(ErrorProtocol::STS).code(),
                "ThrottlingException"
            );
        }
    }
}
