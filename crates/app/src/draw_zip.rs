//! The export folder as one zip for the public page, and a zip uploaded for verification read
//! back into a folder, with limits so that an upload cannot exhaust memory.

use crate::{AppError, AppResult};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// Largest file accepted inside an uploaded export (a province's candidate file fits).
const MAX_FILE_BYTES: u64 = 1 << 30;
const MAX_FILES: usize = 16;

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

/// Reads an uploaded zip: every file, by its name without directories.
pub fn unpack(bytes: &[u8]) -> AppResult<BTreeMap<String, Vec<u8>>> {
    let bad = |why: String| AppError::invalid("VERIFY_ZIP", why);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("不是有效的 zip 压缩包：{e}")))?;
    if archive.len() > MAX_FILES * 2 {
        return Err(bad(format!("压缩包中的文件过多（{} 个）", archive.len())));
    }
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("压缩包已损坏：{e}")))?;
        if entry.is_dir() {
            continue;
        }
        let full = entry
            .name()
            .map_err(|e| bad(format!("压缩包中的文件名无效：{e}")))?
            .to_string();
        let name = full.rsplit('/').next().unwrap_or_default().to_string();
        if entry.size() > MAX_FILE_BYTES {
            return Err(bad(format!("{name} 过大")));
        }
        let mut content = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut content)
            .map_err(|e| bad(format!("{name} 无法解压：{e}")))?;
        if files.insert(name.clone(), content).is_some() {
            return Err(bad(format!("压缩包中有两个 {name}")));
        }
    }
    if files.len() > MAX_FILES {
        return Err(bad("压缩包中的文件过多".into()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_folder_unpacks_to_the_same_files() {
        let files = BTreeMap::from([
            ("a.csv".to_string(), b"x,y\n".to_vec()),
            ("manifest.json".to_string(), b"{}\n".to_vec()),
        ]);
        assert_eq!(unpack(&pack("T1", &files).unwrap()).unwrap(), files);
        assert_eq!(unpack(b"not a zip").unwrap_err().code, "VERIFY_ZIP");
    }
}
