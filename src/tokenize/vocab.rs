//! Zero-copy vocabulary: byte string <-> rank, over tables laid out by build.rs and embedded
//! with `include_bytes!`. Nothing is parsed or allocated at run time.

#[allow(dead_code)]
mod hash {
    include!("vocab_hash.rs");
}
use hash::{EMPTY_RANK, SLOT_BYTES, eq_same_len};
pub(crate) use hash::{hash_bytes, key8};

/// One embedded vocabulary.
pub(crate) struct Vocab {
    /// all token bytes, concatenated in rank order
    blob: &'static [u8],
    /// u32 LE offsets into `blob`, one per rank plus one
    offsets: &'static [u8],
    /// open-addressing hash table, `SLOT_BYTES` per slot
    table: &'static [u8],
    /// log2 of the number of slots
    bits: u32,
    /// u32 LE rank of every 2-byte string (`u32::MAX` if none), indexed by `b0 << 8 | b1`
    pairs: &'static [u8],
    /// u32 LE rank of every single byte
    bytes1: &'static [u8],
    /// bit `h & (8 * len - 1)` is set for the hash `h` of every token
    filter: &'static [u8],
    /// Hugging Face merge semantics (empty: tiktoken's): per rank, the byte length of the left
    /// part of the one merge that makes the token, with bit 7 set when BPE on the token's own
    /// bytes does not give the token back (see `load_hf` in build.rs).
    left: &'static [u8],
}

/// Entries of the per-call lookup cache (a power of two), and the text length from which a
/// counting call uses one (below it, zeroing the cache would cost more than it saves).
const CACHE_SIZE: usize = 16384;
const CACHE_MIN_TEXT: usize = 16 * 1024;

/// A small direct-mapped cache of recent lookups of 3..=8-byte strings (hits and misses),
/// kept by one counting call. Natural text looks up the same strings over and over; the
/// cache keeps them in L1/L2 instead of a random access into the multi-megabyte table.
#[derive(Default)]
pub(crate) struct RankCache {
    /// (key8, len << 32 | rank); len 0 = empty. No slots: no caching.
    slots: Vec<(u64, u64)>,
}

impl RankCache {
    /// A cache sized for counting a text of `text_len` bytes.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        RankCache {
            slots: if text_len >= CACHE_MIN_TEXT {
                vec![(0, 0); CACHE_SIZE]
            } else {
                Vec::new()
            },
        }
    }
}

macro_rules! vocab {
    ($name:literal) => {
        Vocab {
            blob: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".blob")),
            offsets: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".offsets")),
            table: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".table")),
            bits: include!(concat!(env!("OUT_DIR"), "/", $name, ".bits")),
            pairs: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".pairs")),
            bytes1: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".bytes")),
            filter: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".filter")),
            left: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".left")),
        }
    };
}

pub(crate) static O200K: Vocab = vocab!("o200k_base");
pub(crate) static CL100K: Vocab = vocab!("cl100k_base");
pub(crate) static P50K: Vocab = vocab!("p50k_base");
pub(crate) static R50K: Vocab = vocab!("r50k_base");
pub(crate) static QWEN2: Vocab = vocab!("qwen2");
pub(crate) static QWEN3_5: Vocab = vocab!("qwen3_5");
pub(crate) static DEEPSEEK_V3: Vocab = vocab!("deepseek_v3");
pub(crate) static MISTRAL_TEKKEN: Vocab = vocab!("mistral_tekken");

#[inline(always)]
fn u32_at(s: &[u8], i: usize) -> u32 {
    match s.get(i..i + 4) {
        Some(x) => u32::from_le_bytes([x[0], x[1], x[2], x[3]]),
        None => 0,
    }
}

