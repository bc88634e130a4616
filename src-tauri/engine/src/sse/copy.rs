//! Appending bytes to a buffer, fast for a few bytes at a time.

use bytes::BufMut;

/// Appends `bytes` to `buf`. Most appends are a few bytes (a network delivering a few bytes at a
/// time, the end of a split line): 4 to 16 bytes are copied as two overlapping words rather than
/// through a call to `memcpy`, which costs more than the copy.
#[inline(always)]
pub fn append(buf: &mut impl BufMut, bytes: &[u8]) {
    let n = bytes.len();
    if (4..=16).contains(&n) {
        let spare = buf.chunk_mut();
        let (dst, room) = (spare.as_mut_ptr(), spare.len());
        if room >= n {
            // SAFETY: `dst` has room for `n` bytes (checked just above, and nothing has touched
            // `buf` since). The two words are read from within `bytes` (4 <= n) and written to
            // `dst[..n]`, overlapping in the middle when n is not a whole number of words, so
            // exactly `dst[..n]` is initialised before `advance_mut(n)`.
            unsafe {
                if n >= 8 {
                    let head = u64::from_ne_bytes(bytes[..8].try_into().expect("8 bytes"));
                    let tail = u64::from_ne_bytes(bytes[n - 8..].try_into().expect("8 bytes"));
                    dst.cast::<u64>().write_unaligned(head);
                    dst.add(n - 8).cast::<u64>().write_unaligned(tail);
                } else {
                    let head = u32::from_ne_bytes(bytes[..4].try_into().expect("4 bytes"));
                    let tail = u32::from_ne_bytes(bytes[n - 4..].try_into().expect("4 bytes"));
                    dst.cast::<u32>().write_unaligned(head);
                    dst.add(n - 4).cast::<u32>().write_unaligned(tail);
                }
                buf.advance_mut(n);
            }
            return;
        }
    }
    buf.put_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_is_appended_exactly() {
        let source: Vec<u8> = (0..=40).collect();
        for n in 0..=source.len() {
            for already in [0, 3, 61, 64] {
                let mut vec = vec![0xAA; already];
                append(&mut vec, &source[..n]);
                assert_eq!(vec[already..], source[..n], "n {n} after {already}");
                let mut buf = bytes::BytesMut::from(&vec![0xAA; already][..]);
                append(&mut buf, &source[..n]);
                assert_eq!(buf[already..], source[..n], "n {n} after {already}");
            }
        }
    }
}
