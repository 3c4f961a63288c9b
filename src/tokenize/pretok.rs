//! Hand-written pre-tokenizers: exact equivalents of tiktoken's split regexes, one scanner per
//! regex family, driven by the character classes of [`super::charclass`].
//!
//! Each `next_*` function takes the byte offset of a match start (`pos < text.len()`, on a char
//! boundary) and returns the end of the match the regex would produce there. Every character
//! matches some alternative, so the pieces tile the text and each call advances by >= 1 char.

use super::charclass::*;

/// Facts about the whitespace run starting at `pos`.
struct WsRun {
    /// end of the run
    end: usize,
    /// start of the last char of the run
    last: usize,
    /// number of chars is >= 2
    multi: bool,
    /// end of the last CR/LF in the run, if any
    crlf_end: Option<usize>,
}

#[inline(always)]
fn ws_run(b: &[u8], pos: usize) -> WsRun {
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
    WsRun {
        end: i,
        last,
        multi: n >= 2,
        crlf_end,
    }
}

/// Fast path for the commonest piece, an ASCII word. At `pos`: an ASCII letter, or a prefix
/// char followed by one — with `any_prefix` any ASCII char that is not CR, LF, a letter or a
/// digit (each is `[^\r\n\p{L}\p{N}]`: class other or white space), without it a space only
/// (GPT-2's ` ?`). Then the letter run: with `cased` (o200k) `[A-Z]*[a-z]*`, otherwise
/// (`\p{L}++`) `[A-Za-z]*`. Returns the end of that run (before any contraction suffix), or
/// `None` when the general scanner must decide: no such word, or the run stops at a non-ASCII
/// byte (which may be a letter or mark that continues it).
///
/// Why o200k's run is `[A-Z]*[a-z]*` here: its first alternative `[U]*[W]+` is `[A-Z]*[a-z]+`
/// on ASCII (no ASCII char is in both classes, so there is nothing to backtrack), and when no
/// lowercase letter follows, the second `[U]+[W]*` is `[A-Z]+`; both end where `[A-Z]*[a-z]*`
/// ends. The prefix is tried taken first, and a letter run follows it, so it is taken.
#[inline(always)]
fn ascii_word(b: &[u8], pos: usize, any_prefix: bool, cased: bool) -> Option<usize> {
    let c = *b.get(pos)?;
    let s = if c.is_ascii_alphabetic() {
        pos
    } else {
        let prefix_ok = if any_prefix {
            c < 0x80 && c != b'\r' && c != b'\n' && !c.is_ascii_digit()
        } else {
            c == b' '
        };
        if !prefix_ok || !b.get(pos + 1)?.is_ascii_alphabetic() {
            return None;
        }
        pos + 1
    };
    let mut i = s;
    if cased {
        while b.get(i).is_some_and(u8::is_ascii_uppercase) {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_lowercase) {
            i += 1;
        }
    } else {
        while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
    }
    match b.get(i) {
        Some(&x) if x >= 0x80 => None,
        _ => Some(i),
    }
}

