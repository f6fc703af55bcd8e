//! The frozen files of a draw (spec §1, §4): `candidates.csv`, `officers.csv`, `conflicts.csv`.
//! Each is a header line, then one `a,b` line per entry sorted by bytes, every line ending with
//! LF, UTF-8 without BOM. Building one sorts and checks its entries; parsing one refuses any file
//! that is not exactly what building would give, so a digest always names one set of entries.

use crate::error::{DrawError, bad_file};

pub const CANDIDATES: &str = "candidates.csv";
pub const OFFICERS: &str = "officers.csv";
pub const CONFLICTS: &str = "conflicts.csv";
pub const SUBSTITUTIONS_FILE: &str = "substitutions.csv";
pub(crate) const CANDIDATES_HEADER: &str = "key,stratum";
const OFFICERS_HEADER: &str = "officer_id,department";
const CONFLICTS_HEADER: &str = "officer_id,key";

/// Why a text cannot be a field of a frozen file (spec §6: files are never quoted, so a field
/// holds no comma, double quote, CR, LF or NUL), or `None` when it can.
pub fn field_problem(s: &str) -> Option<&'static str> {
    if s.is_empty() {
        return Some("为空");
    }
    s.bytes().find_map(|b| match b {
        b',' => Some("含有英文逗号（,）"),
        b'"' => Some("含有英文双引号（\"）"),
        b'\r' => Some("含有回车符（CR）"),
        b'\n' => Some("含有换行符（LF）"),
        0 => Some("含有空字符（NUL）"),
        _ => None,
    })
}

/// Whether a text can be a field of a frozen file.
pub fn is_plain_field(s: &str) -> bool {
    field_problem(s).is_none()
}

/// Refuses, at freeze time, a field that a frozen file cannot hold, naming what it is.
pub(crate) fn check_field(what: &'static str, value: &str) -> Result<(), DrawError> {
    match field_problem(value) {
        None => Ok(()),
        Some(problem) => Err(DrawError::BadField {
            what,
            value: shown(value),
            problem,
        }),
    }
}

/// A field as a message quotes it: control characters made visible, at most 60 characters.
fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(60)
        .map(|c| match c {
            '\r' => "\\r".to_string(),
            '\n' => "\\n".to_string(),
            '\0' => "\\0".to_string(),
            c => c.to_string(),
        })
        .collect();
    if value.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// A frozen file's lines after its header (without the last LF), once its encoding, its header
/// and its final LF are checked; `None` when the header is the only line.
fn body<'a>(
    file: &'static str,
    bytes: &'a [u8],
    header: &str,
) -> Result<Option<&'a str>, DrawError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        bad_file(file, line, "不是有效的 UTF-8 文本")
    })?;
    let Some(body) = text.strip_suffix('\n') else {
        return Err(bad_file(
            file,
            text.lines().count().max(1),
            "文件应以换行符（LF）结束",
        ));
    };
    match body.split_once('\n') {
        Some((first, rest)) if first == header => Ok(Some(rest)),
        None if body == header => Ok(None),
        _ => Err(bad_file(file, 1, format!("表头应为“{header}”"))),
    }
}

/// The two fields of one `a,b` line, or why it is not one.
fn pair(line: &str) -> Result<(&str, &str), &'static str> {
    let Some((a, b)) = line.split_once(',') else {
        return Err("应为以逗号分隔的两列");
    };
    if !is_plain_field(a) || !is_plain_field(b) {
        return Err("字段为空，或含有逗号、双引号、回车、换行或空字符");
    }
    Ok((a, b))
}

/// Walks the `a,b` lines of a frozen file after checking its header and its shape.
fn for_each_pair<'a>(
    file: &'static str,
    bytes: &'a [u8],
    header: &str,
    mut each: impl FnMut(usize, &'a str, &'a str) -> Result<(), DrawError>,
) -> Result<(), DrawError> {
    let Some(body) = body(file, bytes, header)? else {
        return Ok(());
    };
    for (n, line) in body.split('\n').enumerate() {
        let number = n + 2;
        let (a, b) = pair(line).map_err(|why| bad_file(file, number, why))?;
        each(number, a, b)?;
    }
    Ok(())
}

