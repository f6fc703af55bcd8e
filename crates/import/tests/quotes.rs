//! Messages quote file content by a short start only (ssj_import::limits::excerpt): a long cell
//! under the cell limit once came back whole in its row's reason.

use ssj_import::Grid;
use ssj_import::items::read_items;
use ssj_import::limits::MAX_QUOTE_CHARS;
use ssj_import::objects::{ObjectSource, read_objects};
use ssj_import::officers::read_officers;

/// Under the cell limit, far over what a message may quote.
const LONG: usize = 30_000;

fn short_quote(reason: &str) {
    assert!(reason.len() < 1024, "{} bytes", reason.len());
    assert!(reason.contains('…'), "{reason}");
}

#[test]
fn a_long_code_is_quoted_by_its_start() {
    let csv = format!("统一社会信用代码,企业名称\n{},企业\n", "9".repeat(LONG));
    let grid = Grid::from_bytes(csv.as_bytes()).unwrap();
    let rejects = read_objects(&grid).unwrap().rejects;
    assert_eq!(rejects.len(), 1);
    short_quote(&rejects[0].reason);
    assert!(
        rejects[0].reason.contains(&format!("{} 位", LONG)),
        "{:?}",
        rejects[0]
    );
    assert!(rejects[0].reason.contains(&"9".repeat(MAX_QUOTE_CHARS)));
    let mut source = ObjectSource::open(csv.as_bytes(), true).unwrap();
    let batch = source.next_batch(10).unwrap();
    short_quote(&batch[0].as_ref().unwrap_err().reason);
}

#[test]
fn a_long_item_kind_is_quoted_by_its_start() {
    let csv = format!(
        "编制单位,抽查事项,事项类别\n省市场监管局,食品检查,{}\n",
        "类".repeat(LONG)
    );
    let list = read_items(&Grid::from_bytes(csv.as_bytes()).unwrap()).unwrap();
    assert_eq!(list.rejects.len(), 1, "{:?}", list.items);
    short_quote(&list.rejects[0].reason);
}

#[test]
fn a_long_repeated_certificate_is_quoted_by_its_start() {
    let cert = "Z".repeat(LONG);
    let csv = format!(
        "姓名,所属部门,执法证号,证件有效期\n张三,省市场监管局,{cert},2030-12-31\n李四,省市场监管局,{cert},2030-12-31\n"
    );
    let list = read_officers(&Grid::from_bytes(csv.as_bytes()).unwrap()).unwrap();
    assert_eq!(list.rejects.len(), 1);
    short_quote(&list.rejects[0].reason);
    assert!(list.rejects[0].reason.contains("与第 2 行重复"));
}