/// Fast paths for the other common ASCII pieces, taken after [`ascii_word`] found no word at
/// `pos` (and, for GPT-2 and cl100k, when `pos` holds no `'`, where a contraction may start):
/// - a newline followed by an ASCII char that is not white space (or by the end): the newline
///   alone, in every family (`\s*[\r\n]+` / `\s*[\r\n]` / `\s`);
/// - ASCII digits: cl100k and o200k take `\p{N}{1,3}`, GPT-2 `\p{N}++`;
/// - an optional space and a run of ASCII punctuation (`[^\s\p{L}\p{N}]`, class other),
///   then o200k's `[\r\n/]*` or cl100k's `[\r\n]*`. No letter alternative matches here:
///   the char after the prefix is no letter (when it is, and [`ascii_word`] gave up because
///   the word runs on into non-ASCII, the general scanner decides).
///
/// `None` (the general scanner decides) whenever a non-ASCII byte is where the run might go on.
#[inline(always)]
fn ascii_other(b: &[u8], pos: usize, family: Family) -> Option<usize> {
    let c = *b.get(pos)?;
    let ascii_at = |i: usize| match b.get(i) {
        None => Some(END),
        Some(&x) if x < 0x80 => Some(ASCII[x as usize]),
        Some(_) => None,
    };
    if c == b'\n' {
        let k = ascii_at(pos + 1)?;
        return (k != WS && k != CRLF).then_some(pos + 1);
    }
    if c.is_ascii_digit() {
        let mut i = pos + 1;
        while family == Family::Gpt2 || i < pos + 3 {
            match ascii_at(i)? {
                NUM => i += 1,
                _ => return Some(i),
            }
        }
        // three digits: the piece ends here whatever follows
        return Some(i);
    }
    let s = if c == b' ' { pos + 1 } else { pos };
    if ascii_at(s)? != OTHER {
        return None;
    }
    // a punctuation char at `pos` may be the prefix of a letter run (cl100k, o200k): then the
    // run went on past ASCII, and the general scanner decides; a non-ASCII char might be a
    // letter too
    if s == pos && (family != Family::Gpt2 && matches!(ascii_at(pos + 1)?, LL | LU)) {
        return None;
    }
    let mut i = s + 1;
    loop {
        match ascii_at(i)? {
            OTHER => i += 1,
            END => return Some(i),
            _ => break,
        }
    }
    match family {
        Family::Gpt2 => {}
        Family::Cl100k => {
            while matches!(b.get(i), Some(b'\r' | b'\n')) {
                i += 1;
            }
        }
        Family::O200k => {
            while matches!(b.get(i), Some(b'\r' | b'\n' | b'/')) {
                i += 1;
            }
        }
        // the open-weight families have their own scanners and never take this path
        Family::Qwen2 | Family::Qwen3_5 | Family::Tekken | Family::DeepSeek => return None,
    }
    Some(i)
}

