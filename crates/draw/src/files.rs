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

/// Whether a text can be a field of a frozen file: not empty, no comma, CR, LF or NUL.
pub fn is_plain_field(s: &str) -> bool {
    !s.is_empty() && !s.bytes().any(|b| matches!(b, b',' | b'\r' | b'\n' | 0))
}

/// Walks the `a,b` lines of a frozen file after checking its header and its shape.
fn for_each_pair<'a>(
    file: &'static str,
    bytes: &'a [u8],
    header: &str,
    mut each: impl FnMut(usize, &'a str, &'a str) -> Result<(), DrawError>,
) -> Result<(), DrawError> {
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
    let mut lines = body.split('\n');
    if lines.next() != Some(header) {
        return Err(bad_file(file, 1, format!("表头应为“{header}”")));
    }
    for (n, line) in lines.enumerate() {
        let number = n + 2;
        let Some((a, b)) = line.split_once(',') else {
            return Err(bad_file(file, number, "应为以逗号分隔的两列"));
        };
        if !is_plain_field(a) || !is_plain_field(b) {
            return Err(bad_file(
                file,
                number,
                "字段为空，或含有逗号、回车、换行或空字符",
            ));
        }
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

fn check_fields(file: &'static str, line: usize, a: &str, b: &str) -> Result<(), DrawError> {
    if is_plain_field(a) && is_plain_field(b) {
        Ok(())
    } else {
        Err(bad_file(
            file,
            line,
            format!("“{a},{b}”的字段为空，或含有逗号、回车、换行或空字符"),
        ))
    }
}

/// The canonical candidate file of `(key, stratum)` pairs, sorted here; keys must be unique.
pub fn candidates_file(rows: Vec<(&str, &str)>) -> Result<Vec<u8>, DrawError> {
    crate::build::build_candidates_file(rows.as_slice())
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
    pub fn parse(bytes: &'a [u8]) -> Result<Self, DrawError> {
        if bytes.len() > u32::MAX as usize {
            return Err(bad_file(CANDIDATES, 0, "文件超过 4 GiB，请按省份分片抽取"));
        }
        let base = bytes.as_ptr() as usize;
        let mut entries = Vec::with_capacity(bytes.len() / 22);
        let mut labels: Vec<&'a str> = Vec::new();
        let mut previous: &str = "";
        for_each_pair(
            CANDIDATES,
            bytes,
            CANDIDATES_HEADER,
            |line, key, stratum| {
                if key.as_bytes() <= previous.as_bytes() && !previous.is_empty() {
                    let why = if key == previous {
                        "重复"
                    } else {
                        "未按字节升序排列"
                    };
                    return Err(bad_file(
                        CANDIDATES,
                        line,
                        format!("检查对象代码 {key} {why}"),
                    ));
                }
                previous = key;
                let len = u16::try_from(key.len())
                    .map_err(|_| bad_file(CANDIDATES, line, "检查对象代码过长"))?;
                let stratum = match labels.iter().position(|l| *l == stratum) {
                    Some(i) => i,
                    None => {
                        labels.push(stratum);
                        labels.len() - 1
                    }
                };
                let stratum = u16::try_from(stratum)
                    .map_err(|_| bad_file(CANDIDATES, line, "分层数量过多"))?;
                let start = (key.as_ptr() as usize - base) as u32;
                entries.push(Entry {
                    start,
                    len,
                    stratum,
                });
                Ok(())
            },
        )?;
        let text = std::str::from_utf8(bytes).expect("checked by for_each_pair");
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
        check_fields(OFFICERS, i + 2, &o.id, &o.department)?;
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
    for (i, c) in conflicts.iter().enumerate() {
        check_fields(CONFLICTS, i + 2, &c.officer_id, &c.key)?;
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
}
