//! Caches in front of the expensive parts of identity: credential lookups
//! ([`CachedStore`]) and signing-key derivation ([`SigningKeyCache`]).

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::clock::{Clock, SystemClock};
use super::front::{self, Front, Lookup};
use super::secret::SecretKey;
use super::store::{Credential, CredentialStore, LookupError, LookupErrorKind};
use crate::sigv4::SigningKey;

/// Settings of a [`CachedStore`].
///
/// Memory: each positive entry holds the access key id, 37 bytes of key
/// (a session token is kept as its SHA-256, never whole) and one
/// [`Credential`] (two reference counts, plus the principal of a session);
/// a negative entry holds the key and one byte. Both caches are bounded by
/// entry count, so their memory stays within `max_entries` and
/// `max_negative_entries` times a few hundred bytes whatever keys arrive.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CacheSettings {
    /// How long a found credential is served without asking the store again
    /// (default 60 s): the delay before a revoked key stops working (a
    /// server thread may go on serving a credential it has just read from
    /// the cache for at most 250 ms more; [`CachedStore::invalidate`] takes
    /// effect at once).
    pub ttl: Duration,
    /// The most credentials kept (default 10,000).
    pub max_entries: u64,
    /// How long a definitive failure (unknown key, bad token, …) is
    /// remembered (default 5 s): the delay before a new key starts working.
    pub negative_ttl: Duration,
    /// The most failures kept (default 10,000): under a flood of random keys
    /// the cache stays this size.
    pub max_negative_entries: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        CacheSettings {
            ttl: Duration::from_secs(60),
            max_entries: 10_000,
            negative_ttl: Duration::from_secs(5),
            max_negative_entries: 10_000,
        }
    }
}

impl CacheSettings {
    /// Sets [`ttl`](Self::ttl).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets [`max_entries`](Self::max_entries).
    pub fn with_max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets [`negative_ttl`](Self::negative_ttl).
    pub fn with_negative_ttl(mut self, negative_ttl: Duration) -> Self {
        self.negative_ttl = negative_ttl;
        self
    }

    /// Sets [`max_negative_entries`](Self::max_negative_entries).
    pub fn with_max_negative_entries(mut self, max_negative_entries: u64) -> Self {
        self.max_negative_entries = max_negative_entries;
        self
    }
}

/// Counters of a [`CachedStore`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups answered from a cached credential.
    pub hits: u64,
    /// Lookups answered from a cached failure.
    pub negative_hits: u64,
    /// Lookups that reached the inner store (concurrent misses for one key
    /// count once).
    pub store_calls: u64,
    /// Credentials held (moka counts lazily: call
    /// [`CachedStore::run_pending_tasks`] first for an exact figure).
    pub entries: u64,
    /// Failures held.
    pub negative_entries: u64,
}

/// A [`CredentialStore`] that remembers what another store answered.
///
/// - Found credentials are served for [`CacheSettings::ttl`]; temporary ones
///   never past their expiry (then `ExpiredToken`).
/// - Definitive failures (unknown key, token required, invalid or expired)
///   are remembered for [`CacheSettings::negative_ttl`] in a separate,
///   smaller-bounded cache, so a flood of random keys neither grows memory
///   nor asks the store twice for one key.
/// - Concurrent misses for one key make one call to the inner store; the
///   others wait for its answer. If the caller running that call is dropped
///   mid-lookup, a waiting caller takes over (moka's `try_get_with`).
/// - Backend failures are not remembered.
///
/// Keys are the access key id and, for temporary credentials, the SHA-256
/// of the session token, so a cached credential is only served with the
/// token it was found with.
///
/// ```
/// use std::time::Duration;
/// use tower_sigv4::identity::{CacheSettings, CachedStore, CredentialStore, StaticCredentials};
///
/// let store = StaticCredentials::builder()
///     .root("111122223333", "AKIAROOT", "root-secret")
///     .build()
///     .unwrap();
/// let cached = CachedStore::with_settings(store, CacheSettings::default().with_ttl(Duration::from_secs(30)));
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// cached.lookup("AKIAROOT", None).await.unwrap();
/// cached.lookup("AKIAROOT", None).await.unwrap();
/// assert_eq!(cached.stats().store_calls, 1);
/// assert_eq!(cached.stats().hits, 1);
/// # });
/// ```
pub struct CachedStore<S> {
    inner: S,
    settings: CacheSettings,
    positive: moka::future::Cache<Vec<u8>, Credential>,
    negative: moka::future::Cache<Vec<u8>, LookupErrorKind>,
    clock: Arc<dyn Clock>,
    hits: AtomicU64,
    negative_hits: AtomicU64,
    store_calls: AtomicU64,
    /// Names this store in the threads' fronts (see [`front`]).
    instance: u64,
    /// Bumped whenever entries are invalidated: front entries of an older
    /// generation answer nothing.
    generation: AtomicU64,
}

