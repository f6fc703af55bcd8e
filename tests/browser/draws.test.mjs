// The draw in a real browser on the demo county: a full ceremony on the ready task, its export
// downloaded from the public page and verified on the public verification page, and a company
// looked up in the draw.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { launchBrowser, login, startDemo, xlsxRows } from "./harness.mjs";

let demo, browser;

before(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

const commitment = (value) => createHash("sha256").update(Buffer.concat([Buffer.from("SSJ-COMMIT/1\0"), Buffer.from(value)])).digest("hex");

test("a full ceremony, the export verified on the public page, a company looked up", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "scjg.plan", demo.passwords["scjg.plan"]);
  await page.waitForURL(demo.base + "/console");
  // The demo leaves the joint task ready; open the one marked 待抽取.
  await page.goto(demo.base + "/console/tasks");
  const ready = page.locator("#tasks tr", { hasText: "待抽取" }).locator("a");
  await Promise.all([page.waitForNavigation(), ready.click()]);
  const code = (await page.textContent("#task-code")).trim();

  await Promise.all([page.waitForNavigation(), page.click("#freeze")]);
  assert.match(await page.textContent("#draw-1"), /已冻结/);
  assert.match(await page.textContent("#draw-1"), /候选名单摘要\s*[0-9a-f]{64}/);

  // A witness types a value; another committed elsewhere and reveals at the end.
  await page.selectOption("#contribute select[name=role]", "witness");
  await page.fill("#contribute input[name=label]", "高平市纪委监委派驻组");
  await page.fill("#contribute input[name=value]", "骰子 6-2-5-3");
  await Promise.all([page.waitForNavigation(), page.click("#contribute button[type=submit]")]);
  await page.selectOption("#contribute select[name=role]", "witness");
  await page.fill("#contribute input[name=label]", "高平市公证处");
  await page.fill("#contribute input[name=commitment]", commitment("公证处随机数 271828"));
  await Promise.all([page.waitForNavigation(), page.click("#contribute button[type=submit]")]);
  assert.match(await page.textContent("#draw-1 .contributions"), /高平市公证处/);

  // A wrong reveal is refused and nothing is drawn.
  await page.fill("#reveal input[name=reveal_3]", "公证处随机数 000000");
  await Promise.all([page.waitForNavigation(), page.click("#reveal-button")]);
  assert.match(await page.textContent("body"), /与其承诺值不符/);
  await page.goto(demo.base + "/console/tasks");
  await Promise.all([page.waitForNavigation(), page.locator("#tasks tr", { hasText: code }).locator("a").click()]);
  await page.fill("#reveal input[name=reveal_3]", "公证处随机数 271828");
  await Promise.all([page.waitForNavigation(), page.click("#reveal-button")]);
  assert.match(await page.textContent("#draw-1 .draw-status"), /已抽取，结果锁定/);
  assert.match(await page.textContent("#task-status"), /已抽取/);
  assert.equal(await page.locator("#freeze").count(), 0, "no way to draw again");
  const firstKey = await page.getAttribute("#result-1 tbody tr:first-child", "data-key");

  // The public page: download the export, upload it to the verification page.
  const visitor = await browser.newPage();
  await visitor.goto(demo.base + "/public/tasks/" + code);
  assert.match(await visitor.textContent("#draw-1"), /随机种子/);
  const [download] = await Promise.all([visitor.waitForEvent("download"), visitor.click("#export-zip")]);
  const zipPath = await download.path();
  await visitor.goto(demo.base + "/public/verify");
  await visitor.setInputFiles("#verify-form input[name=file]", zipPath);
  await Promise.all([visitor.waitForNavigation(), visitor.click("#verify-form button[type=submit]")]);
  // The public zip leaves the declared conflicts out: everything but the teams is rechecked.
  assert.match(await visitor.textContent("#verify-outcome"), /^部分核对：任务 \d{18} 的候选名单、种子、分层与抽中的 \d+ 户一致；检查组与递补未重新核对/);
  assert.equal(await visitor.getAttribute("#verify-outcome", "class"), "warning");

  // Where does the first selected company stand?
  await visitor.fill("#lookup-form input[name=task]", code);
  await visitor.fill("#lookup-form input[name=q]", firstKey);
  await Promise.all([visitor.waitForNavigation(), visitor.click("#lookup-form button[type=submit]")]);
  assert.match(await visitor.textContent("#lookup .lookup-verdict"), /被抽中，检查顺序第 1 位/);
  await visitor.close();

  // The 监督员 downloads the full export (with conflicts.csv): every team recomputes.
  const auditor = await browser.newPage();
  await login(auditor, demo.base, "jcs.jd", demo.passwords["jcs.jd"]);
  await auditor.waitForURL(demo.base + "/console");
  await auditor.goto(page.url());
  const [full] = await Promise.all([auditor.waitForEvent("download"), auditor.click("#audit-zip")]);
  await auditor.goto(demo.base + "/public/verify");
  await auditor.setInputFiles("#verify-form input[name=file]", await full.path());
  await Promise.all([auditor.waitForNavigation(), auditor.click("#verify-form button[type=submit]")]);
  assert.match(await auditor.textContent("#verify-outcome"), /^一致：任务 \d{18} 的抽取由公开文件完全复算/);
  await auditor.close();
  assert.equal(await page.locator("#audit-zip").count(), 0, "the planner has no audit export");
  await page.close();
});

