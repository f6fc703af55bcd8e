//! An xls (BIFF in an OLE compound file) checked before calamine sees it. `Xls::new` parses
//! every sheet at once, and allocates by what the file claims: it reserves its cell list by the
//! DIMENSIONS record (u32 rows × columns), builds a dense range over the cells' bounding box (for
//! values and again for formulas), copies a shared string into every cell that shows it, and
//! panics on some malformed records (a MERGEDCELLS count past its record, a sheet offset past the
//! stream, an inverted DIMENSIONS). This module walks the same records the way calamine 0.38 does
//! (`xls.rs`, `parse_workbook`) and refuses those files first.
//!
//! calamine then reads a compound file rebuilt here holding only the stream checked, so that its
//! own compound-file reader (which picks the first directory entry named "Workbook", reachable
//! or not) cannot be shown a different stream from the one this module read.

use crate::grid::ImportError;
use crate::limits::{
    MAX_COLUMNS, MAX_SHEET_CELLS, MAX_SHEET_TEXT_BYTES, cell_name, column_name, excerpt,
};
use std::io::{Cursor, Read, Write};

/// The Workbook stream of `bytes`, checked, in a fresh compound file for calamine.
pub(crate) fn checked_xls(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    let stream = workbook_stream(bytes)?;
    scan(&stream)?;
    rebuild(&stream).map_err(|e| corrupt(format!("无法重建 xls 数据：{e}")))
}

fn corrupt(why: String) -> ImportError {
    ImportError::Corrupt(why)
}

fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    let bad = |e: std::io::Error| corrupt(format!("xls 的复合文档结构无法读取：{e}"));
    let mut comp = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(bad)?;
    // calamine tries "Workbook" (BIFF8), then "Book" (BIFF5), by name without regard to case.
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| comp.is_stream(n))
        .ok_or_else(|| corrupt("xls 文件中没有工作簿数据（Workbook 流）".into()))?;
    let stream = comp.open_stream(name).map_err(bad)?;
    // A stream cannot hold more than the file: a claim past it is not read.
    if stream.len() > bytes.len() as u64 {
        return Err(corrupt(format!(
            "Workbook 流声称有 {} 字节，超过文件本身的 {} 字节",
            stream.len(),
            bytes.len()
        )));
    }
    let mut out = Vec::with_capacity(stream.len() as usize);
    stream
        .take(bytes.len() as u64)
        .read_to_end(&mut out)
        .map_err(bad)?;
    Ok(out)
}

/// Version 3 (512-byte sectors): calamine 0.38 misreads version 4 files written by `cfb`.
fn rebuild(stream: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut comp =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    comp.create_stream("/Workbook")?.write_all(stream)?;
    comp.flush()?;
    Ok(comp.into_inner().into_inner())
}

/// One record as calamine's `RecordIter` gives it: the CONTINUE records after it joined on.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The records from `stream`; a record cut short is an error, as it is for calamine.
fn next_record<'a>(s: &mut &'a [u8]) -> Result<Option<Record<'a>>, ImportError> {
    if s.is_empty() {
        return Ok(None);
    }
    let cut = || corrupt("xls 数据流在一条记录中间结束".into());
    let typ = u16_at(s, 0).ok_or_else(cut)?;
    let len = u16_at(s, 2).ok_or_else(cut)? as usize;
    let data = s.get(4..4 + len).ok_or_else(cut)?;
    *s = &s[4 + len..];
    let mut cont = Vec::new();
    while s.len() > 4 && u16_at(s, 0) == Some(0x003C) {
        let len = u16_at(s, 2).ok_or_else(cut)? as usize;
        cont.push(s.get(4..4 + len).ok_or_else(cut)?);
        *s = &s[4 + len..];
    }
    Ok(Some(Record { typ, data, cont }))
}

struct Sheet {
    pos: usize,
    name: String,
}

/// Walks the globals (sheet list, shared strings), then every sheet, refusing what calamine
/// could not read within the limits.
fn scan(stream: &[u8]) -> Result<(), ImportError> {
    let mut s = stream;
    let mut biff8 = true;
    let mut sheets = Vec::new();
    let mut strings: Vec<u64> = Vec::new();
    while let Some(r) = next_record(&mut s)? {
        match r.typ {
            0x0809 => biff8 = u16_at(r.data, 0) == Some(0x0600),
            0x0085 => {
                let pos = u32_at(r.data, 0)
                    .filter(|_| r.data.len() >= 8)
                    .ok_or_else(|| {
                        corrupt(format!("第 {} 个工作表的目录记录过短", sheets.len() + 1))
                    })?;
                let name = sheet_name(r.data, biff8)
                    .unwrap_or_else(|| format!("第 {} 个工作表", sheets.len() + 1));
                sheets.push(Sheet {
                    pos: pos as usize,
                    name: excerpt(&name),
                });
            }
            0x00FC => strings = shared_string_sizes(r)?,
            0x000A => break,
            _ => {}
        }
    }
    let mut budget = Budget::default();
    for sheet in &sheets {
        let at = stream.get(sheet.pos..).ok_or_else(|| {
            corrupt(format!(
                "工作表“{}”的起始位置 {} 超出数据流长度 {}",
                sheet.name,
                sheet.pos,
                stream.len()
            ))
        })?;
        scan_sheet(at, sheet, &strings, &mut budget)?;
        // Sheets of an honest file do not overlap: a sheet list naming the same records again
        // and again would have calamine parse them again and again.
        if budget.bytes_walked > 2 * stream.len() as u64 {
            return Err(ImportError::TooLarge(format!(
                "工作簿的工作表目录（{} 个工作表）反复指向同一段数据",
                sheets.len()
            )));
        }
    }
    Ok(())
}

