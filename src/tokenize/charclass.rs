//! The character classes the pre-tokenizers scan by: a two-level Unicode class table
//! generated at build time from `regex-syntax` (the tables fancy-regex, and so tiktoken-rs,
//! uses), a byte table for ASCII, and the class-run helpers shared by every regex family
//! (`pretok.rs` for OpenAI's, `pretok_open.rs` for the open-weight families).

/// Other: not White_Space, not a letter, number or mark.
pub(crate) const OTHER: u8 = 0;
/// `\p{Ll}`
pub(crate) const LL: u8 = 1;
/// `\p{Lu}` or `\p{Lt}`
pub(crate) const LU: u8 = 2;
/// `\p{Lm}` or `\p{Lo}`
pub(crate) const LO: u8 = 3;
/// `\p{M}`
pub(crate) const MARK: u8 = 4;
/// `\p{N}`
pub(crate) const NUM: u8 = 5;
/// White_Space other than CR and LF
pub(crate) const WS: u8 = 6;
/// `\r` or `\n`
pub(crate) const CRLF: u8 = 7;
/// Past the end of the text.
pub(crate) const END: u8 = 8;

pub(crate) const fn bit(c: u8) -> u16 {
    1 << c
}
/// `\p{L}`
pub(crate) const M_L: u16 = bit(LL) | bit(LU) | bit(LO);
/// `\s`
pub(crate) const M_S: u16 = bit(WS) | bit(CRLF);
/// `[^\s\p{L}\p{N}]`
pub(crate) const M_O: u16 = bit(OTHER) | bit(MARK);
/// `[^\r\n\p{L}\p{N}]`
pub(crate) const M_P: u16 = bit(OTHER) | bit(MARK) | bit(WS);
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`
pub(crate) const M_U: u16 = bit(LU) | bit(LO) | bit(MARK);
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`
pub(crate) const M_W: u16 = bit(LL) | bit(LO) | bit(MARK);
pub(crate) const M_N: u16 = bit(NUM);

pub(crate) static STAGE1: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/class_stage1"));
pub(crate) static STAGE2: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/class_stage2"));

/// Classes of the ASCII chars (block 0 of stage 2 is the ASCII block).
pub(crate) static ASCII: [u8; 128] = {
    const S2: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/class_stage2"));
    let mut a = [OTHER; 128];
    let mut i = 0;
    while i < 128 {
        a[i] = S2[i];
        i += 1;
    }
    a
};

/// Class of a code point.
#[inline]
pub(crate) fn class_of(cp: u32) -> u8 {
    let blk = cp as usize >> 7;
    let i = 2 * blk;
    let b = match STAGE1.get(i..i + 2) {
        Some(s) => u16::from_le_bytes([s[0], s[1]]) as usize,
        None => return OTHER,
    };
    STAGE2
        .get(b * 128 + (cp as usize & 127))
        .copied()
        .unwrap_or(OTHER)
}

/// Class and byte length of the char at `i` (`(END, 0)` at or past the end).
#[inline(always)]
pub(crate) fn cls_at(b: &[u8], i: usize) -> (u8, usize) {
    let Some(&c0) = b.get(i) else {
        return (END, 0);
    };
    if c0 < 0x80 {
        return (ASCII[(c0 & 0x7F) as usize], 1);
    }
    let (cp, len) = decode_multi(b, i, c0);
    (class_of(cp), len)
}

/// Decode a multi-byte UTF-8 sequence starting with `c0` at `i` (valid UTF-8 assumed, but a
/// malformed tail never panics: missing bytes read as 0).
#[inline(always)]
pub(crate) fn decode_multi(b: &[u8], i: usize, c0: u8) -> (u32, usize) {
    let at = |k: usize| (b.get(i + k).copied().unwrap_or(0x80) & 0x3F) as u32;
    if c0 < 0xE0 {
        (((c0 as u32 & 0x1F) << 6) | at(1), 2)
    } else if c0 < 0xF0 {
        (((c0 as u32 & 0x0F) << 12) | (at(1) << 6) | at(2), 3)
    } else {
        (
            ((c0 as u32 & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3),
            4,
        )
    }
}

#[inline(always)]
pub(crate) fn has(mask: u16, c: u8) -> bool {
    mask & bit(c) != 0
}

/// End of the run of chars in `mask` starting at `i`.
#[inline(always)]
pub(crate) fn run(b: &[u8], mut i: usize, mask: u16) -> usize {
    loop {
        let (k, l) = cls_at(b, i);
        if !has(mask, k) {
            return i;
        }
        i += l;
    }
}
