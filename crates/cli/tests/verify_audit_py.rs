//! `docs/verify_audit.py`, an outsider's verifier, run over what the public audit API serves: a
//! demo log with a key rotation passes; a changed record, a dropped checkpoint, a log rebuilt with
//! fresh hashes under the same key, a checkpoint by an unendorsed key, and a private record passed
//! off as public are each refused. Fails (does not skip) without python3 and `cryptography`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::{run, serve, text};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/verify_audit.py")
}

fn py(args: &[&str]) -> Output {
    Command::new("python3")
        .arg(script())
        .args(args)
        .output()
        .expect("python3 is needed for this test (scripts/test.sh installs `cryptography`)")
}

fn check(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    py(&args)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn edit_json(path: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

fn refused(o: &Output, why: &str) {
    assert_eq!(o.status.code(), Some(1), "{}", text(o));
    assert!(text(o).contains(why), "expected «{why}» in: {}", text(o));
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", text(o));
    assert!(text(o).starts_with("一致："), "{}", text(o));
}

#[test]
fn the_python_verifier_accepts_the_public_log_and_refuses_each_tampering() {
    let probe = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .expect("python3 is needed for this test");
    assert!(
        probe.status.success(),
        "the `cryptography` package is needed: python3 -m pip install cryptography"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db").display().to_string();
    let data = dir.path().join("data");
    assert!(run(&db, &data, &["demo", "--no-serve"]).status.success());
    let first = dir.path().join("first");
    assert!(
        run(&db, &data, &["audit", "publish", first.to_str().unwrap()])
            .status
            .success()
    );
    let o = run(&db, &data, &["audit", "rotate-key", "--reason", "定期轮换"]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &db,
        &data,
        &[
            "department",
            "add",
            "--name",
            "高平市审计局",
            "--division",
            "140581",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let good = dir.path().join("good");
    assert!(
        run(&db, &data, &["audit", "publish", good.to_str().unwrap()])
            .status
            .success()
    );
    ok(&check(&good, &[]));
    ok(&check(
        &good,
        &["--saved", first.join("checkpoints.json").to_str().unwrap()],
    ));
    let first_key = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(first.join("checkpoints.json")).unwrap(),
    )
    .unwrap()["checkpoints"][0]["public_key"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&check(&good, &["--key", &first_key]));
    refused(&check(&good, &["--key", &"ab".repeat(32)]), "没有经");

    // (a) A public record changed by one character.
    let t = dir.path().join("a");
    copy_dir(&good, &t);
    edit_json(&t.join("records.json"), |v| {
        let r = &mut v["records"][0]["record"];
        *r = r
            .as_str()
            .unwrap()
            .replacen("\"at_ms\":1", "\"at_ms\":2", 1)
            .into();
    });
    refused(&check(&t, &[]), "叶子哈希与其内容不符");

    // (b) Checkpoints dropped. The old key's last one, which covers the rotation: the new key is
    // then unendorsed. The newest ones, with the records after them (the log cut back to an
    // earlier publication): caught by an outsider who saved the newer checkpoints.
    let t = dir.path().join("b");
    copy_dir(&good, &t);
    edit_json(&t.join("checkpoints.json"), |v| {
        v["checkpoints"].as_array_mut().unwrap().remove(1);
    });
    refused(&check(&t, &[]), "没有经");
    refused(
        &check(
            &first,
            &["--saved", good.join("checkpoints.json").to_str().unwrap()],
        ),
        "日志被截短",
    );

    // (c) The whole log rebuilt with fresh hashes and signed with the same key: alone it is
    // self-consistent, but not with a checkpoint an outsider saved before.
    let fake_db = dir.path().join("fake.db").display().to_string();
    let fake_data = dir.path().join("fake-data");
    std::fs::create_dir_all(&fake_data).unwrap();
    std::fs::copy(
        data.join("audit-signing.key.retired-".to_string() + &first_key[..16]),
        fake_data.join("audit-signing.key"),
    )
    .unwrap();
    assert!(
        run(&fake_db, &fake_data, &["demo", "--no-serve"])
            .status
            .success()
    );
    let rebuilt = dir.path().join("c");
    assert!(
        run(
            &fake_db,
            &fake_data,
            &["audit", "publish", rebuilt.to_str().unwrap()]
        )
        .status
        .success()
    );
    ok(&check(&rebuilt, &[]));
    refused(
        &check(
            &rebuilt,
            &["--saved", first.join("checkpoints.json").to_str().unwrap()],
        ),
        "日志被改写",
    );

    // (d) A checkpoint signed by a key no rotation endorsed, over the true latest tree; and the
    // retired key signing again after the rotation (its rebuilt log's checkpoint).
    let t = dir.path().join("d");
    copy_dir(&good, &t);
    let signer = "import json,sys\n\
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey\n\
        c=json.load(open(sys.argv[1]))['checkpoints'][-1]; k=Ed25519PrivateKey.generate()\n\
        c['at_ms']+=1\n\
        c['public_key']=k.public_key().public_bytes_raw().hex()\n\
        m=f\"shuangsuiji/audit-log/v1\\n{c['hash_alg']}\\n{c['tree_size']}\\n{c['root']}\\n{c['at_ms']}\\n\"\n\
        c['signature']=k.sign(m.encode()).hex(); print(json.dumps(c))";
    let o = Command::new("python3")
        .args(["-c", signer])
        .arg(t.join("checkpoints.json"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let stranger: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    edit_json(&t.join("checkpoints.json"), |v| {
        v["checkpoints"].as_array_mut().unwrap().push(stranger);
    });
    refused(&check(&t, &[]), "没有经");
    let t = dir.path().join("d2");
    copy_dir(&good, &t);
    let old_key_late = {
        let v: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(rebuilt.join("checkpoints.json")).unwrap(),
        )
        .unwrap();
        v["checkpoints"][0].clone()
    };
    edit_json(&t.join("checkpoints.json"), |v| {
        v["checkpoints"].as_array_mut().unwrap().push(old_key_late);
    });
    refused(&check(&t, &[]), "不一致");

    // (e) A private record (a login) passed off as public.
    let t = dir.path().join("e");
    copy_dir(&good, &t);
    edit_json(&t.join("records.json"), |v| {
        let r = &mut v["records"][0]["record"];
        *r = r
            .as_str()
            .unwrap()
            .replacen(
                &format!("\"action\":\"{}\"", "item_version.publish"),
                "\"action\":\"auth.login\"",
                1,
            )
            .into();
    });
    refused(&check(&t, &[]), "不是公开记录");

    // The same through the live API: fetch, then check, with the proofs from a saved size.
    let (mut child, base, _) = serve(&db, &data);
    let fetched = dir.path().join("fetched");
    let saved = first.join("checkpoints.json");
    let o = py(&[
        "fetch",
        &base,
        fetched.to_str().unwrap(),
        "--saved",
        saved.to_str().unwrap(),
    ]);
    child.kill().unwrap();
    let _ = child.wait();
    assert!(o.status.success(), "{}", text(&o));
    ok(&check(&fetched, &["--saved", saved.to_str().unwrap()]));
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fetched.join("records.json")).unwrap())
            .unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(good.join("records.json")).unwrap()).unwrap();
    assert_eq!(
        a["records"], b["records"],
        "the API and `audit publish` serve the same records"
    );

    // Usage errors are not verdicts.
    assert_eq!(py(&["check"]).status.code(), Some(2));
}
