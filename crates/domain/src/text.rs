//! Characters as people type and read them: full-width forms folded to ASCII, invisible ones
//! named by their code point in messages.

/// The ASCII character a full-width form stands for (U+FF01–U+FF5E, as a Chinese input method
/// types digits and letters; U+3000 as a space); any other character as it is.
pub fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Whether `c` is a full-width form that [`fold_full_width`] changes.
pub fn is_full_width(c: char) -> bool {
    fold_full_width(c) != c
}

/// Whether `c` shows nothing, or nothing a reader could name: spaces, control and format
/// characters (U+200B, U+FEFF …), variation selectors, tags, private use.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E000}'..='\u{F8FF}'
            | '\u{E0000}'..='\u{E0FFF}' | '\u{F0000}'..='\u{10FFFF}')
}

/// A character as a message names it: 「甲」, or 不可见字符 U+200B for one that shows nothing.
pub fn describe(c: char) -> String {
    if is_invisible(c) {
        format!("不可见字符 U+{:04X}", c as u32)
    } else {
        format!("「{c}」")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_fold_and_others_stay() {
        let folded: String = "９１ＡｚＳ－（）\u{3000}甲a"
            .chars()
            .map(fold_full_width)
            .collect();
        assert_eq!(folded, "91AzS-() 甲a");
        assert!(is_full_width('９') && !is_full_width('9') && !is_full_width('甲'));
    }

    #[test]
    fn characters_are_named_whole_or_by_code_point() {
        assert_eq!(describe('甲'), "「甲」");
        assert_eq!(describe('é'), "「é」");
        assert_eq!(describe('\u{200B}'), "不可见字符 U+200B");
        assert_eq!(describe('\u{FEFF}'), "不可见字符 U+FEFF");
        assert_eq!(describe('\u{3000}'), "不可见字符 U+3000");
        assert_eq!(describe('\u{E0041}'), "不可见字符 U+E0041");
    }
}
