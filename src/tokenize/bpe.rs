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
/// Most slots of the piece cache (a power of two): 131,072 × 40 bytes = 5 MiB, which sits in
/// L3. Slots are sized to the text (one per 16 bytes, at least 1,024), so a small text does
/// not pay for zeroing a large cache. The multilingual corpus (2.9 MB) has 48,109 distinct
/// pieces of 3 to 32 bytes.
///
/// Direct-mapped, unlike the medium memo: sets of 4 miss less (the multilingual corpus's
/// 292,429 short lookups a pass missed 15,371 times in 131,072 direct-mapped slots and 3,151 in
/// sets of 4; prose 30,127 and 5,908), but a hit then scans up to four 40-byte slots over three
/// cache lines: measured side by side (`taskset -c 0`, whole process, medians of 7 interleaved
/// rounds, 2026-12-03), sets of 4 made the 38 MB prose file 13% slower and the multilingual one
/// 16% faster, sets of 2 6% slower and 10% faster. Prose is the tighter of the two targets
/// (README, Performance).
const PIECE_SLOTS: usize = 131072;
/// Texts shorter than this count without a piece cache (zeroing it would cost more).
const PIECE_MIN_TEXT: usize = 16 * 1024;

/// A memo of whole pre-token pieces of 3..=`PIECE_MAX` bytes → their token count, direct-mapped
/// ([`PIECE_SLOTS`]), and one of medium pieces in sets of [`WAYS`]. Natural text repeats its
/// pieces (English ones ~8×), and a hit replaces the whole merge by one hash and one compare of
/// up to four words. Fixed size: a new piece replaces the one in its slot (the oldest of its
/// set), so adversarial input cannot make it grow. A slot holds the piece's exact bytes
/// (zero-padded words) and length, so a hit is always the right piece; the count stored is
/// the one the merge computed for those bytes. One cache serves one vocabulary (it lives in a
/// [`Scratch`] used with one [`Vocab`]).
pub(crate) struct PieceCache {
    /// No slots: no caching.
    slots: Vec<PieceSlot>,
    mid: Vec<MidSlot>,
    long: LongCache,
}

/// Most slots of the memo of medium pieces (`PIECE_MAX` < len ≤ `SHORT` bytes): 16,384 × 136
/// bytes = 2.1 MiB, sized to the text like the short memo (one slot per 256 bytes).
const MID_SLOTS: usize = 16384;

/// A medium piece (CJK clauses, long words, markup runs: the costliest short merges) and its
/// count, bytes inline: a fixed allocation however adversarial the input. A hit compares the
/// whole piece, so it is always the right one.
#[derive(Clone, Copy)]
struct MidSlot {
    /// 0 = empty
    len: u32,
    count: u32,
    bytes: [u8; SHORT],
}

/// Longest piece the long-piece memo keeps (pieces longer than `SHORT` bytes), and its number
/// of slots: 256 × 4 KiB at most.
const LONG_MAX: usize = 4096;
const LONG_SLOTS: usize = 256;