test("递补 of an object and an officer: the lists, the lookup and the dispatch list follow", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "scjg.plan", demo.passwords["scjg.plan"]);
  await page.waitForURL(demo.base + "/console");
  await page.goto(demo.base + "/console/tasks");
  const drawn = page.locator("#tasks tr", { hasText: "已抽取" }).first().locator("a");
  await Promise.all([page.waitForNavigation(), drawn.click()]);
  const code = (await page.textContent("#task-code")).trim();
  const first = page.locator("table.result tbody tr").first();
  const firstKey = await first.getAttribute("data-key");
  const firstName = (await first.locator("td:nth-child(2)").innerText()).split("\n")[0].trim();
  const second = page.locator("table.result tbody tr").nth(1);
  const secondKey = await second.getAttribute("data-key");
  const leaving = (await second.locator(".member").first().innerText()).split("（")[0];

  // The object 递补, picked from the list by its code.
  await page.selectOption("#substitute select[name=kind]", "object");
  await page.fill("#substitute input[name=key]", firstKey);
  await page.fill("#substitute input[name=reason]", "已注销");
  await Promise.all([page.waitForNavigation(), page.click("#substitute button[type=submit]")]);
  // The officer 递补 by the certificate number the list offers for that team.
  const cert = await page.locator(`#drawn-officers option`).evaluateAll(
    (options, name) => options.find((o) => o.textContent.startsWith(name))?.value, leaving);
  assert.ok(cert, "the officer's certificate number is offered");
  await page.selectOption("#substitute select[name=kind]", "officer");
  await page.fill("#substitute input[name=key]", secondKey);
  await page.fill("#substitute input[name=officer]", cert);
  await page.fill("#substitute input[name=reason]", "病假");
  await Promise.all([page.waitForNavigation(), page.click("#substitute button[type=submit]")]);
  assert.doesNotMatch(await page.textContent("body"), /不在本次抽取的人员库中/);

  // The list as it is inspected: a new company first, the officer gone from the second team.
  const row1 = page.locator("table.result tbody tr").first();
  assert.notEqual(await row1.getAttribute("data-key"), firstKey);
  assert.match(await row1.textContent(), new RegExp("递补了 " + firstName));
  assert.doesNotMatch(await page.locator("table.result tbody tr").nth(1).textContent(), new RegExp(leaving));
  const history = await page.textContent("table.substitutions");
  assert.match(history, new RegExp(firstName + "（" + firstKey + "）"));
  assert.match(history, new RegExp(leaving + "（"));
  assert.match(history, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/, "times in the page's format");
  assert.doesNotMatch(history, /;\d+ →|T\d{2}:\d{2}/);

  // The public page tells the same, without staff usernames.
  const visitor = await browser.newPage();
  await visitor.goto(demo.base + "/public/tasks/" + code);
  const pub = await visitor.textContent("main");
  assert.match(pub, new RegExp("递补了 " + firstName));
  assert.doesNotMatch(pub, /scjg\.plan/);
  // The lookup by name, without knowing the task: replaced, and why.
  await visitor.goto(demo.base + "/public/verify");
  await visitor.fill("#lookup-form input[name=q]", firstName);
  await Promise.all([visitor.waitForNavigation(), visitor.click("#lookup-form button[type=submit]")]);
  const said = await visitor.textContent("#lookup");
  assert.match(said, new RegExp(code));
  assert.match(said, /被抽中后因递补被替换/);
  assert.match(said, /已注销/);
  await visitor.close();

  // The dispatch list: the 派发单 page and the xlsx.
  await Promise.all([page.waitForNavigation(), page.click("#dispatch")]);
  assert.ok((await page.locator(".dispatch-sheet").count()) >= 1);
  assert.doesNotMatch(await page.textContent("main"), new RegExp(firstName + "</td>"));
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("#dispatch-xlsx")]);
  assert.match(xlsx.suggestedFilename(), /检查名单\.xlsx$/);
  const bytes = await (await import("node:fs/promises")).readFile(await xlsx.path());
  // Opened: one row per object as inspected, the replacement in, the replaced out, the new
  // officer in place of the one who left.
  const rows = await xlsxRows(bytes);
  const header = rows[0];
  for (const column of ["检查对象名称", "统一社会信用代码", "检查组成员"]) {
    assert.ok(header.some((h) => h.includes(column)), `${column} in ${header.join(",")}`);
  }
  const codeAt = header.findIndex((h) => h.includes("统一社会信用代码"));
  const teamAt = header.findIndex((h) => h.includes("检查组成员"));
  const body = rows.slice(1);
  assert.ok(body.length >= 2);
  assert.ok(!body.some((r) => r[codeAt] === firstKey), "the replaced company is not dispatched");
  const team = body.find((r) => r[codeAt] === secondKey);
  assert.ok(team, "the second company is");
  assert.ok(!team[teamAt].includes(leaving), `nor the officer who left: ${team[teamAt]}`);

  // The next task on the same items: the replacement is the one inspected (left out for 12
  // months), the replaced company was not (a candidate again).
  const replacement = await row1.getAttribute("data-key").catch(() => null);
  await page.goto(demo.base + "/console/tasks/" + (await page.url()).match(/tasks\/(\d+)/)[1]);
  const inspected = await page.locator("table.result tbody tr").first().getAttribute("data-key");
  assert.ok(inspected && inspected !== firstKey, `${replacement} / ${inspected}`);
  await page.goto(demo.base + "/console/tasks/new");
  await page.fill("input[name=name]", "食品经营者双随机抽查（第二批）");
  for (const box of await page.locator("label.pick", { hasText: "食品" }).locator("input").all()) await box.check();
  await Promise.all([page.waitForNavigation(), page.click("#create-task")]);
  const next = (await page.textContent("#task-code")).trim();
  await Promise.all([page.waitForNavigation(), page.click("#freeze")]);
  await page.selectOption("#contribute select[name=role]", "witness");
  await page.fill("#contribute input[name=label]", "高平市纪委监委派驻组");
  await page.fill("#contribute input[name=value]", "第二批 7-7-3");
  await Promise.all([page.waitForNavigation(), page.click("#contribute button[type=submit]")]);
  await Promise.all([page.waitForNavigation(), page.click("#reveal-button")]);
  const refused = await page.locator("#form-error").textContent().catch(() => "");
  assert.match(await page.textContent("#task-status"), /已抽取/, refused);
  const verdict = async (key) => {
    await page.goto(`${demo.base}/public/verify?q=${encodeURIComponent(key)}&task=${next}`);
    return page.textContent("#lookup");
  };
  assert.match(await verdict(inspected), /不在.*候选名单中/, "inspected: excluded from the next task");
  const again = await verdict(firstKey);
  assert.match(again, new RegExp(next), "replaced: a candidate of the next task");
  assert.doesNotMatch(again, /不在.*候选名单中/);
  await page.close();
});

