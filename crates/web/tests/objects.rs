//! 检查对象名录库 over HTTP: the Zhejiang list uploaded, its rejects downloaded, the good rows
//! imported, the directory filtered and counted, an object's history, export.

mod common;

use common::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../../shared/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn zhejiang_list_through_the_console() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let (status, page) = app
        .upload(
            &c,
            "/console/objects/import",
            &csrf,
            "浙江.xlsx",
            fixture("zhejiang-enterprises-2883.xlsx"),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("新增 <strong>2873</strong> 项")
            && page.contains("被拒绝 <strong>10</strong> 行"),
        "{page}"
    );
    assert!(page.contains("第 1155 行") && page.contains("校验位错误"));
    let start = page.find("action=\"/console/objects/import/").unwrap()
        + "action=\"/console/objects/import/".len();
    let token = page[start..].split('"').next().unwrap().to_string();

    let r = c
        .get(app.url(&format!("/console/objects/import/{token}/rejects")))
        .send()
        .await
        .unwrap();
    let rejects = ssj_import::Grid::from_bytes(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(rejects.height(), 11);
    assert_eq!(rejects.value(0, 1), "注册号/统一社会信用代码");

    let (status, page) = app
        .post(
            &c,
            &format!("/console/objects/import/{token}"),
            &[("csrf", &csrf), ("mode", "good")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("新增 2873 项"), "{page}");
    let (_, page) = app.get(&c, "/console/objects").await;
    assert!(
        page.contains("共 <strong>4,873</strong> 户，其中 A 类"),
        "{page}"
    );
    assert!(
        page.contains("未分类 2,873 户"),
        "the Zhejiang list has no tiers; the demo's 2,000 do"
    );
    let (_, page) = app.get(&c, "/console/objects?q=91330000566997460T").await;
    assert!(page.contains("浙江南北联合信息科技有限公司"));
    let (status, page) = app
        .get(&c, "/console/objects/code/91330000566997460T")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("变更历史") && page.contains("新增"));
    let (status, page) = app.get(&c, "/console/objects?tier=E").await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (422, Some("TIER_INVALID"))
    );
    let r = c
        .get(app.url("/console/objects/export?format=csv&q=%E6%B5%99%E6%B1%9F%E5%8D%97%E5%8C%97"))
        .send()
        .await
        .unwrap();
    let csv = r.text().await.unwrap();
    assert_eq!(
        csv.lines().count(),
        2,
        "the filtered view: header and one object"
    );
}

