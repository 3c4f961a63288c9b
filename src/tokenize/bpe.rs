//! Byte-pair merge: repeatedly merge the adjacent pair whose concatenation has the lowest rank
//! (leftmost on ties), exactly as tiktoken's `byte_pair_merge`. Short pieces use the simple
//! quadratic scan on a stack buffer; long pieces use a binary heap with lazy deletion
//! (O(n log n)), so a megabyte-long single piece is no cliff.

use super::vocab::{RankCache, Vocab, hash_bytes, key8};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces up to this many bytes use the quadratic scan.
const SHORT: usize = 128;

/// Reusable buffers for the long-piece merge, and the lookup caches.
pub(crate) struct Scratch {
    next: Vec<u32>,
    prev: Vec<u32>,
    pair: Vec<u32>,
    queue: Queue,
    pub(crate) cache: RankCache,
    pieces: PieceCache,
}

impl Scratch {
    /// Buffers for tokenizing a text of `text_len` bytes.
    pub(crate) fn for_text_len(text_len: usize) -> Self {
        Scratch {
            next: Vec::new(),
            prev: Vec::new(),
            pair: Vec::new(),
            queue: Queue::default(),
            cache: RankCache::for_text_len(text_len),
            pieces: PieceCache::for_text_len(text_len),
        }
    }
}

/// Longest piece (in bytes) the piece cache keeps.
pub(crate) const PIECE_MAX: usize = 32;
/// Most slots of the piece cache (a power of two): 65,536 × 40 bytes = 2.5 MiB, which sits in
/// L3. Slots are sized to the text (one per 16 bytes, at least 1,024), so a small text does
/// not pay for zeroing a large cache. On the prose corpus (9.5 MB) 16,384 slots miss 11% of
/// lookups and 65,536 slots 6%; most remaining misses are first sightings.
const PIECE_SLOTS: usize = 65536;
/// Texts shorter than this count without a piece cache (zeroing it would cost more).
const PIECE_MIN_TEXT: usize = 16 * 1024;

/// A direct-mapped memo of whole pre-token pieces of 3..=`PIECE_MAX` bytes → their token
/// count. Natural text repeats its pieces (English ones ~8×), and a hit replaces the whole
/// merge by one hash and one compare of up to four words. Fixed size: a new piece overwrites
/// its slot, so adversarial input cannot make it grow. A slot holds the piece's exact bytes
/// (zero-padded words) and length, so a hit is always the right piece; the count stored is
/// the one the merge computed for those bytes. One cache serves one vocabulary (it lives in a
/// [`Scratch`] used with one [`Vocab`]).
pub(crate) struct PieceCache {
    /// No slots: no caching.
    slots: Vec<PieceSlot>,
    long: LongCache,
}

/// Longest piece the long-piece memo keeps, and its number of slots: 256 × 4 KiB at most.
const LONG_MAX: usize = 4096;
const LONG_SLOTS: usize = 256;

/// A direct-mapped memo of long pieces (`PIECE_MAX` < len ≤ `LONG_MAX` bytes) → token count:
/// separator lines (`=====`), runs of indentation, long words and CJK clauses repeat, and their
/// merge is the costliest. Each slot owns a copy of its piece's bytes; a slot's buffer is
/// reused when a new piece replaces it, so memory stays under 1 MiB.
#[derive(Default)]
struct LongCache {
    slots: Vec<(Vec<u8>, usize)>,
}

#[derive(Clone, Copy, Default)]
struct PieceSlot {
    words: [u64; 4],
    /// `len << 32 | count`; 0 = empty (a cached piece has len ≥ 3)
    meta: u64,
}

impl PieceCache {
    fn for_text_len(text_len: usize) -> Self {
        let on = text_len >= PIECE_MIN_TEXT;
        let slots = (text_len / 16).clamp(1024, PIECE_SLOTS).next_power_of_two();
        PieceCache {
            slots: if on {
                vec![PieceSlot::default(); slots]
            } else {
                Vec::new()
            },
            long: LongCache {
                slots: if on {
                    vec![(Vec::new(), 0); LONG_SLOTS]
                } else {
                    Vec::new()
                },
            },
        }
    }
}