impl Vocab {
    /// Number of rank slots (max rank + 1).
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() / 4 - 1
    }

    /// The bytes of token `rank` (empty for an unknown rank).
    #[inline]
    pub(crate) fn token(&self, rank: u32) -> &'static [u8] {
        let i = rank as usize;
        if i >= self.len() {
            return &[];
        }
        let a = u32_at(self.offsets, 4 * i) as usize;
        let b = u32_at(self.offsets, 4 * i + 4) as usize;
        self.blob.get(a..b).unwrap_or(&[])
    }

    /// Rank of the merge of the parts `piece[i..j]` and `piece[j..k]`, or `u32::MAX`: the
    /// rank of their concatenation, if that is a token and (under Hugging Face merge
    /// semantics) the parts are the token's own merge.
    #[inline(always)]
    pub(crate) fn merge_rank(
        &self,
        piece: &[u8],
        i: usize,
        j: usize,
        k: usize,
        cache: &mut RankCache,
    ) -> u32 {
        let r = self.rank_cached(piece.get(i..k).unwrap_or(&[]), cache);
        if self.left.is_empty() || r == u32::MAX {
            return r;
        }
        match self.left.get(r as usize) {
            Some(&l) if (l & 0x7F) as usize == j - i => r,
            _ => u32::MAX,
        }
    }

    /// Whether a piece whose bytes are exactly token `rank` is that one token (always, with
    /// tiktoken semantics; with HF merge semantics only if BPE on its bytes gives it back).
    #[inline(always)]
    pub(crate) fn whole(&self, rank: u32) -> bool {
        rank != u32::MAX
            && (self.left.is_empty() || self.left.get(rank as usize).is_some_and(|l| l & 0x80 == 0))
    }

    /// Rank of a 2-byte string, or `u32::MAX`.
    #[inline(always)]
    pub(crate) fn pair_rank(&self, a: u8, b: u8) -> u32 {
        u32_at(self.pairs, 4 * ((a as usize) << 8 | b as usize))
    }

    /// Rank of a single byte (every byte is a token).
    #[inline(always)]
    pub(crate) fn byte_rank(&self, a: u8) -> u32 {
        u32_at(self.bytes1, 4 * a as usize)
    }

    /// Rank of `bytes`, or `u32::MAX`, through `cache`.
    #[inline(always)]
    pub(crate) fn rank_cached(&self, bytes: &[u8], cache: &mut RankCache) -> u32 {
        match bytes {
            [a] => self.byte_rank(*a),
            [a, b] => self.pair_rank(*a, *b),
            _ if bytes.len() <= 8 => {
                let k8 = key8(bytes);
                let h = hash_bytes(bytes, k8);
                let idx = h as usize & cache.slots.len().wrapping_sub(1);
                let len = bytes.len() as u64;
                if let Some(e) = cache.slots.get_mut(idx) {
                    if e.0 == k8 && e.1 >> 32 == len {
                        return e.1 as u32;
                    }
                    let r = self.probe(bytes, k8, h).unwrap_or(u32::MAX);
                    *e = (k8, len << 32 | r as u64);
                    return r;
                }
                self.probe(bytes, k8, h).unwrap_or(u32::MAX)
            }
            _ => self.rank(bytes).unwrap_or(u32::MAX),
        }
    }

    /// The rank of the token whose bytes are `bytes`, if it is one.
    #[inline]
    pub(crate) fn rank(&self, bytes: &[u8]) -> Option<u32> {
        let k8 = key8(bytes);
        self.probe(bytes, k8, hash_bytes(bytes, k8))
    }

    #[inline(always)]
    fn probe(&self, bytes: &[u8], k8: u64, h: u64) -> Option<u32> {
        let f = h as usize & (self.filter.len() * 8 - 1);
        if self
            .filter
            .get(f >> 3)
            .is_some_and(|&x| x & (1 << (f & 7)) == 0)
        {
            return None;
        }
        let mask = (1usize << self.bits) - 1;
        let mut i = (h >> (64 - self.bits)) as usize;
        loop {
            let slot = self.table.get(i * SLOT_BYTES..(i + 1) * SLOT_BYTES)?;
            let rank = u32::from_le_bytes([slot[8], slot[9], slot[10], slot[11]]);
            if rank == EMPTY_RANK {
                return None;
            }
            let len = u32::from_le_bytes([slot[12], slot[13], slot[14], slot[15]]) as usize;
            if len == bytes.len() {
                let sk = u64::from_le_bytes([
                    slot[0], slot[1], slot[2], slot[3], slot[4], slot[5], slot[6], slot[7],
                ]);
                if sk == k8 && (len <= 8 || eq_same_len(self.token(rank), bytes)) {
                    return Some(rank);
                }
            }
            i = (i + 1) & mask;
        }
    }
}
