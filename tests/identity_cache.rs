//! Caches: rotation and revocation, bounded negative entries under a flood
//! of random keys, coalesced concurrent misses, cancelled lookups, and the
//! signing-key cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use tower_sigv4::identity::{
    store_fn, CacheSettings, CachedStore, Credential, CredentialStore, LookupError,
    LookupErrorKind, ManualClock, Principal, SecretKey, SigningKeyCache, SigningKeyCacheSettings,
};
use tower_sigv4::sigv4::SigningKey;

const AKID: &str = "AKIAALICE00000000001";
const STRING_TO_SIGN: &[u8] =
    b"AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n\
      f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";

/// A backend whose keys can be changed while a cache sits in front of it,
/// counting its calls and optionally slow.
#[derive(Clone)]
struct Backend {
    secrets: Arc<Mutex<HashMap<String, String>>>,
    calls: Arc<AtomicUsize>,
    delay: Duration,
}

impl Backend {
    fn new(delay: Duration) -> Self {
        let mut secrets = HashMap::new();
        secrets.insert(AKID.to_owned(), "old-secret".to_owned());
        Backend {
            secrets: Arc::new(Mutex::new(secrets)),
            calls: Arc::new(AtomicUsize::new(0)),
            delay,
        }
    }

    fn set(&self, akid: &str, secret: Option<&str>) {
        let mut map = self.secrets.lock().unwrap();
        match secret {
            Some(s) => map.insert(akid.to_owned(), s.to_owned()),
            None => map.remove(akid),
        };
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn store(&self) -> impl CredentialStore + 'static {
        let backend = self.clone();
        let alice: Arc<Principal> =
            Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
        store_fn(move |akid: &str, _token: Option<&str>| {
            let backend = backend.clone();
            let alice = alice.clone();
            let akid = akid.to_owned();
            async move {
                backend.calls.fetch_add(1, Ordering::SeqCst);
                if !backend.delay.is_zero() {
                    tokio::time::sleep(backend.delay).await;
                }
                let secret = backend.secrets.lock().unwrap().get(&akid).cloned();
                secret
                    .map(|s| Credential::new(s, alice))
                    .ok_or_else(LookupError::unknown_access_key)
            }
        })
    }
}

fn sign_with(secret: &[u8]) -> [u8; 32] {
    SigningKey::derive(secret, "20150830", "us-east-1", "iam").sign(STRING_TO_SIGN)
}

#[tokio::test]
async fn rotation_never_serves_a_key_derived_from_the_old_secret() {
    let backend = Backend::new(Duration::ZERO);
    let store = CachedStore::new(backend.store());
    let keys = SigningKeyCache::new();

    let credential = store.lookup(AKID, None).await.unwrap();
    let old_key = keys.signing_key(AKID, credential.secret(), "20150830", "us-east-1", "iam");
    let old_signature = sign_with(b"old-secret");
    assert_eq!(old_key.sign(STRING_TO_SIGN), old_signature);
    // Warm: the same secret gives the cached key.
    let again = keys.signing_key(AKID, credential.secret(), "20150830", "us-east-1", "iam");
    assert_eq!(again.as_bytes(), old_key.as_bytes());
    assert_eq!((keys.stats().hits, keys.stats().misses), (1, 1));

    // The secret is rotated and the rotation tool invalidates the cache.
    backend.set(AKID, Some("new-secret"));
    store.invalidate(AKID, None).await;
    let credential = store.lookup(AKID, None).await.unwrap();
    assert_eq!(credential.secret().as_bytes(), b"new-secret");
    let new_key = keys.signing_key(AKID, credential.secret(), "20150830", "us-east-1", "iam");
    // A miss, not the old key: the old signature fails at once…
    assert_eq!(keys.stats().misses, 2);
    assert_ne!(new_key.as_bytes(), old_key.as_bytes());
    assert_ne!(new_key.sign(STRING_TO_SIGN), old_signature);
    // …and the new one verifies.
    assert_eq!(new_key.sign(STRING_TO_SIGN), sign_with(b"new-secret"));
}

