//! Small hostile files against the importer's limits (ssj_import::limits). Each case runs in a
//! process of its own (this binary re-run with the case's name), since the peak memory it
//! reports, VmHWM, is the process's high-water mark: a case that allocates by what the file
//! claims fails by its memory, or by its process dying, without taking the run with it.
//!
//! `harness = false`: run as `cargo test -p ssj-import --test limits`, or a case alone with
//! `… --test limits -- <case>`.

use ssj_import::limits::{MAX_CELL_CHARS, MAX_COLUMNS, MAX_MERGED_CELLS, MAX_SHEET_CELLS};
use ssj_import::objects::ObjectSource;
use ssj_import::{Grid, ImportError};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

/// Peak memory a case may reach, for the whole process (a fresh one takes a few MB).
const PEAK_BOUND_KB: u64 = 200 * 1024;
/// Only so that a case that never ends fails instead of hanging the run; not a timing claim.
const GIVE_UP: Duration = Duration::from_secs(300);
/// The address space a case's process may take (ulimit -v), so that a regression fails
/// without pressing the machine: far above the peak bound.
const ADDRESS_SPACE_KB: u64 = 4 * 1024 * 1024;

type Case = (&'static str, fn() -> Result<(), String>);

const CASES: &[Case] = &[
    ("xlsx_a1_and_xfd1048576", xlsx_a1_and_xfd1048576),
    ("xlsx_merge_c3_xfd1048576", xlsx_merge_c3_xfd1048576),
    ("xlsx_single_cell_z1000000", xlsx_single_cell_z1000000),
    ("xlsx_claimed_dimension_only", xlsx_claimed_dimension_only),
    ("xlsx_cell_over_cap", xlsx_cell_over_cap),
    ("csv_million_columns", csv_million_columns),
    ("csv_50mb_line", csv_50mb_line),
    ("csv_cell_over_cap", csv_cell_over_cap),
    ("xlsx_shared_strings_1gib", xlsx_shared_strings_1gib),
    ("xlsx_one_string_many_cells", xlsx_one_string_many_cells),
    ("xls_generated_reads", xls_generated_reads),
    ("xls_dimensions_claim", xls_dimensions_claim),
    ("xls_dimensions_inverted", xls_dimensions_inverted),
    ("xls_a1_and_iv65536", xls_a1_and_iv65536),
    ("xls_far_column", xls_far_column),
    (
        "xls_far_cells_on_another_sheet",
        xls_far_cells_on_another_sheet,
    ),
    ("xls_merge_a1_iv65536", xls_merge_a1_iv65536),
    ("xls_merge_count_past_record", xls_merge_count_past_record),
    ("xls_sheet_offset_past_end", xls_sheet_offset_past_end),
    ("xls_one_string_many_cells", xls_one_string_many_cells),
    ("xls_fixture_patched_far_cell", xls_fixture_patched_far_cell),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(case) = args.iter().find_map(|a| a.strip_prefix("--case=")) {
        child(case);
        return;
    }
    // libtest flags (--nocapture, --test-threads …) are ignored; a plain word filters cases.
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let mut failed = Vec::new();
    for (name, _) in CASES {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match parent(name) {
            Ok(report) => println!("ok    {name}: {report}"),
            Err(why) => {
                println!("FAIL  {name}: {why}");
                failed.push(*name);
            }
        }
    }
    if !failed.is_empty() {
        eprintln!("failed: {failed:?}");
        std::process::exit(1);
    }
}

/// Runs a case in its own process, under an address-space limit, and reads its report.
fn parent(name: &str) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KB} && exec \"$0\" --case={name}"
        ))
        .arg(&exe)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if started.elapsed() > GIVE_UP {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish in {GIVE_UP:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak: Option<u64> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM_KB="))
        .and_then(|v| v.trim().parse().ok());
    if !out.status.success() {
        return Err(format!(
            "process ended with {} after {elapsed:.1?}, peak {:?} MB\n{stdout}{stderr}",
            out.status,
            peak.map(|p| p / 1024)
        ));
    }
    let peak = peak.ok_or_else(|| format!("no peak reported\n{stdout}{stderr}"))?;
    if peak > PEAK_BOUND_KB {
        return Err(format!(
            "peak memory {} MB over the bound {} MB",
            peak / 1024,
            PEAK_BOUND_KB / 1024
        ));
    }
    Ok(format!("peak {} MB, {elapsed:.2?}", peak / 1024))
}

fn child(name: &str) {
    let (_, case) = CASES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let result = case();
    // Reported either way, so that a failing case shows what it cost.
    println!("VmHWM_KB={}", vm_hwm_kb());
    if let Err(why) = result {
        eprintln!("{}", ssj_import::limits::excerpt_n(&why, 300));
        std::process::exit(2);
    }
}

fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM line")
}