/// The longest a thread's front serves a credential after the shared cache
/// last gave it (never longer than the time to live): the most by which a
/// front can outlast a moka entry that has just expired.
const CREDENTIAL_FRONT_MAX_AGE: Duration = Duration::from_millis(250);

impl<S> CachedStore<S> {
    /// Caches `inner` with the default settings.
    pub fn new(inner: S) -> Self {
        CachedStore::with_settings(inner, CacheSettings::default())
    }

    /// Caches `inner` with `settings`.
    pub fn with_settings(inner: S, settings: CacheSettings) -> Self {
        let positive = moka::future::Cache::builder()
            .max_capacity(settings.max_entries)
            .time_to_live(settings.ttl)
            .build();
        let negative = moka::future::Cache::builder()
            .max_capacity(settings.max_negative_entries)
            .time_to_live(settings.negative_ttl)
            .build();
        CachedStore {
            inner,
            settings,
            positive,
            negative,
            clock: Arc::new(SystemClock),
            hits: AtomicU64::new(0),
            negative_hits: AtomicU64::new(0),
            store_calls: AtomicU64::new(0),
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            generation: AtomicU64::new(0),
        }
    }

    /// The clock that decides whether cached temporary credentials have
    /// expired (the TTLs themselves run on moka's monotonic clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The inner store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The settings.
    pub fn settings(&self) -> &CacheSettings {
        &self.settings
    }

    /// Forgets what is cached for this key and token (for example right
    /// after revoking or rotating the key), so the next lookup asks the store.
    pub async fn invalidate(&self, access_key_id: &str, session_token: Option<&str>) {
        let key = LookupKey::new(access_key_id, session_token);
        self.positive.invalidate(key.as_slice()).await;
        self.negative.invalidate(key.as_slice()).await;
        // After the shared cache forgot: a thread that read the generation
        // before this either took the value before the invalidation (and its
        // front entry is of the old generation) or finds it gone.
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Forgets everything.
    pub fn invalidate_all(&self) {
        self.positive.invalidate_all();
        self.negative.invalidate_all();
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Runs moka's pending housekeeping (evictions, expirations), so that
    /// entry counts are exact.
    pub async fn run_pending_tasks(&self) {
        self.positive.run_pending_tasks().await;
        self.negative.run_pending_tasks().await;
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            negative_hits: self.negative_hits.load(Ordering::Relaxed),
            store_calls: self.store_calls.load(Ordering::Relaxed),
            entries: self.positive.entry_count(),
            negative_entries: self.negative.entry_count(),
        }
    }

    async fn fresh(&self, credential: Credential, key: &[u8]) -> Result<Credential, LookupError> {
        if credential.is_expired_at(self.clock.now()) {
            self.positive.invalidate(key).await;
            self.negative
                .insert(key.to_vec(), LookupErrorKind::TokenExpired)
                .await;
            return Err(LookupError::token_expired());
        }
        Ok(credential)
    }
}

impl<S: CredentialStore> CredentialStore for CachedStore<S> {
    async fn lookup(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Result<Credential, LookupError> {
        let key = LookupKey::new(access_key_id, session_token);
        let key = key.as_slice();
        if let Some(credential) = self.positive.get(key).await {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return self.fresh(credential, key).await;
        }
        if let Some(kind) = self.negative.get(key).await {
            self.negative_hits.fetch_add(1, Ordering::Relaxed);
            return Err(LookupError::new(kind));
        }
        let init = async {
            self.store_calls.fetch_add(1, Ordering::Relaxed);
            self.inner.lookup(access_key_id, session_token).await
        };
        match self.positive.try_get_with_by_ref(key, init).await {
            Ok(credential) => self.fresh(credential, key).await,
            Err(shared) => {
                let err = LookupError::clone(&shared);
                if err.kind().is_definitive() {
                    self.negative.insert(key.to_vec(), err.kind()).await;
                }
                Err(err)
            }
        }
    }

    /// A hit of either cache, when moka answers without waiting; a miss (or
    /// an expired credential, which [`lookup`](Self::lookup) evicts) is left
    /// to `lookup`.
    fn lookup_now(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
    ) -> Option<Result<Credential, LookupError>> {
        let key = LookupKey::new(access_key_id, session_token);
        let key = key.as_slice();
        let now = self.clock.now();
        // Read before the shared cache, see `invalidate`.
        let generation = self.generation.load(Ordering::Acquire);
        // The front's age runs on the monotonic clock, as moka's time to live.
        let mono = Instant::now();
        let max_age = CREDENTIAL_FRONT_MAX_AGE.min(self.settings.ttl);
        let fronted = front::with(&CREDENTIALS, |f| {
            f.get(self.instance, generation, key, Some((mono, max_age)))
        });
        if let Some(Lookup::Hit(credential)) = fronted {
            if credential.is_expired_at(now) {
                return None;
            }
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Some(Ok(credential));
        }
        // moka's reads do not wait on IO; one poll answers them. A read that
        // does not (housekeeping under contention) is dropped, which moka
        // allows, and `lookup` runs instead.
        let mut cx = Context::from_waker(Waker::noop());
        let found = pin!(self.positive.get(key)).poll(&mut cx);
        match found {
            Poll::Ready(Some(credential)) => {
                if credential.is_expired_at(now) {
                    front::with(&CREDENTIALS, |f| f.forget(key));
                    return None;
                }
                front::with(&CREDENTIALS, |f| {
                    f.put(self.instance, generation, key, &credential, mono)
                });
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Some(Ok(credential));
            }
            Poll::Ready(None) => {
                front::with(&CREDENTIALS, |f| f.forget(key));
            }
            Poll::Pending => return None,
        }
        let refused = pin!(self.negative.get(key)).poll(&mut cx);
        match refused {
            Poll::Ready(Some(kind)) => {
                self.negative_hits.fetch_add(1, Ordering::Relaxed);
                Some(Err(LookupError::new(kind)))
            }
            _ => None,
        }
    }

    fn answers_now(&self) -> bool {
        true
    }
}

impl<S: fmt::Debug> fmt::Debug for CachedStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedStore")
            .field("inner", &self.inner)
            .field("settings", &self.settings)
            .field("stats", &self.stats())
            .finish()
    }
}

