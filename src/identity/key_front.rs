//! The per-thread front of [`SigningKeyCache`](super::SigningKeyCache): the
//! last few signing keys each thread used.
//!
//! A lookup in the shared moka cache costs atomic operations (its
//! concurrent map, the read log its eviction policy keeps, the idle timer)
//! that, for a small request, cost as much as the rest of the verification.
//! A server thread sees the same few callers again and again: a handful of
//! entries in thread-local memory answer those without touching shared
//! state.
//!
//! An entry answers only for the exact cache id (the secret's fingerprint,
//! the access key id, the scope), for the cache instance that made it, and
//! for the generation that instance is in: a rotated secret has another
//! fingerprint, and `invalidate_all` starts a new generation, so the front
//! never serves a key the shared cache would not.

use std::cell::RefCell;

use crate::sigv4::SigningKey;

/// Entries per thread.
const SLOTS: usize = 8;

/// One front hit in this many also goes to the shared cache, so that its
/// idle timer and eviction policy see the key in use, and a key it has
/// dropped (idle, over capacity) leaves the front too.
pub(crate) const REFRESH_EVERY: u32 = 64;

struct Entry {
    cache: u64,
    generation: u64,
    id: Box<[u8]>,
    key: SigningKey,
    hits: u32,
}

thread_local! {
    static FRONT: RefCell<[Option<Entry>; SLOTS]> = const { RefCell::new([const { None }; SLOTS]) };
}

/// The slot of `id`: a multiply-xor over its words. Not keyed: a collision
/// only evicts another entry of this thread's front.
fn slot(id: &[u8]) -> usize {
    let mut h: u64 = id.len() as u64;
    let mut words = id.chunks_exact(8);
    for w in &mut words {
        h = (h ^ u64::from_le_bytes(w.try_into().expect("8 bytes")))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    (h >> 61) as usize % SLOTS
}

/// What the front says about an id.
pub(crate) enum Lookup {
    /// The key, from this thread's front.
    Hit(SigningKey),
    /// Not here (or due for a refresh): ask the shared cache.
    Miss,
}

/// The key of `id` from this thread's front.
pub(crate) fn get(cache: u64, generation: u64, id: &[u8]) -> Lookup {
    FRONT
        .try_with(|front| {
            let Ok(mut front) = front.try_borrow_mut() else {
                return Lookup::Miss;
            };
            match &mut front[slot(id)] {
                Some(e) if e.cache == cache && e.generation == generation && *e.id == *id => {
                    e.hits = e.hits.wrapping_add(1);
                    if e.hits % REFRESH_EVERY == 0 {
                        Lookup::Miss
                    } else {
                        Lookup::Hit(e.key.clone())
                    }
                }
                _ => Lookup::Miss,
            }
        })
        .unwrap_or(Lookup::Miss)
}

/// Puts `key` in this thread's front under `id` (reusing the slot's id
/// buffer when it already holds `id`).
pub(crate) fn put(cache: u64, generation: u64, id: &[u8], key: &SigningKey) {
    let _ = FRONT.try_with(|front| {
        let Ok(mut front) = front.try_borrow_mut() else {
            return;
        };
        let entry = &mut front[slot(id)];
        match entry {
            Some(e) if *e.id == *id => {
                e.cache = cache;
                e.generation = generation;
                e.key = key.clone();
            }
            _ => {
                *entry = Some(Entry {
                    cache,
                    generation,
                    id: id.into(),
                    key: key.clone(),
                    hits: 0,
                })
            }
        }
    });
}

/// Drops the front's entry for `id`, if any (the shared cache no longer has it).
pub(crate) fn forget(id: &[u8]) {
    let _ = FRONT.try_with(|front| {
        if let Ok(mut front) = front.try_borrow_mut() {
            let entry = &mut front[slot(id)];
            if entry.as_ref().is_some_and(|e| *e.id == *id) {
                *entry = None;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> SigningKey {
        SigningKey::from_bytes([b; 32])
    }

    fn hit(l: Lookup) -> Option<[u8; 32]> {
        match l {
            Lookup::Hit(k) => Some(*k.as_bytes()),
            Lookup::Miss => None,
        }
    }

    #[test]
    fn answers_only_for_its_cache_generation_and_id() {
        let id = b"fingerprint/20150830/us-east-1/iam/AKID".to_vec();
        put(7, 1, &id, &key(1));
        assert_eq!(hit(get(7, 1, &id)), Some([1; 32]));
        assert_eq!(hit(get(8, 1, &id)), None, "another cache");
        assert_eq!(hit(get(7, 2, &id)), None, "another generation");
        let mut other = id.clone();
        *other.last_mut().unwrap() ^= 1;
        assert_eq!(hit(get(7, 1, &other)), None, "another id");
        forget(&id);
        assert_eq!(hit(get(7, 1, &id)), None, "forgotten");
    }

    #[test]
    fn sends_one_hit_in_so_many_to_the_shared_cache() {
        let id = b"refresh-test-id".to_vec();
        put(9, 0, &id, &key(2));
        let misses = (0..REFRESH_EVERY * 3)
            .filter(|_| hit(get(9, 0, &id)).is_none())
            .count();
        assert_eq!(misses, 3);
    }

    #[test]
    fn holds_at_most_its_slots() {
        for i in 0..1000u32 {
            put(11, 0, &i.to_le_bytes(), &key(3));
        }
        let held = FRONT.with(|f| f.borrow().iter().filter(|e| e.is_some()).count());
        assert!(held <= SLOTS);
    }
}
