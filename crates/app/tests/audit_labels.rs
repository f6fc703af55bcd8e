//! Every action the services record has the Chinese words the audit pages show for it.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_recorded_action_has_a_label() {
    let mut texts = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut texts,
    );
    let mut codes = std::collections::BTreeSet::new();
    for text in &texts {
        for part in text.split("entry(\"").skip(1) {
            if let Some(code) = part.split('"').next() {
                codes.insert(code.to_string());
            }
        }
    }
    assert!(codes.len() > 20, "found {codes:?}");
    for code in codes {
        assert_ne!(
            ssj_domain::audit::action_label(&code),
            code,
            "no label for {code}"
        );
    }
}
