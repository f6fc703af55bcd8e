//! 事项清单 over HTTP: upload, preview, confirm, search, publish, public page, export.

mod common;

use common::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../../shared/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    app.upload(c, "/console/items/import", csrf, name, bytes)
        .await
}

fn token_of(page: &str) -> String {
    let start = page.find("action=\"/console/items/import/").unwrap()
        + "action=\"/console/items/import/".len();
    page[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn import_preview_confirm_search_publish_and_publicise() {
    let app = spawn_sqlite().await;
    // The 系统管理员: a county office's admin may change only its own department's items.
    let (c, csrf) = app.login("admin").await;
    // The demo county's published list is the Hainan list: uploading it again changes nothing.
    let (status, page) = upload(
        &app,
        &c,
        &csrf,
        "海南.xlsx",
        fixture("hainan-2020-random-inspection-item-list.xlsx"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("新增 <strong>0</strong> 项")
            && page.contains("未变 <strong>285</strong> 项"),
        "{page}"
    );

    let list = "编制单位名称,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查依据\n\
        高平市城市管理局,市容环境,沿街门店市容和环境卫生检查,沿街门店,一般检查事项,现场检查,《城市市容和环境卫生管理条例》第十四条\n\
        高平市城市管理局,扬尘防治,建筑工地扬尘污染防治措施检查,在建工地,重点检查事项,现场检查、书面检查,《山西省大气污染防治条例》\n";
    let (_, page) = upload(&app, &c, &csrf, "城管.csv", list.as_bytes().to_vec()).await;
    assert!(
        page.contains("新增 <strong>2</strong> 项")
            && page.contains("被拒绝 <strong>0</strong> 行"),
        "{page}"
    );
    let versions = app.platform.item_versions().await.unwrap().len();
    let token = token_of(&page);
    let (status, page) = app
        .post(
            &c,
            &format!("/console/items/import/{token}"),
            &[("csrf", &csrf), ("mode", "all")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("新增 2 项"));
    assert_eq!(
        app.platform.item_versions().await.unwrap().len(),
        versions + 1,
        "a new draft"
    );
    let (status, _) = app
        .post(
            &c,
            &format!("/console/items/import/{token}"),
            &[("csrf", &csrf), ("mode", "all")],
        )
        .await;
    assert_eq!(status, 404, "a confirmed upload is gone");

    let (_, page) = app.get(&c, "/console/items").await;
    assert!(
        page.contains("共 <strong>372</strong> 项，其中重点检查事项 24 项"),
        "{page}"
    );
    let (_, page) = app.get(&c, "/console/items?q=%E6%89%AC%E5%B0%98").await; // 扬尘
    // The list uploaded here and the demo's own 高平 item name 扬尘.
    assert!(page.contains("id=\"item-total\">2<"), "two hits for 扬尘");
    assert!(page.contains("《山西省大气污染防治条例》"));
    let (_, page) = app
        .get(
            &c,
            "/console/items?kind=%E9%87%8D%E7%82%B9%E6%A3%80%E6%9F%A5%E4%BA%8B%E9%A1%B9",
        )
        .await;
    assert!(page.contains("id=\"item-total\">24<"));

    let anon = client();
    let (_, public) = app.get(&anon, "/public/items").await;
    assert!(public.contains("共 370 项"), "the draft is not public yet");
    let (status, _) = app
        .post(
            &c,
            "/console/items/publish",
            &[("csrf", &csrf), ("note", "2024年版")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, public) = app.get(&anon, "/public/items").await;
    assert!(
        public.contains("共 372 项") && public.contains("2024年版"),
        "{public}"
    );
    let r = anon
        .get(app.url("/public/items/export?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    // The public download holds the whole list: department items and joint items.
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}清单,"));
    let grid = ssj_import::Grid::from_bytes(csv.as_bytes()).unwrap();
    assert_eq!(grid.height(), 1 + 372);
    assert!((1..grid.height()).any(|r| grid.value(r, 0) == "部门联合抽查事项"));
    let (_, departmental) = app
        .get(&anon, "/public/items/export?format=csv&joint=0")
        .await;
    assert!(departmental.starts_with("\u{feff}编制单位名称,"));
    assert_eq!(
        ssj_import::Grid::from_bytes(departmental.as_bytes())
            .unwrap()
            .height(),
        1 + 289
    );
}

#[tokio::test]
async fn rejected_rows_are_listed_and_come_back_as_a_file() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("admin").await;
    let bad = "编制单位名称,抽查类别,抽查事项,检查对象,事项类别\n省市场监管局,食品,食品经营检查,食品经营者,一般检查事项\n省市场监管局,食品,餐饮检查,餐饮服务者,特别事项\n";
    let (status, page) = upload(&app, &c, &csrf, "bad.csv", bad.as_bytes().to_vec()).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("被拒绝 <strong>1</strong> 行")
            && page.contains("第 3 行")
            && page.contains("事项类别“特别事项”无法识别"),
        "{page}"
    );
    let token = token_of(&page);
    let r = c
        .get(app.url(&format!("/console/items/import/{token}/rejects")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let file = r.bytes().await.unwrap();
    let grid = ssj_import::Grid::from_bytes(&file).unwrap();
    assert_eq!(grid.value(1, 2), "餐饮检查");
    assert!(grid.value(1, 5).contains("无法识别"));
    let (status, page) = app
        .post(
            &c,
            &format!("/console/items/import/{token}"),
            &[("csrf", &csrf), ("mode", "all")],
        )
        .await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (422, Some("IMPORT_REJECTED"))
    );
    assert_eq!(
        app.platform.item_versions().await.unwrap().len(),
        1,
        "all or nothing wrote nothing"
    );
    let (status, _) = app
        .post(
            &c,
            &format!("/console/items/import/{token}"),
            &[("csrf", &csrf), ("mode", "good")],
        )
        .await;
    assert_eq!(status, 200);
    let v = app.platform.item_versions().await.unwrap();
    assert_eq!(
        app.store.version_items(v[1].id).await.unwrap().len(),
        370 + 1
    );
    for junk in [
        b"".to_vec(),
        b"\x00\x01binary".to_vec(),
        b"PK\x03\x04cut".to_vec(),
    ] {
        let (status, page) = upload(&app, &c, &csrf, "junk.csv", junk).await;
        assert!(status == 422, "{status}");
        // Said on the upload form (an empty file is refused before it is read).
        assert!(
            page.contains("id=\"form-error\"") || error_code_of(&page).is_some(),
            "{page}"
        );
    }
}

#[tokio::test]
async fn only_list_editors_import_and_another_users_upload_is_not_yours() {
    let app = spawn_sqlite().await;
    let (planner, csrf) = app.login("scjg.plan").await;
    let (status, _) = upload(&app, &planner, &csrf, "x.csv", b"a".to_vec()).await;
    assert_eq!(status, 403);
    let (admin, admin_csrf) = app.login("admin").await;
    let (_, page) = upload(
        &app,
        &admin,
        &admin_csrf,
        "h.xlsx",
        fixture("hainan-2020-random-inspection-item-list.xlsx"),
    )
    .await;
    let token = token_of(&page);
    let (other, other_csrf) = app.login("scjg.admin").await;
    let (status, _) = app
        .post(
            &other,
            &format!("/console/items/import/{token}"),
            &[("csrf", &other_csrf), ("mode", "all")],
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_item_is_edited_through_its_form_into_a_new_draft() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("admin").await;
    let (_, list) = app.get(&c, "/console/items?q=%E6%A0%A1%E6%9C%8D").await;
    let start = list.find("href=\"/console/items/edit?").unwrap() + "href=\"".len();
    let link = list[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let (status, form) = app.get(&c, &link).await;
    assert_eq!(status, 200, "{form}");
    assert!(
        form.contains("琼教勤助〔2016〕12号"),
        "the bases are in the form"
    );
    let field = |name: &str| {
        let at = form.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        form[at..].split('"').next().unwrap().to_string()
    };
    let key: Vec<(String, String)> = ["joint", "owner", "category", "name", "object_type"]
        .iter()
        .map(|k| (k.to_string(), field(k)))
        .collect();
    let mut post: Vec<(&str, &str)> = key.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    post.extend([
        ("csrf", csrf.as_str()),
        ("new_name", "中小学校服质量检查"),
        ("new_category", "中小学教育装备产品检查"),
        ("new_object_type", "中小学校"),
        ("kind", "重点检查事项"),
        (
            "bases",
            "《教育部等四部门关于进一步加强中小学生校服管理工作的意见》",
        ),
        ("reason", "2024年修订"),
    ]);
    let (status, _) = app.post(&c, "/console/items/edit", &post).await;
    assert_eq!(status, 303);
    let versions = app.platform.item_versions().await.unwrap();
    assert_eq!(versions.len(), 2, "a new draft");
    let draft = app.store.version_items(versions[1].id).await.unwrap();
    assert!(
        draft
            .iter()
            .any(|i| i.name == "中小学校服质量检查" && i.bases.len() == 1)
    );
    let (status, page) = app
        .post(
            &c,
            "/console/items/edit",
            &[
                ("csrf", csrf.as_str()),
                ("name", "不存在的事项"),
                ("new_name", "x"),
                ("kind", "一般检查事项"),
            ],
        )
        .await;
    assert_eq!(
        (status, error_code_of(&page).as_deref()),
        (404, Some("ITEM_NOT_FOUND"))
    );
}
