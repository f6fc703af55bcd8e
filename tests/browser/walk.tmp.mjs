import { startDemo, launchBrowser, login } from "./harness.mjs";
const demo = await startDemo();
const browser = await launchBrowser();
const out = "/tmp/shots";
const sizes = { desk: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
async function shot(page, name) { await page.screenshot({ path: `${out}/${name}.png`, fullPage: true }); }
const report = [];
for (const [size, viewport] of Object.entries(sizes)) {
  // Anonymous: a failed login answers the same whatever the name.
  let ctx = await browser.newContext({ viewport });
  let page = await ctx.newPage();
  await login(page, demo.base, "nobody.here", "wrong-password-1");
  await shot(page, `${size}-login-failed`);
  report.push(`${size} login failed: ${(await page.textContent("body")).match(/用户名或密码错误[^\n]*/)?.[0]}`);
  await ctx.close();
  // The county department admin.
  ctx = await browser.newContext({ viewport });
  page = await ctx.newPage();
  await login(page, demo.base, "scjg.admin", demo.passwords["scjg.admin"]);
  await page.goto(demo.base + "/console/officers/import");
  report.push(`${size} officers import: ${page.url()} ${await page.title()}`);
  await shot(page, `${size}-officers-import`);
  await page.goto(demo.base + "/console/officers");
  await shot(page, `${size}-officers`);
  await page.goto(demo.base + "/console/admin/users/new");
  await page.fill("input[name=username]", "wide.admin");
  await page.fill("input[name=display_name]", "张伟");
  await page.selectOption("select[name=role]", "department_admin");
  if (await page.$("select[name=scope] option[value=all]")) await page.selectOption("select[name=scope]", "all");
  await page.fill("input[name=password]", "Kq7#mWz2vLp9");
  await page.click("form button[type=submit]");
  await shot(page, `${size}-admin-wider-scope`);
  report.push(`${size} wider scope: ${(await page.textContent("body")).match(/不能授予[^\n（]*|您无权[^\n]*/)?.[0]}`);
  // A new account made by the admin, then its first login.
  await page.goto(demo.base + "/console/admin/users/new");
  await page.fill("input[name=username]", `zhou.${size}`);
  await page.fill("input[name=display_name]", "周敏");
  await page.selectOption("select[name=role]", "planner");
  await page.fill("input[name=password]", "Kq7#mWz2vLp9");
  await page.click("form button[type=submit]");
  await ctx.close();
  ctx = await browser.newContext({ viewport });
  page = await ctx.newPage();
  await login(page, demo.base, `zhou.${size}`, "Kq7#mWz2vLp9");
  await page.goto(demo.base + "/console/tasks");
  report.push(`${size} first login lands on: ${page.url()}`);
  await shot(page, `${size}-first-login`);
  await page.fill("input[name=current]", "Kq7#mWz2vLp9");
  await page.fill("input[name=new_password]", "Password123");
  await page.fill("input[name=confirm]", "Password123");
  await page.click("form button[type=submit]");
  await shot(page, `${size}-weak-new-password`);
  report.push(`${size} weak new password: ${(await page.textContent("#form-error"))?.trim()}`);
  report.push(`${size} scrollWidth ${await page.evaluate(() => document.documentElement.scrollWidth)}`);
  await ctx.close();
}
console.log(report.join("\n"));
await browser.close();
await demo.stop();
