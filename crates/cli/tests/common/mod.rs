//! What the command-line tests share: running the binary and reading its output.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_shuangsuiji");

pub fn run(db: &str, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--database", db, "--data-dir"])
        .arg(data)
        .args(args)
        .env_remove("SHUANGSUIJI_PASSWORD")
        .output()
        .expect("run shuangsuiji")
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The first CSRF token on a page.
pub fn csrf_of(page: &str) -> String {
    let start =
        page.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}
