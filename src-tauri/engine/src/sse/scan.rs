//! Finding line ends (CR or LF) in a chunk.
//!
//! A chunk of small events has a line end every few dozen bytes. Searching for each one anew
//! pays a start-up cost per line, so [`LineEnds`] marks every CR and LF of a 64-byte block in one
//! bit mask and then takes line ends from the mask, a few bit operations each. A line that runs on
//! for several blocks is handed to `memchr`'s vectorised search; a short piece at the end of a
//! chunk (and a whole tiny chunk) is searched a word at a time by [`find_line_end`].

/// A cursor over the line ends of one chunk. Reset it (`LineEnds::default()`) for another chunk.
#[derive(Debug, Default)]
pub(super) struct LineEnds {
    /// Where the block in `mask` starts.
    base: usize,
    /// Bit `i` set: `chunk[base + i]` is CR or LF.
    mask: u64,
    /// `mask` holds a block of this chunk.
    loaded: bool,
}

/// Bytes per block.
const BLOCK: usize = 64;

/// Blocks searched with masks before a line is taken to be long and handed to `memchr`.
const BLOCKS_BEFORE_MEMCHR: usize = 4;

impl LineEnds {
    /// The first CR or LF in `chunk[from..]`, as an index into `chunk`. Calls on one chunk must
    /// not go backwards: `from` is at least the previous answer.
    #[inline]
    pub(super) fn next(&mut self, chunk: &[u8], from: usize) -> Option<usize> {
        let mut at = from;
        if self.loaded {
            let offset = from - self.base;
            if offset < BLOCK {
                let rest = self.mask & (u64::MAX << offset);
                if rest != 0 {
                    return Some(self.base + rest.trailing_zeros() as usize);
                }
                at = self.base + BLOCK;
            }
            self.loaded = false;
        }
        self.search(chunk, at)
    }

    /// Searches from `at` block by block, then with `memchr`.
    fn search(&mut self, chunk: &[u8], mut at: usize) -> Option<usize> {
        for _ in 0..BLOCKS_BEFORE_MEMCHR {
            let Some(block) = chunk.get(at..at + BLOCK) else {
                return find_line_end(&chunk[at..]).map(|i| at + i);
            };
            let mask = block_mask(block.try_into().expect("a whole block"));
            if mask != 0 {
                self.base = at;
                self.mask = mask;
                self.loaded = true;
                return Some(at + mask.trailing_zeros() as usize);
            }
            at += BLOCK;
        }
        memchr::memchr2(b'\n', b'\r', &chunk[at..]).map(|i| at + i)
    }
}

/// Bit `i` set where `block[i]` is CR or LF: sixteen bytes per compare.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn block_mask(block: &[u8; BLOCK]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut mask = 0;
    // SAFETY: SSE2 is available: it is part of every x86-64 CPU, and the `cfg` above checks that
    // this build targets it. Each load reads the 16 bytes of `lane`, with no alignment needed.
    unsafe {
        let lf = _mm_set1_epi8(b'\n' as i8);
        let cr = _mm_set1_epi8(b'\r' as i8);
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let bytes = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let hits = _mm_or_si128(_mm_cmpeq_epi8(bytes, lf), _mm_cmpeq_epi8(bytes, cr));
            mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * i);
        }
    }
    mask
}

/// Bit `i` set where `block[i]` is CR or LF.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn block_mask(block: &[u8; BLOCK]) -> u64 {
    block_mask_swar(block)
}