test("a new task: a ratio that is not a ratio is refused with the form kept, then created", async () => {
  const page = await browser.newPage();
  await login(page, demo.base, "scjg.plan", demo.passwords["scjg.plan"]);
  await page.waitForURL(demo.base + "/console");
  await page.goto(demo.base + "/console/tasks");
  await Promise.all([page.waitForNavigation(), page.click("#new-task")]);
  await page.fill("input[name=name]", "特种设备使用单位双随机抽查");
  // The department's list, searched as one types.
  const picker = page.locator("[data-picker]").first();
  const all = await picker.locator("label.pick").count();
  await picker.locator("[data-filter]").fill("食品");
  const shown = await picker.locator("label.pick:visible").count();
  assert.ok(shown > 0 && shown < all, `${shown} of ${all} shown`);
  await picker.locator("[data-filter]").fill("");
  await page.check("input[name=items] >> nth=3");
  await page.check("input[name=kinds][value=企业]");
  await page.fill("input[name=ratio_D]", "三成");
  await Promise.all([page.waitForNavigation(), page.click("#create-task")]);
  assert.match(await page.textContent("#form-error"), /不是有效的比例/);
  assert.equal(await page.inputValue("input[name=name]"), "特种设备使用单位双随机抽查");
  await page.fill("input[name=ratio_D]", "30%");
  await Promise.all([page.waitForNavigation(), page.click("#create-task")]);
  assert.match(page.url(), /\/console\/tasks\/\d+$/);
  assert.match(await page.textContent("body"), /D 类 30%/);
  await page.close();
});

test("a witness computes a commitment in the browser, and it is the platform's", async () => {
  const page = await browser.newPage();
  await page.goto(demo.base + "/public/commitment");
  // One block, two blocks (the padding crosses a block), and a long multi-block value.
  for (const value of ["公证处随机数 271828", "骰子 6-2-5-3 ".repeat(4), "高平市纪委监委派驻组".repeat(20)]) {
    await page.fill("#commit-value", value);
    await page.click("#commit-compute");
    assert.equal((await page.textContent("#commit-output")).trim(), commitment(value), value);
  }
  await page.close();
});
