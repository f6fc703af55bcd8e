use super::*;
use proptest::prelude::*;

fn code(raw: &str, username: Option<&str>) -> &'static str {
    PasswordPolicy::default()
        .check(raw, username)
        .map(|()| "OK")
        .unwrap_or_else(|e| {
            assert_eq!(e.field, "password");
            assert!(
                !e.message.is_empty() && !e.message.is_ascii(),
                "{}",
                e.message
            );
            e.code
        })
}

#[test]
fn the_issue_s_three_passwords_are_refused_each_with_its_code() {
    assert_eq!(code("aaaaaaaaa1", None), "PASSWORD_CLASSES");
    assert_eq!(code("Password123", None), "PASSWORD_COMMON");
    assert_eq!(
        Password::parse_for("Liming@2024x", "li.ming")
            .unwrap_err()
            .code,
        "PASSWORD_CONTAINS_USERNAME"
    );
}

#[test]
fn length_is_counted_in_characters_and_bounded() {
    let e = Password::parse("Ab1!xyz").unwrap_err();
    assert_eq!(e.code, "PASSWORD_TOO_SHORT");
    // The command line's test looks for these words.
    assert!(e.message.contains("密码至少 10 位"), "{}", e.message);
    assert_eq!(code("双随机一公开监管Ab1", None), "OK");
    let long = format!("Xk9#mP2vLq7z{}", "a".repeat(117));
    assert_eq!(long.chars().count(), 129);
    assert_eq!(code(&long, None), "PASSWORD_TOO_LONG");
    assert_ne!(code(&long[..128], None), "PASSWORD_TOO_LONG");
}

#[test]
fn three_classes_or_two_from_fourteen_characters() {
    for one_or_two in [
        "aaaaaaaaa1",
        "abcdefghijk1",
        "ABCDEFGHIJKL",
        "1234567890123",
    ] {
        assert_eq!(code(one_or_two, None), "PASSWORD_CLASSES", "{one_or_two}");
    }
    assert_eq!(
        code("ABCDEFGHIJKLMN", None),
        "PASSWORD_CLASSES",
        "one class"
    );
    assert_eq!(code("correcthorsebatterystaple42", None), "OK");
    assert_eq!(code("Xk9#mP2vLq7z", None), "OK");
    let looser = PasswordPolicy {
        min_classes: 2,
        ..PasswordPolicy::default()
    };
    assert!(looser.check("zq8wx4kd7rv3", None).is_ok());
}

#[test]
fn the_username_is_refused_in_any_case_backwards_or_without_dots() {
    for (pw, user) in [
        ("x9Li.Ming#42", "li.ming"),
        ("x9LIMING#42", "Li.Ming"),
        ("gnim.il#2024X", "li.ming"),
        ("Q7#targetuser", "target.user"),
        ("Wangwu2024abc", "wang.wu"),
    ] {
        assert_eq!(code(pw, Some(user)), "PASSWORD_CONTAINS_USERNAME", "{pw}");
    }
    // Without a username the same password is fine; an invalid short one checks nothing.
    assert_eq!(code("Wangwu2024abc", None), "OK");
    assert_eq!(code("Xk9#mP2vLq7z", Some("xk")), "OK");
}

#[test]
fn common_passwords_and_their_digit_or_symbol_variants_are_refused() {
    for common in [
        "PASSWORD123!",
        "password123!",
        "Qwerty123456",
        "Admin@123456",
        "Woaini1314!",
        "P@ssw0rd123",
        "Beijing2008!",
        "1qaz2WSX3edc",
        "Aaaaaaaaa1!",
    ] {
        assert_eq!(code(common, None), "PASSWORD_COMMON", "{common}");
    }
}

#[test]
fn patterns_off_the_list_are_refused_as_guessable() {
    let e = Password::parse("Aa1!Aa1!Aa1!").unwrap_err();
    assert_eq!(e.code, "PASSWORD_GUESSABLE");
    assert!(e.message.contains("重复"), "{}", e.message);
}

/// The passwords the repository's tests set (crates/web, crates/cli, storage-conformance),
/// with the accounts they are set for.
#[test]
fn the_repository_s_test_passwords_still_pass() {
    for (pw, user) in [
        ("Target2024pass", "target.user"),
        ("Newuser2024pass", "n.admin14"),
        ("Killtest2024pass", "admin"),
        ("Gaoping2024pass", "li.ming"),
    ] {
        assert_eq!(code(pw, Some(user)), "OK", "{pw}");
    }
}

#[test]
fn debug_hides_the_password() {
    let p = Password::parse_for("Xk9#mP2vLq7z", "admin").unwrap();
    assert_eq!(format!("{p:?}"), "Password(***)");
    assert_eq!(p.expose(), "Xk9#mP2vLq7z");
}

#[test]
fn the_default_policy_carries_the_app_s_settings() {
    let p = PasswordPolicy::default();
    assert_eq!((p.min_len, p.min_classes, p.long_len), (10, 3, 14));
    assert_eq!(p.max_age_days, Some(90));
    assert!(p.force_change_generated);
    assert!(p.describe().contains("10–128 位"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const DEMO_USERS: [&str; 7] = [
    "admin",
    "scjg.admin",
    "scjg.plan",
    "scjg.zf01",
    "scjg.sh",
    "jcs.jd",
    "cgj.plan",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The demo's (`Ssj` + 6 random bytes) and the command line's (`Ssj` + 8) generated
    /// passwords pass for every demo account.
    #[test]
    fn generated_passwords_pass(bytes in prop::collection::vec(any::<u8>(), 6..=8), u in 0..7usize) {
        let pw = format!("Ssj{}", hex(&bytes));
        prop_assert_eq!(code(&pw, Some(DEMO_USERS[u])), "OK", "{}", pw);
    }

    /// A 16-character random string with all four classes passes.
    #[test]
    fn random_mixed_passwords_pass(
        body in "[A-Za-z0-9!@#$%^&*_=+-]{12}",
        a in "[A-Z]", b in "[a-z]", c in "[0-9]", d in "[!@#$%^&*]",
    ) {
        let pw = format!("{a}{body}{b}{c}{d}");
        prop_assert_eq!(code(&pw, Some("scjg.plan")), "OK", "{}", pw);
    }
}
