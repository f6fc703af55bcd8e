// The console in a real browser: log in, be refused, be locked out, see the navigation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
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

test("an administrator logs in and sees the whole navigation", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "admin", demo.passwords.admin);
  await page.waitForURL(demo.base + "/console");
  assert.equal(await page.textContent("#role"), "系统管理员");
  const nav = await page.$$eval("nav.side a", (as) => as.map((a) => a.textContent.trim()));
  // Only what exists: no entry leads to a page not built yet.
  assert.deepEqual(nav, ["工作台", "事项清单", "检查对象名录库", "执法检查人员名录库", "抽查计划", "抽查任务", "审计日志", "系统管理"]);
  await page.click("a[data-nav=audit]");
  assert.match(await page.textContent("h1"), /审计日志/);
  assert.ok(Number(await page.textContent("#audit-total")) > 0);
  await page.click("a[data-nav=admin]");
  assert.ok((await page.textContent("#users")).includes("scjg.plan"));
  await page.click("button.link"); // 退出登录
  await page.waitForURL(/\/login$/);
  await page.close();
});

test("a planner sees the navigation of their role only", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "cgj.plan", demo.passwords["cgj.plan"]);
  await page.waitForURL(demo.base + "/console");
  const nav = await page.$$eval("nav.side a", (as) => as.map((a) => a.textContent.trim()));
  assert.ok(nav.includes("抽查任务") && !nav.includes("审计日志") && !nav.includes("系统管理"), nav.join(","));
  const response = await page.goto(demo.base + "/console/admin");
  assert.equal(response.status(), 403);
  assert.equal(await page.textContent("#error-code"), "FORBIDDEN");
  await page.close();
});

test("a wrong password is refused with a clear message", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "admin", "not-the-password-1");
  assert.match(await page.textContent("#login-error"), /用户名或密码错误/);
  assert.ok(page.url().endsWith("/login"));
  await page.close();
});

test("wrong passwords neither lock the account nor tell whether it exists", async () => {
  const page = await browser.newPage();
  const messages = [];
  for (let i = 1; i <= 5; i++) {
    await login(page, demo.base, i % 2 ? "scjg.sh" : "no.such.user", "wrong-password-" + i);
    messages.push(await page.textContent("#login-error"));
  }
  assert.equal(new Set(messages).size, 1, messages.join(" | "));
  assert.match(messages[0], /用户名或密码错误/);
  // Five failures from here lock nobody out: the holder still gets in.
  await login(page, demo.base, "scjg.sh", demo.passwords["scjg.sh"]);
  await page.waitForURL(demo.base + "/console");
  await page.close();
});

test("the public portal needs no login", async () => {
  const page = await browser.newPage();
  await page.goto(demo.base + "/public/audit");
  assert.match(await page.textContent("h1"), /审计日志公开信息/);
  assert.match(await page.textContent("#public-key"), /^[0-9a-f]{64}$/);
  // Every checkpoint shown with its key and signature, and the API that lists them all.
  const row = await page.locator("table tbody tr").last().locator("td").allTextContents();
  assert.match(row[4], /^[0-9a-f]{128}$/, row.join(" | "));
  await page.click("a[href='/api/v1/audit/checkpoints']");
  const listed = JSON.parse(await page.textContent("body"));
  assert.ok(listed.checkpoints.some((c) => c.signature === row[4]));
  await page.close();
});

test("on a 390 px phone the menu folds behind one button and every page it reaches fits the screen", async () => {
  for (const who of ["admin", "scjg.plan", "scjg.zf01", "jcs.jd"]) {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    await login(page, demo.base, who, demo.passwords[who]);
    await page.waitForURL(demo.base + "/console");
    assert.equal(await page.isVisible("#side-nav"), false, `${who}: the menu starts folded`);
    await page.click("#menu-toggle");
    assert.equal(await page.isVisible("#side-nav"), true, `${who}: the button opens it`);
    const menu = await page.locator("#side-nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    // Every menu page, and every page one click from it (each kind once).
    const pages = new Set(menu);
    for (const path of menu) {
      await page.goto(demo.base + path);
      const links = await page.locator("main a[href^='/console/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      const kinds = new Set();
      for (const link of links) {
        // Every task's page: a drawn task's differs from one waiting to be drawn.
        if (/^\/console\/tasks\/\d+$/.test(link)) { pages.add(link); continue; }
        const kind = link.replace(/\d+/g, "N").split("?")[0];
        if (/\.(xlsx|csv|zip)$|\/(export|template|audit\.zip|dispatch\.)/.test(link) || kinds.has(kind)) continue;
        kinds.add(kind);
        pages.add(link);
      }
    }
    for (const path of pages) {
      await page.goto(demo.base + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `${who}: ${path} is ${width} px wide`);
    }
    assert.ok(pages.size > menu.length, `${who}: ${[...pages].join(" ")}`);
    await ctx.close();
  }
  // And the public side, as anyone opens it on a phone.
  const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await visitor.goto(demo.base + "/public/tasks");
  const tasks = await visitor.locator("a[href^='/public/tasks/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const path of ["/", "/public/items", "/public/tasks", ...tasks, "/public/audit", "/public/verify"]) {
    await visitor.goto(demo.base + path);
    const width = await visitor.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `${path} is ${width} px wide`);
  }
  await visitor.context().close();
});