/// The bytes that name one lookup, built on the stack when they fit.
enum LookupKey {
    Inline([u8; 128], usize),
    Heap(Vec<u8>),
}

impl LookupKey {
    // `len(akid) ‖ akid ‖ 0`, or `len(akid) ‖ akid ‖ 1 ‖ SHA-256(token)`: the
    // length prefix keeps the akid and what follows apart, the digest keeps
    // entries small whatever the token's length.
    fn new(access_key_id: &str, session_token: Option<&str>) -> Self {
        let akid = access_key_id.as_bytes();
        let akid_len = u32::try_from(akid.len()).unwrap_or(u32::MAX);
        let akid = &akid[..akid_len as usize];
        let digest: Option<[u8; 32]> = session_token.map(|t| Sha256::digest(t.as_bytes()).into());
        let total = 4 + akid.len() + 1 + digest.map_or(0, |d| d.len());
        let write = |out: &mut [u8]| {
            out[..4].copy_from_slice(&akid_len.to_be_bytes());
            out[4..4 + akid.len()].copy_from_slice(akid);
            let at = 4 + akid.len();
            match &digest {
                None => out[at] = 0,
                Some(d) => {
                    out[at] = 1;
                    out[at + 1..at + 33].copy_from_slice(d);
                }
            }
        };
        if total <= 128 {
            let mut buf = [0u8; 128];
            write(&mut buf[..total]);
            LookupKey::Inline(buf, total)
        } else {
            let mut buf = vec![0u8; total];
            write(&mut buf);
            LookupKey::Heap(buf)
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            LookupKey::Inline(buf, len) => &buf[..*len],
            LookupKey::Heap(buf) => buf,
        }
    }
}

/// Settings of a [`SigningKeyCache`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SigningKeyCacheSettings {
    /// The most signing keys kept (default 10,000; about 200 bytes each).
    pub max_entries: u64,
    /// A key unused this long is dropped (default 1 hour).
    pub time_to_idle: Duration,
}

impl Default for SigningKeyCacheSettings {
    fn default() -> Self {
        SigningKeyCacheSettings {
            max_entries: 10_000,
            time_to_idle: Duration::from_secs(3600),
        }
    }
}