/// A direct-mapped memo of long pieces (`SHORT` < len ≤ `LONG_MAX` bytes) → token count:
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
        let mid = (text_len / 256).clamp(256, MID_SLOTS).next_power_of_two();
        PieceCache {
            slots: if on {
                vec![PieceSlot::default(); slots]
            } else {
                Vec::new()
            },
            mid: if on {
                vec![
                    MidSlot {
                        len: 0,
                        count: 0,
                        bytes: [0; SHORT]
                    };
                    mid
                ]
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

/// Slots per set of the medium memo: a piece may sit in any slot of its set, the newest
/// first; a new piece pushes the oldest out (first in, first out; a hit moves nothing).
/// Direct-mapped (one slot per set), pieces that shared a slot evicted each other every time
/// the text came round again. Simulated on the multilingual corpus's pieces (steady state,
/// third pass): the 10,556 medium lookups a pass (9,541 distinct pieces) missed 6,529 times in
/// 8,192 direct-mapped slots, 4,167 in 16,384, and 1,894 in 16,384 slots in sets of 4.
const WAYS: usize = 4;

/// The set of `WAYS` slots that hash `h` maps to (`slots.len()` is a power of two, at least
/// `WAYS`).
#[inline(always)]
fn set_of<T>(slots: &mut [T], h: usize) -> &mut [T] {
    let sets = slots.len() / WAYS;
    let i = (h & (sets - 1)) * WAYS;
    &mut slots[i..i + WAYS]
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
    (h >> 40) as usize
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
        let meta = (piece.len() as u64) << 32;
        if let Some(s) = sc.pieces.slots.get(i)
            && s.meta >> 32 == meta >> 32
            && s.words == w
        {
            return (s.meta & 0xFFFF_FFFF) as usize;
        }
        let n = count_piece_uncached(v, piece, sc);
        if let Some(s) = sc.pieces.slots.get_mut(i) {
            *s = PieceSlot {
                words: w,
                meta: meta | n as u64,
            };
        }
        return n;
    }
    if piece.len() <= SHORT && !sc.pieces.mid.is_empty() {
        let h = (hash_bytes(piece, key8(piece)) >> 40) as usize;
        let set = set_of(&mut sc.pieces.mid, h);
        for s in set.iter() {
            if s.len as usize == piece.len() && s.bytes.get(..piece.len()) == Some(piece) {
                return s.count as usize;
            }
        }
        let n = count_piece_uncached(v, piece, sc);
        let set = set_of(&mut sc.pieces.mid, h);
        set.copy_within(..WAYS - 1, 1);
        if let Some(b) = set[0].bytes.get_mut(..piece.len()) {
            b.copy_from_slice(piece);
            set[0].len = piece.len() as u32;
            set[0].count = n as u32;
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
/// merged-away part, see [`short_key`]): the minimum key is then the lowest rank at the
/// leftmost position, found by one reduction over the dense array ([`min_key`], SIMD) with no
/// second scan for its position. A piece of more than 3 lanes of 8 keys (25 bytes and up:
/// CJK clauses) also keeps the minimum of each lane, so a step rescans only the lanes whose
/// keys it changed (at most three) and then the 16 lane minima. Needs ranks below 2^24 (every
/// embedded vocabulary; [`merge_short_count`] falls back to the heap merge otherwise).
/// Returns the number of parts.
#[inline(always)]
fn merge_short_parts(
    v: &Vocab,
    piece: &[u8],
    cache: &mut RankCache,
    next: &mut [u8; SHORT + 1],
) -> usize {
    let n = piece.len();
    let mut key = [DEAD; SHORT];
    let mut prev = [0u8; SHORT + 1];
    for i in 0..n - 1 {
        key[i] = short_key(v.pair_rank(piece[i], piece[i + 1]), i);
    }
    for i in 0..=n {
        next[i] = (i + 1) as u8;
        prev[i] = i.wrapping_sub(1) as u8;
    }
    // Merge part `bi` with the next, part `j`; the keys of `bi`, `j` and the part before
    // `bi` (`p`, `bi` itself at the start) change.
    macro_rules! merge {
        ($bi:expr) => {{
            let bi = $bi;
            let j = next[bi] as usize;
            let k = next[j] as usize;
            key[j] = DEAD;
            next[bi] = k as u8;
            if k < n {
                prev[k] = bi as u8;
                key[bi] = short_key(v.merge_rank(piece, bi, k, next[k] as usize, cache), bi);
            } else {
                key[bi] = DEAD;
            }
            let mut p = bi;
            if bi > 0 {
                p = prev[bi] as usize;
                key[p] = short_key(v.merge_rank(piece, p, bi, k, cache), p);
            }
            (bi, j, p)
        }};
    }
    // the scan covers whole lanes of 8 keys: the keys past `n - 1` stay `DEAD`
    let lanes = (n - 1).div_ceil(8);
    let mut parts = n;
    if lanes <= 3 {
        loop {
            let best = min_key(&key, lanes);
            if best == DEAD {
                return parts;
            }
            merge!((best & 0x7F) as usize);
            parts -= 1;
        }
    }
    let mut lane_min = [DEAD; SHORT / 8];
    for (l, m) in lane_min.iter_mut().enumerate().take(lanes) {
        *m = lane_key(&key, l);
    }
    loop {
        let best = lane_min.iter().copied().fold(DEAD, i32::min);
        if best == DEAD {
            return parts;
        }
        let (bi, j, p) = merge!((best & 0x7F) as usize);
        parts -= 1;
        if j / 8 != bi / 8 {
            lane_min[j / 8] = lane_key(&key, j / 8);
        }
        if p / 8 != bi / 8 {
            lane_min[p / 8] = lane_key(&key, p / 8);
        }
        lane_min[bi / 8] = lane_key(&key, bi / 8);
    }
}

/// The least key of lane `l` (`key[8 * l..8 * l + 8]`).
#[inline(always)]
fn lane_key(key: &[i32; SHORT], l: usize) -> i32 {
    key.chunks_exact(8)
        .nth(l)
        .map_or(DEAD, |c| c.iter().copied().fold(DEAD, i32::min))
}

/// No merge (a part merged away, or a pair that is no token).
const DEAD: i32 = i32::MAX;

/// The short merge's key of part `pos` whose join with the next part has rank `rank`
/// (`u32::MAX`: none): `rank << 7 | pos`, so keys order by rank, then position. The vocabulary
/// has fewer than `SHORT_MAX_VOCAB` (2^24) ranks, so the largest, 2^24 - 2, still gives a
/// non-negative key below `DEAD`.
#[inline(always)]
fn short_key(rank: u32, pos: usize) -> i32 {
    if rank == u32::MAX {
        DEAD
    } else {
        (rank << 7 | pos as u32) as i32
    }
}

/// The least of `key[..8 * lanes]`, reduced 8 lanes at a time (signed: SSE2 has a signed
/// 32-bit compare, so this compiles to four vector instructions per four keys).
#[inline(always)]
fn min_key(key: &[i32; SHORT], lanes: usize) -> i32 {
    let mut acc = [i32::MAX; 8];
    for c in key.chunks_exact(8).take(lanes) {
        for (a, &k) in acc.iter_mut().zip(c) {
            *a = (*a).min(k);
        }
    }
    acc.iter().copied().fold(i32::MAX, i32::min)
}

/// Vocabularies with ranks below this use the short merge (a key holds the rank in its top 24 bits).
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

#[cfg(test)]
mod tests {
    use super::super::vocab::{CL100K, O200K, QWEN2, R50K};
    use super::*;

    /// The ids of `piece` by the heap merge (cross-checked against tiktoken on long pieces).
    fn heap_ids(v: &Vocab, piece: &[u8]) -> Vec<u32> {
        let mut sc = Scratch::for_text_len(0);
        let mut out = Vec::new();
        merge_heap(v, piece, &mut sc, &mut |r| out.push(r));
        out
    }

    fn short_ids(v: &Vocab, piece: &[u8]) -> Vec<u32> {
        let mut cache = RankCache::for_text_len(0);
        let mut out = Vec::new();
        merge_short(v, piece, &mut cache, &mut |r| out.push(r));
        out
    }

    /// Pieces of every length up to just past `SHORT`, of letters, of CJK and Cyrillic
    /// characters, and of bytes that are no text: the short merge (lanes of 8 keys, a last
    /// lane part-filled or full) gives the heap merge's ids, and the count path (with and
    /// without caches) their number; past `SHORT` the heap merge is taken.
    #[test]
    fn short_and_heap_merges_agree_at_every_length() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let letters: Vec<&[u8]> = ["a", "b", "e", "n", "t", "s"].map(str::as_bytes).to_vec();
        let cjk: Vec<&[u8]> = ["日", "本", "語", "の", "中", "文", "한", "국"]
            .map(str::as_bytes)
            .to_vec();
        let cyrillic: Vec<&[u8]> = ["п", "р", "и", "в", "е", "т", "ж", "ё"]
            .map(str::as_bytes)
            .to_vec();
        let bytes: Vec<&[u8]> = vec![b"\xff", b"\x80", b"=", b"a", b"\xe6"];
        let alphabets = [letters, cjk, cyrillic, bytes];
        let mut checked = 0;
        for v in [&O200K, &CL100K, &R50K, &QWEN2] {
            // with the caches and memos of a large text, kept from piece to piece
            let mut memo = Scratch::for_text_len(1 << 20);
            for alphabet in &alphabets {
                for len in 3..=SHORT + 3 {
                    for _ in 0..3 {
                        let mut piece = Vec::new();
                        while piece.len() < len {
                            let s = alphabet[rnd() as usize % alphabet.len()];
                            piece.extend_from_slice(s);
                        }
                        piece.truncate(len);
                        let want = heap_ids(v, &piece);
                        if len <= SHORT {
                            assert_eq!(short_ids(v, &piece), want, "{piece:?}");
                            let cache = &mut memo.cache;
                            assert_eq!(merge_short_count(v, &piece, cache), want.len());
                        }
                        for sc in [&mut Scratch::for_text_len(0), &mut memo] {
                            assert_eq!(count_piece(v, &piece, sc), want.len());
                            assert_eq!(count_piece(v, &piece, sc), want.len(), "memo hit");
                            let mut ids = Vec::new();
                            encode_piece(v, &piece, sc, &mut |r| ids.push(r));
                            assert_eq!(ids, want);
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 4 * 4 * (SHORT + 1) * 3);
    }

    /// The memos at their smallest (a 16 KB text: 1,024 short, 256 medium and 256 long
    /// slots) under many more distinct pieces than slots, of every memo's lengths, some the
    /// prefix of another or differing in the last byte only: a slot taken by another piece is
    /// a miss, never that piece's count.
    #[test]
    fn memos_give_exact_counts_when_pieces_collide() {
        let mut sc = Scratch::for_text_len(PIECE_MIN_TEXT);
        assert_eq!(
            (
                sc.pieces.slots.len(),
                sc.pieces.mid.len(),
                sc.pieces.long.slots.len()
            ),
            (1024, 256, LONG_SLOTS)
        );
        let chars: Vec<char> = "日本語の中文한국어привет".chars().collect();
        let mut pieces = Vec::new();
        for i in 0..1200usize {
            let len = 3 + i * 7 % 200;
            let mut p = String::new();
            let mut x = i;
            while p.len() < len {
                p.push(chars[x % chars.len()]);
                x = x / 3 + 1;
            }
            let mut p = p.into_bytes();
            p.truncate(len);
            pieces.push(p.clone());
            p.pop();
            pieces.push(p.clone());
            if let Some(last) = p.last_mut() {
                *last ^= 1;
            }
            pieces.push(p);
        }
        let want: Vec<usize> = pieces.iter().map(|p| heap_ids(&O200K, p).len()).collect();
        for pass in 0..2 {
            for (p, &w) in pieces.iter().zip(&want) {
                assert_eq!(count_piece(&O200K, p, &mut sc), w, "pass {pass}: {p:?}");
            }
        }
    }

    /// One letter repeated: every pair has the same rank, so the leftmost must win each step
    /// (ties are broken by the position in the key's low bits, across lanes too).
    #[test]
    fn equal_ranks_merge_leftmost_first() {
        for len in [3, 8, 9, 16, 17, 64, 127, SHORT] {
            let piece = vec![b'a'; len];
            assert_eq!(short_ids(&O200K, &piece), heap_ids(&O200K, &piece), "{len}");
        }
    }

    #[test]
    fn short_keys_order_by_rank_then_position_up_to_the_largest_rank() {
        let top = (SHORT_MAX_VOCAB - 2) as u32;
        assert_eq!(short_key(top, SHORT - 1), (top << 7 | 127) as i32);
        assert!(short_key(top, SHORT - 1) > 0 && short_key(top, SHORT - 1) < DEAD);
        assert!(short_key(top - 1, SHORT - 1) < short_key(top, 0));
        assert!(short_key(top, 3) < short_key(top, 4));
        assert!(short_key(0, 0) == 0 && short_key(0, 1) > 0);
        assert_eq!(short_key(u32::MAX, 5), DEAD);
        let mut key = [DEAD; SHORT];
        assert_eq!(min_key(&key, SHORT / 8), DEAD);
        key[SHORT - 1] = short_key(top, SHORT - 1);
        assert_eq!(min_key(&key, SHORT / 8), short_key(top, SHORT - 1));
        assert_eq!(min_key(&key, SHORT / 8 - 1), DEAD, "a lane not scanned");
        key[9] = short_key(top, 9);
        assert_eq!(min_key(&key, 2), short_key(top, 9));
    }
}
