//! The warm path adds no heap allocation: a signing-key cache hit and a
//! credential cache hit for a long-term key allocate no more than bare moka
//! hits do (moka's periodic housekeeping, amortised under 0.1 per hit),
//! counted with a counting global allocator (this test binary only).

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use tower_sigv4::identity::{CachedStore, CredentialStore, SigningKeyCache, StaticCredentials};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::SeqCst) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn count<T>(f: impl FnOnce() -> T) -> (T, usize) {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    (out, ALLOCATIONS.load(Ordering::SeqCst))
}

/// Polls a future that must not wait (a cache hit) to completion.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a cache hit does not wait"),
    }
}

const N: usize = 100_000;

// One test function: the counter is process-wide, so nothing may run beside it.
#[test]
fn warm_paths_allocate_nothing_beyond_moka_housekeeping() {
    let signing_keys = SigningKeyCache::new();
    let store = CachedStore::new(
        StaticCredentials::builder()
            .user(
                "arn:aws:iam::111122223333:user/alice",
                "AKIAALICE00000000001",
                "alice-secret",
            )
            .build()
            .unwrap(),
    );
    // Warm both caches (and the secret's fingerprint).
    let credential = ready(store.lookup("AKIAALICE00000000001", None)).unwrap();
    let first = *signing_keys
        .signing_key(
            "AKIAALICE00000000001",
            credential.secret(),
            "20150830",
            "us-east-1",
            "s3",
        )
        .as_bytes();

    // Our warm paths.
    let (same, ours_sync) = count(|| {
        (0..N).all(|_| {
            let key = signing_keys.signing_key(
                "AKIAALICE00000000001",
                credential.secret(),
                "20150830",
                "us-east-1",
                "s3",
            );
            *key.as_bytes() == first
        })
    });
    assert!(same);
    let (found, ours_future) =
        count(|| (0..N).all(|_| ready(store.lookup("AKIAALICE00000000001", None)).is_ok()));
    assert!(found);
    assert_eq!(signing_keys.stats().hits, N as u64);
    assert_eq!(store.stats().hits, N as u64);

    // The same number of bare moka hits: moka's periodic housekeeping
    // allocates now and then; our code must add nothing to it.
    let raw_sync: moka::sync::Cache<Vec<u8>, [u8; 32]> = moka::sync::Cache::new(100);
    raw_sync.insert(b"key".to_vec(), [0; 32]);
    let (_, moka_sync) = count(|| {
        for _ in 0..N {
            raw_sync.get(&b"key"[..]).unwrap();
        }
    });
    let raw_future: moka::future::Cache<Vec<u8>, u64> = moka::future::Cache::new(100);
    ready(raw_future.insert(b"key".to_vec(), 1));
    let (_, moka_future) = count(|| {
        for _ in 0..N {
            ready(raw_future.get(&b"key"[..])).unwrap();
        }
    });

    eprintln!(
        "allocations per {N} hits: signing keys {ours_sync} (bare moka::sync {moka_sync}), \
         credentials {ours_future} (bare moka::future {moka_future})"
    );
    let slack = |bare: usize| bare + bare / 10 + 10;
    assert!(ours_sync <= slack(moka_sync), "{ours_sync} vs {moka_sync}");
    assert!(
        ours_future <= slack(moka_future),
        "{ours_future} vs {moka_future}"
    );
    // And moka's own share stays amortised: under one allocation per ten hits.
    assert!(ours_sync < N / 10 && ours_future < N / 10);
}
