//! The random-inspection item list (随机抽查事项清单).

use crate::error::ValidationError;
use serde::Serialize;

/// 事项类别: a 一般检查事项 has a strictly limited ratio, a 重点检查事项 none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    General,
    Key,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::General => "一般检查事项",
            ItemKind::Key => "重点检查事项",
        }
    }

    pub fn parse(raw: &str) -> Result<ItemKind, ValidationError> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        match s.as_str() {
            "一般检查事项" | "一般事项" | "一般" | "general" => Ok(ItemKind::General),
            "重点检查事项" | "重点事项" | "重点" | "key" => Ok(ItemKind::Key),
            "" => Err(ValidationError::new(
                "ITEM_KIND_INVALID",
                "kind",
                "事项类别不能为空（一般检查事项或重点检查事项）",
            )),
            other => Err(ValidationError::new(
                "ITEM_KIND_INVALID",
                "kind",
                format!("事项类别“{other}”无法识别，应为一般检查事项或重点检查事项"),
            )),
        }
    }
}

/// Splits a multi-valued cell (检查方式, 配合部门 …) written as officials write lists.
pub fn split_list(cell: &str) -> Vec<String> {
    cell.split(['、', '，', ',', '；', ';', '/', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_lists() {
        assert_eq!(
            ItemKind::parse("一般检查事项\n").unwrap(),
            ItemKind::General
        );
        assert_eq!(ItemKind::parse(" 重点检查事项").unwrap(), ItemKind::Key);
        assert!(
            ItemKind::parse("特别")
                .unwrap_err()
                .message
                .contains("无法识别")
        );
        assert_eq!(
            split_list("现场检查、书面检查；网络检查\n专业机构核查"),
            vec!["现场检查", "书面检查", "网络检查", "专业机构核查"]
        );
    }
}
