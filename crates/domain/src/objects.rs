//! The directory of inspected objects (检查对象名录库): kinds, registration status, risk tiers.

use crate::error::ValidationError;
use serde::Serialize;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $code:literal, $what:literal, { $($variant:ident => $label:literal [$($syn:literal),*]),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The value stored as exactly this label (no synonyms, no spaces): for reading
            /// millions of stored rows without building a string for each.
            pub fn from_label(label: &str) -> Option<$name> {
                Self::from_label_bytes(label.as_bytes())
            }

            /// [`Self::from_label`] of a label's UTF-8 bytes, as a database hands them over.
            pub fn from_label_bytes(label: &[u8]) -> Option<$name> {
                $( if label == $label.as_bytes() { return Some($name::$variant); } )+
                None
            }

            pub fn parse(raw: &str) -> Result<$name, ValidationError> {
                let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
                $( if s == $label $(|| s == $syn)* { return Ok($name::$variant); } )+
                Err(ValidationError::new($code, $what, format!(concat!($what, "“{}”无法识别"), s)))
            }
        }
    };
}

vocabulary!(
    /// 检查对象类型: market entities and the non-business objects departments inspect.
    ObjectKind, "OBJECT_KIND_INVALID", "对象类型", {
        Enterprise => "企业" ["公司", "企业法人", "非公司企业法人", "有限责任公司", "股份有限公司"],
        Individual => "个体工商户" ["个体", "个体户"],
        Cooperative => "农民专业合作社" ["合作社", "农专社"],
        Project => "工程项目" ["在建工程", "建设项目", "工地"],
        CivilDefence => "人防工程" [],
        School => "学校" ["各类学校"],
        FuelStation => "加油站" [],
        Product => "产品" [],
        Other => "其他" ["其它"],
    }
);

vocabulary!(
    /// 登记状态. Only 存续 objects are in business and can be drawn.
    RegistrationStatus, "STATUS_INVALID", "登记状态", {
        Active => "存续" ["在营", "开业", "在业", "正常", "存续（在营、开业、在册）"],
        Cancelled => "注销" ["已注销"],
        Revoked => "吊销" ["吊销未注销", "被吊销", "已吊销"],
        Withdrawn => "撤销" ["被撤销", "已撤销"],
        MovedOut => "迁出" ["已迁出"],
    }
);

vocabulary!(
    /// 信用风险分类: A low, B medium, C medium-high, D high (舞钢 2022), or unclassified.
    Tier, "TIER_INVALID", "信用风险分类", {
        A => "A" ["A类", "a", "低风险", "低", "信用风险低"],
        B => "B" ["B类", "b", "中风险", "一般风险", "一般", "中"],
        C => "C" ["C类", "c", "较高风险", "中高风险", "较高"],
        D => "D" ["D类", "d", "高风险", "高"],
        Unclassified => "U" ["未分类", "u", "未评定", ""],
    }
);

impl ObjectKind {
    /// The kind a 统一社会信用代码 announces (GB 32100: 登记管理部门 9 = 市场监管, then the
    /// 机构类别), when the file does not say.
    pub fn from_uscc(code: &str) -> Option<ObjectKind> {
        match code.get(0..2) {
            Some("91") => Some(ObjectKind::Enterprise),
            Some("92") => Some(ObjectKind::Individual),
            Some("93") => Some(ObjectKind::Cooperative),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies() {
        assert_eq!(ObjectKind::parse("个体户").unwrap(), ObjectKind::Individual);
        assert_eq!(
            RegistrationStatus::parse("在营").unwrap(),
            RegistrationStatus::Active
        );
        assert_eq!(Tier::parse(" D类 ").unwrap(), Tier::D);
        assert_eq!(Tier::parse("").unwrap(), Tier::Unclassified);
        assert!(
            Tier::parse("E")
                .unwrap_err()
                .message
                .contains("信用风险分类“E”无法识别")
        );
        assert_eq!(
            ObjectKind::from_uscc("92330000MA2AAAAA1X"),
            Some(ObjectKind::Individual)
        );
        for k in ObjectKind::ALL {
            assert_eq!(ObjectKind::parse(k.label()).unwrap(), *k);
        }
    }
}
