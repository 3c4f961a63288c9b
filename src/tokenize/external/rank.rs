//! A tiktoken rank file (`<base64 token> <rank>` per line, the `.tiktoken` format that
//! `tiktoken.load.load_tiktoken_bpe` reads) with a named split rule.
//!
//! The text is split by this crate's own exact pre-tokeniser of the named family (the same
//! scanners the embedded encodings use, equal to tiktoken's regexes), and each piece is merged
//! by tiktoken's rule: a piece that is a token is one token; otherwise repeatedly merge the
//! adjacent pair whose concatenation has the lowest rank, leftmost first. The reference is
//! `tiktoken.Encoding(pat_str=<the family's regex>, mergeable_ranks=load_tiktoken_bpe(file),
//! special_tokens={}).encode_ordinary(text)`.
//!
//! The file must hold every single byte as a token (tiktoken fails on a byte it cannot
//! start from), no token or rank twice, and nothing but `token rank` lines (blank lines are
//! ignored): anything else is an error naming the line.

use std::collections::{BinaryHeap, HashMap};

use super::Split;
use crate::tokenize::pretok::Pieces;

pub struct RankTokenizer {
    ranks: HashMap<Vec<u8>, u32>,
    by_rank: HashMap<u32, Vec<u8>>,
    split: Split,
}

/// Whether `text` looks like a rank file: its first non-blank line is `base64 number`.
pub(super) fn looks_like_rank_file(text: &[u8]) -> bool {
    let Some(line) = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
    else {
        return false;
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(tok), Some(rank), None) => {
            !tok.is_empty()
                && tok
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
                && !rank.is_empty()
                && rank.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

impl RankTokenizer {
    pub fn parse(bytes: &[u8], split: Split) -> Result<RankTokenizer, String> {
        let mut ranks = HashMap::new();
        let mut by_rank = HashMap::new();
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let n = i + 1;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = std::str::from_utf8(line)
                .map_err(|_| format!("line {n}: not a `base64-token rank` line (not ASCII)"))?;
            let (tok, rank) = line
                .split_once(' ')
                .ok_or_else(|| format!("line {n}: not a `base64-token rank` line"))?;
            let rank: u32 = rank
                .parse()
                .map_err(|_| format!("line {n}: rank {rank:?} is not a whole number below 2^32"))?;
            let bytes = decode_base64(tok)
                .ok_or_else(|| format!("line {n}: {tok:?} is not valid base64"))?;
            if bytes.is_empty() {
                return Err(format!("line {n}: an empty token"));
            }
            if let Some(prev) = ranks.insert(bytes.clone(), rank) {
                return Err(format!(
                    "line {n}: token {tok} appears twice (ranks {prev} and {rank})"
                ));
            }
            if by_rank.insert(rank, bytes).is_some() {
                return Err(format!("line {n}: rank {rank} is given to two tokens"));
            }
        }
        if ranks.is_empty() {
            return Err("holds no tokens".into());
        }
        if let Some(b) = (0u8..=255).find(|b| !ranks.contains_key(&[*b][..])) {
            return Err(format!(
                "has no token for the single byte 0x{b:02X}: tiktoken merges from single bytes, \
                 so a rank file must hold all 256"
            ));
        }
        Ok(RankTokenizer {
            ranks,
            by_rank,
            split,
        })
    }

    pub fn split(&self) -> Split {
        self.split
    }

    fn pieces<'a>(&self, text: &'a str) -> Pieces<'a> {
        Pieces::new(text, self.split.family())
    }

    pub fn count(&self, text: &str) -> usize {
        let mut n = 0;
        for p in self.pieces(text) {
            if self.ranks.contains_key(p.as_bytes()) {
                n += 1;
            } else {
                merge(&self.ranks, p.as_bytes(), &mut |_| n += 1);
            }
        }
        n
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for p in self.pieces(text) {
            match self.ranks.get(p.as_bytes()) {
                Some(&r) => out.push(r),
                None => merge(&self.ranks, p.as_bytes(), &mut |r| out.push(r)),
            }
        }
        out
    }

    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        self.by_rank.get(&id).cloned().unwrap_or_default()
    }
}