/// A BIFF8 ShortXLUnicodeString after lbPlyPos, hsState and dt; BIFF5 names are in the file's
/// code page and not decoded here (the message numbers the sheet instead).
fn sheet_name(data: &[u8], biff8: bool) -> Option<String> {
    if !biff8 {
        return None;
    }
    let cch = *data.get(6)? as usize;
    let flags = *data.get(7)?;
    let chars = &data[8..];
    if flags & 1 == 1 {
        let units: Vec<u16> = chars
            .get(..2 * cch)?
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(chars.get(..cch)?.iter().map(|&b| char::from(b)).collect())
    }
}

/// For each shared string, the most UTF-8 bytes calamine makes of it (3 per character), found
/// by walking the SST as calamine's `parse_sst` does. Strings are counted, not kept.
fn shared_string_sizes(r: Record<'_>) -> Result<Vec<u64>, ImportError> {
    let bad = || corrupt("xls 的共享字符串表（SST）记录不完整".into());
    let mut data = r.data.get(8..).ok_or_else(bad)?;
    let mut cont = r.cont.into_iter();
    let mut sizes = Vec::new();
    loop {
        if data.is_empty() {
            match cont.next() {
                Some(next) => data = next,
                None => break,
            }
            if data.is_empty() {
                sizes.push(0);
                continue;
            }
        }
        // Each string takes at least 3 bytes of the file: the count is bounded by the stream.
        if sizes.len() as u64 >= MAX_SHEET_CELLS {
            return Err(ImportError::TooLarge(format!(
                "xls 的共享字符串表有超过 {MAX_SHEET_CELLS} 个字符串"
            )));
        }
        let cch = u16_at(data, 0).ok_or_else(bad)? as usize;
        let flags = *data.get(2).ok_or_else(bad)?;
        data = &data[3..];
        let mut skip = 0usize;
        if flags & 0x8 != 0 {
            skip += 4 * u16_at(data, 0).ok_or_else(bad)? as usize;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            skip += u32_at(data, 0).ok_or_else(bad)? as usize;
            data = &data[4..];
        }
        let (mut left, mut high) = (cch, flags & 1 != 0);
        loop {
            let width = if high { 2 } else { 1 };
            let n = left.min(data.len() / width);
            data = &data[n * width..];
            left -= n;
            if left == 0 {
                break;
            }
            // A string going on in a CONTINUE record restates its width in a first byte.
            data = cont.next().ok_or_else(bad)?;
            high = *data.first().ok_or_else(bad)? & 1 != 0;
            data = &data[1..];
        }
        while skip > 0 {
            if data.is_empty() {
                data = cont.next().ok_or_else(bad)?;
            }
            let n = skip.min(data.len());
            data = &data[n..];
            skip -= n;
        }
        sizes.push(3 * cch as u64);
    }
    Ok(sizes)
}

/// What the sheets so far cost calamine, all together.
#[derive(Default)]
struct Budget {
    /// Cells of the dense ranges (values and formulas) of every sheet.
    cells: u64,
    text_bytes: u64,
    bytes_walked: u64,
}

/// The bounding box of a set of cells.
#[derive(Default)]
struct Bounds(Option<(u32, u32, u32, u32)>);

impl Bounds {
    fn add(&mut self, r: u32, c: u32) {
        self.0 = Some(match self.0 {
            None => (r, c, r, c),
            Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, c0, r1, c1)| {
            (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1)
        })
    }
}

