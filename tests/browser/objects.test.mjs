// 检查对象名录库 in a real browser: upload the Zhejiang list, see its rejects, download them.
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

test("upload the Zhejiang list, download its rejects, import the good rows", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "admin", demo.passwords.admin);
  await page.waitForURL(demo.base + "/console");
  await page.click("a[data-nav=objects]");
  await page.click("text=导入名录");
  await page.setInputFiles("input[name=file]", resolve(fixtures, "zhejiang-enterprises-2883.xlsx"));
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]:has-text('上传并预览')")]);
  assert.match(await page.textContent("#preview-counts"), /新增 2873 项.*被拒绝 10 行/);
  assert.match(await page.textContent("#rejects"), /第 1155 行.*校验位错误/s);
  // Zhejiang's enterprises in 高平市's directory: flagged as outside the platform's divisions.
  assert.match(await page.textContent("#outside-division"), /行政区划不在本地：2873 个对象/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-rejects")]);
  assert.match(download.suggestedFilename(), /被拒绝的行\.xlsx$/);
  await Promise.all([page.waitForNavigation(), page.click("#confirm-import")]);
  assert.match(await page.textContent("#import-result"), /新增 2873 项/);
  await page.goto(demo.base + "/console/objects?q=浙江南北联合");
  assert.match(await page.textContent("#objects"), /91330000566997460T/);
  assert.match(await page.textContent("#object-counts"), /共 1 户/);
  await page.close();
});

test("add a project without a code, correct it, see its history", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "admin", demo.passwords.admin);
  await page.waitForURL(demo.base + "/console");
  await page.goto(demo.base + "/console/objects");
  await page.click("#object-new");
  await page.fill("input[name=name]", "高平市丹河大桥维修工程");
  await page.selectOption("select[name=kind]", "工程项目");
  await page.fill("input[name=division]", "140581");
  await page.fill("input[name=last_inspected]", "2024-02-30");
  await Promise.all([page.waitForNavigation(), page.click("#object-form button[type=submit]")]);
  // Refused with the reason; what was typed is still there.
  assert.match(await page.textContent("#form-error"), /最近检查日期/);
  assert.equal(await page.inputValue("input[name=name]"), "高平市丹河大桥维修工程");
  await page.fill("input[name=last_inspected]", "2024-02-29");
  await Promise.all([page.waitForNavigation(), page.click("#object-form button[type=submit]")]);
  assert.match(page.url(), /\/console\/objects\/code\/SSJ140581-\d{9}$/);
  assert.match(await page.textContent("h1"), /丹河大桥维修工程/);
  await page.click("#object-edit");
  await page.selectOption("select[name=tier]", "D");
  await page.fill("input[name=reason]", "列入重点监管");
  await Promise.all([page.waitForNavigation(), page.click("#object-form button[type=submit]")]);
  assert.match(await page.textContent("#history"), /"tier":"D"/);
  await page.close();
});