/// The piece's bytes as four zero-padded little-endian words (`piece.len() <= PIECE_MAX`).
#[inline(always)]
fn piece_words(piece: &[u8]) -> [u64; 4] {
    let n = piece.len();
    let at = |i: usize| key8(piece.get(i..n.min(i + 8)).unwrap_or(&[]));
    if n <= 8 {
        [key8(piece), 0, 0, 0]
    } else if n <= 16 {
        [at(0), at(8), 0, 0]
    } else {
        [at(0), at(8), at(16), at(24)]
    }
}

#[inline(always)]
fn piece_slot(w: &[u64; 4], len: usize) -> usize {
    let h = (w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42) ^ w[3].rotate_left(11))
        .wrapping_add(len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 48) as usize
}

/// A priority queue of `(rank, position)` keys, popped in ascending order (so leftmost among
/// equal ranks). Keys of one rank mostly arrive in ascending position order, so each rank gets
/// a sorted run (a FIFO) and only the front of each run sits in the binary heap: on a long
/// repetitive piece (one letter repeated) the heap stays tiny. Keys that arrive out of order go
/// into the heap directly.
#[derive(Default)]
struct Queue {
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    runs: Vec<Run>,
    used_runs: usize,
    /// rank -> index of its run + 1 (0: none)
    run_of_rank: Vec<u32>,
    touched: Vec<u32>,
}

#[derive(Default)]
struct Run {
    items: Vec<u32>,
    head: usize,
    in_heap: bool,
}

const LOOSE: u32 = u32::MAX;

#[inline(always)]
fn key(rank: u32, pos: u32) -> u64 {
    ((rank as u64) << 32) | pos as u64
}

impl Queue {
    fn reset(&mut self, vocab_len: usize) {
        for &r in &self.touched {
            if let Some(x) = self.run_of_rank.get_mut(r as usize) {
                *x = 0;
            }
        }
        self.touched.clear();
        if self.run_of_rank.len() < vocab_len {
            self.run_of_rank.resize(vocab_len, 0);
        }
        self.used_runs = 0;
        self.heap.clear();
    }