/// tiktoken's byte-pair merge of one piece, emitting the ranks of the final parts in order.
/// Linked list of parts plus a min-heap of `(rank, start)` with lazy deletion: the popped
/// entry is always the lowest-ranked adjacent pair, leftmost on ties, as in tiktoken's scan.
fn merge(ranks: &HashMap<Vec<u8>, u32>, piece: &[u8], emit: &mut dyn FnMut(u32)) {
    let n = piece.len();
    if n == 0 {
        return;
    }
    // part i covers piece[start[i]..start[next[i]]]; parts are identified by their start byte
    let mut next: Vec<usize> = (1..=n).collect();
    let mut prev: Vec<usize> = (0..n).map(|i| i.wrapping_sub(1)).collect();
    let mut alive = vec![true; n];
    let rank_of = |a: usize, end: usize| ranks.get(&piece[a..end]).copied();
    let mut heap = BinaryHeap::new();
    for i in 0..n.saturating_sub(1) {
        if let Some(r) = rank_of(i, i + 2) {
            heap.push(std::cmp::Reverse((r, i, i + 2)));
        }
    }
    while let Some(std::cmp::Reverse((r, i, end))) = heap.pop() {
        // stale unless part i is alive and its pair with the next part still spans i..end
        if !alive[i] {
            continue;
        }
        let j = next[i];
        if j >= n || next[j] != end {
            continue;
        }
        let _ = r;
        // merge part j into part i
        alive[j] = false;
        next[i] = end;
        if end < n {
            prev[end] = i;
        }
        let p = prev[i];
        if p != usize::MAX
            && let Some(r) = rank_of(p, end)
        {
            heap.push(std::cmp::Reverse((r, p, end)));
        }
        if end < n
            && let Some(r) = rank_of(i, next[end])
        {
            heap.push(std::cmp::Reverse((r, i, next[end])));
        }
    }
    let mut i = 0;
    while i < n {
        let end = next[i];
        // every single byte is a token (checked at load), and merged parts are tokens
        emit(rank_of(i, end).unwrap_or(u32::MAX));
        i = end;
    }
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    if s.bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b"+/=".contains(&b)))
    {
        return None;
    }
    crate::image::base64_decode(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> RankTokenizer {
        // every byte, then "ab", "abc", "bc"
        let mut file = String::new();
        for b in 0u8..=255 {
            file.push_str(&format!("{} {}\n", b64(&[b]), b));
        }
        file.push_str(&format!("{} 256\n", b64(b"bc")));
        file.push_str(&format!("{} 257\n", b64(b"ab")));
        file.push_str(&format!("{} 258\n", b64(b"abc")));
        RankTokenizer::parse(file.as_bytes(), Split::Cl100k).unwrap()
    }

    fn b64(b: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in b.chunks(3) {
            let v = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    out.push(A[((v >> (18 - 6 * k)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn merges_lowest_rank_first() {
        let t = tiny();
        // "abcd": bc (256) merges before ab (257), then a + bc = abc (258): abc, d
        assert_eq!(t.encode("abcd"), vec![258, 100]);
        // "abab": both ab pairs merge (leftmost first), "abab" is no token
        assert_eq!(t.encode("abab"), vec![257, 257]);
        // "abc" is itself a token
        assert_eq!(t.encode("abc"), vec![258]);
        assert_eq!(t.count("xabcd"), 3);
    }

    #[test]
    fn rejects_bad_files() {
        let e = RankTokenizer::parse(b"YQ== 0\nYg== x\n", Split::O200k)
            .err()
            .unwrap();
        assert_eq!(e, "line 2: rank \"x\" is not a whole number below 2^32");
        let e = RankTokenizer::parse(b"YQ== 0\nYQ== 1\n", Split::O200k)
            .err()
            .unwrap();
        assert_eq!(e, "line 2: token YQ== appears twice (ranks 0 and 1)");
        let e = RankTokenizer::parse(b"YQ== 0\nYg== 0\n", Split::O200k)
            .err()
            .unwrap();
        assert_eq!(e, "line 2: rank 0 is given to two tokens");
        let e = RankTokenizer::parse(b"YQ== 0\n", Split::O200k)
            .err()
            .unwrap();
        assert!(
            e.starts_with("has no token for the single byte 0x00"),
            "{e}"
        );
        let e = RankTokenizer::parse(b"Y!Q 0\n", Split::O200k)
            .err()
            .unwrap();
        assert_eq!(e, "line 1: \"Y!Q\" is not valid base64");
    }
}
