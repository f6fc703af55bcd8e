//! The export folder as one zip for the public page, and a zip uploaded for verification read
//! back into a folder, with limits so that an upload cannot exhaust memory.

use crate::{AppError, AppResult};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// Most bytes the files of one uploaded export may inflate to in total. A province's export fits
/// (candidates.csv for 10 million objects is about 205 MB); a zip bomb does not.
pub const MAX_TOTAL_BYTES: u64 = 512 << 20;
/// Most bytes one entry may inflate to per compressed byte. CSV and JSON deflate 5–10×, zeros
/// over 1000×.
pub const MAX_RATIO: u64 = 100;
/// Entries that inflate to no more than this are not held to [`MAX_RATIO`]: small files compress
/// oddly and cannot hurt.
pub const RATIO_FLOOR_BYTES: u64 = 1 << 20;
/// Most entries (files and folders) an uploaded zip may hold; an export folder has six files.
pub const MAX_ENTRIES: usize = 16;

struct Limits {
    total: u64,
    ratio: u64,
    floor: u64,
    entries: usize,
}

const LIMITS: Limits = Limits {
    total: MAX_TOTAL_BYTES,
    ratio: MAX_RATIO,
    floor: RATIO_FLOOR_BYTES,
    entries: MAX_ENTRIES,
};

/// Packs the folder into a zip whose entries sit in a directory named after the task.
pub fn pack(folder_name: &str, files: &BTreeMap<String, Vec<u8>>) -> AppResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| AppError::internal(format!("无法生成压缩包：{e}"));
    for (name, bytes) in files {
        zip.start_file(format!("{folder_name}/{name}"), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// Reads an uploaded zip: every file, by its name without directories. Nothing is trusted from
/// the headers: each entry is read through a bound, so memory stays under [`MAX_TOTAL_BYTES`]
/// whatever the zip claims.
pub fn unpack(bytes: &[u8]) -> AppResult<BTreeMap<String, Vec<u8>>> {
    unpack_within(bytes, &LIMITS)
}

fn unpack_within(bytes: &[u8], l: &Limits) -> AppResult<BTreeMap<String, Vec<u8>>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| {
            // The reader's own words are English: for the log, not for the user.
            tracing::info!("upload is not a zip: {e}");
            AppError::invalid(
                "VERIFY_ZIP",
                "所选文件不是有效的 zip 压缩包（可能已损坏或未下载完整），请从任务公开页面重新下载后上传",
            )
        })?;
    if archive.len() > l.entries {
        return Err(AppError::invalid(
            "VERIFY_ZIP_TOO_MANY",
            format!(
                "压缩包中的条目过多（{} 个，最多 {} 个）：导出目录只有 6 个文件，已拒绝",
                archive.len(),
                l.entries
            ),
        ));
    }
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    // Every file at the top, or every file in one and the same folder: the folder as the
    // public page packs it. Deeper or mixed layouts are refused, not flattened.
    let mut folder: Option<Option<String>> = None;
    for i in 0..archive.len() {
        let entry = archive.by_index(i).map_err(|e| {
            tracing::info!("zip entry {} unreadable: {e}", i + 1);
            AppError::invalid(
                "VERIFY_ZIP",
                format!("压缩包已损坏：第 {} 个条目无法读取", i + 1),
            )
        })?;
        let full = entry.name().map_err(|e| {
            tracing::info!("zip entry {} name: {e}", i + 1);
            AppError::invalid(
                "VERIFY_ZIP_NAME",
                format!("压缩包第 {} 个条目的文件名无效（不是 UTF-8 编码）", i + 1),
            )
        })?;
        let Some(name) = plain_name(&full, entry.is_dir()) else {
            return Err(AppError::invalid(
                "VERIFY_ZIP_NAME",
                format!(
                    "压缩包中的 {full:?} 不是普通文件名（不得以 / 开头，不得含 ..、\\、: 或控制字符），已拒绝"
                ),
            ));
        };
        let name = name.to_string();
        if entry.is_dir() {
            continue;
        }
        let parts: Vec<&str> = full.split('/').collect();
        let here = match parts.as_slice() {
            [_] => None,
            [dir, _] => Some(dir.to_string()),
            _ => {
                return Err(AppError::invalid(
                    "VERIFY_ZIP_LAYOUT",
                    format!(
                        "压缩包中的 {full} 在多层文件夹中：导出文件应在最外层或同一个文件夹中，已拒绝"
                    ),
                ));
            }
        };
        match &folder {
            None => folder = Some(here),
            Some(first) if *first != here => {
                return Err(AppError::invalid(
                    "VERIFY_ZIP_LAYOUT",
                    format!(
                        "压缩包中的 {full} 与其他文件不在同一个文件夹中：导出文件应在最外层或同一个文件夹中，已拒绝"
                    ),
                ));
            }
            Some(_) => {}
        }
        let declared = entry.size();
        // A lying compressed size cannot buy a larger allowance than the upload itself.
        let packed = entry.compressed_size().min(bytes.len() as u64);
        if declared > l.floor && declared > packed.saturating_mul(l.ratio) {
            return Err(AppError::invalid(
                "VERIFY_ZIP_RATIO",
                format!(
                    "{name} 的压缩比过高（{packed} 字节解压后为 {declared} 字节，超过 {}:1），疑似压缩炸弹，已拒绝",
                    l.ratio
                ),
            ));
        }
        if total.saturating_add(declared) > l.total {
            return Err(AppError::invalid(
                "VERIFY_ZIP_TOO_LARGE",
                format!(
                    "压缩包解压后超过 {} MiB 的上限（读到 {name} 时），已拒绝",
                    l.total >> 20
                ),
            ));
        }
        // One byte past the declared size catches a header that understates it (the zip crate
        // also stops there; this bound does not depend on it).
        let mut content = Vec::with_capacity(declared.min(1 << 20) as usize);
        let read = entry.take(declared + 1).read_to_end(&mut content);
        let mismatch = || {
            AppError::invalid(
                "VERIFY_ZIP_SIZE",
                format!(
                    "{name} 解压后的内容与压缩包中声明的大小（{declared} 字节）或校验值不符（压缩包被改动过或已损坏），已拒绝"
                ),
            )
        };
        match read {
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Err(mismatch()),
            Err(e) => {
                tracing::info!("zip entry {name}: {e}");
                return Err(AppError::invalid(
                    "VERIFY_ZIP",
                    format!("{name} 无法解压（压缩方式不受支持或数据已损坏）"),
                ));
            }
            Ok(_) if content.len() as u64 != declared => return Err(mismatch()),
            Ok(_) => {}
        }
        total += declared;
        if files.insert(name.clone(), content).is_some() {
            return Err(AppError::invalid(
                "VERIFY_ZIP_NAME",
                format!("压缩包中有两个 {name}"),
            ));
        }
    }
    Ok(files)
}