    #[inline]
    fn push(&mut self, rank: u32, pos: u32) {
        let Some(slot) = self.run_of_rank.get_mut(rank as usize) else {
            self.heap.push(Reverse((key(rank, pos), LOOSE)));
            return;
        };
        if *slot == 0 {
            if self.used_runs == self.runs.len() {
                self.runs.push(Run::default());
            }
            let run = &mut self.runs[self.used_runs];
            run.items.clear();
            run.head = 0;
            run.in_heap = false;
            self.used_runs += 1;
            *slot = self.used_runs as u32;
            self.touched.push(rank);
        }
        let idx = *slot - 1;
        let run = &mut self.runs[idx as usize];
        if run.head == run.items.len() {
            run.items.clear();
            run.head = 0;
        } else if run.items.last().is_some_and(|&l| pos < l) {
            self.heap.push(Reverse((key(rank, pos), LOOSE)));
            return;
        }
        run.items.push(pos);
        if !run.in_heap {
            run.in_heap = true;
            self.heap.push(Reverse((key(rank, pos), idx)));
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<(u32, u32)> {
        let Reverse((k, src)) = self.heap.pop()?;
        let rank = (k >> 32) as u32;
        if src != LOOSE
            && let Some(run) = self.runs.get_mut(src as usize)
        {
            run.head += 1;
            if let Some(&p) = run.items.get(run.head) {
                self.heap.push(Reverse((key(rank, p), src)));
            } else {
                run.in_heap = false;
            }
        }
        Some((rank, (k & 0xFFFF_FFFF) as u32))
    }
}

/// Emit the token ids of one piece.
#[inline]
pub(crate) fn encode_piece(v: &Vocab, piece: &[u8], sc: &mut Scratch, emit: &mut impl FnMut(u32)) {
    if piece.len() <= 2 {
        match piece {
            [a] => emit(v.byte_rank(*a)),
            [a, b] => match v.pair_rank(*a, *b) {
                u32::MAX => {
                    emit(v.byte_rank(*a));
                    emit(v.byte_rank(*b));
                }
                r => emit(r),
            },
            _ => {}
        }
        return;
    }
    let r = v.rank_cached(piece, &mut sc.cache);
    if v.whole(r) {
        emit(r);
        return;
    }
    if piece.len() <= SHORT && v.len() < SHORT_MAX_VOCAB {
        merge_short(v, piece, &mut sc.cache, emit)
    } else {
        merge_heap(v, piece, sc, emit)
    }
}

/// Number of tokens of one piece, through the piece cache when the scratch has one.
#[inline]
pub(crate) fn count_piece(v: &Vocab, piece: &[u8], sc: &mut Scratch) -> usize {
    match piece {
        [] => return 0,
        [_] => return 1,
        [a, b] => {
            return if v.pair_rank(*a, *b) == u32::MAX {
                2
            } else {
                1
            };
        }
        _ => {}
    }
    if piece.len() <= PIECE_MAX && !sc.pieces.slots.is_empty() {
        let w = piece_words(piece);
        let i = piece_slot(&w, piece.len()) & (sc.pieces.slots.len() - 1);
        let len = (piece.len() as u64) << 32;
        if let Some(s) = sc.pieces.slots.get(i)
            && s.meta >> 32 == len >> 32
            && s.words == w
        {
            return (s.meta & 0xFFFF_FFFF) as usize;
        }
        let n = count_piece_uncached(v, piece, sc);
        if let Some(s) = sc.pieces.slots.get_mut(i) {
            *s = PieceSlot {
                words: w,
                meta: len | n as u64,
            };
        }
        return n;
    }
    if piece.len() <= LONG_MAX && !sc.pieces.long.slots.is_empty() {
        let i = (hash_bytes(piece, key8(piece)) >> 56) as usize & (LONG_SLOTS - 1);
        if let Some((k, n)) = sc.pieces.long.slots.get(i)
            && k.as_slice() == piece
        {
            return *n;
        }
        let n = count_piece_uncached(v, piece, sc);
        if let Some((k, m)) = sc.pieces.long.slots.get_mut(i) {
            k.clear();
            k.extend_from_slice(piece);
            *m = n;
        }
        return n;
    }
    count_piece_uncached(v, piece, sc)
}

/// Number of tokens of a piece of 3 bytes or more, merged.
#[inline(always)]
fn count_piece_uncached(v: &Vocab, piece: &[u8], sc: &mut Scratch) -> usize {
    if v.whole(v.rank_cached(piece, &mut sc.cache)) {
        return 1;
    }
    if piece.len() <= SHORT && v.len() < SHORT_MAX_VOCAB {
        merge_short_count(v, piece, &mut sc.cache)
    } else {
        let mut n = 0;
        merge_heap(v, piece, sc, &mut |_| n += 1);
        n
    }
}

/// The quadratic merge (tiktoken's scan) over a linked list in stack arrays: `next[i]` is the
/// start of the part after the part starting at `i`. `key[i]` is the rank of part `i` joined
/// with the next part, shifted left 7 bits, with `i` in the low bits (`DEAD` for none or a
/// merged-away part): the minimum key is then the lowest rank at the leftmost position, found
/// by one reduction over the dense array (which compiles to SIMD) with no second scan for its
/// position. Needs ranks below 2^24 (every embedded vocabulary; [`merge_short_count`] falls
/// back to the heap merge otherwise). Returns the number of parts.
#[inline(always)]
fn merge_short_parts(
    v: &Vocab,
    piece: &[u8],
    cache: &mut RankCache,
    next: &mut [u8; SHORT + 1],
) -> usize {
    const DEAD: u32 = u32::MAX;
    let n = piece.len();
    let key_of = |r: u32, i: usize| {
        if r == u32::MAX {
            DEAD
        } else {
            r << 7 | i as u32
        }
    };
    let mut key = [DEAD; SHORT];
    let mut prev = [0u8; SHORT + 1];
    for i in 0..n - 1 {
        key[i] = key_of(v.pair_rank(piece[i], piece[i + 1]), i);
    }
    for i in 0..=n {
        next[i] = (i + 1) as u8;
        prev[i] = i.wrapping_sub(1) as u8;
    }
    let mut parts = n;
    loop {
        let best = key[..n - 1].iter().copied().fold(DEAD, u32::min);
        if best == DEAD {
            return parts;
        }
        let bi = (best & 0x7F) as usize;
        parts -= 1;
        let j = next[bi] as usize;
        let k = next[j] as usize;
        key[j] = DEAD;
        next[bi] = k as u8;
        if k < n {
            prev[k] = bi as u8;
            key[bi] = key_of(v.merge_rank(piece, bi, k, next[k] as usize, cache), bi);
        } else {
            key[bi] = DEAD;
        }
        if bi > 0 {
            let p = prev[bi] as usize;
            key[p] = key_of(v.merge_rank(piece, p, bi, k, cache), p);
        }
    }
}

/// Vocabularies with ranks below this use the short merge (its keys hold a rank in 25 bits).
const SHORT_MAX_VOCAB: usize = 1 << 24;

fn merge_short(v: &Vocab, piece: &[u8], cache: &mut RankCache, emit: &mut impl FnMut(u32)) {
    let mut next = [0u8; SHORT + 1];
    merge_short_parts(v, piece, cache, &mut next);
    let mut i = 0;
    while i < piece.len() {
        let j = next[i] as usize;
        emit(v.rank_cached(&piece[i..j], cache));
        i = j;
    }
}

fn merge_short_count(v: &Vocab, piece: &[u8], cache: &mut RankCache) -> usize {
    let mut next = [0u8; SHORT + 1];
    merge_short_parts(v, piece, cache, &mut next)
}

/// Positions are `u32`: a single piece of 2 GiB or more (one 2-GiB word) is merged in 1-GiB
/// slices, the only case where the result may differ from tiktoken (which would take hours).
const MAX_HEAP_PIECE: usize = 1 << 31;

fn merge_heap(v: &Vocab, piece: &[u8], sc: &mut Scratch, emit: &mut impl FnMut(u32)) {
    if piece.len() >= MAX_HEAP_PIECE {
        for part in piece.chunks(MAX_HEAP_PIECE / 2) {
            merge_heap(v, part, sc, emit);
        }
        return;
    }
    let n = piece.len();
    const NONE: u32 = u32::MAX;
    // nodes are identified by their start byte; next[i] is the start of the following part
    let Scratch {
        next,
        prev,
        pair,
        queue,
        cache,
        ..
    } = sc;
    next.clear();
    next.extend(1..=n as u32);
    prev.clear();
    prev.extend((0..n as u32).map(|i| i.wrapping_sub(1)));
    pair.clear();
    pair.resize(n, u32::MAX);
    queue.reset(v.len());
    for i in 0..n - 1 {
        let r = v.pair_rank(piece[i], piece[i + 1]);
        pair[i] = r;
        if r != u32::MAX {
            queue.push(r, i as u32);
        }
    }
    // rank of part i joined with its right neighbour
    let mut pair_rank = |i: usize, next: &[u32]| -> u32 {
        let j = next[i] as usize;
        if j >= n {
            return u32::MAX;
        }
        let k = next[j] as usize;
        v.merge_rank(piece, i, j, k, cache)
    };
    while let Some((r, i)) = queue.pop() {
        let i = i as usize;
        if pair[i] != r {
            continue; // stale entry (or a part merged into its left neighbour)
        }
        let j = next[i] as usize;
        // merge j into i
        pair[j] = u32::MAX;
        let k = next[j];
        next[i] = k;
        if (k as usize) < n {
            prev[k as usize] = i as u32;
        }
        let ri = pair_rank(i, next);
        pair[i] = ri;
        if ri != u32::MAX {
            queue.push(ri, i as u32);
        }
        let p = prev[i];
        if p != NONE {
            let p = p as usize;
            let rp = pair_rank(p, next);
            pair[p] = rp;
            if rp != u32::MAX {
                queue.push(rp, p as u32);
            }
        }
    }
    let mut i = 0usize;
    while i < n {
        let j = next[i] as usize;
        emit(v.rank_cached(&piece[i..j.min(n)], cache));
        i = j;
    }
}
