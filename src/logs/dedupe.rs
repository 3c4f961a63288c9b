//! Duplicate detection across workers: the same response logged twice is counted once.

use std::collections::HashSet;
use std::sync::Mutex;

/// Duplicate detection across workers: sharded sets of id hashes.
pub(crate) struct Seen {
    shards: Vec<Mutex<HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>>>,
}

/// The ids are already hashes: use them as they are.
#[derive(Default)]
pub(crate) struct IdHasher(u64);
impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Seen {
    pub(crate) fn new() -> Seen {
        Seen {
            shards: (0..64).map(|_| Mutex::new(HashSet::default())).collect(),
        }
    }
    /// True the first time `h` is seen.
    pub(crate) fn first(&self, h: u64) -> bool {
        let shard = &self.shards[(h >> 58) as usize];
        shard.lock().unwrap_or_else(|e| e.into_inner()).insert(h)
    }
}