/// Fast path for a run of two or more ASCII white-space chars (indentation, blank lines),
/// taken after [`ascii_word`] and [`ascii_other`] found nothing at `pos`. Its first char is
/// white space and so is its second, so no letter, digit or punctuation alternative matches
/// at `pos` (a prefix char must be followed by a letter, ` ?` by punctuation or a digit), and
/// the white-space alternatives decide: the same rules as the general scanners' `ws_run`
/// tail, for the family's regex. Spaces are skipped eight at a time.
///
/// `None` (the general scanner decides) for a run of one char, or when the run stops at a
/// non-ASCII byte (a Unicode white-space char may continue it).
#[inline(always)]
fn ascii_ws(b: &[u8], pos: usize, family: Family) -> Option<usize> {
    let is_ws = |x: u8| x < 0x80 && has(M_S, ASCII[x as usize]);
    if !is_ws(*b.get(pos)?) || !is_ws(*b.get(pos + 1)?) {
        return None;
    }
    let mut i = pos;
    let mut crlf_end = None;
    loop {
        while let Some(w) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            let x = u64::from_le_bytes(w) ^ 0x2020_2020_2020_2020;
            if x != 0 {
                i += (x.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        match b.get(i) {
            Some(b'\r' | b'\n') => {
                i += 1;
                crlf_end = Some(i);
            }
            Some(&x) if is_ws(x) => i += 1,
            Some(&x) if x >= 0x80 => return None,
            _ => break,
        }
    }
    // the run ends at `i` (an ASCII char that is not white space, or the end of the text); its
    // last char starts at `i - 1`
    let at_end = i == b.len();
    Some(match family {
        // \s*[\r\n]+ | \s+(?!\S) | \s+
        Family::O200k => crlf_end.unwrap_or(if at_end { i } else { i - 1 }),
        // \s++$ | \s*[\r\n] | \s+(?!\S) | \s
        Family::Cl100k if at_end => i,
        Family::Cl100k => crlf_end.unwrap_or(i - 1),
        // \s++$ | \s+(?!\S) | \s
        Family::Gpt2 if at_end => i,
        Family::Gpt2 => i - 1,
        Family::Qwen2 | Family::Qwen3_5 | Family::Tekken | Family::DeepSeek => return None,
    })
}

/// r50k_base / p50k_base:
/// `'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`
pub(crate) fn next_gpt2(b: &[u8], pos: usize) -> usize {
    let c = b[pos];
    if c == b'\'' {
        match b.get(pos + 1) {
            Some(b's' | b'd' | b'm' | b't') => return pos + 2,
            Some(&n) => {
                if let Some(&n2) = b.get(pos + 2)
                    && matches!((n, n2), (b'l', b'l') | (b'v', b'e') | (b'r', b'e'))
                {
                    return pos + 3;
                }
            }
            None => {}
        }
    }
    let (k, l) = cls_at(b, pos);
    let (k, s) = if c == b' ' {
        let (k2, _) = cls_at(b, pos + 1);
        if has(M_L | M_N | M_O, k2) {
            (k2, pos + 1)
        } else {
            (k, pos)
        }
    } else {
        (k, pos)
    };
    if has(M_L, k) {
        return run(b, s, M_L);
    }
    if k == NUM {
        return run(b, s, M_N);
    }
    if has(M_O, k) {
        return run(b, s, M_O);
    }
    // whitespace
    let w = ws_run(b, pos);
    if w.end == b.len() {
        w.end
    } else if w.multi {
        w.last
    } else {
        pos + l
    }
}

/// cl100k_base:
/// `'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`
pub(crate) fn next_cl100k(b: &[u8], pos: usize) -> usize {
    let c = b[pos];
    if c == b'\''
        && let Some(n) = contraction_ci(b, pos + 1)
    {
        return n;
    }
    let (k, l) = cls_at(b, pos);
    // [^\r\n\p{L}\p{N}]?+\p{L}++
    if has(M_L, k) {
        return run(b, pos + l, M_L);
    }
    if has(M_P, k) {
        let (k2, l2) = cls_at(b, pos + l);
        if has(M_L, k2) {
            return run(b, pos + l + l2, M_L);
        }
    }
    // \p{N}{1,3}+
    if k == NUM {
        return digits3(b, pos + l);
    }
    // ' ?[^\s\p{L}\p{N}]++[\r\n]*+'
    let s = if c == b' ' && has(M_O, cls_at(b, pos + 1).0) {
        Some(pos + 1)
    } else if has(M_O, k) {
        Some(pos)
    } else {
        None
    };
    if let Some(s) = s {
        let mut e = run(b, s, M_O);
        while matches!(b.get(e), Some(b'\r' | b'\n')) {
            e += 1;
        }
        return e;
    }
    // whitespace: \s++$ | \s*[\r\n] | \s+(?!\S) | \s
    let w = ws_run(b, pos);
    if w.end == b.len() {
        w.end
    } else if let Some(e) = w.crlf_end {
        e
    } else if w.multi {
        w.last
    } else {
        pos + l
    }
}

/// Up to two more `\p{N}` after the first (which ends at `i`).
#[inline(always)]
fn digits3(b: &[u8], mut i: usize) -> usize {
    for _ in 0..2 {
        let (k, l) = cls_at(b, i);
        if k != NUM {
            break;
        }
        i += l;
    }
    i
}

/// After an apostrophe at `i - 1`: the end of a case-insensitive contraction, if any.
/// cl100k: `[sdmt]|ll|ve|re`; o200k: `s|t|re|ve|m|ll|d` (the same set).
/// `(?i)s` also matches U+017F LATIN SMALL LETTER LONG S (checked at build time).
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

/// o200k_base (and o200k_harmony):
/// ```text
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// ```
/// (backtracking semantics, emulated exactly below).
pub(crate) fn next_o200k(b: &[u8], pos: usize) -> usize {
    let c = b[pos];
    let (k, l) = cls_at(b, pos);
    if has(M_P | M_U | M_W, k) {
        // the optional prefix is tried taken first, then not taken
        let taken = has(M_P, k);
        if taken && let Some(e) = o200k_a(b, pos + l) {
            return suffix(b, e);
        }
        if let Some(e) = o200k_a(b, pos) {
            return suffix(b, e);
        }
        if taken && let Some(e) = o200k_b(b, pos + l) {
            return suffix(b, e);
        }
        if let Some(e) = o200k_b(b, pos) {
            return suffix(b, e);
        }
    }
    if k == NUM {
        return digits3(b, pos + l);
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n/]*'
    let s = if c == b' ' && has(M_O, cls_at(b, pos + 1).0) {
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
    // whitespace: \s*[\r\n]+ | \s+(?!\S) | \s+
    let w = ws_run(b, pos);
    if let Some(e) = w.crlf_end {
        e
    } else if w.end == b.len() || !w.multi {
        w.end
    } else {
        w.last
    }
}

/// `U*W+` from `s` (without the suffix): greedy U*, then W+, backtracking U* if needed.
#[inline(always)]
fn o200k_a(b: &[u8], s: usize) -> Option<usize> {
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
        // backtrack: W+ starts at the last W char inside the U run and is that char alone
        return last_w_end;
    }
}

/// `U+W*` from `s` (without the suffix).
#[inline(always)]
fn o200k_b(b: &[u8], s: usize) -> Option<usize> {
    let (k, l) = cls_at(b, s);
    if !has(M_U, k) {
        return None;
    }
    let u = run(b, s + l, M_U);
    Some(run(b, u, M_W))
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)?` at `e`.
#[inline(always)]
fn suffix(b: &[u8], e: usize) -> usize {
    if b.get(e) == Some(&b'\'')
        && let Some(n) = contraction_ci(b, e + 1)
    {
        return n;
    }
    e
}

/// Which regex family an encoding uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Gpt2,
    Cl100k,
    O200k,
    /// the open-weight families, in `pretok_open.rs`
    Qwen2,
    Qwen3_5,
    Tekken,
    DeepSeek,
}

impl Family {
    /// The end of the piece starting at `pos`. The ASCII-word fast path is inlined into the
    /// caller's loop (most pieces of English and code take it); the rest of each scanner is
    /// out of line.
    #[inline(always)]
    pub(crate) fn next(self, b: &[u8], pos: usize) -> usize {
        match self {
            Family::Gpt2 => {
                // a contraction may start at `'`
                if b.get(pos) != Some(&b'\'') {
                    if let Some(e) = ascii_word(b, pos, false, false) {
                        return e;
                    }
                    if let Some(e) = ascii_other(b, pos, self) {
                        return e;
                    }
                    if let Some(e) = ascii_ws(b, pos, self) {
                        return e;
                    }
                }
                next_gpt2(b, pos)
            }
            Family::Cl100k => {
                if b.get(pos) != Some(&b'\'') {
                    if let Some(e) = ascii_word(b, pos, true, false) {
                        return e;
                    }
                    if let Some(e) = ascii_other(b, pos, self) {
                        return e;
                    }
                    if let Some(e) = ascii_ws(b, pos, self) {
                        return e;
                    }
                }
                next_cl100k(b, pos)
            }
            Family::O200k => {
                if let Some(e) = ascii_word(b, pos, true, true) {
                    return suffix(b, e);
                }
                if let Some(e) = ascii_other(b, pos, self) {
                    return e;
                }
                if let Some(e) = ascii_ws(b, pos, self) {
                    return e;
                }
                next_o200k(b, pos)
            }
            Family::Qwen2 => super::pretok_open::next_qwen2(b, pos),
            Family::Qwen3_5 => super::pretok_open::next_qwen3_5(b, pos),
            Family::Tekken => super::pretok_open::next_tekken(b, pos),
            Family::DeepSeek => super::pretok_open::next_deepseek(b, pos),
        }
    }
}

/// Iterator over the pre-tokenizer pieces of a text.
pub struct Pieces<'a> {
    text: &'a str,
    pos: usize,
    family: Option<Family>,
}

impl<'a> Pieces<'a> {
    pub(crate) fn new(text: &'a str, family: Family) -> Self {
        Pieces {
            text,
            pos: 0,
            family: Some(family),
        }
    }

    /// The whole text as one piece (for tokenizers whose split is not one of these families).
    pub(crate) fn whole(text: &'a str) -> Self {
        Pieces {
            text,
            pos: 0,
            family: None,
        }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;
    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        if self.pos >= b.len() {
            return None;
        }
        let mut end = match self.family {
            Some(f) => f.next(b, self.pos),
            None => b.len(),
        };
        // defensive: always advance to a char boundary
        if end <= self.pos || end > b.len() {
            end = b.len();
        }
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        let s = self.text.get(self.pos..end).unwrap_or("");
        self.pos = end;
        Some(s)
    }
}
