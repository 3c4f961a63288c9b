// Shared between build.rs (which lays out the tables) and the library (which probes them):
// both sides must agree bit for bit, so this file is `include!`d by both.

/// Bytes per hash-table slot: `key8` (u64 LE), rank (u32 LE, `EMPTY_RANK` = free), length (u32 LE).
pub const SLOT_BYTES: usize = 16;
/// Marks a free slot.
pub const EMPTY_RANK: u32 = u32::MAX;

/// The first (up to) eight bytes of `b`, little-endian, zero-padded.
#[inline(always)]
pub fn key8(b: &[u8]) -> u64 {
    if b.len() >= 8 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        u64::from_le_bytes(a)
    } else {
        let mut a = [0u8; 8];
        a[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(a)
    }
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
