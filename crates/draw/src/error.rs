//! Why a draw or a verification cannot go on: a stable code and a Chinese message naming the
//! cause (the object, the department, the file).

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DrawError {
    #[error("{file} 第 {line} 行：{reason}")]
    BadFile {
        file: &'static str,
        line: usize,
        reason: String,
    },
    #[error("抽查比例“{0}”不是有效的比例：应为 0 到 100% 之间，例如 3%、5‰ 或 1/30")]
    BadRatio(String),
    /// A key, officer id, department name or label that the frozen files cannot hold (spec §6).
    #[error(
        "{what}“{value}”{problem}：抽取时冻结的名单文件不加引号，字段中不能有逗号、英文双引号、回车、换行或空字符，请先修改后再抽取"
    )]
    BadField {
        what: &'static str,
        value: String,
        problem: &'static str,
    },
    #[error("候选名单为空：抽查范围内没有可抽取的检查对象")]
    EmptyScope,
    #[error("第 {index} 份随机数贡献与其承诺值不符：揭示的内容经 SHA-256 后不等于事先公布的承诺")]
    RevealMismatch { index: usize },
    #[error("承诺值 {0} 个、揭示值 {1} 个，数量不一致")]
    RevealCount(usize, usize),
    #[error("检查组人数为 {0}：依法至少需要 2 名执法检查人员")]
    TeamTooSmall(usize),
    #[error("各部门配额合计 {quota} 人，超过检查组人数 {size} 人")]
    QuotaOverSize { quota: usize, size: usize },
    #[error("执法人员库只有 {pool} 人，不足以组成 {size} 人的检查组")]
    TooFewOfficers { pool: usize, size: usize },
    #[error("{department}的配额为 {quota} 人，但执法人员库中该部门只有 {available} 人")]
    QuotaUnfillable {
        department: String,
        quota: usize,
        available: usize,
    },
    #[error("检查对象 {key} 无法组成检查组：{detail}")]
    NoValidTeam { key: String, detail: String },
    #[error("{0}")]
    Substitution(String),
}

impl DrawError {
    /// Stable code for logs, the CLI's output and support calls.
    pub fn code(&self) -> &'static str {
        match self {
            DrawError::BadFile { .. } => "DRAW_BAD_FILE",
            DrawError::BadRatio(_) => "DRAW_BAD_RATIO",
            DrawError::BadField { .. } => "DRAW_BAD_FIELD",
            DrawError::EmptyScope => "DRAW_EMPTY_SCOPE",
            DrawError::RevealMismatch { .. } => "DRAW_REVEAL_MISMATCH",
            DrawError::RevealCount(..) => "DRAW_REVEAL_COUNT",
            DrawError::TeamTooSmall(_) => "DRAW_TEAM_TOO_SMALL",
            DrawError::QuotaOverSize { .. } => "DRAW_QUOTA_OVER_SIZE",
            DrawError::TooFewOfficers { .. } => "DRAW_TOO_FEW_OFFICERS",
            DrawError::QuotaUnfillable { .. } => "DRAW_QUOTA_UNFILLABLE",
            DrawError::NoValidTeam { .. } => "DRAW_NO_VALID_TEAM",
            DrawError::Substitution(_) => "DRAW_SUBSTITUTION",
        }
    }
}

pub(crate) fn bad_file(file: &'static str, line: usize, reason: impl Into<String>) -> DrawError {
    DrawError::BadFile {
        file,
        line,
        reason: reason.into(),
    }
}
