//! The two exports of a draw: the public zip without the declared conflicts of interest
//! (personal data), which both verifiers recheck but for the teams, and the 监督员's full zip.

mod common;
use common::*;

async fn zip_files(res: reqwest::Response) -> std::collections::BTreeMap<String, Vec<u8>> {
    assert_eq!(res.status(), 200);
    ssj_app::draws::zip::unpack(&res.bytes().await.unwrap()).unwrap()
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
    let zip = ssj_app::draws::zip::pack("p", &public).unwrap();
    let (_, page) = app
        .upload(&client(), "/public/verify", "", "export.zip", zip)
        .await;
    assert!(
        page.contains("class=\"warning\" id=\"verify-outcome\"") && page.contains("部分核对"),
        "{page}"
    );
}

/// The officer 递补 form takes the certificate number a user can see; the dispatch xlsx then
/// holds the list as inspected, with names, addresses, teams and the window.
#[tokio::test]
async fn an_officer_substitution_by_certificate_reaches_the_dispatch_xlsx() {
    use calamine::Reader;
    let app = spawn_sqlite().await;
    let task = app.platform.task(1).await.unwrap();
    let draw = app.platform.current_draw(task.id).await.unwrap().unwrap();
    let before = app.platform.current_list(draw.id, None).await.unwrap();
    let row = &before.rows[0];
    let leaving = row.members[0].clone();
    let (c, csrf) = app.login("scjg.plan").await;
    let path = format!("/console/tasks/{}/substitute", task.id);
    let draw_id = draw.id.to_string();
    // The internal id's old message, false for a certificate number, is gone.
    let (status, page) = app
        .post(
            &c,
            &path,
            &[
                ("csrf", &csrf),
                ("draw", &draw_id),
                ("kind", "officer"),
                ("key", &row.key),
                ("officer", "NO-SUCH-CERT"),
                ("reason", "病假"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("检查组中没有执法证号或姓名为“NO-SUCH-CERT”"),
        "{page}"
    );
    assert!(
        page.contains(&leaving.cert_no),
        "the team is listed: {page}"
    );
    let (status, page) = app
        .post(
            &c,
            &path,
            &[
                ("csrf", &csrf),
                ("draw", &draw_id),
                ("kind", "officer"),
                ("key", &row.key),
                ("officer", &leaving.cert_no),
                ("reason", "病假"),
            ],
        )
        .await;
    assert!(status == 200 || status == 303, "{status} {page}");
    let after = app.platform.current_list(draw.id, None).await.unwrap();
    assert!(!after.rows[0].members.iter().any(|m| m.id == leaving.id));

    let res = c
        .get(app.url(&format!("/console/tasks/{}/dispatch.xlsx", task.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("检查名单").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][1], "检查对象名称");
    assert_eq!(rows.len(), after.total + 1);
    let first = &rows[1];
    assert_eq!(first[2], after.rows[0].key);
    assert_eq!(first[1], after.rows[0].name);
    assert_eq!(first[3], after.rows[0].address);
    assert_eq!(first[4], after.rows[0].division);
    assert!(!first[7].contains(&leaving.cert_no), "{first:?}");
    for m in &after.rows[0].members {
        assert!(
            first[7].contains(&format!("{}（{}，{}）", m.name, m.department, m.cert_no)),
            "{first:?}"
        );
    }
    assert!(first[9].contains(" 至 "), "the window: {first:?}");

    // The 派发单 page: a sheet per department on a team.
    let (status, page) = app
        .get(&c, &format!("/console/tasks/{}/dispatch", task.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            "<section class=\"card dispatch-sheet\" data-department=\"高平市市场监督管理局\">"
        ),
        "{page}"
    );
    assert!(page.contains(&after.rows[0].name), "{page}");
}

/// Before the draw, the planner sees what it will take: the sample per stratum, the overall
/// ratio beside the stated one, and the workload of the officers in the window.
#[tokio::test]
async fn the_preview_shows_scale_ratio_and_workload_before_the_freeze() {
    let app = spawn_sqlite().await;
    let ready = app
        .platform
        .tasks()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.status == ssj_storage::TaskStatus::Ready)
        .expect("the demo leaves a task ready");
    let preview = app
        .platform
        .draw_preview(&ssj_app::Actor::command_line(), ready.id)
        .await
        .unwrap();
    assert_eq!(
        preview.selected,
        preview.strata.iter().map(|s| s.k).sum::<u64>()
    );
    assert!(preview.officers > 0 && preview.window_days > 0);
    let (c, _) = app.login("scjg.plan").await;
    let (status, page) = app
        .get(&c, &format!("/console/tasks/{}?preview=1", ready.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "<strong id=\"preview-overall\">{}</strong>",
            preview.overall
        )),
        "{page}"
    );
    assert!(page.contains("id=\"preview-workload\""), "{page}");
    assert!(
        app.platform.draws(ready.id).await.unwrap().is_empty(),
        "nothing frozen"
    );
}
