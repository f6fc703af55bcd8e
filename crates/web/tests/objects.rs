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
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(fixture("zhejiang-enterprises-2883.xlsx"))
                .file_name("浙江.xlsx"),
        );
    let r = c
        .post(app.url("/console/objects/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
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