#[tokio::test]
async fn rotation_and_revocation_become_visible_after_the_ttl() {
    let backend = Backend::new(Duration::ZERO);
    let ttl = Duration::from_millis(300);
    let store = CachedStore::with_settings(backend.store(), CacheSettings::default().with_ttl(ttl));
    assert_eq!(
        store.lookup(AKID, None).await.unwrap().secret().as_bytes(),
        b"old-secret"
    );

    // Within the TTL the cached answer stands…
    backend.set(AKID, Some("new-secret"));
    assert_eq!(
        store.lookup(AKID, None).await.unwrap().secret().as_bytes(),
        b"old-secret"
    );
    assert_eq!(backend.calls(), 1);
    // …after it, the store is asked again.
    tokio::time::sleep(ttl + Duration::from_millis(150)).await;
    assert_eq!(
        store.lookup(AKID, None).await.unwrap().secret().as_bytes(),
        b"new-secret"
    );
    assert_eq!(backend.calls(), 2);

    // Revocation: the key disappears from the backend.
    backend.set(AKID, None);
    assert!(store.lookup(AKID, None).await.is_ok(), "still cached");
    tokio::time::sleep(ttl + Duration::from_millis(150)).await;
    assert_eq!(
        store.lookup(AKID, None).await.unwrap_err().kind(),
        LookupErrorKind::UnknownAccessKey
    );
}

#[tokio::test]
async fn negative_entries_stay_bounded_under_100k_random_keys() {
    const BOUND: u64 = 1_000;
    let backend = Backend::new(Duration::ZERO);
    let store = CachedStore::with_settings(
        backend.store(),
        CacheSettings::default()
            .with_max_negative_entries(BOUND)
            .with_negative_ttl(Duration::from_secs(60)),
    );
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..100_000u32 {
        // xorshift: distinct, unpredictable-looking keys.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let key = format!("AKIA{state:016X}");
        let err = store.lookup(&key, None).await.unwrap_err();
        assert_eq!(err.kind(), LookupErrorKind::UnknownAccessKey);
        if i % 10_000 == 9_999 {
            store.run_pending_tasks().await;
            let stats = store.stats();
            assert!(
                stats.negative_entries <= BOUND,
                "after {} keys: {} negative entries",
                i + 1,
                stats.negative_entries
            );
        }
    }
    store.run_pending_tasks().await;
    let stats = store.stats();
    assert!(stats.negative_entries <= BOUND, "{stats:?}");
    assert!(stats.negative_entries > 0, "{stats:?}");
    assert_eq!(stats.entries, 0, "failures never enter the positive cache");
    assert_eq!(stats.store_calls, 100_000);
    assert_eq!(backend.calls(), 100_000);
}