fn render_pairs<'a>(header: &str, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(header.as_bytes());
    out.push(b'\n');
    for (a, b) in pairs {
        out.extend_from_slice(a.as_bytes());
        out.push(b',');
        out.extend_from_slice(b.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The canonical candidate file of `(key, stratum)` pairs, sorted here; keys must be unique.
pub fn candidates_file(rows: Vec<(&str, &str)>) -> Result<Vec<u8>, DrawError> {
    crate::build::build_candidates_file(rows.as_slice())
}

/// The candidates of one piece of a file, strata numbered within the piece.
struct Piece<'a> {
    entries: Vec<Entry>,
    labels: Vec<&'a str>,
    first: Option<&'a str>,
    last: Option<&'a str>,
    /// The first bad line (its index in the piece) and why; the lines before it are read.
    error: Option<(usize, String)>,
}

fn order_error(key: &str, previous: &str) -> String {
    let why = if key == previous {
        "重复"
    } else {
        "未按字节升序排列"
    };
    format!("检查对象代码 {key} {why}")
}

/// Parses whole lines of a candidate file, up to the first bad one.
fn parse_piece(piece: &str, base: usize) -> Piece<'_> {
    let mut out = Piece {
        entries: Vec::with_capacity(piece.len() / 20),
        labels: Vec::new(),
        first: None,
        last: None,
        error: None,
    };
    if let Err(e) = read_piece(piece, base, &mut out) {
        out.error = Some(e);
    }
    out
}

fn read_piece<'a>(piece: &'a str, base: usize, out: &mut Piece<'a>) -> Result<(), (usize, String)> {
    let mut previous: Option<&str> = None;
    let mut stratum_of_last: Option<(&str, u16)> = None;
    for (n, line) in piece.split('\n').enumerate() {
        let (key, stratum) = pair(line).map_err(|why| (n, why.to_string()))?;
        if let Some(p) = previous
            && key.as_bytes() <= p.as_bytes()
        {
            return Err((n, order_error(key, p)));
        }
        if previous.is_none() {
            out.first = Some(key);
        }
        previous = Some(key);
        out.last = previous;
        let len = u16::try_from(key.len()).map_err(|_| (n, "检查对象代码过长".to_string()))?;
        let index = match stratum_of_last {
            Some((label, i)) if label == stratum => i,
            _ => {
                let i = match out.labels.iter().position(|l| *l == stratum) {
                    Some(i) => i,
                    None => {
                        out.labels.push(stratum);
                        out.labels.len() - 1
                    }
                };
                let i = u16::try_from(i).map_err(|_| (n, "分层数量过多".to_string()))?;
                stratum_of_last = Some((stratum, i));
                i
            }
        };
        out.entries.push(Entry {
            start: (key.as_ptr() as usize - base) as u32,
            len,
            stratum: index,
        });
    }
    Ok(())
}

/// One candidate of a parsed file: where its key is, and its stratum's index in `labels`.
#[derive(Clone, Copy, Debug)]
struct Entry {
    start: u32,
    len: u16,
    stratum: u16,
}

/// A parsed candidate file. Holds offsets into the file's bytes, not a string per key, so ten
/// million candidates cost 8 bytes each beside the file itself.
#[derive(Debug)]
pub struct CandidateSet<'a> {
    text: &'a str,
    entries: Vec<Entry>,
    labels: Vec<&'a str>,
}

