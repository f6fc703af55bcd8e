// 事项清单 in a real browser: upload the Hainan list, see the preview, import, search.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { launchBrowser, login, startDemo } from "./harness.mjs";

const fixtures = resolve(import.meta.dirname, "../../../shared/data");
let demo, browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

test("a county office may not import the province's list; the 系统管理员 may", async () => {
  const county = await browser.newPage();
  await login(county, demo.base, "scjg.admin", demo.passwords["scjg.admin"]);
  await county.waitForURL(demo.base + "/console");
  await county.goto(demo.base + "/console/items/import");
  await county.setInputFiles("input[name=file]", resolve(fixtures, "hainan-2020-random-inspection-item-list.xlsx"));
  await Promise.all([county.waitForNavigation(), county.click("button[type=submit]:has-text('上传并预览')")]);
  assert.match(await county.textContent("#preview-counts"), /被拒绝 285 行/);
  assert.match(await county.textContent("body"), /属于“省市场监管局”，不在您的数据范围内/);
  await county.close();

  const page = await browser.newPage();
  await login(page, demo.base, "admin", demo.passwords.admin);
  await page.waitForURL(demo.base + "/console");
  await page.click("a[data-nav=items]");
  // The demo county already has the published 2020 list.
  assert.match(await page.textContent("#item-counts"), /共 370 项，其中重点检查事项 23 项、部门联合抽查事项 83 项/);
  await page.click("text=导入清单");
  await page.setInputFiles("input[name=file]", resolve(fixtures, "hainan-2020-random-inspection-item-list.xlsx"));
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]:has-text('上传并预览')")]);
  const counts = await page.textContent("#preview-counts");
  assert.match(counts, /新增 0 项，变更 0 项，未变 285 项，被拒绝 0 行/, counts);
  await Promise.all([page.waitForNavigation(), page.click("#confirm-import")]);
  assert.match(await page.textContent("#import-result"), /未变 285 项/);
  await page.goto(demo.base + "/console/items");
  await page.fill("input[name=q]", "校服");
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('查询')")]);
  // The department item and the joint item that names 校服.
  assert.equal(await page.textContent("#item-total"), "2");
  assert.match(await page.textContent("#items"), /中小学教育装备产品（校服）检查/);
  await page.close();
});

test("a list with a bad row is previewed with the row and its reason, and the rejects download", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "admin", demo.passwords.admin);
  await page.waitForURL(demo.base + "/console");
  await page.goto(demo.base + "/console/items/import");
  await page.setInputFiles("input[name=file]", {
    name: "新清单.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("编制单位名称,抽查类别,抽查事项,检查对象,事项类别\n高平市城市管理局,市容,沿街门店市容检查,沿街门店,一般检查事项\n高平市城市管理局,扬尘,工地扬尘检查,在建工地,特别\n"),
  });
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]:has-text('上传并预览')")]);
  assert.match(await page.textContent("#preview-counts"), /新增 1 项.*被拒绝 1 行/);
  assert.match(await page.textContent("#rejects"), /第 3 行.*事项类别.*无法识别/s);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-rejects")]);
  assert.match(download.suggestedFilename(), /被拒绝的行\.xlsx$/);
  await page.close();
});
