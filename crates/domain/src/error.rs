use std::fmt;

/// A rejected input: a stable code for machines and a Chinese message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub code: &'static str,
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        ValidationError {
            code,
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ValidationError {}

/// Trims and requires 1..=max characters, refusing control characters.
pub(crate) fn bounded_text(
    raw: &str,
    max: usize,
    code: &'static str,
    field: &'static str,
    label: &str,
) -> Result<String, ValidationError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValidationError::new(
            code,
            field,
            format!("{label}不能为空"),
        ));
    }
    if s.chars().count() > max {
        return Err(ValidationError::new(
            code,
            field,
            format!("{label}不能超过 {max} 个字符"),
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(ValidationError::new(
            code,
            field,
            format!("{label}不能包含控制字符"),
        ));
    }
    Ok(s.to_string())
}