/// An xlsx of one sheet whose `<worksheet>` body (dimension, sheetData, mergeCells) is `body`.
fn xlsx(body: &str) -> Vec<u8> {
    xlsx_parts(body, None)
}

/// [`xlsx`] with a shared-string table (`xl/sharedStrings.xml`).
fn xlsx_with_strings(body: &str, shared_strings: &str) -> Vec<u8> {
    xlsx_parts(body, Some(shared_strings))
}

fn xlsx_parts(body: &str, shared_strings: Option<&str>) -> Vec<u8> {
    let strings_type = if shared_strings.is_some() {
        r#"<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#
    } else {
        ""
    };
    let strings_rel = if shared_strings.is_some() {
        r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
    } else {
        ""
    };
    let mut files = vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>{strings_type}</Types>"#.replace("{strings_type}", strings_type),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>"#.replace("{strings_rel}", strings_rel),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{body}</worksheet>"#
            ),
        ),
    ];
    if let Some(sst) = shared_strings {
        files.push(("xl/sharedStrings.xml", sst.to_string()));
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, text) in files {
        zip.start_file(path, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An inline-string cell.
fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// A sheet of a header and one data row at the top: what a user means to upload.
fn header_rows() -> String {
    format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        cell("A1", "统一社会信用代码"),
        cell("B1", "企业名称"),
        cell("A2", "91330000566997460T"),
        cell("B2", "浙江南北联合信息科技有限公司"),
    )
}

/// The file is refused as too large, with a message that contains every one of `words`.
fn refused(bytes: &[u8], words: &[&str]) -> Result<(), String> {
    if bytes.len() < 100_000 {
        println!("file {} bytes", bytes.len());
    }
    let err = match Grid::from_bytes(bytes) {
        Ok(g) => {
            return Err(format!(
                "accepted: {} rows × {} columns",
                g.height(),
                g.width()
            ));
        }
        Err(e) => e,
    };
    check_refusal(&err, words)
}

fn check_refusal(err: &ImportError, words: &[&str]) -> Result<(), String> {
    let message = err.to_string();
    if !matches!(err, ImportError::TooLarge(_)) {
        return Err(format!(
            "not refused as too large ({} bytes): {}",
            message.len(),
            ssj_import::limits::excerpt_n(&message, 100)
        ));
    }
    if message.len() > 1024 {
        return Err(format!(
            "message of {} bytes: {}",
            message.len(),
            ssj_import::limits::excerpt_n(&message, 100)
        ));
    }
    for w in words {
        if !message.contains(w) {
            return Err(format!("message lacks “{w}”: {message}"));
        }
    }
    println!("message: {message}");
    Ok(())
}

/// 1.6 KB in the issue; calamine's dense range for it is 512 GiB.
fn xlsx_a1_and_xfd1048576() -> Result<(), String> {
    let body = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData>{}<row r="1048576">{}</row></sheetData>"#,
        header_rows(),
        cell("XFD1048576", "x")
    );
    let limit = MAX_COLUMNS.to_string();
    refused(&xlsx(&body), &["XFD1048576", "16384", &limit, "列"])
}

/// 49 s and 3.2 GB in the issue, expanding the merge cell by cell.
fn xlsx_merge_c3_xfd1048576() -> Result<(), String> {
    let body = format!(
        r#"<dimension ref="A1:C3"/><sheetData>{}<row r="3">{}</row></sheetData><mergeCells count="1"><mergeCell ref="C3:XFD1048576"/></mergeCells>"#,
        header_rows(),
        cell("C3", "合并")
    );
    let limit = MAX_MERGED_CELLS.to_string();
    refused(&xlsx(&body), &["合并单元格 C3:XFD1048576", &limit])
}

