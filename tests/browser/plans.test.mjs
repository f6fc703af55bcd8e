// 抽查计划 in a real browser: the 高平 2024 joint annex pasted as copied from Word, its unknown
// department mapped, the draft confirmed and published, one of its tasks run and drawn, the plan
// revised, and the change list on the public plan page; desktop and phone.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { launchBrowser, login, startDemo } from "./harness.mjs";

const seeds = resolve(import.meta.dirname, "../../../shared/seeds");
const shots = process.env.SSJ_SCREENSHOTS;
let demo, browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

function jointAnnex() {
  const letter = readFileSync(resolve(seeds, "gaoping-city-management-2024-plan.txt"), "utf8");
  return letter.slice(letter.indexOf("高平市城市管理局 2024 年度部门联合"), letter.indexOf("附件二"));
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
}

/** No horizontal scroll on a phone. */
async function fitsWidth(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width + 1, `page is ${scroll}px wide on a ${width}px screen: ${page.url()}`);
}

test("a plan pasted, mapped, published, run, revised, and its change list public", async () => {
  const year = String(new Date().getFullYear() + 1);
  const page = await browser.newPage();
  await login(page, demo.base, "cgj.plan", demo.passwords["cgj.plan"]);
  await page.waitForURL(demo.base + "/console");
  await page.click("a[data-nav=plans]");
  await Promise.all([page.waitForNavigation(), page.click("#import-plan")]);
  await page.fill("#plan-text", jointAnnex());
  await page.fill("input[name=year]", year);
  await Promise.all([page.waitForNavigation(), page.click("#preview-plan")]);
  assert.match(await page.textContent("#preview-summary"), /读取到 2 项任务（部门联合），还有 1 处需要处理/);
  assert.match(await page.textContent("#task-1 .rule"), /原文“10%；1次\/年”/);
  assert.match(await page.textContent("#task-1 .window"), new RegExp(`${year}-03-01 至 ${year}-12-31`));
  await shot(page, "plan-preview-desktop");

  // Confirming with the name unmapped creates nothing and says why.
  await Promise.all([page.waitForNavigation(), page.click("#confirm-plan")]);
  assert.match(await page.textContent("#form-error"), /未创建任何内容/);
  // 晋城市环保局高平分局 is today's 晋城市生态环境局高平分局.
  const select = page.locator("select[data-key='department:晋城市环保局高平分局']");
  await select.selectOption({ label: "晋城市生态环境局高平分局" });
  await Promise.all([page.waitForNavigation(), page.click("#repreview")]);
  assert.match(await page.textContent("#preview-summary"), /全部可以导入/);
  await Promise.all([page.waitForNavigation(), page.click("#confirm-plan")]);
  assert.match(await page.textContent("#plan-status"), /草稿/);
  const code = (await page.textContent("#plan-code")).trim();
  assert.match(code, new RegExp(`^140581${year}\\d{4}$`));
  await Promise.all([page.waitForNavigation(), page.click("#step-publish")]);
  assert.match(await page.textContent("#plan-status"), /已发布/);
  await shot(page, "plan-detail-desktop");

  // Run task 2 (城管 with 市场监管局): the form comes filled in; the partner's item is chosen.
  await Promise.all([page.waitForNavigation(), page.click("#version-1 a[data-run='2']")]);
  assert.match(await page.textContent("#plan-ref"), new RegExp(code));
  assert.equal(await page.inputValue("input[name=name]"), "对城市市容和环境卫生管理工作的检查");
  assert.equal(await page.inputValue("input[name=window_from]"), `${year}-03-01`);
  await page.locator(".item-picker").nth(1).locator("input[name=partner1_items]").first().check();
  await Promise.all([page.waitForNavigation(), page.click("#task-form button[type=submit]:has-text('创建任务') >> nth=-1")]);
  assert.match(page.url(), /\/console\/tasks\/\d+$/, await page.textContent("body"));
  assert.match(await page.textContent("#task-plan"), new RegExp(`${code}）第 2 项`));
  await Promise.all([page.waitForNavigation(), page.click("#freeze")]);
  await page.selectOption("#contribute select[name=role]", "witness");
  await page.fill("#contribute input[name=label]", "高平市纪委监委派驻组");
  await page.fill("#contribute input[name=value]", "骰子 3-1-4-1");
  await Promise.all([page.waitForNavigation(), page.click("#contribute button[type=submit]")]);
  await Promise.all([page.waitForNavigation(), page.click("#reveal-button")]);
  assert.match(await page.textContent("#task-status"), /已抽取/);

  // Another task of the year (alone, a one-task plan) draws every D-tier object in a window
  // that overlaps: each object both drew is proposed as one visit.
  await page.goto(demo.base + "/console/tasks/new");
  await page.fill("input[name=name]", "高风险门店专项检查");
  await page.locator(".item-picker").first().locator("input[name=items]").first().check();
  await page.check("input[name=directed]");
  await page.check("input[name=tiers][value=D]");
  await page.fill("input[name=uniform]", "100%");
  await page.fill("input[name=uniform_reason]", "高风险门店全覆盖");
  await page.fill("input[name=window_from]", `${year}-06-01`);
  await page.fill("input[name=window_to]", `${year}-09-30`);
  await page.check("input[name=objects_only]");
  await Promise.all([page.waitForNavigation(), page.click("#task-form button[type=submit]:has-text('创建任务') >> nth=-1")]);
  assert.match(page.url(), /\/console\/tasks\/\d+$/, await page.textContent("body"));
  await Promise.all([page.waitForNavigation(), page.click("#freeze")]);
  await page.selectOption("#contribute select[name=role]", "witness");
  await page.fill("#contribute input[name=label]", "高平市公证处");
  await page.fill("#contribute input[name=value]", "骰子 2-7-1-8");
  await Promise.all([page.waitForNavigation(), page.click("#contribute button[type=submit]")]);
  await Promise.all([page.waitForNavigation(), page.click("#reveal-button")]);
  assert.match(await page.textContent("#task-status"), /已抽取/);

  // The plan shows the task running it and the merged visits; then a revision.
  await page.goto(demo.base + "/console/plans");
  await Promise.all([page.waitForNavigation(), page.locator("#plans tr", { hasText: code }).locator("a").click()]);
  assert.match(await page.textContent("#version-1 tr[data-seq='2']"), /\d{18}/);
  assert.match(await page.textContent("#version-1 tr[data-seq='2'] .progress"), /已抽取/);
  assert.match(await page.textContent("#version-1 tr[data-seq='1'] .progress"), /待抽取/);
  assert.match(await page.textContent("#plan-progress"), /待抽取 1 项　已抽取 1 项/);
  assert.match(await page.textContent("#visits-summary"), /建议合并为一次上门检查，可减少 \d+ 次上门/);
  const visit = page.locator("#merged-visits tbody tr").first();
  assert.match(await visit.textContent(), new RegExp(`${year}-06-01 至 ${year}-09-30`));
  assert.match(await visit.textContent(), /待确认/);
  await Promise.all([page.waitForNavigation(), visit.locator("button.confirm-visit").click()]);
  assert.match(await page.locator("#merged-visits tbody tr").first().textContent(), /已合并/);
  await shot(page, "plan-visits-desktop");
  await page.fill("#plan-steps input[name=reason]", "根据市局通知调整门前三包检查比例");
  await Promise.all([page.waitForNavigation(), page.click("#step-revise")]);
  assert.match(await page.textContent("#plan-status"), /修订中/);
  await Promise.all([page.waitForNavigation(), page.click("#reimport")]);
  await page.fill("#plan-text", jointAnnex().replace("2%；1次/年", "5%；1次/年"));
  await Promise.all([page.waitForNavigation(), page.click("#preview-plan")]);
  assert.match(await page.textContent("#preview-summary"), /全部可以导入/, "the mapping was remembered");
  await Promise.all([page.waitForNavigation(), page.click("#confirm-plan")]);
  await Promise.all([page.waitForNavigation(), page.click("#step-publish")]);
  assert.match(await page.textContent("#plan-status"), /已发布/);

  // Anyone sees both versions and what changed.
  const visitor = await browser.newPage();
  await visitor.goto(demo.base + "/public/plans");
  await Promise.all([visitor.waitForNavigation(), visitor.locator("#public-plans a", { hasText: code }).click()]);
  assert.match(await visitor.textContent("#changes-2"), /任务“对城市市容和环境卫生管理工作的检查”：抽查比例及频次由“2%/);
  assert.match(await visitor.textContent("#version-2"), /根据市局通知调整门前三包检查比例/);
  assert.equal(await visitor.locator("#version-1").count(), 1);
  assert.doesNotMatch(await visitor.textContent("body"), /cgj\.plan/);
  assert.match(await visitor.textContent("#public-visits"), /可减少 \d+ 次上门（已确认合并 1 户）/);
  await shot(visitor, "public-plan-desktop");

  // The same pages on a phone.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(demo.base + "/public/plans/" + code);
  await fitsWidth(phone);
  await shot(phone, "public-plan-phone");
  await login(phone, demo.base, "cgj.plan", demo.passwords["cgj.plan"]);
  await phone.waitForURL(demo.base + "/console");
  for (const path of ["/console/plans", "/console/plans/import"]) {
    await phone.goto(demo.base + path);
    await fitsWidth(phone);
  }
  await phone.fill("#plan-text", jointAnnex());
  await Promise.all([phone.waitForNavigation(), phone.click("#preview-plan")]);
  await fitsWidth(phone);
  await shot(phone, "plan-preview-phone");
  await phone.goto(page.url());
  await fitsWidth(phone);
  await shot(phone, "plan-detail-phone");
  if (shots) await phone.locator("#version-2 tr[data-seq='1']").screenshot({ path: `${shots}/plan-task-card-phone.png` });
  await Promise.all([visitor.close(), phone.close(), page.close()]);
});
