//! A per-thread front of a shared cache: the last few values one thread
//! looked up, answered without touching shared state.
//!
//! A lookup in a shared moka cache costs atomic operations (its concurrent
//! map, the read log its eviction policy keeps, the timers) that, for a
//! small request, cost as much as the rest of the verification. A server
//! thread sees the same few callers again and again: a handful of entries
//! in thread-local memory answer those.
//!
//! An entry answers only for the exact id, for the cache instance that
//! made it (`owner`), and for the generation that instance is in: the cache
//! starts a new generation whenever it forgets anything on request, so a
//! front never serves what its cache would not. One hit in
//! [`REFRESH_EVERY`] goes to the shared cache anyway, so that its idle
//! timers and eviction policy see the entry in use, and an entry it has
//! dropped leaves the front too. An entry may also carry the time it was
//! last confirmed by the shared cache, for a front that must not outlive
//! the shared cache's time to live by more than a bound (see
//! [`Front::get`]).
//!
//! Entries hold what their cache held (signing keys, credentials with their
//! secrets) and outlive it until they are replaced or the thread ends; the
//! secrets are wiped when dropped, as in the cache.

use std::cell::RefCell;
use std::thread::LocalKey;
use std::time::{Duration, Instant};

/// Entries per thread and per front.
pub(crate) const SLOTS: usize = 8;

/// One front hit in this many also goes to the shared cache.
pub(crate) const REFRESH_EVERY: u32 = 64;

struct Entry<V> {
    owner: u64,
    generation: u64,
    id: Box<[u8]>,
    value: V,
    /// When the shared cache last gave this value, for a front with a
    /// maximum age.
    confirmed: Instant,
    hits: u32,
}

/// What a front says about an id.
pub(crate) enum Lookup<V> {
    /// The value, from this thread's front.
    Hit(V),
    /// Not here, too old, or due for a refresh: ask the shared cache.
    Miss,
}

/// The entries of one thread.
pub(crate) struct Front<V> {
    slots: [Option<Entry<V>>; SLOTS],
}

/// Runs `f` on this thread's front in `front`; `None` while the thread is
/// being torn down or the front is in use further up the stack.
pub(crate) fn with<V: 'static, R>(
    front: &'static LocalKey<RefCell<Front<V>>>,
    f: impl FnOnce(&mut Front<V>) -> R,
) -> Option<R> {
    front
        .try_with(|cell| cell.try_borrow_mut().ok().map(|mut front| f(&mut front)))
        .ok()
        .flatten()
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

impl<V: Clone> Front<V> {
    pub(crate) const fn new() -> Self {
        Front {
            slots: [const { None }; SLOTS],
        }
    }

    /// The value of `id`, if this front holds it for `owner` in
    /// `generation`, and (with `max_age`) it was confirmed by the shared
    /// cache no longer than `max_age` before `now` (monotonic time, as the
    /// shared cache's own timers).
    pub(crate) fn get(
        &mut self,
        owner: u64,
        generation: u64,
        id: &[u8],
        max_age: Option<(Instant, Duration)>,
    ) -> Lookup<V> {
        match &mut self.slots[slot(id)] {
            Some(e) if e.owner == owner && e.generation == generation && *e.id == *id => {
                if let Some((now, max)) = max_age {
                    if now.saturating_duration_since(e.confirmed) > max {
                        return Lookup::Miss;
                    }
                }
                e.hits = e.hits.wrapping_add(1);
                if e.hits % REFRESH_EVERY == 0 {
                    Lookup::Miss
                } else {
                    Lookup::Hit(e.value.clone())
                }
            }
            _ => Lookup::Miss,
        }
    }

    /// Puts `value` under `id`, confirmed at `confirmed` (reusing the slot's
    /// id buffer when it already holds `id`).
    pub(crate) fn put(
        &mut self,
        owner: u64,
        generation: u64,
        id: &[u8],
        value: &V,
        confirmed: Instant,
    ) {
        let entry = &mut self.slots[slot(id)];
        match entry {
            Some(e) if *e.id == *id => {
                e.owner = owner;
                e.generation = generation;
                e.value = value.clone();
                e.confirmed = confirmed;
            }
            _ => {
                *entry = Some(Entry {
                    owner,
                    generation,
                    id: id.into(),
                    value: value.clone(),
                    confirmed,
                    hits: 0,
                })
            }
        }
    }

    /// Drops the entry for `id`, if any (the shared cache no longer has it).
    pub(crate) fn forget(&mut self, id: &[u8]) {
        let entry = &mut self.slots[slot(id)];
        if entry.as_ref().is_some_and(|e| *e.id == *id) {
            *entry = None;
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.iter().filter(|e| e.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(l: Lookup<u32>) -> Option<u32> {
        match l {
            Lookup::Hit(v) => Some(v),
            Lookup::Miss => None,
        }
    }

    #[test]
    fn answers_only_for_its_owner_generation_and_id() {
        let mut f = Front::new();
        let id = b"fingerprint/20150830/us-east-1/iam/AKID".to_vec();
        f.put(7, 1, &id, &1, Instant::now());
        assert_eq!(hit(f.get(7, 1, &id, None)), Some(1));
        assert_eq!(hit(f.get(8, 1, &id, None)), None, "another owner");
        assert_eq!(hit(f.get(7, 2, &id, None)), None, "another generation");
        let mut other = id.clone();
        *other.last_mut().unwrap() ^= 1;
        assert_eq!(hit(f.get(7, 1, &other, None)), None, "another id");
        f.forget(&id);
        assert_eq!(hit(f.get(7, 1, &id, None)), None, "forgotten");
    }

    #[test]
    fn sends_one_hit_in_so_many_to_the_shared_cache() {
        let mut f = Front::new();
        let id = b"refresh-test-id".to_vec();
        f.put(9, 0, &id, &2, Instant::now());
        let misses = (0..REFRESH_EVERY * 3)
            .filter(|_| hit(f.get(9, 0, &id, None)).is_none())
            .count();
        assert_eq!(misses, 3);
    }

    #[test]
    fn an_entry_older_than_the_bound_is_a_miss() {
        let mut f = Front::new();
        let t0 = Instant::now();
        let max = Duration::from_millis(250);
        f.put(3, 0, b"id", &5, t0);
        assert_eq!(hit(f.get(3, 0, b"id", Some((t0, max)))), Some(5));
        assert_eq!(hit(f.get(3, 0, b"id", Some((t0 + max, max)))), Some(5));
        let late = t0 + max + Duration::from_millis(1);
        assert_eq!(hit(f.get(3, 0, b"id", Some((late, max)))), None, "too old");
        // Confirmed again by the shared cache: served again.
        f.put(3, 0, b"id", &5, late);
        assert_eq!(hit(f.get(3, 0, b"id", Some((late, max)))), Some(5));
    }

    #[test]
    fn holds_at_most_its_slots() {
        let mut f = Front::new();
        for i in 0..1000u32 {
            f.put(11, 0, &i.to_le_bytes(), &i, Instant::now());
        }
        assert!(f.len() <= SLOTS);
    }
}
