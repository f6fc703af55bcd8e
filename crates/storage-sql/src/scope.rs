//! The query of a draw's scope, as text and parameters, so that a backend may run it through
//! sqlx or through a faster driver of its own.

use ssj_storage::DrawScope;

/// Escapes `\\`, `%` and `_` for a `LIKE … ESCAPE '\\'` pattern.
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `SELECT code, tier, status FROM object WHERE …` with `$1…` placeholders, in no order: the
/// candidate file is sorted by its builder, and without ORDER BY a database can answer from the
/// list index alone.
pub fn scope_sql(scope: &DrawScope) -> (String, Vec<String>) {
    let mut sql = String::from("SELECT code, tier, status FROM object WHERE 1=1");
    let mut params: Vec<String> = Vec::new();
    let any = |sql: &mut String,
               params: &mut Vec<String>,
               column: &str,
               values: Vec<String>,
               like: bool| {
        if values.is_empty() {
            return;
        }
        let terms: Vec<String> = values
            .into_iter()
            .map(|v| {
                params.push(v);
                if like {
                    format!("{column} LIKE ${} ESCAPE '\\'", params.len())
                } else {
                    format!("{column} = ${}", params.len())
                }
            })
            .collect();
        sql.push_str(&format!(" AND ({})", terms.join(" OR ")));
    };
    let prefixes = |v: &[String]| {
        v.iter()
            .map(|p| format!("{}%", like_escape(p)))
            .collect::<Vec<_>>()
    };
    // A division means itself and everything under it, as in the console's lists.
    let divisions: Vec<String> = scope
        .divisions
        .iter()
        .map(|d| ssj_domain::org::covering_prefix(d).to_string())
        .collect();
    any(
        &mut sql,
        &mut params,
        "division",
        prefixes(&divisions),
        true,
    );
    any(
        &mut sql,
        &mut params,
        "industry",
        prefixes(&scope.industries),
        true,
    );
    let tags = scope
        .tags
        .iter()
        .map(|t| {
            format!(
                "%{}%",
                like_escape(&serde_json::to_string(t).unwrap_or_default())
            )
        })
        .collect();
    any(&mut sql, &mut params, "tags", tags, true);
    let licence = scope
        .licence
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("%{}%", like_escape(l.trim())))
        .collect();
    any(&mut sql, &mut params, "licences", licence, true);
    any(
        &mut sql,
        &mut params,
        "kind",
        scope.kinds.iter().map(|k| k.label().to_string()).collect(),
        false,
    );
    any(
        &mut sql,
        &mut params,
        "tier",
        scope.tiers.iter().map(|t| t.label().to_string()).collect(),
        false,
    );
    (sql, params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssj_domain::objects::{ObjectKind, Tier};

    #[test]
    fn filters_become_numbered_parameters() {
        let scope = DrawScope {
            divisions: vec!["140500".into(), "140581".into()],
            kinds: vec![ObjectKind::Enterprise],
            tiers: vec![Tier::C, Tier::D],
            licence: Some("食品_经营".into()),
            ..Default::default()
        };
        let (sql, params) = scope_sql(&scope);
        assert_eq!(
            sql,
            "SELECT code, tier, status FROM object WHERE 1=1 AND (division LIKE $1 ESCAPE '\\' OR division LIKE $2 ESCAPE '\\') \
             AND (licences LIKE $3 ESCAPE '\\') AND (kind = $4) AND (tier = $5 OR tier = $6)"
        );
        assert_eq!(
            params,
            ["1405%", "140581%", "%食品\\_经营%", "企业", "C", "D"]
        );
        assert_eq!(scope_sql(&DrawScope::default()).1.len(), 0);
    }
}
