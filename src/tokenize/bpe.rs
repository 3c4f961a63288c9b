//! Byte-pair merge: repeatedly merge the adjacent pair whose concatenation has the lowest rank
//! (leftmost on ties), exactly as tiktoken's `byte_pair_merge`. Short pieces use the simple
//! quadratic scan on a stack buffer; long pieces use a binary heap with lazy deletion
//! (O(n log n)), so a megabyte-long single piece is no cliff.

use super::vocab::Vocab;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pieces up to this many bytes use the quadratic scan.
const SHORT: usize = 128;

/// Emit the tokens of one piece (ids if `emit` is used, or just count them).
#[inline]
pub(crate) fn encode_piece(v: &Vocab, piece: &[u8], emit: &mut impl FnMut(u32)) {
    if piece.len() <= 1 {
        if !piece.is_empty() {
            emit(v.rank(piece).unwrap_or(0));
        }
        return;
    }
    if let Some(r) = v.rank(piece) {
        emit(r);
        return;
    }
    if piece.len() <= SHORT {
        merge_short(v, piece, emit)
    } else {
        merge_heap(v, piece, emit)
    }
}

/// Number of tokens of one piece.
#[inline]
pub(crate) fn count_piece(v: &Vocab, piece: &[u8]) -> usize {
    if piece.len() <= 1 {
        return piece.len();
    }
    if v.rank(piece).is_some() {
        return 1;
    }
    let mut n = 0;
    if piece.len() <= SHORT {
        merge_short(v, piece, &mut |_| n += 1);
    } else {
        merge_heap(v, piece, &mut |_| n += 1);
    }
    n
}

#[inline(always)]
fn rank_or_max(v: &Vocab, b: &[u8]) -> u32 {
    v.rank(b).unwrap_or(u32::MAX)
}

fn merge_short(v: &Vocab, piece: &[u8], emit: &mut impl FnMut(u32)) {
    let n = piece.len();
    // parts[i] = (start, rank of the pair starting at part i)
    let mut start = [0u32; SHORT + 1];
    let mut pair = [u32::MAX; SHORT + 1];
    let mut len = n + 1; // number of boundaries, including the end
    for i in 0..n {
        start[i] = i as u32;
        pair[i] = if i + 1 < n {
            rank_or_max(v, &piece[i..i + 2])
        } else {
            u32::MAX
        };
    }
    start[n] = n as u32;
    pair[n] = u32::MAX;
    loop {
        // leftmost minimum over the parts that have a right neighbour
        let mut best = u32::MAX;
        let mut bi = 0;
        for (i, &r) in pair[..len - 1].iter().enumerate() {
            if r < best {
                best = r;
                bi = i;
            }
        }
        if best == u32::MAX {
            break;
        }
        // merge part bi with bi+1: drop boundary bi+1
        start.copy_within(bi + 2..len, bi + 1);
        pair.copy_within(bi + 2..len, bi + 1);
        len -= 1;
        let get = |i: usize, start: &[u32]| -> u32 {
            if i + 2 < len {
                rank_or_max(v, &piece[start[i] as usize..start[i + 2] as usize])
            } else {
                u32::MAX
            }
        };
        pair[bi] = get(bi, &start);
        if bi > 0 {
            pair[bi - 1] = get(bi - 1, &start);
        }
    }
    for w in start[..len].windows(2) {
        let tok = &piece[w[0] as usize..w[1] as usize];
        emit(v.rank(tok).unwrap_or(0));
    }
}

fn merge_heap(v: &Vocab, piece: &[u8], emit: &mut impl FnMut(u32)) {
    let n = piece.len();
    const NONE: u32 = u32::MAX;
    // nodes are identified by their start byte; next[i] is the start of the following part
    let mut next: Vec<u32> = (1..=n as u32).collect();
    let mut prev: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
    prev[0] = NONE;
    let mut alive = vec![true; n];
    let mut pair = vec![u32::MAX; n];
    let mut heap = BinaryHeap::with_capacity(n);
    for i in 0..n - 1 {
        let r = rank_or_max(v, &piece[i..i + 2]);
        pair[i] = r;
        if r != u32::MAX {
            heap.push(Reverse((r, i as u32)));
        }
    }
    // rank of part i joined with its right neighbour
    let pair_rank = |i: usize, next: &[u32]| -> u32 {
        let j = next[i] as usize;
        if j >= n {
            return u32::MAX;
        }
        let k = next[j] as usize;
        rank_or_max(v, &piece[i..k])
    };
    while let Some(Reverse((r, i))) = heap.pop() {
        let i = i as usize;
        if !alive[i] || pair[i] != r {
            continue;
        }
        let j = next[i] as usize;
        // merge j into i
        alive[j] = false;
        let k = next[j];
        next[i] = k;
        if (k as usize) < n {
            prev[k as usize] = i as u32;
        }
        let ri = pair_rank(i, &next);
        pair[i] = ri;
        if ri != u32::MAX {
            heap.push(Reverse((ri, i as u32)));
        }
        let p = prev[i];
        if p != NONE {
            let p = p as usize;
            let rp = pair_rank(p, &next);
            pair[p] = rp;
            if rp != u32::MAX {
                heap.push(Reverse((rp, p as u32)));
            }
        }
    }
    let mut i = 0usize;
    while i < n {
        let j = next[i] as usize;
        emit(v.rank(&piece[i..j.min(n)]).unwrap_or(0));
        i = j;
    }
}
