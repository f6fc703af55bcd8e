//! The two exports of a draw: the public zip without the declared conflicts of interest
//! (personal data), which both verifiers recheck but for the teams, and the 监督员's full zip.

mod common;
use common::*;

async fn zip_files(res: reqwest::Response) -> std::collections::BTreeMap<String, Vec<u8>> {
    assert_eq!(res.status(), 200);
    ssj_app::draw_zip::unpack(&res.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn the_public_zip_leaves_conflicts_out_and_the_auditor_gets_them() {
    let app = spawn_sqlite().await;
    let task = app.platform.task(1).await.unwrap();
    let public = zip_files(
        client()
            .get(app.url(&format!("/public/tasks/{}/export.zip", task.code)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!public.contains_key("conflicts.csv"), "{:?}", public.keys());
    assert!(public.contains_key("officers.csv"));
    let manifest: serde_json::Value = serde_json::from_slice(&public["manifest.json"]).unwrap();
    assert!(
        manifest["conflicts_digest"].is_string(),
        "the digest stays, frozen before the seed"
    );
    let v = ssj_draw::verify(&public).unwrap();
    assert!(!v.teams_rechecked);
    assert_eq!(v.exit_code(), 3);
    assert!(v.verdict().starts_with("部分核对"), "{}", v.verdict());

    // The 监督员's full export: the teams recompute from it.
    let (c, _) = app.login("jcs.jd").await;
    let full = zip_files(
        c.get(app.url(&format!("/console/tasks/{}/audit.zip", task.id)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(full.contains_key("conflicts.csv"));
    let v = ssj_draw::verify(&full).unwrap();
    assert!(v.teams_rechecked && v.teams > 0);
    assert!(v.verdict().starts_with("一致"), "{}", v.verdict());
    let (_, page) = app.get(&c, &format!("/console/tasks/{}", task.id)).await;
    assert!(
        page.contains("id=\"audit-zip\""),
        "the auditor sees the download"
    );
    assert!(
        page.contains("<dd id=\"conflicts-public\">不公开"),
        "the task says its conflicts are not public"
    );

    // Anyone else: no such download, and the route refuses.
    let (c, _) = app.login("scjg.plan").await;
    let (_, page) = app.get(&c, &format!("/console/tasks/{}", task.id)).await;
    assert!(!page.contains("id=\"audit-zip\""));
    let (status, _) = app
        .get(&c, &format!("/console/tasks/{}/audit.zip", task.id))
        .await;
    assert_eq!(status, 403);

    // A 递补 by the planner: the public page shows it, but not who entered it (no staff
    // usernames on public pages); the console does.
    let result = String::from_utf8(public["result.csv"].clone()).unwrap();
    let first = result.lines().nth(1).unwrap().split(',').nth(1).unwrap();
    let (_, page) = app.get(&c, &format!("/console/tasks/{}", task.id)).await;
    let draw = app.platform.current_draw(task.id).await.unwrap().unwrap();
    let (status, _) = app
        .post(
            &c,
            &format!("/console/tasks/{}/substitute", task.id),
            &[
                ("csrf", csrf_of(&page).as_str()),
                ("draw", &draw.id.to_string()),
                ("kind", "object"),
                ("key", first),
                ("officer", ""),
                ("reason", "已注销"),
            ],
        )
        .await;
    assert!(status == 200 || status == 303, "{status}");
    let (_, console) = app.get(&c, &format!("/console/tasks/{}", task.id)).await;
    assert!(console.contains("已注销") && console.contains("scjg.plan"));
    let (_, public_page) = app
        .get(&client(), &format!("/public/tasks/{}", task.code))
        .await;
    assert!(public_page.contains("已注销"), "the 递补 is public");
    assert!(
        !public_page.contains("scjg.plan"),
        "no staff username in public"
    );

    // The verification page says 部分核对 for the public zip, not 一致.
    let zip = ssj_app::draw_zip::pack("p", &public).unwrap();
    let (_, page) = app
        .upload(&client(), "/public/verify", "", "export.zip", zip)
        .await;
    assert!(
        page.contains("class=\"warning\" id=\"verify-outcome\"") && page.contains("部分核对"),
        "{page}"
    );
}
