//! The importer on the real files of deployed platforms, unedited (../shared/data).

use ssj_domain::CodeKind;
use ssj_import::Grid;
use ssj_import::items::read_items;
use ssj_import::objects::read_objects;
use std::collections::BTreeMap;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

#[test]
fn hainan_item_list() {
    let grid = Grid::from_bytes(&fixture("hainan-2020-random-inspection-item-list.xlsx")).unwrap();
    let list = read_items(&grid).unwrap();
    assert!(!list.joint);
    assert!(list.rejects.is_empty(), "{:?}", list.rejects);
    assert_eq!(list.items.len(), 285);
    let mut by_dept: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &list.items {
        *by_dept.entry(i.department.as_str()).or_default() += 1;
    }
    assert_eq!(by_dept.len(), 16, "{by_dept:?}");
    assert_eq!(by_dept["省人力资源和社会保障厅"], 108);
    assert_eq!(by_dept["省市场监管局"], 74);
    assert_eq!(by_dept["省交通运输厅"], 22);
    let key = list
        .items
        .iter()
        .filter(|i| i.kind == Some(ssj_domain::items::ItemKind::Key))
        .count();
    assert_eq!((list.items.len() - key, key), (263, 22));
    // The uniform's item continues on the next row with a second 检查依据: both kept.
    let uniform = list
        .items
        .iter()
        .find(|i| i.name == "中小学教育装备产品（校服）检查")
        .unwrap();
    assert_eq!(uniform.bases.len(), 2, "{:?}", uniform.bases);
    assert!(uniform.bases[1].contains("琼教勤助〔2016〕12号"));
    assert_eq!(
        uniform.methods,
        vec!["现场检查", "书面检查", "网络检查", "专业机构核查"]
    );
    let bases: usize = list.items.iter().map(|i| i.bases.len()).sum();
    assert!(bases > 285, "continuation rows add bases ({bases})");
}

#[test]
fn hainan_joint_item_list() {
    let grid = Grid::from_bytes(&fixture("hainan-joint-inspection-item-list-v2.xls")).unwrap();
    let list = read_items(&grid).unwrap();
    assert!(list.joint);
    assert!(list.rejects.is_empty(), "{:?}", list.rejects);
    // 87 rows: 附件1, the title, the header, 83 item rows and an empty merged footer.
    assert_eq!(list.items.len(), 83);
    let fields: std::collections::BTreeSet<&str> =
        list.items.iter().map(|i| i.field.as_str()).collect();
    assert_eq!(fields.len(), 36);
    let second = &list.items[1];
    assert_eq!(
        (second.field.as_str(), second.name.as_str()),
        ("工程咨询单位抽查", "工程造价咨询企业的检查")
    );
    assert_eq!(second.initiators, vec!["住房和城乡建设部门"]);
    assert_eq!(
        second.object_type, "工程咨询单位",
        "merged down from the row above"
    );
    let customs = list
        .items
        .iter()
        .find(|i| i.name == "对出口商品生产企业的稽核查")
        .unwrap();
    assert_eq!(customs.initiators, vec!["海关部门", "市场监管部门"]);
    assert_eq!(customs.cooperators, vec!["税务部门"]);
}

#[test]
fn zhejiang_enterprise_list() {
    let grid = Grid::from_bytes(&fixture("zhejiang-enterprises-2883.xlsx")).unwrap();
    let list = read_objects(&grid).unwrap();
    let uscc = list
        .objects
        .iter()
        .filter(|o| ssj_domain::ObjectCode::parse(&o.code).unwrap().kind() == CodeKind::Uscc)
        .count();
    let reg = list.objects.len() - uscc;
    // The file holds 1,096 15-digit 注册号, not 1,094: 1,094 pass the check digit and 2 fail
    // (1,779 + 1,096 + 8 = 2,883 rows). The "1,092 valid" miscounts by those two.
    assert_eq!((uscc, reg), (1_779, 1_094));
    let bad_check: Vec<_> = list
        .rejects
        .iter()
        .filter(|r| r.reason.contains("校验位错误"))
        .collect();
    let short: Vec<_> = list
        .rejects
        .iter()
        .filter(|r| r.reason.contains("长度为 13 位"))
        .collect();
    assert_eq!(bad_check.len(), 2, "{bad_check:?}");
    assert_eq!(short.len(), 8, "{short:?}");
    assert!(
        bad_check
            .iter()
            .all(|r| r.column == "注册号/统一社会信用代码")
    );
    let rows: Vec<usize> = bad_check.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        vec![1155, 1484],
        "Excel row numbers of 330327000082876 and 330503000035118"
    );
    assert_eq!(
        list.objects.len() + list.rejects.len(),
        2_883,
        "every row accounted for: {:?}",
        list.rejects
            .iter()
            .filter(|r| !r.reason.contains("校验位") && !r.reason.contains("13 位"))
            .collect::<Vec<_>>()
    );
}

#[test]
fn zhejiang_small_list() {
    let grid = Grid::from_bytes(&fixture("zhejiang-enterprises-478.xlsx")).unwrap();
    let list = read_objects(&grid).unwrap();
    let uscc = list.objects.iter().filter(|o| o.code.len() == 18).count();
    assert_eq!(
        (uscc, list.objects.len() - uscc, list.rejects.len()),
        (430, 47, 1)
    );
}

#[test]
fn zhejiang_rejects_come_back_in_their_layout() {
    let bytes = fixture("zhejiang-enterprises-2883.xlsx");
    let list = read_objects(&Grid::from_bytes(&bytes).unwrap()).unwrap();
    let file =
        ssj_import::rejects_file(&bytes, &list.rejects, ssj_import::export::TableFormat::Xlsx)
            .unwrap();
    let back = Grid::from_bytes(&file).unwrap();
    assert_eq!(
        back.row_values(0),
        vec![
            "企业名称",
            "注册号/统一社会信用代码",
            "登记机关",
            "管辖单位",
            "错误原因"
        ]
    );
    assert_eq!(back.height(), 1 + 10);
    assert_eq!(back.value(1, 1), "330327000082876");
    assert!(back.value(1, 4).contains("校验位错误"));
    // Fixed and uploaded again, the same layout is read.
    assert_eq!(read_objects(&back).unwrap().rejects.len(), 10);
}
