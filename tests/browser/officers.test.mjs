// 执法检查人员名录库 in a real browser: the import page (reachable, previewed, confirmed) and
// one officer added by hand, refused first with the form kept.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, login, startDemo } from "./harness.mjs";

let demo, browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

test("the officer import page opens from the list, previews a file and imports it", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "scjg.admin", demo.passwords["scjg.admin"]);
  await page.waitForURL(demo.base + "/console");
  await page.click("a[data-nav=officers]");
  const response = await Promise.all([page.waitForNavigation(), page.click("text=导入名录")]);
  assert.equal(response[0].status(), 200, "/console/officers/import is reachable");
  const file = join(mkdtempSync(join(tmpdir(), "ssj-officers-")), "人员名录.csv");
  writeFileSync(file, "姓名,所属部门,执法证号,证件有效期,层级,执法事项范围,联系电话,身份证号,状态\n" +
    "孔亮,高平市市场监督管理局,SX14058188001,2029/6/30,县,食品,,,有效\n" +
    "周通,高平市市场监督管理局,SX14058188002,2028-12-31,县,特种设备,,,有效\n");
  await page.setInputFiles("input[name=file]", file);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]:has-text('上传并预览')")]);
  assert.match(await page.textContent("#preview-counts"), /新增 2 项.*被拒绝 0 行/);
  await Promise.all([page.waitForNavigation(), page.click("#confirm-import")]);
  assert.match(await page.textContent("#import-result"), /新增 2 项/);
  await page.goto(demo.base + "/console/officers?q=孔亮");
  assert.match(await page.textContent("main"), /SX14058188001/);
  await page.close();
});

test("an officer added by hand: a bad date is refused on the form, then saved", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "scjg.admin", demo.passwords["scjg.admin"]);
  await page.waitForURL(demo.base + "/console");
  await page.goto(demo.base + "/console/officers");
  await Promise.all([page.waitForNavigation(), page.click("#officer-new")]);
  await page.fill("input[name=name]", "雷横");
  await page.fill("input[name=cert_no]", "SX14058188003");
  await page.fill("input[name=valid_until]", "后年");
  await Promise.all([page.waitForNavigation(), page.click("#officer-form button[type=submit]")]);
  assert.match(await page.textContent("#form-error"), /证件有效期/);
  assert.equal(await page.inputValue("input[name=name]"), "雷横", "nothing typed is lost");
  await page.fill("input[name=valid_until]", "2030-01-31");
  await Promise.all([page.waitForNavigation(), page.click("#officer-form button[type=submit]")]);
  assert.match(await page.textContent("#saved"), /已保存/);
  assert.match(await page.textContent("main"), /SX14058188003/);
  await page.close();
});