impl SigningKeyCacheSettings {
    /// Sets [`max_entries`](Self::max_entries).
    pub fn with_max_entries(mut self, max_entries: u64) -> Self {
        self.max_entries = max_entries;
        self
    }

    /// Sets [`time_to_idle`](Self::time_to_idle).
    pub fn with_time_to_idle(mut self, time_to_idle: Duration) -> Self {
        self.time_to_idle = time_to_idle;
        self
    }
}

/// Counters of a [`SigningKeyCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningKeyCacheStats {
    /// Keys served from the cache.
    pub hits: u64,
    /// Keys derived (and then cached).
    pub misses: u64,
    /// Keys held (counted lazily by moka).
    pub entries: u64,
}

/// Derived SigV4 signing keys, kept so that a request costs one HMAC
/// instead of five.
///
/// A key is cached under the access key id, a fingerprint of the secret
/// (an HMAC of it under a per-process random key, never the secret itself),
/// the scope date, region and service. A rotated or revoked secret has
/// another fingerprint, so a key derived from an old secret is never served
/// for a new one: old signatures fail as soon as the credential store
/// answers with the new secret.
///
/// Synchronous (moka's `sync::Cache`): a miss costs a derivation of about a
/// microsecond and never waits on IO, so there is nothing to await.
///
/// In front of the shared cache, each thread keeps the last few keys it used
/// (8), under the same ids: a hit there touches no shared state, which
/// matters on the hot path (a lookup in the shared cache cost about as much
/// as the rest of verifying a small request). One front hit in 64 still goes
/// to the shared cache, so that its idle timer and eviction see the key in
/// use, and a key it has dropped leaves the front; `invalidate_all` empties
/// every thread's front at once.
///
/// ```
/// use tower_sigv4::identity::{SecretKey, SigningKeyCache};
/// use tower_sigv4::sigv4::SigningKey;
///
/// let cache = SigningKeyCache::new();
/// let secret = SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
/// let key = cache.signing_key("AKIDEXAMPLE", &secret, "20150830", "us-east-1", "iam");
/// let again = cache.signing_key("AKIDEXAMPLE", &secret, "20150830", "us-east-1", "iam");
/// assert_eq!(key.as_bytes(), again.as_bytes());
/// assert_eq!(
///     key.as_bytes(),
///     SigningKey::derive(secret.as_bytes(), "20150830", "us-east-1", "iam").as_bytes()
/// );
/// assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));
/// ```
pub struct SigningKeyCache {
    cache: moka::sync::Cache<Vec<u8>, SigningKey>,
    settings: SigningKeyCacheSettings,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Names this cache in the threads' fronts (see [`front`]).
    instance: u64,
    /// Bumped by `invalidate_all`: front entries of an older generation
    /// answer nothing.
    generation: AtomicU64,
}

/// Instance numbers of the caches made in this process.
static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The last signing keys this thread used (see [`front`]). Keys have no
    /// time to live, only an idle timer, so their entries carry no age.
    static SIGNING_KEYS: RefCell<Front<SigningKey>> = const { RefCell::new(Front::new()) };
    /// The last credentials this thread found in a [`CachedStore`].
    static CREDENTIALS: RefCell<Front<Credential>> = const { RefCell::new(Front::new()) };
}

/// Room on the stack for a cache key: fingerprint, three length-prefixed
/// scope parts and the access key id. Longer keys are derived uncached.
const SIGNING_KEY_ID_MAX: usize = 384;

impl SigningKeyCache {
    /// A cache with the default settings.
    pub fn new() -> Self {
        SigningKeyCache::with_settings(SigningKeyCacheSettings::default())
    }

    /// A cache with `settings`.
    pub fn with_settings(settings: SigningKeyCacheSettings) -> Self {
        let cache = moka::sync::Cache::builder()
            .max_capacity(settings.max_entries)
            .time_to_idle(settings.time_to_idle)
            .build();
        SigningKeyCache {
            cache,
            settings,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            generation: AtomicU64::new(0),
        }
    }

