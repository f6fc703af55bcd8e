//! Finding the header: by the words in it, in any column order, below any title rows, over one
//! or two levels (a merged 抽查项目 above 抽查类别 / 抽查事项).

use crate::grid::{Grid, ImportError};
use std::collections::HashMap;

/// A column the importer looks for and the header texts that name it.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub synonyms: &'static [&'static str],
    pub required: bool,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub columns: HashMap<&'static str, usize>,
    /// The first row after the header.
    pub data_start: usize,
}

/// The header as one row of text per column (the lower level where there are two), for files
/// that hand rejected rows back in the layout they came in.
pub fn header_texts(grid: &Grid, layout: &Layout) -> Vec<String> {
    let last = layout.data_start.saturating_sub(1);
    (0..grid.width())
        .map(|c| {
            let own = grid.raw(last, c);
            if own.is_empty() || grid.merged_from_above(last, c) {
                grid.value(last.saturating_sub(1), c).to_string()
            } else {
                own.to_string()
            }
        })
        .collect()
}

impl Layout {
    pub fn col(&self, key: &str) -> Option<usize> {
        self.columns.get(key).copied()
    }
}

/// Header text without spaces, line breaks or required-field stars.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
        .collect::<String>()
        .to_uppercase()
}

fn match_row(texts: &[String], fields: &[Field]) -> HashMap<&'static str, usize> {
    let mut found = HashMap::new();
    for f in fields {
        let hit = texts
            .iter()
            .position(|t| !t.is_empty() && f.synonyms.iter().any(|s| normalise(s) == *t));
        if let Some(c) = hit {
            found.entry(f.key).or_insert(c);
        }
    }
    found
}

/// Looks in the first 20 rows for the header that names the most fields, trying each row alone
/// and each row with the one below it as a second level.
pub fn find_layout(grid: &Grid, fields: &[Field]) -> Result<Layout, ImportError> {
    let width = grid.width();
    let mut best: Option<(usize, Layout)> = None;
    for r in 0..grid.height().min(20) {
        let single: Vec<String> = (0..width).map(|c| normalise(grid.value(r, c))).collect();
        let mut candidates = vec![(match_row(&single, fields), r + 1)];
        if r + 1 < grid.height() {
            // Second level: the lower cell names the column where it has text.
            let double: Vec<String> = (0..width)
                .map(|c| {
                    let below = normalise(grid.raw(r + 1, c));
                    if below.is_empty() || grid.merged_from_above(r + 1, c) {
                        single[c].clone()
                    } else {
                        below
                    }
                })
                .collect();
            let mut both = match_row(&double, fields);
            for (k, c) in match_row(&single, fields) {
                both.entry(k).or_insert(c);
            }
            candidates.push((both, r + 2));
        }
        for (columns, data_start) in candidates {
            let complete = fields
                .iter()
                .filter(|f| f.required)
                .all(|f| columns.contains_key(f.key));
            let better = best.as_ref().is_none_or(|(n, _)| columns.len() > *n);
            if complete && better {
                best = Some((
                    columns.len(),
                    Layout {
                        columns,
                        data_start,
                    },
                ));
            }
        }
    }
    best.map(|(_, l)| l).ok_or_else(|| {
        let missing: Vec<&str> = fields
            .iter()
            .filter(|f| f.required)
            .map(|f| f.label)
            .collect();
        ImportError::UnknownLayout(missing.join("”“"))
    })
}
