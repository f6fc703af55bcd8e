//! Draw files as stored. A province's candidate file (200 MB) is kept zstd-compressed, one
//! frame per core: storing it and reading it back then move a quarter of the bytes, and the
//! frames compress and decompress in parallel. A small file is kept as it is.

use ssj_storage::{Result, StorageError};

/// The `encoding` of a file stored as it is.
pub const IDENTITY: &str = "";
/// The `encoding` of a file stored as concatenated zstd frames.
pub const ZSTD: &str = "zstd";
const COMPRESS_FROM: usize = 1 << 20;

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// A file as it is to be stored, and its encoding.
pub fn pack(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, [u8]>, &'static str)> {
    if bytes.len() < COMPRESS_FROM {
        return Ok((bytes.into(), IDENTITY));
    }
    let chunk = bytes.len().div_ceil(threads());
    let frames: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bytes
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    // With a checksum, a damaged frame is refused rather than read as other bytes.
                    let mut compressor = zstd::bulk::Compressor::new(1)?;
                    compressor.include_checksum(true)?;
                    compressor.compress(part)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("压缩线程中断")))
            })
            .collect()
    });
    let mut out = Vec::new();
    for frame in frames {
        out.extend_from_slice(&frame.map_err(|e| StorageError::Backend(format!("压缩失败：{e}")))?);
    }
    Ok((out.into(), ZSTD))
}

/// A stored file as it was given to [`pack`].
pub fn unpack(encoding: &str, stored: Vec<u8>) -> Result<Vec<u8>> {
    match encoding {
        IDENTITY => Ok(stored),
        ZSTD => unpack_frames(&stored),
        other => Err(corrupt(format!("未知的文件编码“{other}”"))),
    }
}

fn corrupt(why: impl Into<String>) -> StorageError {
    StorageError::Corrupt(why.into())
}

fn unpack_frames(stored: &[u8]) -> Result<Vec<u8>> {
    // Each frame records its own length and its content's, so each has its place in the output.
    let mut frames: Vec<(&[u8], usize)> = Vec::new();
    let mut rest = stored;
    while !rest.is_empty() {
        let len = zstd::zstd_safe::find_frame_compressed_size(rest)
            .map_err(|_| corrupt("压缩文件已损坏"))?;
        let content = match zstd::zstd_safe::get_frame_content_size(rest) {
            Ok(Some(n)) if len <= rest.len() => n as usize,
            _ => return Err(corrupt("压缩文件已损坏")),
        };
        frames.push((&rest[..len], content));
        rest = &rest[len..];
    }
    let mut out = vec![0u8; frames.iter().map(|f| f.1).sum()];
    let mut targets = Vec::with_capacity(frames.len());
    let mut free = out.as_mut_slice();
    for (frame, content) in &frames {
        let (target, tail) = free.split_at_mut(*content);
        targets.push((*frame, target));
        free = tail;
    }
    let done: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .into_iter()
            .map(|(frame, target)| {
                scope.spawn(move || {
                    let want = target.len();
                    matches!(zstd::zstd_safe::decompress(target, frame), Ok(n) if n == want)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(false))
            .collect()
    });
    if done.iter().all(|&ok| ok) {
        Ok(out)
    } else {
        Err(corrupt("压缩文件已损坏"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_comes_back_byte_for_byte() {
        let small = b"key,stratum\n91,A\n".to_vec();
        let (stored, encoding) = pack(&small).unwrap();
        assert_eq!((stored.as_ref(), encoding), (small.as_slice(), IDENTITY));
        let mut big = b"key,stratum\n".to_vec();
        for i in 0..200_000u64 {
            big.extend_from_slice(
                format!(
                    "91{:016},{}\n",
                    i * 7919 % 1_000_003,
                    ["A", "B", "C"][i as usize % 3]
                )
                .as_bytes(),
            );
        }
        let (stored, encoding) = pack(&big).unwrap();
        assert_eq!(encoding, ZSTD);
        assert!(stored.len() < big.len() / 2);
        assert_eq!(unpack(ZSTD, stored.to_vec()).unwrap(), big);
        assert_eq!(unpack(IDENTITY, small.clone()).unwrap(), small);
    }

    #[test]
    fn a_damaged_file_is_refused() {
        let big: Vec<u8> = (0..3_000_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let (stored, _) = pack(&big).unwrap();
        let mut cut = stored.to_vec();
        cut.truncate(cut.len() - 10);
        assert!(unpack(ZSTD, cut).is_err());
        let mut flipped = stored.to_vec();
        let at = flipped.len() / 2;
        flipped[at] ^= 0xff;
        assert!(unpack(ZSTD, flipped).is_err());
        assert!(unpack("gzip", stored.to_vec()).is_err());
    }
}