#[tokio::test]
async fn a_repeated_unknown_key_reaches_the_backend_once_per_negative_ttl() {
    let backend = Backend::new(Duration::ZERO);
    let store = CachedStore::with_settings(
        backend.store(),
        CacheSettings::default().with_negative_ttl(Duration::from_millis(300)),
    );
    for _ in 0..100 {
        assert!(store.lookup("AKIANOBODY", None).await.is_err());
    }
    assert_eq!(backend.calls(), 1);
    assert_eq!(store.stats().negative_hits, 99);
    // A key created after the failure works once the negative entry lapses.
    backend.set("AKIANOBODY", Some("now-exists"));
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(store.lookup("AKIANOBODY", None).await.is_ok());
    assert_eq!(backend.calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_misses_make_one_backend_call() {
    let backend = Backend::new(Duration::from_millis(200));
    let store = Arc::new(CachedStore::new(backend.store()));
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.lookup(AKID, None).await
        }));
    }
    for task in tasks {
        let credential = task.await.unwrap().unwrap();
        assert_eq!(credential.secret().as_bytes(), b"old-secret");
    }
    assert_eq!(backend.calls(), 1);
    assert_eq!(store.stats().store_calls, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_misses_of_an_unknown_key_make_one_backend_call() {
    let backend = Backend::new(Duration::from_millis(200));
    let store = Arc::new(CachedStore::new(backend.store()));
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.lookup("AKIANOBODY", None).await
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.unwrap().unwrap_err().kind(),
            LookupErrorKind::UnknownAccessKey
        );
    }
    assert_eq!(backend.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_dropped_mid_lookup_hands_over_to_a_waiting_one() {
    let backend = Backend::new(Duration::from_millis(300));
    let store = Arc::new(CachedStore::new(backend.store()));

    let first = {
        let store = store.clone();
        tokio::spawn(async move { store.lookup(AKID, None).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = {
        let store = store.clone();
        tokio::spawn(async move { store.lookup(AKID, None).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    // The caller running the backend call goes away mid-lookup.
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());

    // The waiting caller is not stranded: it runs the lookup itself.
    let credential = tokio::time::timeout(Duration::from_secs(5), second)
        .await
        .expect("the waiting caller finishes")
        .unwrap()
        .unwrap();
    assert_eq!(credential.secret().as_bytes(), b"old-secret");
    assert_eq!(backend.calls(), 2);

    // And the result is cached for everyone after.
    store.lookup(AKID, None).await.unwrap();
    assert_eq!(backend.calls(), 2);
}

#[tokio::test]
async fn a_dropped_lone_lookup_leaves_nothing_stuck() {
    let backend = Backend::new(Duration::from_millis(200));
    let store = CachedStore::new(backend.store());
    let dropped = tokio::time::timeout(Duration::from_millis(50), store.lookup(AKID, None)).await;
    assert!(dropped.is_err(), "the first lookup was cut short");
    let credential = tokio::time::timeout(Duration::from_secs(5), store.lookup(AKID, None))
        .await
        .expect("not stuck")
        .unwrap();
    assert_eq!(credential.secret().as_bytes(), b"old-secret");
}

#[tokio::test]
async fn backend_failures_are_not_remembered() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let alice: Arc<Principal> = Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
    let flaky = store_fn(move |_: &str, _: Option<&str>| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let alice = alice.clone();
        async move {
            if n == 0 {
                Err(LookupError::backend("timeout"))
            } else {
                Ok(Credential::new("s", alice))
            }
        }
    });
    let store = CachedStore::new(flaky);
    assert_eq!(
        store.lookup(AKID, None).await.unwrap_err().kind(),
        LookupErrorKind::Backend
    );
    assert!(store.lookup(AKID, None).await.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_cached_credential_is_served_only_with_its_token() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let alice: Arc<Principal> = Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
    let inner = store_fn(move |_: &str, token: Option<&str>| {
        counter.fetch_add(1, Ordering::SeqCst);
        let result = match token {
            Some("good") => Ok(Credential::new("s", alice.clone())),
            _ => Err(LookupError::token_invalid()),
        };
        async move { result }
    });
    let store = CachedStore::new(inner);
    assert!(store.lookup("ASIAX", Some("good")).await.is_ok());
    assert!(store.lookup("ASIAX", Some("good")).await.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(
        store
            .lookup("ASIAX", Some("evil"))
            .await
            .unwrap_err()
            .kind(),
        LookupErrorKind::TokenInvalid
    );
    assert_eq!(
        store.lookup("ASIAX", None).await.unwrap_err().kind(),
        LookupErrorKind::TokenInvalid
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn cached_temporary_credentials_expire_on_time() {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(10_000)));
    let expiry = UNIX_EPOCH + Duration::from_secs(10_060);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let alice: Arc<Principal> = Arc::new("arn:aws:iam::111122223333:user/alice".parse().unwrap());
    let inner = store_fn(move |_: &str, _: Option<&str>| {
        counter.fetch_add(1, Ordering::SeqCst);
        let c = Credential::temporary("s", alice.clone(), UNIX_EPOCH, expiry);
        async move { Ok(c) }
    });
    let store = CachedStore::new(inner).with_clock(clock.clone());
    assert!(store.lookup("ASIAX", Some("t")).await.is_ok());
    clock.set(expiry - Duration::from_millis(1));
    assert!(store.lookup("ASIAX", Some("t")).await.is_ok());
    clock.set(expiry);
    assert_eq!(
        store.lookup("ASIAX", Some("t")).await.unwrap_err().kind(),
        LookupErrorKind::TokenExpired
    );
    assert_eq!(
        store.lookup("ASIAX", Some("t")).await.unwrap_err().kind(),
        LookupErrorKind::TokenExpired
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn signing_keys_differ_per_scope_and_match_the_derivation() {
    let cache = SigningKeyCache::new();
    let secret = SecretKey::from("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let scopes = [
        ("20150830", "us-east-1", "iam"),
        ("20150831", "us-east-1", "iam"),
        ("20150830", "eu-west-1", "iam"),
        ("20150830", "us-east-1", "s3"),
    ];
    let mut seen = Vec::new();
    for (date, region, service) in scopes {
        let key = cache.signing_key("AKIDEXAMPLE", &secret, date, region, service);
        assert_eq!(
            key.as_bytes(),
            SigningKey::derive(secret.as_bytes(), date, region, service).as_bytes()
        );
        assert!(!seen.contains(key.as_bytes()));
        seen.push(*key.as_bytes());
    }
    // The AWS General Reference example key.
    assert_eq!(
        hex::encode(seen[0]),
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    );
    for (date, region, service) in scopes {
        cache.signing_key("AKIDEXAMPLE", &secret, date, region, service);
    }
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (4, 4));
}

#[test]
fn the_signing_key_cache_is_bounded() {
    let cache =
        SigningKeyCache::with_settings(SigningKeyCacheSettings::default().with_max_entries(100));
    let secret = SecretKey::from("s");
    for i in 0..2_000 {
        cache.signing_key(
            &format!("AKIA{i:016}"),
            &secret,
            "20150830",
            "us-east-1",
            "s3",
        );
    }
    cache.run_pending_tasks();
    assert!(cache.stats().entries <= 100, "{:?}", cache.stats());
    assert_eq!(cache.stats().misses, 2_000);
}