    /// The signing key of `secret` for the scope `date/region/service`, from
    /// the cache or derived (and cached). No allocation on a hit.
    pub fn signing_key(
        &self,
        access_key_id: &str,
        secret: &SecretKey,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        let mut buf = [0u8; SIGNING_KEY_ID_MAX];
        let Some(len) = write_signing_key_id(
            &mut buf,
            secret.fingerprint(),
            access_key_id,
            date,
            region,
            service,
        ) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return SigningKey::derive(secret.as_bytes(), date, region, service);
        };
        let id = &buf[..len];
        let generation = self.generation.load(Ordering::Acquire);
        let fronted = front::with(&SIGNING_KEYS, |f| {
            f.get(self.instance, generation, id, None)
        });
        if let Some(Lookup::Hit(key)) = fronted {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return key;
        }
        let put = |key: &SigningKey| {
            front::with(&SIGNING_KEYS, |f| {
                f.put(self.instance, generation, id, key, Instant::now())
            })
        };
        if let Some(key) = self.cache.get(id) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            put(&key);
            return key;
        }
        // Gone from the shared cache (idle, evicted, invalidated): gone from
        // this thread's front too, until derived again.
        front::with(&SIGNING_KEYS, |f| f.forget(id));
        self.misses.fetch_add(1, Ordering::Relaxed);
        let key = SigningKey::derive(secret.as_bytes(), date, region, service);
        self.cache.insert(id.to_vec(), key.clone());
        put(&key);
        key
    }

    /// The counters.
    pub fn stats(&self) -> SigningKeyCacheStats {
        SigningKeyCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.cache.entry_count(),
        }
    }

    /// The settings.
    pub fn settings(&self) -> &SigningKeyCacheSettings {
        &self.settings
    }

    /// Drops every key.
    pub fn invalidate_all(&self) {
        // First: from here on no thread's front answers with a key from
        // before this call.
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.cache.invalidate_all();
    }

    /// Runs moka's pending housekeeping, so that the entry count is exact.
    pub fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks();
    }
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        SigningKeyCache::new()
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("settings", &self.settings)
            .field("stats", &self.stats())
            .finish()
    }
}

