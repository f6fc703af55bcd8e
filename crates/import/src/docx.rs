//! The tables of a Word `.docx` (a plan's annex) as tab-separated lines, one line per table
//! row, the way a table copied out of Word pastes: paragraphs inside a cell are joined by a
//! space, a cell spanning columns is repeated across them, and a cell merged down a column
//! (`vMerge`) repeats the text of the cell it continues. Text outside tables is left out.

use quick_xml::events::Event;
use std::io::{Cursor, Read};

/// `word/document.xml` inflated is refused past this: a plan's text is a few hundred KB.
const MAX_DOCUMENT_XML: u64 = 32 * 1024 * 1024;

/// Whether the zip holds a Word document.
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|a| a.index_for_name("word/document.xml").is_some())
        .unwrap_or(false)
}

/// Every table of the document, each row a line of tab-separated cells, tables separated by a
/// blank line. A message in Chinese when the file cannot be read or holds no table.
pub fn tables_text(bytes: &[u8]) -> Result<String, String> {
    let unreadable = || {
        "Word 文件已损坏或不完整，无法读取（可在 Word 或 WPS 中打开后另存为 .docx 再导入）"
            .to_string()
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|_| unreadable())?;
    let mut xml = String::new();
    entry
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_string(&mut xml)
        .map_err(|_| unreadable())?;
    if xml.len() as u64 > MAX_DOCUMENT_XML {
        return Err(format!(
            "Word 文件的正文解压后超过 {} MiB，不像一份计划表",
            MAX_DOCUMENT_XML / 1024 / 1024
        ));
    }
    let tables = read_tables(&xml).map_err(|_| unreadable())?;
    if tables.is_empty() {
        return Err("Word 文件中没有表格：请上传含抽查计划表的附件，或把表格复制后粘贴".into());
    }
    Ok(tables
        .iter()
        .map(|t| {
            t.iter()
                .map(|row| row.join("\t"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("\n\n"))
}

type Table = Vec<Vec<String>>;

#[derive(Default)]
struct Cell {
    text: String,
    span: usize,
    /// `vMerge` without `restart`: continues the cell above.
    continues: bool,
}

/// Where the reader is in the document.
#[derive(Default)]
struct State {
    tables: Vec<Table>,
    /// Nested tables are read as text of the outer cell.
    depth: usize,
    current: Table,
    row: Vec<Cell>,
    cell: Option<Cell>,
    in_text: bool,
    paragraph_started: bool,
}

impl State {
    fn open(&mut self, e: &quick_xml::events::BytesStart, empty: bool) {
        let name = e.name();
        if self.depth == 0 && name.as_ref() != "w:tbl" {
            return;
        }
        match name.as_ref() {
            "w:tbl" if !empty => {
                self.depth += 1;
                if self.depth == 1 {
                    self.current = Vec::new();
                }
            }
            "w:tr" if self.depth == 1 && !empty => self.row = Vec::new(),
            "w:tc" if self.depth == 1 && !empty => {
                self.cell = Some(Cell {
                    span: 1,
                    ..Cell::default()
                })
            }
            "w:gridSpan" => {
                if let (Some(c), Some(v)) = (self.cell.as_mut(), attr(e, "w:val")) {
                    c.span = v.parse().unwrap_or(1).clamp(1, 64);
                }
            }
            "w:vMerge" => {
                if let Some(c) = self.cell.as_mut() {
                    c.continues = attr(e, "w:val").is_none_or(|v| v != "restart");
                }
            }
            "w:p" => self.paragraph_started = false,
            "w:t" => self.in_text = !empty,
            "w:tab" | "w:br" => self.push(" "),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        if self.depth == 0 {
            return;
        }
        match name {
            "w:t" => self.in_text = false,
            "w:p" if self.depth == 1 && self.paragraph_started => {
                // The next paragraph of the cell starts after a space.
                if let Some(c) = self.cell.as_mut() {
                    c.text.push(' ');
                }
            }
            "w:tc" if self.depth == 1 => {
                if let Some(mut c) = self.cell.take() {
                    c.text = c.text.trim().to_string();
                    self.row.push(c);
                }
            }
            "w:tr" if self.depth == 1 => {
                let above = self.current.last().cloned().unwrap_or_default();
                let mut line: Vec<String> = Vec::new();
                for c in self.row.drain(..) {
                    let text = if c.continues {
                        above.get(line.len()).cloned().unwrap_or_default()
                    } else {
                        c.text.replace('\t', " ")
                    };
                    for _ in 0..c.span {
                        line.push(text.clone());
                    }
                }
                self.current.push(line);
            }
            "w:tbl" => {
                self.depth -= 1;
                if self.depth == 0 {
                    self.tables.push(std::mem::take(&mut self.current));
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, text: &str) {
        if let Some(c) = self.cell.as_mut() {
            c.text.push_str(text);
            self.paragraph_started = true;
        }
    }
}

fn read_tables(xml: &str) -> Result<Vec<Table>, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut state = State::default();
    loop {
        match reader.read_event()? {
            Event::Start(e) => state.open(&e, false),
            Event::Empty(e) => state.open(&e, true),
            Event::End(e) => state.close(e.name().as_ref()),
            Event::Text(t) if state.in_text => state.push(&t.xml10_content()),
            Event::GeneralRef(r) if state.in_text => {
                let text = match r.resolve_char_ref()? {
                    Some(c) => c.to_string(),
                    None => match r.as_ref() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                state.push(&text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(state.tables)
}

fn attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.value.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A minimal Word document: the body given, inside the usual wrapper.
    pub(crate) fn docx(body: &str) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("[Content_Types].xml", opts).unwrap();
        zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
        zip.start_file("word/document.xml", opts).unwrap();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
        );
        zip.write_all(xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    fn cell(text: &str, props: &str) -> String {
        let paragraphs: String = text
            .split('|')
            .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
            .collect();
        format!("<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}</w:tc>")
    }

    #[test]
    fn rows_cells_spans_and_merges() {
        let row = |cells: &[String]| format!("<w:tr>{}</w:tr>", cells.concat());
        let body = format!(
            "<w:p><w:r><w:t>关于印发计划的通知</w:t></w:r></w:p><w:tbl>{}{}{}</w:tbl>",
            row(&[
                cell("序号", ""),
                cell("抽查任务名称", ""),
                cell("发起部门", "")
            ]),
            row(&[
                cell("1", ""),
                cell("扬尘|防治 &amp; 检查", ""),
                cell("高平市城市管理局", "<w:vMerge w:val=\"restart\"/>"),
            ]),
            row(&[
                cell("2", "<w:gridSpan w:val=\"2\"/>"),
                cell("", "<w:vMerge/>")
            ]),
        );
        let text = tables_text(&docx(&body)).unwrap();
        assert_eq!(
            text,
            "序号\t抽查任务名称\t发起部门\n1\t扬尘 防治 & 检查\t高平市城市管理局\n2\t2\t高平市城市管理局"
        );
    }

    #[test]
    fn a_document_without_a_table_and_a_broken_one() {
        let no_table = docx("<w:p><w:r><w:t>只有正文</w:t></w:r></w:p>");
        assert!(is_docx(&no_table));
        assert!(tables_text(&no_table).unwrap_err().contains("没有表格"));
        assert!(!is_docx(b"PK\x03\x04 not really"));
        assert!(
            tables_text(b"PK\x03\x04 not really")
                .unwrap_err()
                .contains("已损坏")
        );
    }
}