impl<'a> CandidateSet<'a> {
    /// Parses and checks a candidate file, one part of it per core.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DrawError> {
        if bytes.len() > u32::MAX as usize {
            return Err(bad_file(CANDIDATES, 0, "文件超过 4 GiB，请按省份分片抽取"));
        }
        let body = body(CANDIDATES, bytes, CANDIDATES_HEADER)?;
        let text = std::str::from_utf8(bytes).expect("checked by body");
        let base = text.as_ptr() as usize;
        let Some(body) = body else {
            return Ok(CandidateSet {
                text,
                entries: Vec::new(),
                labels: Vec::new(),
            });
        };
        // Cut the body at line ends into one piece per core.
        let threads = if body.len() < 1 << 20 {
            1
        } else {
            crate::parallel::threads()
        };
        let mut pieces: Vec<&'a str> = Vec::with_capacity(threads);
        let mut rest = body;
        for t in (1..threads).rev() {
            let want = rest.len() / (t + 1);
            match rest.as_bytes()[want..].iter().position(|&b| b == b'\n') {
                Some(at) => {
                    pieces.push(&rest[..want + at]);
                    rest = &rest[want + at + 1..];
                }
                None => break,
            }
        }
        pieces.push(rest);
        let parsed: Vec<Piece<'a>> = std::thread::scope(|scope| {
            let handles: Vec<_> = pieces
                .iter()
                .map(|&piece| scope.spawn(move || parse_piece(piece, base)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a draw thread panicked"))
                .collect()
        });
        // Lines before a piece, for the line numbers of its errors.
        let line_of = |piece: usize, local: usize| {
            let before: usize = pieces[..piece]
                .iter()
                .map(|p| p.bytes().filter(|&b| b == b'\n').count() + 1)
                .sum();
            before + local + 2
        };
        let mut entries: Vec<Entry> = Vec::with_capacity(bytes.len() / 20);
        let mut labels: Vec<&'a str> = Vec::new();
        let mut previous: Option<&'a str> = None;
        for (p, piece) in parsed.into_iter().enumerate() {
            if let (Some(last), Some(first)) = (previous, piece.first)
                && first.as_bytes() <= last.as_bytes()
            {
                return Err(bad_file(
                    CANDIDATES,
                    line_of(p, 0),
                    order_error(first, last),
                ));
            }
            if let Some((local, why)) = piece.error {
                return Err(bad_file(CANDIDATES, line_of(p, local), why));
            }
            previous = piece.last.or(previous);
            // Strata are numbered in order of first appearance in the whole file.
            let global: Vec<u16> = piece
                .labels
                .iter()
                .map(|l| match labels.iter().position(|g| g == l) {
                    Some(i) => i as u16,
                    None => {
                        labels.push(l);
                        (labels.len() - 1) as u16
                    }
                })
                .collect();
            if labels.len() > u16::MAX as usize {
                return Err(bad_file(CANDIDATES, line_of(p, 0), "分层数量过多"));
            }
            entries.extend(piece.entries.into_iter().map(|mut e| {
                e.stratum = global[e.stratum as usize];
                e
            }));
        }
        Ok(CandidateSet {
            text,
            entries,
            labels,
        })
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn key(&self, i: usize) -> &'a str {
        let e = self.entries[i];
        &self.text[e.start as usize..e.start as usize + e.len as usize]
    }

    /// Index into [`Self::labels`] of candidate `i`'s stratum.
    pub fn stratum(&self, i: usize) -> usize {
        self.entries[i].stratum as usize
    }

    /// The strata in order of first appearance in the file.
    pub fn labels(&self) -> &[&'a str] {
        &self.labels
    }

    /// The candidate with this key, by binary search (the file is sorted by key bytes).
    pub fn find(&self, key: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|e| {
                let k = &self.text[e.start as usize..e.start as usize + e.len as usize];
                k.as_bytes().cmp(key.as_bytes())
            })
            .ok()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    pub id: String,
    pub department: String,
}

/// The canonical officer pool file, sorted here by officer id; ids must be unique.
pub fn officers_file(mut officers: Vec<Officer>) -> Result<Vec<u8>, DrawError> {
    officers.sort_unstable_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    for (i, o) in officers.iter().enumerate() {
        check_field("执法人员编号", &o.id)?;
        check_field("部门名称", &o.department)?;
        if o.id.contains(';') {
            return Err(bad_file(
                OFFICERS,
                i + 2,
                format!("执法人员编号 {} 不能包含分号", o.id),
            ));
        }
        if i > 0 && officers[i - 1].id == o.id {
            return Err(bad_file(
                OFFICERS,
                i + 2,
                format!("执法人员编号 {} 重复", o.id),
            ));
        }
    }
    Ok(render_pairs(
        OFFICERS_HEADER,
        officers
            .iter()
            .map(|o| (o.id.as_str(), o.department.as_str())),
    ))
}