/// The last component of an entry's path if every component is a plain name (no absolute path,
/// no `..`, no backslash or drive colon, no control character).
fn plain_name(full: &str, is_dir: bool) -> Option<&str> {
    let path = if is_dir {
        full.strip_suffix('/')?
    } else {
        full
    };
    let plain = |c: &str| {
        !c.is_empty()
            && c != "."
            && c != ".."
            && c.len() <= 255
            && !c.contains(['\\', ':'])
            && !c.chars().any(char::is_control)
    };
    path.split('/')
        .all(plain)
        .then(|| path.rsplit('/').next())?
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of `(name, length)` entries, each that many zero bytes, deflated in chunks.
    fn zeros_zip(entries: &[(&str, u64)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let chunk = vec![0u8; 1 << 16];
        for (name, len) in entries {
            zip.start_file(*name, options).unwrap();
            let mut left = *len;
            while left > 0 {
                let n = left.min(chunk.len() as u64) as usize;
                zip.write_all(&chunk[..n]).unwrap();
                left -= n as u64;
            }
        }
        zip.finish().unwrap().into_inner()
    }

    /// Rewrites every entry's declared uncompressed size in the local and central headers.
    fn declare_size(mut zip: Vec<u8>, size: u32) -> Vec<u8> {
        let u32_at = |z: &[u8], at: usize| u32::from_le_bytes(z[at..at + 4].try_into().unwrap());
        let u16_at = |z: &[u8], at: usize| u16::from_le_bytes([z[at], z[at + 1]]) as usize;
        let eocd = zip.len() - 22;
        assert_eq!(u32_at(&zip, eocd), 0x0605_4b50, "no comment, no zip64");
        let (count, mut at) = (u16_at(&zip, eocd + 10), u32_at(&zip, eocd + 16) as usize);
        for _ in 0..count {
            assert_eq!(u32_at(&zip, at), 0x0201_4b50);
            let local = u32_at(&zip, at + 42) as usize;
            zip[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
            zip[local + 22..local + 26].copy_from_slice(&size.to_le_bytes());
            at += 46 + u16_at(&zip, at + 28) + u16_at(&zip, at + 30) + u16_at(&zip, at + 32);
        }
        zip
    }

    /// The real limits scaled down so that each case needs only a few KB.
    const SMALL: Limits = Limits {
        total: 4 << 20,
        ratio: MAX_RATIO,
        floor: 64 << 10,
        entries: MAX_ENTRIES,
    };

    fn refusal(zip: &[u8], l: &Limits) -> AppError {
        unpack_within(zip, l).expect_err("the zip should be refused")
    }

    #[test]
    fn a_packed_folder_unpacks_to_the_same_files() {
        let files = BTreeMap::from([
            ("a.csv".to_string(), b"x,y\n".to_vec()),
            ("manifest.json".to_string(), b"{}\n".to_vec()),
        ]);
        assert_eq!(unpack(&pack("T1", &files).unwrap()).unwrap(), files);
        assert_eq!(unpack(b"not a zip").unwrap_err().code, "VERIFY_ZIP");
    }

    #[test]
    fn files_at_the_top_or_in_one_folder_and_nothing_else() {
        for ok in [
            &[("a.csv", 4), ("b.csv", 4)][..],
            &[("T/a.csv", 4), ("T/b.csv", 4)][..],
        ] {
            assert_eq!(unpack(&zeros_zip(ok)).unwrap().len(), 2);
        }
        for bad in [
            &[("a/b/c.csv", 4)][..],
            &[("T/a.csv", 4), ("b.csv", 4)][..],
            &[("a/x.csv", 4), ("b/y.csv", 4)][..],
        ] {
            assert_eq!(
                unpack(&zeros_zip(bad)).unwrap_err().code,
                "VERIFY_ZIP_LAYOUT"
            );
        }
    }

    #[test]
    fn an_entry_deflated_beyond_the_ratio_is_refused_from_its_header() {
        let bomb = zeros_zip(&[("T1-1/candidates.csv", 2 << 20)]);
        assert!(bomb.len() < 16 << 10, "{} bytes", bomb.len());
        let e = refusal(&bomb, &SMALL);
        assert_eq!(e.code, "VERIFY_ZIP_RATIO", "{}", e.message);
        assert!(
            e.message.contains("candidates.csv 的压缩比过高"),
            "{}",
            e.message
        );
        // Under the floor, zeros are fine: small files are not held to the ratio.
        let small = zeros_zip(&[("a.csv", 60 << 10)]);
        assert_eq!(
            unpack_within(&small, &SMALL).unwrap()["a.csv"].len(),
            60 << 10
        );
    }

    #[test]
    fn a_header_that_understates_the_size_is_caught_after_one_byte_more() {
        let liar = declare_size(zeros_zip(&[("candidates.csv", 2 << 20)]), 1000);
        let e = refusal(&liar, &SMALL);
        assert_eq!(e.code, "VERIFY_ZIP_SIZE", "{}", e.message);
        assert!(
            e.message.contains("声明的大小（1000 字节）"),
            "{}",
            e.message
        );
        let overstated = declare_size(zeros_zip(&[("a.csv", 1000)]), 2000);
        assert_eq!(refusal(&overstated, &SMALL).code, "VERIFY_ZIP_SIZE");
    }

    #[test]
    fn the_total_is_capped_across_entries() {
        let l = Limits {
            ratio: u64::MAX,
            ..SMALL
        };
        let names: Vec<String> = (0..5).map(|i| format!("f{i}.csv")).collect();
        let entries: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 1 << 20)).collect();
        let e = refusal(&zeros_zip(&entries), &l);
        assert_eq!(e.code, "VERIFY_ZIP_TOO_LARGE", "{}", e.message);
        assert!(
            e.message.contains("超过 4 MiB 的上限（读到 f4.csv 时）"),
            "{}",
            e.message
        );
    }

    #[test]
    fn too_many_entries_are_refused_before_any_is_read() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("f{i}.csv")).collect();
        let entries: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 1)).collect();
        let e = refusal(&zeros_zip(&entries), &LIMITS);
        assert_eq!(e.code, "VERIFY_ZIP_TOO_MANY", "{}", e.message);
        assert!(
            e.message.contains("条目过多（17 个，最多 16 个）"),
            "{}",
            e.message
        );
    }

    #[test]
    fn names_that_are_not_plain_are_refused() {
        for bad in [
            "../manifest.json",
            "/etc/passwd",
            "a\\..\\b.csv",
            "C:x.csv",
            "a/./b.csv",
            "a\u{7}.csv",
        ] {
            let e = refusal(&zeros_zip(&[(bad, 1)]), &LIMITS);
            assert_eq!(e.code, "VERIFY_ZIP_NAME", "{bad}: {}", e.message);
            assert!(e.message.contains("不是普通文件名"), "{}", e.message);
        }
        let ok = zeros_zip(&[("T1-1/manifest.json", 1), ("T1-1/result.csv", 1)]);
        let names: Vec<String> = unpack(&ok).unwrap().into_keys().collect();
        assert_eq!(names, ["manifest.json", "result.csv"]);
        // Two folders are not one export (once flattened into one, which docs/verify_draw.py
        // refused: the two verifiers disagreed).
        let twice = zeros_zip(&[("a/x.csv", 1), ("b/x.csv", 1)]);
        assert_eq!(refusal(&twice, &LIMITS).code, "VERIFY_ZIP_LAYOUT");
    }
}
