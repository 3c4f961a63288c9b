// Shared between build.rs (which lays out the tables) and the library (which probes them):
// both sides must agree bit for bit, so this file is `include!`d by both.

/// Bytes per hash-table slot: `key8` (u64 LE), rank (u32 LE, `EMPTY_RANK` = free), length (u32 LE).
pub const SLOT_BYTES: usize = 16;
/// Marks a free slot.
pub const EMPTY_RANK: u32 = u32::MAX;

/// The first (up to) eight bytes of `b`, little-endian, zero-padded. (Written with fixed-size
/// loads: a variable-length `copy_from_slice` would be a `memcpy` call on the hot path.)
#[inline(always)]
pub fn key8(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 8 {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    } else if n >= 4 {
        // two overlapping 4-byte loads
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64;
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]) as u64;
        lo | (hi << (8 * (n - 4)))
    } else if n > 0 {
        (b[0] as u64) | ((b[n / 2] as u64) << (8 * (n / 2))) | ((b[n - 1] as u64) << (8 * (n - 1)))
    } else {
        0
    }
}

/// `a == b` for slices of equal length, compared eight bytes at a time.
#[inline(always)]
pub fn eq_same_len(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.chunks(8).zip(b.chunks(8)).all(|(x, y)| key8(x) == key8(y))
}

/// Hash of a token's bytes given its `key8`; the table index is the top bits.
#[inline(always)]
pub fn hash_bytes(b: &[u8], k8: u64) -> u64 {
    let mut h = (k8 ^ (b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    if b.len() > 8 {
        for chunk in b[8..].chunks(8) {
            h = (h.rotate_left(23) ^ key8(chunk)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        }
    }
    h ^ (h >> 31)
}