pub fn parse_officers(bytes: &[u8]) -> Result<Vec<Officer>, DrawError> {
    let mut out: Vec<Officer> = Vec::new();
    for_each_pair(OFFICERS, bytes, OFFICERS_HEADER, |line, id, department| {
        if let Some(last) = out.last()
            && id.as_bytes() <= last.id.as_bytes()
        {
            return Err(bad_file(
                OFFICERS,
                line,
                format!("执法人员编号 {id} 重复或未按字节升序排列"),
            ));
        }
        if id.contains(';') {
            return Err(bad_file(
                OFFICERS,
                line,
                format!("执法人员编号 {id} 不能包含分号"),
            ));
        }
        out.push(Officer {
            id: id.to_string(),
            department: department.to_string(),
        });
        Ok(())
    })?;
    Ok(out)
}

/// A declared conflict of interest (回避) between an officer and an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Conflict {
    pub officer_id: String,
    pub key: String,
}

fn conflict_order(a: &Conflict, b: &Conflict) -> std::cmp::Ordering {
    (a.officer_id.as_bytes(), a.key.as_bytes()).cmp(&(b.officer_id.as_bytes(), b.key.as_bytes()))
}

/// The canonical conflict file, sorted here by (officer id, key); a repeated pair is kept once.
pub fn conflicts_file(mut conflicts: Vec<Conflict>) -> Result<Vec<u8>, DrawError> {
    conflicts.sort_unstable_by(conflict_order);
    conflicts.dedup();
    for c in &conflicts {
        check_field("执法人员编号", &c.officer_id)?;
        check_field("检查对象代码", &c.key)?;
    }
    Ok(render_pairs(
        CONFLICTS_HEADER,
        conflicts
            .iter()
            .map(|c| (c.officer_id.as_str(), c.key.as_str())),
    ))
}

