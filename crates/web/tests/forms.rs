//! The single add/edit forms beside the imports: an officer and an item by hand, each refusal
//! shown on the form, filled in as typed.

mod common;

use common::*;

fn form_error(page: &str) -> Option<&str> {
    let start = page.find("id=\"form-error\" role=\"alert\"")?;
    let start = start + page[start..].find('>')? + 1;
    page[start..].split('<').next()
}

#[tokio::test]
async fn an_officer_is_added_and_edited_by_hand() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let (status, page) = app.get(&c, "/console/officers/new").await;
    assert_eq!(status, 200);
    assert!(page.contains("<option selected>高平市市场监督管理局</option>"));
    let fields = |cert: &'static str, valid: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "钱进".to_string()),
            ("department", "高平市市场监督管理局".to_string()),
            ("cert_no", cert.to_string()),
            ("valid_until", valid.to_string()),
            ("level", "县".to_string()),
            ("status", "有效".to_string()),
        ]
    };
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let c = c.clone();
        let url = app.url(path);
        async move {
            let r = c.post(url).form(&form).send().await.unwrap();
            let location = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (r.status().as_u16(), location, r.text().await.unwrap())
        }
    };
    // A bad date comes back on the form, with what was typed.
    let (status, _, page) = post("/console/officers/new", fields("14058199001", "明年")).await;
    assert_eq!(status, 200);
    assert!(form_error(&page).unwrap().contains("证件有效期"), "{page}");
    assert!(page.contains("value=\"钱进\"") && page.contains("value=\"明年\""));
    let (status, location, _) =
        post("/console/officers/new", fields("14058199001", "2030-12-31")).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.ends_with("?saved=1"), "{location}");
    let (_, page) = app.get(&c, &location).await;
    assert!(page.contains("已保存") && page.contains("钱进") && page.contains("14058199001"));
    // The same certificate number again is refused on the form.
    let (status, _, page) =
        post("/console/officers/new", fields("14058199001", "2030-12-31")).await;
    assert_eq!(status, 200);
    assert!(form_error(&page).unwrap().contains("已登记"), "{page}");
    // Edited: the certificate's validity changes, in the audit log.
    let id: i64 = location
        .trim_start_matches("/console/officers/")
        .trim_end_matches("?saved=1")
        .parse()
        .unwrap();
    let (status, page) = app.get(&c, &format!("/console/officers/{id}/edit")).await;
    assert_eq!(status, 200);
    assert!(page.contains("value=\"2030-12-31\""));
    let path: &'static str = Box::leak(format!("/console/officers/{id}/edit").into_boxed_str());
    let (status, _, _) = post(path, fields("14058199001", "2031-06-30")).await;
    assert_eq!(status, 303);
    let (_, page) = app.get(&c, &format!("/console/officers/{id}")).await;
    assert!(page.contains("2031-06-30"));
    let (admin, _) = app.login("admin").await;
    let (_, audit) = app
        .get(&admin, "/console/audit?action=officer.update")
        .await;
    assert!(audit.contains("修改执法检查人员") && audit.contains("钱进（14058199001）"));
}