/// `fingerprint ‖ len ‖ date ‖ len ‖ region ‖ len ‖ service ‖ len ‖ akid`,
/// or `None` when a part is too long to be cached.
fn write_signing_key_id(
    buf: &mut [u8; SIGNING_KEY_ID_MAX],
    fingerprint: &[u8; 32],
    access_key_id: &str,
    date: &str,
    region: &str,
    service: &str,
) -> Option<usize> {
    buf[..32].copy_from_slice(fingerprint);
    let mut at = 32;
    for part in [date, region, service, access_key_id] {
        let bytes = part.as_bytes();
        let len = u8::try_from(bytes.len()).ok()?;
        if at + 1 + bytes.len() > buf.len() {
            return None;
        }
        buf[at] = len;
        buf[at + 1..at + 1 + bytes.len()].copy_from_slice(bytes);
        at += 1 + bytes.len();
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hits_answer_now_misses_are_left_to_lookup() {
        let store = super::super::StaticCredentials::builder()
            .root("111122223333", "AKIAROOT", "root-secret")
            .build()
            .unwrap();
        let cached = CachedStore::new(store);
        assert!(cached.answers_now());
        // Nothing cached yet: `lookup` has to ask the store.
        assert!(cached.lookup_now("AKIAROOT", None).is_none());
        assert!(cached.lookup_now("AKIANOBODY", None).is_none());
        cached.lookup("AKIAROOT", None).await.unwrap();
        let _ = cached.lookup("AKIANOBODY", None).await.unwrap_err();
        let found = cached.lookup_now("AKIAROOT", None).unwrap().unwrap();
        assert_eq!(found.secret().as_bytes(), b"root-secret");
        let refused = cached.lookup_now("AKIANOBODY", None).unwrap().unwrap_err();
        assert_eq!(refused.kind(), LookupErrorKind::UnknownAccessKey);
        let stats = cached.stats();
        assert_eq!(
            (stats.store_calls, stats.hits, stats.negative_hits),
            (2, 1, 1)
        );
    }

    /// A store whose one key can be revoked, counting its calls.
    fn revocable() -> (impl CredentialStore, Arc<std::sync::atomic::AtomicBool>) {
        let revoked = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&revoked);
        let root: Arc<super::super::Principal> =
            Arc::new("arn:aws:iam::111122223333:root".parse().unwrap());
        let store = super::super::store_fn(move |akid: &str, _token: Option<&str>| {
            let found = if akid == "AKIAROOT" && !flag.load(Ordering::SeqCst) {
                Ok(Credential::new("root-secret", Arc::clone(&root)))
            } else {
                Err(LookupError::unknown_access_key())
            };
            async move { found }
        });
        (store, revoked)
    }

    #[tokio::test]
    async fn invalidation_reaches_the_thread_front_at_once() {
        let (store, revoked) = revocable();
        let cached = CachedStore::new(store);
        cached.lookup("AKIAROOT", None).await.unwrap();
        // Served from the shared cache, then from this thread's front.
        for _ in 0..3 {
            assert!(cached.lookup_now("AKIAROOT", None).unwrap().is_ok());
        }
        revoked.store(true, Ordering::SeqCst);
        cached.invalidate("AKIAROOT", None).await;
        assert!(
            cached.lookup_now("AKIAROOT", None).is_none(),
            "a revoked and invalidated key is not served from the front"
        );
        let err = cached.lookup("AKIAROOT", None).await.unwrap_err();
        assert_eq!(err.kind(), LookupErrorKind::UnknownAccessKey);
        // The same through invalidate_all.
        revoked.store(false, Ordering::SeqCst);
        cached.invalidate_all();
        cached.lookup("AKIAROOT", None).await.unwrap();
        assert!(cached.lookup_now("AKIAROOT", None).unwrap().is_ok());
        revoked.store(true, Ordering::SeqCst);
        cached.invalidate_all();
        assert!(cached.lookup_now("AKIAROOT", None).is_none());
    }

    #[tokio::test]
    async fn the_thread_front_does_not_outlast_the_time_to_live() {
        let (store, revoked) = revocable();
        // Under the front's own bound of 250 ms, so that the time to live is
        // what ends the front's entry.
        let ttl = Duration::from_millis(200);
        let cached = CachedStore::with_settings(store, CacheSettings::default().with_ttl(ttl));
        let fetched = std::time::Instant::now();
        cached.lookup("AKIAROOT", None).await.unwrap();
        let (first, second) = (
            cached.lookup_now("AKIAROOT", None),
            cached.lookup_now("AKIAROOT", None),
        );
        // Within the time to live, the front answers (unless this thread
        // was held up past it, as on a loaded machine: then there is
        // nothing to say about this part).
        if fetched.elapsed() < ttl {
            assert!(first.is_some_and(|r| r.is_ok()));
            assert!(second.is_some_and(|r| r.is_ok()));
        }
        // Revoked in the store, no invalidation: the key stops working once
        // the time to live has passed, front or not.
        revoked.store(true, Ordering::SeqCst);
        tokio::time::sleep(ttl + Duration::from_millis(30)).await;
        assert!(cached.lookup_now("AKIAROOT", None).is_none());
        assert!(cached.lookup("AKIAROOT", None).await.is_err());
        assert_eq!(cached.stats().store_calls, 2);
    }

    #[tokio::test]
    async fn each_store_has_its_own_front_entries() {
        // Two caches over stores that answer differently for one key: a
        // thread that has used the first must not answer the second from it.
        let (first, _) = revocable();
        let (second, revoked) = revocable();
        revoked.store(true, Ordering::SeqCst);
        let a = CachedStore::new(first);
        let b = CachedStore::new(second);
        a.lookup("AKIAROOT", None).await.unwrap();
        assert!(a.lookup_now("AKIAROOT", None).unwrap().is_ok());
        assert!(a.lookup_now("AKIAROOT", None).unwrap().is_ok());
        assert!(b.lookup_now("AKIAROOT", None).is_none());
        assert!(b.lookup("AKIAROOT", None).await.is_err());
    }

    #[test]
    fn lookup_keys_separate_akid_and_token() {
        // Without the length prefix `AB` + token and `A` + … could collide.
        let a = LookupKey::new("AKIA1", None);
        let b = LookupKey::new("AKIA1", Some(""));
        let c = LookupKey::new("AKIA12", None);
        assert_ne!(a.as_slice(), b.as_slice());
        assert_ne!(a.as_slice(), c.as_slice());
        let long = "A".repeat(200);
        let d = LookupKey::new(&long, Some("t"));
        assert!(matches!(d, LookupKey::Heap(_)));
        assert_eq!(d.as_slice().len(), 4 + 200 + 1 + 32);
    }

    #[test]
    fn over_long_scope_parts_are_derived_uncached() {
        let cache = SigningKeyCache::new();
        let secret = SecretKey::from("s");
        let region = "r".repeat(300);
        let k = cache.signing_key("AKID", &secret, "20150830", &region, "svc");
        assert_eq!(
            k.as_bytes(),
            SigningKey::derive(b"s", "20150830", &region, "svc").as_bytes()
        );
        cache.run_pending_tasks();
        assert_eq!(cache.stats().entries, 0);
        assert_eq!(cache.stats().misses, 1);
    }
}