#[tokio::test]
async fn one_object_added_and_changed_by_hand() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let base = [
        ("csrf", csrf.as_str()),
        ("name", "高平市第一中学新校区建设项目"),
        ("kind", "工程项目"),
        ("division", "140581"),
        ("status", "存续"),
        ("tier", "U"),
        ("tags", "工程建设、安全生产"),
    ];
    // A bad date: the form comes back with the reason and with every value typed.
    let mut bad = base.to_vec();
    bad.push(("last_inspected", "2024-13-45"));
    let (status, page) = app.post(&c, "/console/objects/new", &bad).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("id=\"form-error\"") && page.contains("最近检查日期"),
        "{page}"
    );
    assert!(page.contains("value=\"高平市第一中学新校区建设项目\"") && page.contains("2024-13-45"));

    // No code: the platform numbers it after the division's last platform code.
    let platform_codes = ssj_storage::ObjectFilter {
        q: Some("SSJ140581-".into()),
        limit: 100_000,
        ..Default::default()
    };
    let (found, _) = app.store.objects(&platform_codes).await.unwrap();
    let last_before = found.into_iter().map(|o| o.code).max().unwrap();
    let serial: u64 = last_before.rsplit('-').next().unwrap().parse().unwrap();
    let first = format!("SSJ140581-{:09}", serial + 1);
    let second = format!("SSJ140581-{:09}", serial + 2);
    let (status, _) = app.post(&c, "/console/objects/new", &base).await;
    assert_eq!(status, 303);
    let o = app.store.object_by_code(&first).await.unwrap().unwrap();
    assert_eq!(
        (o.name.as_str(), o.tags.len()),
        ("高平市第一中学新校区建设项目", 2)
    );
    let (status, _) = app.post(&c, "/console/objects/new", &base).await;
    assert_eq!(status, 303);
    assert!(app.store.object_by_code(&second).await.unwrap().is_some());

    // Its tier changes; the history and the audit log say so, with the reason.
    let mut change = base.to_vec();
    change.retain(|(k, _)| *k != "tier");
    change.push(("tier", "C"));
    change.push(("reason", "信用风险分类调整"));
    let (status, _) = app
        .post(&c, &format!("/console/objects/code/{first}/edit"), &change)
        .await;
    assert_eq!(status, 303);
    let (_, page) = app.get(&c, &format!("/console/objects/code/{first}")).await;
    assert!(
        page.contains("&quot;tier&quot;:&quot;C&quot;") || page.contains("\"tier\":\"C\""),
        "{page}"
    );
    let changed = app.store.object_by_code(&first).await.unwrap().unwrap();
    assert_eq!(changed.tier.label(), "C");
    let history = app.store.object_history(changed.id).await.unwrap();
    assert_eq!(history.len(), 1);
    let (records, _) = app
        .store
        .audit_search(&ssj_storage::AuditFilter {
            target: Some(format!("object:{first}")),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = records
        .iter()
        .map(|r| r.record.entry.action.as_str())
        .collect();
    assert!(
        actions.contains(&"object.create") && actions.contains(&"object.update"),
        "{actions:?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.record.entry.reason.as_deref() == Some("信用风险分类调整"))
    );

    // The count by tier moved with it (the tally, not a recount).
    let c_tier = ssj_storage::ObjectFilter {
        division: Some("140581".into()),
        kind: Some(ssj_domain::objects::ObjectKind::parse("工程项目").unwrap()),
        tier: Some(ssj_domain::objects::Tier::C),
        limit: 10,
        ..Default::default()
    };
    let (rows, total) = app.store.objects(&c_tier).await.unwrap();
    assert_eq!(total as usize, rows.len());
    assert!(rows.iter().any(|o| o.code == first));

    // A planner may not change the directory.
    let (p, p_csrf) = app.login("scjg.plan").await;
    let mut theirs = change.clone();
    theirs[0] = ("csrf", p_csrf.as_str());
    let (status, _) = app
        .post(&p, &format!("/console/objects/code/{first}/edit"), &theirs)
        .await;
    assert_eq!(status, 403);
    assert!(app.platform.verify().await.unwrap().problem.is_none());
}

#[tokio::test]
async fn full_width_codes_are_folded_and_the_preview_shows_the_fold() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    // As typed with a Chinese input method: full-width digits and letters, a lower-case check.
    let csv = "统一社会信用代码,企业名称,行政区划\n\
               ９１３３００００５６６９９７４６０Ｔ,浙江南北联合信息科技有限公司,３３０１０２\n\
               91330000697024247p,另一家企业,330102\n";
    let (status, page) = app
        .upload(
            &c,
            "/console/objects/import",
            &csrf,
            "全角.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("新增 <strong>2</strong> 项")
            && page.contains("被拒绝 <strong>0</strong> 行"),
        "{page}"
    );
    let table = &page[page.find("id=\"normalised\"").expect(&page)..];
    let table = &table[..table.find("</table>").unwrap()];
    for shown in [
        "<td>第 2 行</td><td>统一社会信用代码</td><td>９１３３００００５６６９９７４６０Ｔ</td><td>91330000566997460T</td><td>全角字符改为半角</td>",
        "<td>第 2 行</td><td>行政区划</td><td>３３０１０２</td><td>330102</td><td>全角字符改为半角</td>",
        "<td>第 3 行</td><td>统一社会信用代码</td><td>91330000697024247p</td><td>91330000697024247P</td><td>小写字母改为大写</td>",
    ] {
        assert!(table.contains(shown), "{shown} in {table}");
    }
    let start = page.find("action=\"/console/objects/import/").unwrap()
        + "action=\"/console/objects/import/".len();
    let token = page[start..].split('"').next().unwrap().to_string();
    let (status, page) = app
        .post(
            &c,
            &format!("/console/objects/import/{token}"),
            &[("csrf", &csrf), ("mode", "all")],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let o = app
        .store
        .object_by_code("91330000566997460T")
        .await
        .unwrap()
        .expect("stored under the folded code");
    assert_eq!(o.division, "330102");
}