#[tokio::test]
async fn an_item_is_added_by_hand_and_shown_before_publication() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let (status, page) = app.get(&c, "/console/items/new").await;
    assert_eq!(status, 200);
    assert!(page.contains("<option selected>高平市市场监督管理局</option>"));
    let form = |name: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("department", "高平市市场监督管理局".to_string()),
            ("new_category", "特种设备".to_string()),
            ("new_name", name.to_string()),
            ("new_object_type", "电梯使用单位".to_string()),
            ("kind", "重点检查事项".to_string()),
            ("methods", "现场检查".to_string()),
            ("ratio", "不低于5%".to_string()),
            ("frequency", "1次/年".to_string()),
            (
                "bases",
                "《中华人民共和国特种设备安全法》第五十七条".to_string(),
            ),
        ]
    };
    // Without a name: back on the form with the rest as typed.
    let r = c
        .post(app.url("/console/items/new"))
        .form(&form(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(form_error(&page).unwrap().contains("抽查事项不能为空"));
    assert!(page.contains("value=\"不低于5%\""));
    let r = c
        .post(app.url("/console/items/new"))
        .form(&form("电梯使用单位监督检查"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = app.get(&c, &to).await;
    assert!(page.contains("id=\"saved\"") && page.contains("电梯使用单位监督检查"));
    // The publish form lists it as new, and the search finds it by its basis.
    assert!(page.contains("id=\"draft-changes\""));
    assert!(
        page.contains(
            "<span class=\"tag\">新增</span> 高平市市场监督管理局 · 电梯使用单位监督检查"
        )
    );
    let (_, found) = app
        .get(
            &c,
            "/console/items?q=%E7%89%B9%E7%A7%8D%E8%AE%BE%E5%A4%87%E5%AE%89%E5%85%A8%E6%B3%95",
        )
        .await;
    assert!(found.contains("电梯使用单位监督检查"));
    // minijinja writes "/" as "&#x2f;".
    assert!(found.contains("抽查比例：不低于5%；频次：1次&#x2f;年"));
    // The same item twice is refused on the form.
    let r = c
        .post(app.url("/console/items/new"))
        .form(&form("电梯使用单位监督检查"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        form_error(&r.text().await.unwrap())
            .unwrap()
            .contains("已有相同的事项")
    );
}

#[tokio::test]
async fn the_task_form_offers_the_departments_own_items() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.plan").await;
    let (status, page) = app.get(&c, "/console/tasks/new").await;
    assert_eq!(status, 200);
    // Was 209 KB with four lists of every item; now one short list, the partners' empty.
    assert!(page.len() < 80_000, "{} bytes", page.len());
    let legends: Vec<&str> = page
        .split("<legend>")
        .skip(1)
        .filter_map(|p| p.split('<').next())
        .filter(|l| {
            !l.starts_with("发起部门")
                && !l.starts_with("配合部门")
                && !l.starts_with("抽查")
                && !l.starts_with("检查")
        })
        .collect();
    assert!(!legends.is_empty());
    for l in &legends {
        assert!(
            *l == "省市场监管局" || *l == "部门联合抽查事项",
            "a 市场监管 department is offered its line's items: {legends:?}"
        );
    }
    assert_eq!(
        page.matches("name=\"partner1_items\"").count(),
        0,
        "no partner, no list"
    );
    // A partner chosen (卫健): the refreshed form lists the items it takes part in.
    let departments = app.platform.departments().await.unwrap();
    let health = departments
        .iter()
        .find(|d| d.name == "高平市卫生健康局")
        .unwrap();
    let r = c
        .post(app.url("/console/tasks"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "公共场所卫生双随机抽查"),
            ("department", "2"),
            ("partner1", &health.id.to_string()),
            ("refresh", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("value=\"公共场所卫生双随机抽查\""),
        "nothing typed is lost"
    );
    assert!(
        !page.contains("id=\"form-error\""),
        "a refresh is not a refusal"
    );
    let partner_boxes = page.matches("name=\"partner1_items\" value=").count();
    assert!(partner_boxes > 0, "卫健 takes part in joint items");
    assert!(
        app.platform.tasks().await.unwrap().len() == 2,
        "nothing created"
    );
}

#[tokio::test]
async fn a_refused_step_of_the_task_page_is_shown_at_its_form() {
    let app = spawn_sqlite().await;
    let drawn = app.drawn_task().await;
    let draw = app.platform.current_draw(drawn.id).await.unwrap().unwrap();
    let (c, csrf) = app.login("scjg.plan").await;
    let (status, page) = app
        .post(
            &c,
            &format!("/console/tasks/{}/substitute", drawn.id),
            &[
                ("csrf", &csrf),
                ("draw", &draw.id.to_string()),
                ("kind", "object"),
                ("key", "91140581NOTDRAWN0X"),
                ("reason", "已注销"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("data-step=\"substitute\""),
        "at the 递补 form"
    );
    assert!(page.contains("value=\"91140581NOTDRAWN0X\"") && page.contains("value=\"已注销\""));
    assert!(page.contains("退出登录"), "inside the session's page");
    let message = form_error(&page).unwrap();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && !message.contains("DRAW_"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unreadable_upload_comes_back_on_the_import_form_in_chinese() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let (status, page) = app
        .upload(
            &c,
            "/console/officers/import",
            &csrf,
            "人员名录.xlsx",
            b"PK\x03\x04truncated".to_vec(),
        )
        .await;
    assert_eq!(status, 422);
    let message = form_error(&page).unwrap();
    assert!(
        message.contains("人员名录.xlsx") && message.contains("已损坏"),
        "{message}"
    );
    assert!(
        !page.contains("EOCD") && !page.contains("Xlsx error"),
        "no English"
    );
    assert!(
        page.contains("type=\"file\""),
        "the upload form, to pick another file"
    );
}

#[tokio::test]
async fn a_refused_leave_or_conflict_stays_on_the_officers_page() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("scjg.admin").await;
    let (_, list) = app.get(&c, "/console/officers").await;
    let id: String = list
        .split("href=\"/console/officers/")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .unwrap();
    let path = format!("/console/officers/{id}/leave");
    let (status, page) = app
        .post(
            &c,
            &path,
            &[
                ("csrf", &csrf),
                ("from", "2026-12-20"),
                ("to", "2026-12-10"),
                ("reason", "培训"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"leave-form\"") && page.contains("value=\"培训\""));
    assert!(form_error(&page).is_some());
    let path = format!("/console/officers/{id}/conflicts");
    let (status, page) = app
        .post(
            &c,
            &path,
            &[("csrf", &csrf), ("code", "不是代码"), ("reason", "亲属")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("value=\"不是代码\"") && page.contains("value=\"亲属\""));
}

#[tokio::test]
async fn a_refused_division_or_department_stays_on_the_organisation_page() {
    let app = spawn_sqlite().await;
    let (c, csrf) = app.login("admin").await;
    let (status, page) = app
        .post(
            &c,
            "/console/admin/departments",
            &[
                ("csrf", &csrf),
                ("name", "高平市审计局"),
                ("division", "999999"),
            ],
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("data-form=\"department\"") && page.contains("value=\"高平市审计局\""));
    let (status, page) = app
        .post(
            &c,
            "/console/admin/divisions",
            &[("csrf", &csrf), ("code", "14058"), ("name", "某县")],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("data-form=\"division\"") && page.contains("value=\"某县\""));
}

#[tokio::test]
async fn the_audit_log_names_tasks_and_items_in_chinese() {
    let app = spawn_sqlite().await;
    let drawn = app.drawn_task().await;
    let (c, _) = app.login("admin").await;
    let (_, page) = app.get(&c, "/console/audit?action=draw.freeze").await;
    assert!(
        page.contains("title=\"draw.freeze\">冻结抽取名单<")
            && page.contains(&format!("抽查任务 {} {}", drawn.code, drawn.name)),
        "the draw's record names its task"
    );
    let (_, page) = app
        .get(&c, "/console/audit?action=item_version.publish")
        .await;
    assert!(page.contains("发布事项清单") && page.contains("事项清单版本 第 1 版"));
}