/// 1.5 GB in the issue: 1,000,000 rows × 26 columns is over MAX_SHEET_CELLS (5,000,000).
fn xlsx_single_cell_z1000000() -> Result<(), String> {
    let body = format!(
        r#"<sheetData>{}<row r="1000000">{}</row></sheetData>"#,
        header_rows(),
        cell("Z1000000", "x")
    );
    const { assert!(1_000_000 * 26 > MAX_SHEET_CELLS) };
    let limit = MAX_SHEET_CELLS.to_string();
    refused(&xlsx(&body), &["Z1000000", "26000000", &limit])
}

/// A `<dimension>` that claims the whole sheet over two real rows is not believed, nor refused:
/// the cells decide.
fn xlsx_claimed_dimension_only() -> Result<(), String> {
    let body = format!(
        r#"<dimension ref="A1:XFD1048576"/><sheetData>{}</sheetData>"#,
        header_rows()
    );
    let grid = Grid::from_bytes(&xlsx(&body)).map_err(|e| e.to_string())?;
    if (grid.height(), grid.width()) != (2, 2) || grid.value(1, 1) != "浙江南北联合信息科技有限公司"
    {
        return Err(format!("read {} × {}", grid.height(), grid.width()));
    }
    Ok(())
}

fn xlsx_cell_over_cap() -> Result<(), String> {
    let body = format!(
        r#"<sheetData>{}<row r="3">{}</row></sheetData>"#,
        header_rows(),
        cell("B3", &"长".repeat(MAX_CELL_CHARS + 1))
    );
    let limit = MAX_CELL_CHARS.to_string();
    refused(&xlsx(&body), &["第 3 行第 2 列（B3）", &limit])
}

/// A header then one row of a million empty columns, about 2 MB; 50 s in the issue.
fn csv_million_columns() -> Result<(), String> {
    let mut csv = String::from("统一社会信用代码,企业名称\n91330000566997460T,");
    csv.push_str(&",".repeat(1_000_000));
    csv.push('\n');
    let words = [
        "第 2 行有 1000002 列",
        "第 513 列（SS）",
        &MAX_COLUMNS.to_string(),
    ];
    refused(csv.as_bytes(), &words)?;
    // The directory reader streams CSV itself: the same limit there.
    refused_streamed(csv.as_bytes(), &words)
}

/// A 50 MB line under a header: the message quoted all of it (52 MB) in the issue.
fn csv_50mb_line() -> Result<(), String> {
    let mut csv = String::from("统一社会信用代码,企业名称\n");
    csv.push_str(&"9".repeat(50 * 1024 * 1024));
    csv.push_str(",企业\n");
    let words = ["第 2 行第 1 列（A2）", &MAX_CELL_CHARS.to_string()];
    refused(csv.as_bytes(), &words)?;
    refused_streamed(csv.as_bytes(), &words)
}

/// A long cell after the first 20 rows, where the directory reader has begun its batches.
fn csv_cell_over_cap() -> Result<(), String> {
    let mut csv = String::from("统一社会信用代码,企业名称\n");
    for i in 0..30 {
        csv.push_str(&format!("91330000566997460T,企业{i}\n"));
    }
    csv.push_str(&format!(
        "91330000566997460T,{}\n",
        "名".repeat(MAX_CELL_CHARS + 1)
    ));
    let words = ["第 32 行第 2 列（B32）", &MAX_CELL_CHARS.to_string()];
    refused(csv.as_bytes(), &words)?;
    refused_streamed(csv.as_bytes(), &words)
}

/// As [`refused`], through the streamed directory reader (its header rows, then its batches).
fn refused_streamed(bytes: &[u8], words: &[&str]) -> Result<(), String> {
    let err = match ObjectSource::open(bytes, false) {
        Err(e) => e,
        Ok(mut source) => loop {
            match source.next_batch(1000) {
                Err(e) => break e,
                Ok(batch) if batch.is_empty() => return Err("streamed: accepted".into()),
                Ok(_) => {}
            }
        },
    };
    check_refusal(&err, words).map_err(|e| format!("streamed: {e}"))
}