/// Bit `i` set where `block[i]` is CR or LF: eight bytes per step in a register (for CPUs
/// other than x86-64; tested everywhere).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline]
fn block_mask_swar(block: &[u8; BLOCK]) -> u64 {
    let mut mask = 0;
    for (i, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let marks = exact_matches(word, b'\n') | exact_matches(word, b'\r');
        // Gather the high bit of each byte into the top byte: bit 8k+7 -> bit 56+k. The
        // multiplier's bits land every mark on its own bit, so nothing carries.
        let bits = ((marks >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (8 * i);
    }
    mask
}

/// The high bit of every byte of `word` that equals `byte` (no false positives, unlike the
/// borrow trick in [`first_line_end_byte`], which is exact only for the first match).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline]
fn exact_matches(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    // A byte of x is zero iff neither its low seven bits (plus 0x7F, which sets bit 7 for any
    // non-zero value and cannot carry into the next byte) nor its own bit 7 are set.
    !(((x & LOW7) + LOW7) | x) & !LOW7
}

/// The first CR or LF in `bytes`. Short lines are common (ids, types, heartbeats, small
/// payloads): their end is found eight bytes at a time in a register, and only a longer line is
/// left to the vectorised search.
#[inline]
pub(super) fn find_line_end(bytes: &[u8]) -> Option<usize> {
    const HEAD: usize = 32;
    let n = bytes.len();
    if (4..8).contains(&n) {
        // A tiny chunk: its first and last four bytes (overlapping) cover it. The padding
        // bytes (spaces) match neither CR nor LF.
        const PAD: u64 = 0x2020_2020 << 32;
        let head = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        let tail = u32::from_le_bytes(bytes[n - 4..].try_into().expect("4 bytes"));
        return first_line_end_byte(u64::from(head) | PAD)
            .or_else(|| first_line_end_byte(u64::from(tail) | PAD).map(|i| n - 4 + i));
    }
    let mut at = 0;
    while at < HEAD {
        let Some(word) = bytes.get(at..at + 8) else {
            let tail = &bytes[at..];
            return tail
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map(|i| at + i);
        };
        let word = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        if let Some(i) = first_line_end_byte(word) {
            return Some(at + i);
        }
        at += 8;
    }
    memchr::memchr2(b'\n', b'\r', &bytes[at..]).map(|i| at + i)
}

/// The index of the first CR or LF byte of a little-endian word, if any.
///
/// `(x - 0x01..01) & !x & 0x80..80` is non-zero exactly when `x` has a zero byte, and its lowest
/// set bit marks the first one (borrows only create marks above it); `x` is the word XOR the
/// byte looked for, so its zero bytes are the matches.
#[inline]
fn first_line_end_byte(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_bytes = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let marks =
        zero_bytes(word ^ (ONES * u64::from(b'\n'))) | zero_bytes(word ^ (ONES * u64::from(b'\r')));
    (marks != 0).then(|| (marks.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every CR/LF position of `bytes`, found one by one from each answer onwards.
    fn all_ends(bytes: &[u8]) -> Vec<usize> {
        let mut ends = LineEnds::default();
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(end) = ends.next(bytes, from) {
            found.push(end);
            from = end + 1;
        }
        found
    }

    #[test]
    fn finds_every_line_end_in_every_position_and_length() {
        // Lengths around the block and word sizes, ends at every position, lines long enough
        // to reach memchr.
        for len in [0, 1, 3, 4, 7, 8, 15, 16, 63, 64, 65, 127, 128, 300, 700] {
            for gap in [1, 2, 5, 13, 64, 65, 200, 400] {
                for offset in 0..gap.min(len.max(1)) {
                    let bytes: Vec<u8> = (0..len)
                        .map(|i| match (i + offset) % gap {
                            0 => b'\n',
                            1 if gap > 3 => b'\r',
                            _ => b'x',
                        })
                        .collect();
                    let want: Vec<usize> = (0..len)
                        .filter(|&i| bytes[i] == b'\n' || bytes[i] == b'\r')
                        .collect();
                    assert_eq!(
                        all_ends(&bytes),
                        want,
                        "len {len} gap {gap} offset {offset}"
                    );
                }
            }
        }
    }

    #[test]
    fn both_block_masks_agree_with_a_byte_loop() {
        let mut block = [b'x'; BLOCK];
        for seed in 0u64..2000 {
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for byte in block.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *byte = [b'\n', b'\r', b'x', 0x8D, 0x0A ^ 0x80, 0, 0xFF, b' '][(x % 8) as usize];
            }
            let want = block
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n' || **b == b'\r')
                .fold(0u64, |m, (i, _)| m | 1 << i);
            assert_eq!(block_mask(&block), want);
            assert_eq!(block_mask_swar(&block), want);
        }
    }

    #[test]
    fn skipping_ahead_inside_a_block_ignores_ends_before_from() {
        let mut bytes = vec![b'x'; 200];
        for i in [3, 10, 70, 150] {
            bytes[i] = b'\n';
        }
        let mut ends = LineEnds::default();
        assert_eq!(ends.next(&bytes, 0), Some(3));
        assert_eq!(ends.next(&bytes, 5), Some(10));
        assert_eq!(ends.next(&bytes, 11), Some(70));
        assert_eq!(ends.next(&bytes, 100), Some(150));
        assert_eq!(ends.next(&bytes, 151), None);
    }
}