pub fn parse_conflicts(bytes: &[u8]) -> Result<Vec<Conflict>, DrawError> {
    let mut out: Vec<Conflict> = Vec::new();
    for_each_pair(
        CONFLICTS,
        bytes,
        CONFLICTS_HEADER,
        |line, officer_id, key| {
            let c = Conflict {
                officer_id: officer_id.to_string(),
                key: key.to_string(),
            };
            if let Some(last) = out.last()
                && conflict_order(last, &c).is_ge()
            {
                return Err(bad_file(
                    CONFLICTS,
                    line,
                    "重复或未按（执法人员编号，检查对象代码）升序排列",
                ));
            }
            out.push(c);
            Ok(())
        },
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_file_parses_back_and_anything_else_is_refused() {
        let file = candidates_file(vec![("B2", "A"), ("A1", "D"), ("C3", "A")]).unwrap();
        assert_eq!(file, b"key,stratum\nA1,D\nB2,A\nC3,A\n");
        let set = CandidateSet::parse(&file).unwrap();
        assert_eq!(
            (set.len(), set.key(1), set.labels()),
            (3, "B2", &["D", "A"][..])
        );
        assert_eq!(set.find("C3"), Some(2));
        assert_eq!(set.find("C4"), None);
        for bad in [
            &b"key,stratum\nA1,D\nB2,A"[..],
            b"key,stratum\nB2,A\nA1,D\n",
            b"key,stratum\nA1,D\nA1,A\n",
            b"\xEF\xBB\xBFkey,stratum\nA1,D\n",
            b"key,stratum\r\nA1,D\n",
            b"key,stratum\nA1,D,E\n",
            b"key,stratum\n,D\n",
            b"key,stratum\nA1\n",
            b"key,stratum\nA\xFF,D\n",
        ] {
            assert!(
                CandidateSet::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(candidates_file(vec![("A", "D"), ("A", "C")]).is_err());
        assert!(candidates_file(vec![("A,B", "D")]).is_err());
    }

    #[test]
    fn officer_and_conflict_files_round_trip() {
        let pool = vec![
            Officer {
                id: "OF2".into(),
                department: "住建局".into(),
            },
            Officer {
                id: "OF1".into(),
                department: "市场监管局".into(),
            },
        ];
        let file = officers_file(pool).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&file),
            "officer_id,department\nOF1,市场监管局\nOF2,住建局\n"
        );
        assert_eq!(parse_officers(&file).unwrap()[1].id, "OF2");
        let c = |o: &str, k: &str| Conflict {
            officer_id: o.into(),
            key: k.into(),
        };
        let file = conflicts_file(vec![c("OF2", "K1"), c("OF1", "K9"), c("OF1", "K9")]).unwrap();
        assert_eq!(file, b"officer_id,key\nOF1,K9\nOF2,K1\n");
        assert_eq!(parse_conflicts(&file).unwrap().len(), 2);
        assert!(parse_conflicts(b"officer_id,key\nOF2,K1\nOF1,K9\n").is_err());
    }

    /// The file read line by line on one thread: what the parse in pieces must agree with.
    /// Rows (key, stratum) and the strata in order of first appearance.
    type Read = Result<(Vec<(String, String)>, Vec<String>), DrawError>;

    fn parse_in_one(bytes: &[u8]) -> Read {
        let mut rows = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut previous = String::new();
        for_each_pair(
            CANDIDATES,
            bytes,
            CANDIDATES_HEADER,
            |line, key, stratum| {
                if !previous.is_empty() && key.as_bytes() <= previous.as_bytes() {
                    return Err(bad_file(CANDIDATES, line, order_error(key, &previous)));
                }
                previous = key.to_string();
                if !labels.iter().any(|l| l == stratum) {
                    labels.push(stratum.to_string());
                }
                rows.push((key.to_string(), stratum.to_string()));
                Ok(())
            },
        )?;
        Ok((rows, labels))
    }

    fn parsed(bytes: &[u8]) -> Read {
        let set = CandidateSet::parse(bytes)?;
        let rows = (0..set.len())
            .map(|i| {
                (
                    set.key(i).to_string(),
                    set.labels()[set.stratum(i)].to_string(),
                )
            })
            .collect();
        Ok((rows, set.labels().iter().map(|l| l.to_string()).collect()))
    }

    #[test]
    fn a_large_file_parsed_in_pieces_reads_and_fails_as_read_in_one() {
        // Over a megabyte: parsed in one piece per core. The strata first appear in the second half.
        let keys: Vec<String> = (0..60_000).map(|i| format!("91140000{i:010}")).collect();
        let rows: Vec<(&str, &str)> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    k.as_str(),
                    if i < 40_000 {
                        "C"
                    } else {
                        ["U", "A", "C"][i % 3]
                    },
                )
            })
            .collect();
        let file = candidates_file(rows).unwrap();
        assert!(file.len() > 1 << 20);
        assert_eq!(parsed(&file), parse_in_one(&file));
        assert_eq!(parsed(&file).unwrap().1, ["C", "A", "U"]);
        // Damage each byte near the middle, where the pieces meet, in every way that matters.
        let middle = file.len() / 2;
        for at in middle - 25..middle + 25 {
            for b in [b'\n', b',', b'0', b'Z'] {
                let mut damaged = file.clone();
                damaged[at] = b;
                let (ours, oracle) = (parsed(&damaged), parse_in_one(&damaged));
                assert_eq!(ours, oracle, "byte {at} set to {b}");
            }
        }
        // A line moved across the middle, and one key twice.
        let text = String::from_utf8(file.clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(30_000, 30_002);
        let swapped = format!("{}\n", lines.join("\n"));
        assert!(parsed(swapped.as_bytes()).is_err());
        assert_eq!(parsed(swapped.as_bytes()), parse_in_one(swapped.as_bytes()));
        let mut lines: Vec<&str> = text.lines().collect();
        lines[30_001] = lines[30_000];
        let twice = format!("{}\n", lines.join("\n"));
        assert_eq!(parsed(twice.as_bytes()), parse_in_one(twice.as_bytes()));
        assert!(parsed(b"key,stratum\n\n").is_err());
        assert_eq!(parsed(b"key,stratum\n").unwrap().0.len(), 0);
    }
}
