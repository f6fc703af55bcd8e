//! The export folder of a draw with officers and every kind of 递补: it verifies, and one
//! changed byte in any file fails, naming the file.

use std::collections::BTreeMap;

use ssj_draw::*;

mod common;
use common::{fixture, folder};

#[test]
fn an_export_verifies_and_reports_what_it_recomputed() {
    let f = fixture();
    let files = folder(&f);
    assert_eq!(
        files.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "candidates.csv",
            "conflicts.csv",
            "manifest.json",
            "officers.csv",
            "result.csv",
            "substitutions.csv"
        ]
    );
    let v = verify(&files).unwrap();
    assert_eq!((v.candidates, v.selected, v.teams), (201, 18, 18));
    assert!(v.substitutions >= 4);
    let result = String::from_utf8(files["result.csv"].clone()).unwrap();
    assert!(
        result.starts_with(
            "rank,key,stratum,ticket,officers,leader\n1,91140581000000101P,D,0056c240"
        ),
        "{result}"
    );
    assert!(result.contains(",OF011;OF006;OF010,OF010\n"), "{result}");
    // A draw without officers has no officer files and empty officer columns.
    let input = DrawInput {
        officers: None,
        ..f.input()
    };
    let outcome = run(&input).unwrap();
    let plain = outcome.export_files(&input, &[]);
    assert_eq!(plain.len(), 3);
    assert!(
        String::from_utf8_lossy(&plain["result.csv"])
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",,")
    );
    verify(&plain).unwrap();
}

#[test]
fn one_changed_byte_in_any_file_fails_naming_the_file() {
    let files = folder(&fixture());
    for (name, bytes) in &files {
        let step = (bytes.len() / 40).max(1);
        for at in (0..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
            for delta in [1u8, 0x20] {
                let mut tampered = files.clone();
                let b = tampered.get_mut(name).unwrap();
                b[at] = b[at].wrapping_add(delta);
                let err = verify(&tampered)
                    .expect_err(&format!("{name} byte {at} +{delta} went unnoticed"));
                assert!(
                    err.file == *name || err.reason.contains(name.as_str()),
                    "{name} byte {at}: blamed {err}"
                );
            }
        }
    }
    let mut missing = files.clone();
    missing.remove("result.csv");
    assert_eq!(verify(&missing).unwrap_err().file, "result.csv");
    let mut extra = files.clone();
    extra.insert("notes.txt".into(), b"x".to_vec());
    assert_eq!(verify(&extra).unwrap_err().file, "notes.txt");
}

#[test]
fn a_substitution_that_skips_the_rules_is_refused_even_with_a_matching_digest() {
    let files = folder(&fixture());
    let mut rows = ssj_draw::substitute::parse(&files["substitutions.csv"]).unwrap();
    let object_row = rows.iter_mut().find(|r| r.kind == Kind::Object).unwrap();
    object_row.replacement = "91140581000000099X".into();
    let bytes = ssj_draw::substitute::render(&rows);
    let mut manifest: Manifest = serde_json::from_slice(&files["manifest.json"]).unwrap();
    manifest.substitutions_digest = Some(ssj_draw::hash::sha256_hex(&bytes));
    let mut forged = files.clone();
    forged.insert("substitutions.csv".into(), bytes);
    forged.insert("manifest.json".into(), manifest.render());
    let err = verify(&forged).unwrap_err();
    assert_eq!(err.file, "substitutions.csv");
    assert!(err.reason.contains("应由备选对象"), "{err}");
}

#[test]
fn a_reveal_that_does_not_match_its_commitment_is_named() {
    let f = fixture();
    let mut reveals = f.reveals.clone();
    reveals[1].push('0');
    let input = DrawInput {
        reveals: &reveals,
        ..f.input()
    };
    let err = run(&input).err().unwrap();
    assert_eq!(err.code(), "DRAW_REVEAL_MISMATCH");
    assert!(err.to_string().contains("第 2 份"), "{err}");
}

/// docs/verify_draw.py (hashlib only) agrees: it accepts the folder and rejects tampered ones.
#[test]
fn the_python_verifier_agrees() {
    let files = folder(&fixture());
    let script = format!("{}/../../docs/verify_draw.py", env!("CARGO_MANIFEST_DIR"));
    let check = |files: &BTreeMap<String, Vec<u8>>| -> (bool, String) {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let out = std::process::Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .output()
            .expect("python3 runs the verifier script");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, said) = check(&files);
    assert!(ok, "{said}");
    assert!(said.contains("201 个候选对象，抽中 18 个"), "{said}");
    for name in files.keys() {
        let mut tampered = files.clone();
        let bytes = tampered.get_mut(name).unwrap();
        let at = bytes.len() / 2;
        bytes[at] = bytes[at].wrapping_add(1);
        let (ok, said) = check(&tampered);
        assert!(!ok, "python accepted a changed {name}");
        assert!(said.contains("不一致"), "{said}");
    }
}
