//! An xlsx's zip checked before calamine opens it: calamine reads all of sharedStrings.xml (and
//! each sheet's XML) on opening, and a deflated part of a few MB can inflate to gigabytes.
//!
//! Only the sizes the central directory declares are read here, nothing is inflated. A declared
//! size can understate, but calamine reads through the same zip crate (9.x), whose entry reader
//! fails once an entry inflates past its declared size ("File is larger than its declared
//! uncompressed size"): the declared sizes bound what calamine can inflate.

use crate::grid::ImportError;
use crate::limits::{MAX_XLSX_RATIO, MAX_XLSX_UNCOMPRESSED, excerpt, excerpt_n};
use std::io::Cursor;

/// Parts smaller than this are not held to [`MAX_XLSX_RATIO`]: small XML deflates well.
const RATIO_FROM: u64 = 1024 * 1024;

pub(crate) fn check_xlsx(bytes: &[u8]) -> Result<(), ImportError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Unreadable(excerpt_n(&format!("Xlsx error: {e}"), 200)))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_data(i)
            .map_err(|e| ImportError::Unreadable(excerpt_n(&format!("Xlsx error: {e}"), 200)))?;
        let name = excerpt(&String::from_utf8_lossy(entry.name_raw()));
        let (size, packed) = (entry.size(), entry.compressed_size());
        let mib = |n: u64| n / (1024 * 1024);
        if size > MAX_XLSX_UNCOMPRESSED {
            return Err(ImportError::TooLarge(format!(
                "xlsx 中的“{name}”解压后有 {size} 字节（{} MiB），超出 {MAX_XLSX_UNCOMPRESSED} 字节\
                 （{} MiB）的上限",
                mib(size),
                mib(MAX_XLSX_UNCOMPRESSED)
            )));
        }
        if size > RATIO_FROM && size / packed.max(1) > MAX_XLSX_RATIO {
            return Err(ImportError::TooLarge(format!(
                "xlsx 中的“{name}”从 {packed} 字节解压为 {size} 字节，压缩比超过 \
                 {MAX_XLSX_RATIO}:1，不像正常的表格内容"
            )));
        }
        total += size;
        if total > MAX_XLSX_UNCOMPRESSED {
            return Err(ImportError::TooLarge(format!(
                "xlsx 的各部分解压后合计超过 {MAX_XLSX_UNCOMPRESSED} 字节（{} MiB）的上限\
                 （到“{name}”为止）",
                mib(MAX_XLSX_UNCOMPRESSED)
            )));
        }
    }
    Ok(())
}