/// A BIFF8 record: type, length, payload.
fn rec(typ: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = typ.to_le_bytes().to_vec();
    out.extend((payload.len() as u16).to_le_bytes());
    out.extend(payload);
    out
}

/// BOF of the workbook globals (dt 0x0005) or of a worksheet (0x0010), BIFF8.
fn bof(dt: u16) -> Vec<u8> {
    let mut p = 0x0600u16.to_le_bytes().to_vec();
    p.extend(dt.to_le_bytes());
    p.extend([0u8; 4]);
    p.extend([0u8; 4]);
    p.extend(6u32.to_le_bytes());
    rec(0x0809, &p)
}

fn dimensions(rw_mic: u32, rw_mac: u32, col_mic: u16, col_mac: u16) -> Vec<u8> {
    let mut p = rw_mic.to_le_bytes().to_vec();
    p.extend(rw_mac.to_le_bytes());
    p.extend(col_mic.to_le_bytes());
    p.extend(col_mac.to_le_bytes());
    p.extend([0u8; 2]);
    rec(0x0200, &p)
}

fn number(r: u16, c: u16, v: f64) -> Vec<u8> {
    let mut p = r.to_le_bytes().to_vec();
    p.extend(c.to_le_bytes());
    p.extend([0u8; 2]);
    p.extend(v.to_le_bytes());
    rec(0x0203, &p)
}

/// A LABEL cell, its text as UTF-16.
fn label(r: u16, c: u16, text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut p = r.to_le_bytes().to_vec();
    p.extend(c.to_le_bytes());
    p.extend([0u8; 2]);
    p.extend((units.len() as u16).to_le_bytes());
    p.push(1);
    p.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    rec(0x0204, &p)
}

fn merged(ranges: &[(u16, u16, u16, u16)], count: u16) -> Vec<u8> {
    let mut p = count.to_le_bytes().to_vec();
    for (r0, r1, c0, c1) in ranges {
        for v in [r0, r1, c0, c1] {
            p.extend(v.to_le_bytes());
        }
    }
    rec(0x00E5, &p)
}

/// The header and one data row, as LABEL cells at the top.
fn xls_header_cells() -> Vec<Vec<u8>> {
    vec![
        label(0, 0, "统一社会信用代码"),
        label(0, 1, "企业名称"),
        label(1, 0, "91330000566997460T"),
        label(1, 1, "浙江南北联合信息科技有限公司"),
    ]
}

/// A BIFF8 workbook in a compound file: globals (`globals_extra` before their EOF), then one
/// worksheet per entry of `sheets`, each BOF, its records, EOF. `ply_pos` overrides the first
/// sheet's offset as BOUNDSHEET states it.
fn xls_with(globals_extra: &[u8], sheets: &[Vec<Vec<u8>>], ply_pos: Option<u32>) -> Vec<u8> {
    let boundsheet = |pos: u32, i: usize| {
        let name = format!("Sheet{}", i + 1);
        let mut p = pos.to_le_bytes().to_vec();
        p.extend([0, 0, name.len() as u8, 0]);
        p.extend(name.as_bytes());
        rec(0x0085, &p)
    };
    let globals_len =
        bof(0x0005).len() + sheets.len() * boundsheet(0, 0).len() + globals_extra.len() + 4;
    let bodies: Vec<Vec<u8>> = sheets
        .iter()
        .map(|records| {
            let mut s = bof(0x0010);
            s.extend(records.iter().flatten());
            s.extend(rec(0x000A, &[]));
            s
        })
        .collect();
    let mut stream = bof(0x0005);
    let mut pos = globals_len;
    for (i, body) in bodies.iter().enumerate() {
        let at = match (i, ply_pos) {
            (0, Some(p)) => p,
            _ => pos as u32,
        };
        stream.extend(boundsheet(at, i));
        pos += body.len();
    }
    stream.extend(globals_extra);
    stream.extend(rec(0x000A, &[]));
    assert_eq!(stream.len(), globals_len);
    stream.extend(bodies.iter().flatten());
    in_compound_file(&stream)
}