fn scan_sheet(
    mut s: &[u8],
    sheet: &Sheet,
    strings: &[u64],
    budget: &mut Budget,
) -> Result<(), ImportError> {
    let start_len = s.len();
    let too_large = |what: String| ImportError::TooLarge(format!("工作表“{}”{what}", sheet.name));
    let bad = |what: &str| corrupt(format!("工作表“{}”的 {what} 记录不完整或有误", sheet.name));
    let (mut values, mut formulas) = (Bounds::default(), Bounds::default());
    // calamine skips the records of substreams nested in a sheet (an embedded chart).
    let (mut seen_bof, mut depth) = (false, 0usize);
    while let Some(r) = next_record(&mut s)? {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        // Row and column where a cell record starts with them.
        let at = || Some((u16_at(d, 0)? as u32, u16_at(d, 2)? as u32));
        let cell = |r: u32, c: u32, values: &mut Bounds| {
            if c as usize >= MAX_COLUMNS {
                return Err(too_large(format!(
                    "的单元格 {} 在第 {} 列，超出每行 {MAX_COLUMNS} 列（到 {} 列）的上限",
                    cell_name(r as usize, c as usize),
                    c + 1,
                    column_name(MAX_COLUMNS - 1)
                )));
            }
            values.add(r, c);
            Ok(())
        };
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => {
                let (rows, cols) = dimensions(d).ok_or_else(|| bad("DIMENSIONS（数据区域）"))?;
                if rows * cols > MAX_SHEET_CELLS {
                    return Err(too_large(format!(
                        "的 DIMENSIONS 记录声称数据区域有 {rows} 行、{cols} 列，共 {} 个单元格，\
                         超出 {MAX_SHEET_CELLS} 个单元格的上限",
                        rows * cols
                    )));
                }
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK: one cell each.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E => {
                let (r, c) = at().ok_or_else(|| bad("单元格"))?;
                cell(r, c, &mut values)?;
            }
            0x00FD => {
                let (r, c) = at()
                    .filter(|_| d.len() >= 10)
                    .ok_or_else(|| bad("LABELSST"))?;
                cell(r, c, &mut values)?;
                let i = u32_at(d, 6).unwrap_or(0) as usize;
                budget.text_bytes += strings.get(i).copied().unwrap_or(0);
                if budget.text_bytes > MAX_SHEET_TEXT_BYTES {
                    return Err(too_large(format!(
                        "的文字到单元格 {} 时已超过 {MAX_SHEET_TEXT_BYTES} 字节的上限\
                         （共享字符串在每个引用它的单元格中各算一次）",
                        cell_name(r as usize, c as usize)
                    )));
                }
            }
            // MULRK: row, first column, 6 bytes a cell, last column.
            0x00BD => {
                let (r, c0) = at().filter(|_| d.len() >= 6).ok_or_else(|| bad("MULRK"))?;
                let c1 = u16_at(d, d.len() - 2).unwrap_or(0) as u32;
                if c1 < c0 {
                    return Err(bad("MULRK"));
                }
                cell(r, c0, &mut values)?;
                cell(r, c1, &mut values)?;
            }
            0x0006 => {
                let (r, c) = at()
                    .filter(|_| d.len() >= 20)
                    .ok_or_else(|| bad("FORMULA"))?;
                cell(r, c, &mut values)?;
                formulas.add(r, c);
            }
            0x00E5 => {
                let count = u16_at(d, 0).ok_or_else(|| bad("MERGEDCELLS（合并单元格）"))?;
                if 2 + 8 * count as usize > d.len() {
                    return Err(corrupt(format!(
                        "工作表“{}”的 MERGEDCELLS（合并单元格）记录声称有 {count} 个合并区域，\
                         记录中只有 {} 个",
                        sheet.name,
                        (d.len().saturating_sub(2)) / 8
                    )));
                }
            }
            _ => {}
        }
    }
    budget.bytes_walked += (start_len - s.len()) as u64;
    let area = values.area();
    if area > MAX_SHEET_CELLS {
        let (r0, c0, r1, c1) = values.0.unwrap_or_default();
        return Err(too_large(format!(
            "的数据区域（{}:{}）有 {area} 个单元格，超出 {MAX_SHEET_CELLS} 个单元格的上限。\
             请删去远处的空白或多余内容，或分成几个文件",
            cell_name(r0 as usize, c0 as usize),
            cell_name(r1 as usize, c1 as usize)
        )));
    }
    budget.cells += area + formulas.area();
    if budget.cells > MAX_SHEET_CELLS {
        return Err(too_large(format!(
            "起，工作簿各工作表的数据区域合计超出 {MAX_SHEET_CELLS} 个单元格的上限",
        )));
    }
    Ok(())
}

/// The rows and columns calamine reserves room for by a DIMENSIONS record (`parse_dimensions`,
/// then `rows * cols` cells), or `None` where its arithmetic would underflow or the record has a
/// length it refuses.
fn dimensions(d: &[u8]) -> Option<(u64, u64)> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u16_at(d, 0)? as u32,
            u16_at(d, 2)? as u32,
            u16_at(d, 4)? as u32,
            u16_at(d, 6)? as u32,
        ),
        14 | 16 => (
            u32_at(d, 0)?,
            u32_at(d, 4)?,
            u16_at(d, 8)? as u32,
            u16_at(d, 10)? as u32,
        ),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return Some((1, 1));
    }
    let rows = (rl - 1).checked_sub(rf)? as u64 + 1;
    let cols = (cl - 1).checked_sub(cf)? as u64 + 1;
    Some((rows, cols))
}