fn xls(records: Vec<Vec<u8>>) -> Vec<u8> {
    xls_with(&[], &[records], None)
}

fn in_compound_file(stream: &[u8]) -> Vec<u8> {
    let mut comp =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .unwrap();
    comp.create_stream("/Workbook")
        .unwrap()
        .write_all(stream)
        .unwrap();
    comp.flush().unwrap();
    comp.into_inner().into_inner()
}

/// The test's own xls writer makes files calamine reads: the refusals below are not misreads.
fn xls_generated_reads() -> Result<(), String> {
    let mut records = vec![dimensions(0, 3, 0, 2)];
    records.extend(xls_header_cells());
    records.push(number(2, 0, 42.0));
    let grid = Grid::from_bytes(&xls(records)).map_err(|e| e.to_string())?;
    if (grid.height(), grid.width()) != (3, 2)
        || grid.value(0, 0) != "统一社会信用代码"
        || grid.value(1, 1) != "浙江南北联合信息科技有限公司"
        || grid.value(2, 0) != "42"
    {
        return Err(format!("read {} × {}", grid.height(), grid.width()));
    }
    Ok(())
}

/// DIMENSIONS claims 4,294,967,295 rows × 256 columns over two real rows: calamine reserves
/// its cell list by that claim (an abort, the allocation failing).
fn xls_dimensions_claim() -> Result<(), String> {
    let mut records = vec![dimensions(0, u32::MAX, 0, 256)];
    records.extend(xls_header_cells());
    let limit = MAX_SHEET_CELLS.to_string();
    refused(
        &xls(records),
        &["Sheet1", "DIMENSIONS", "4294967295", &limit],
    )
}

/// DIMENSIONS whose last row is above its first: calamine's row count underflows.
fn xls_dimensions_inverted() -> Result<(), String> {
    let mut records = vec![dimensions(10, 5, 0, 2)];
    records.extend(xls_header_cells());
    corrupt(&xls(records), &["Sheet1", "DIMENSIONS"])
}

/// A1 and IV65536 (the last cell of an xls sheet): calamine's dense range is 16,777,216 cells.
fn xls_a1_and_iv65536() -> Result<(), String> {
    let mut records = vec![dimensions(0, 2, 0, 2)];
    records.extend(xls_header_cells());
    records.push(number(65535, 255, 1.0));
    let limit = MAX_SHEET_CELLS.to_string();
    refused(&xls(records), &["Sheet1", "IV65536", "16777216", &limit])
}

/// Column 65,536 of row 1 and row 65,536 of column A: 4,294,967,296 cells for calamine.
fn xls_far_column() -> Result<(), String> {
    let mut records = xls_header_cells();
    records.push(number(0, u16::MAX, 1.0));
    records.push(number(u16::MAX, 0, 1.0));
    let at = ssj_import::limits::cell_name(0, u16::MAX as usize);
    let limit = MAX_COLUMNS.to_string();
    refused(&xls(records), &["Sheet1", &at, &limit])
}

/// calamine reads every sheet on opening, not only the one imported: the second is checked too.
fn xls_far_cells_on_another_sheet() -> Result<(), String> {
    let first = xls_header_cells();
    let second = vec![number(0, 0, 1.0), number(65535, 255, 1.0)];
    let limit = MAX_SHEET_CELLS.to_string();
    refused(
        &xls_with(&[], &[first, second], None),
        &["Sheet2", "IV65536", &limit],
    )
}

fn xls_merge_a1_iv65536() -> Result<(), String> {
    let mut records = xls_header_cells();
    records.push(merged(&[(0, 65535, 0, 255)], 1));
    let limit = MAX_MERGED_CELLS.to_string();
    refused(&xls(records), &["合并单元格 A1:IV65536", &limit])
}

/// A MERGEDCELLS record counting more ranges than it holds: calamine reads past its end.
fn xls_merge_count_past_record() -> Result<(), String> {
    let mut records = xls_header_cells();
    records.push(merged(&[(0, 1, 0, 0)], 1000));
    corrupt(&xls(records), &["Sheet1", "MERGEDCELLS", "1000"])
}

/// A sheet said to start past the end of the stream: calamine slices past it.
fn xls_sheet_offset_past_end() -> Result<(), String> {
    let bytes = xls_with(&[], &[xls_header_cells()], Some(0x00FF_FFFF));
    corrupt(&bytes, &["Sheet1", "16777215"])
}

/// One 32,767-character shared string, and 40,000 cells that show it: a 600 KB file whose
/// cells calamine copies out, 1.3 GB of text.
fn xls_one_string_many_cells() -> Result<(), String> {
    let chars = ssj_import::limits::MAX_CELL_CHARS;
    let mut sst = 1u32.to_le_bytes().to_vec();
    sst.extend(1u32.to_le_bytes());
    sst.extend((chars as u16).to_le_bytes());
    sst.push(0);
    sst.extend(std::iter::repeat_n(b'A', chars));
    let sst = rec(0x00FC, &sst);
    let mut records = xls_header_cells();
    for r in 2..40_002u16 {
        let mut p = r.to_le_bytes().to_vec();
        p.extend([0u8; 2]);
        p.extend([0u8; 2]);
        p.extend(0u32.to_le_bytes());
        records.push(rec(0x00FD, &p));
    }
    let limit = ssj_import::limits::MAX_SHEET_TEXT_BYTES.to_string();
    refused(&xls_with(&sst, &[records], None), &["Sheet1", &limit])
}

/// An xlsx whose one 32,767-character shared string is shown by 40,000 cells: a file of a few
/// hundred KB that would be 1.3 GB of copies in the grid.
fn xlsx_one_string_many_cells() -> Result<(), String> {
    let text = "A".repeat(ssj_import::limits::MAX_CELL_CHARS);
    let mut rows = header_rows();
    for r in 3..40_003 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="B{r}" t="s"><v>0</v></c></row>"#
        ));
    }
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="40000" uniqueCount="1"><si><t>{text}</t></si></sst>"#
    );
    let limit = ssj_import::limits::MAX_SHEET_TEXT_BYTES.to_string();
    refused(
        &xlsx_with_strings(&format!("<sheetData>{rows}</sheetData>"), &sst),
        &["Sheet1", &limit],
    )
}

/// The real xls of the fixtures, one NUMBER cell at IV65536 added before its first sheet's EOF.
fn xls_fixture_patched_far_cell() -> Result<(), String> {
    let path = format!(
        "{}/../../../shared/data/hainan-joint-inspection-item-list-v2.xls",
        env!("CARGO_MANIFEST_DIR")
    );
    let original = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut comp = cfb::CompoundFile::open(std::io::Cursor::new(original.clone()))
        .map_err(|e| e.to_string())?;
    let mut stream = Vec::new();
    std::io::Read::read_to_end(&mut comp.open_stream("/Workbook").unwrap(), &mut stream).unwrap();
    Grid::from_bytes(&original).map_err(|e| format!("the fixture itself: {e}"))?;
    // The first sheet's offset (BOUNDSHEET), then its EOF: the cell goes in just before it.
    let mut at = 0;
    let mut first_sheet = None;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        if typ == 0x0085 && first_sheet.is_none() {
            let p = &stream[at + 4..];
            first_sheet = Some(u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as usize);
        }
        if Some(at) >= first_sheet && typ == 0x000A {
            break;
        }
        at += 4 + len;
    }
    let first_sheet = first_sheet.ok_or("no BOUNDSHEET")?;
    if at < first_sheet {
        return Err("no sheet EOF".into());
    }
    // Later sheets move by the record's length.
    let cell = number(65535, 255, 1.0);
    stream.splice(at..at, cell.iter().copied());
    let mut i = 0;
    while i + 4 <= first_sheet {
        let typ = u16::from_le_bytes([stream[i], stream[i + 1]]);
        let len = u16::from_le_bytes([stream[i + 2], stream[i + 3]]) as usize;
        if typ == 0x0085 {
            let p = i + 4;
            let pos = u32::from_le_bytes(stream[p..p + 4].try_into().unwrap()) as usize;
            if pos > at {
                stream[p..p + 4].copy_from_slice(&((pos + cell.len()) as u32).to_le_bytes());
            }
        }
        i += 4 + len;
    }
    let limit = MAX_SHEET_CELLS.to_string();
    refused(&in_compound_file(&stream), &["IV65536", &limit])
}

/// The file is refused as damaged, with a message that contains every one of `words`.
fn corrupt(bytes: &[u8], words: &[&str]) -> Result<(), String> {
    let message = match Grid::from_bytes(bytes) {
        Ok(g) => return Err(format!("accepted: {} × {}", g.height(), g.width())),
        Err(e @ (ImportError::Corrupt(_) | ImportError::Unreadable(_))) => e.to_string(),
        Err(e) => return Err(format!("not refused as damaged: {e}")),
    };
    for w in words {
        if !message.contains(w) {
            return Err(format!("message lacks “{w}”: {message}"));
        }
    }
    println!("message: {message}");
    Ok(())
}

/// A valid xlsx whose sharedStrings.xml inflates to 1 GiB of one repeated string (13 MB as
/// written): calamine loads all of it on opening. The deflate stream is one compressed chunk
/// repeated (each compressed alone and fully flushed, so it refers to nothing before it),
/// so that the test does not spend minutes deflating.
fn xlsx_shared_strings_1gib() -> Result<(), String> {
    use flate2::{Compress, Compression, FlushCompress};
    let deflate = |data: &[u8], flush: FlushCompress| {
        let mut c = Compress::new(Compression::fast(), false);
        let mut out = Vec::with_capacity(data.len() + 1024);
        c.compress_vec(data, &mut out, flush).unwrap();
        assert_eq!(c.total_in(), data.len() as u64);
        out
    };
    let head = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
    let chunk = "<si><t>重复的文字</t></si>".repeat(32 * 1024);
    let tail = b"</sst>";
    let repeats = (1u64 << 30).div_ceil(chunk.len() as u64);
    let (head_z, chunk_z) = (
        deflate(head, FlushCompress::Full),
        deflate(chunk.as_bytes(), FlushCompress::Full),
    );
    let tail_z = deflate(tail, FlushCompress::Finish);
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    let chunk_crc = {
        let mut h = crc32fast::Hasher::new();
        h.update(chunk.as_bytes());
        h
    };
    for _ in 0..repeats {
        crc.combine(&chunk_crc);
    }
    crc.update(tail);
    let size = head.len() as u64 + repeats * chunk.len() as u64 + tail.len() as u64;
    let mut data = head_z;
    for _ in 0..repeats {
        data.extend(&chunk_z);
    }
    data.extend(tail_z);

    let mut base = zip::ZipArchive::new(std::io::Cursor::new(xlsx(&format!(
        "<sheetData>{}</sheetData>",
        header_rows()
    ))))
    .unwrap();
    let mut entries = Vec::new();
    for i in 0..base.len() {
        let mut f = base.by_index(i).unwrap();
        let mut content = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut content).unwrap();
        let crc = crc32fast::hash(&content);
        let len = content.len() as u64;
        entries.push((f.name().unwrap().to_string(), 0u16, crc, len, content));
    }
    entries.push(("xl/sharedStrings.xml".into(), 8, crc.finalize(), size, data));
    let bytes = zip_by_hand(&entries);
    println!("file {} bytes", bytes.len());
    let limit = ssj_import::limits::MAX_XLSX_UNCOMPRESSED.to_string();
    refused(&bytes, &["xl/sharedStrings.xml", &limit])
}

/// A zip of (name, method, crc32, uncompressed size, data as stored), 32-bit fields.
fn zip_by_hand(entries: &[(String, u16, u32, u64, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, crc, size, data) in entries {
        let offset = out.len() as u32;
        let fields = |sig: u32, central: bool| {
            let mut h = sig.to_le_bytes().to_vec();
            if central {
                h.extend(20u16.to_le_bytes());
            }
            h.extend(20u16.to_le_bytes());
            h.extend(0u16.to_le_bytes());
            h.extend(method.to_le_bytes());
            h.extend([0u8; 4]);
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((*size as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes());
            if central {
                // Comment length, disk, internal and external attributes.
                h.extend([0u8; 10]);
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(fields(0x0403_4b50, false));
        out.extend(data);
        central.extend(fields(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}
