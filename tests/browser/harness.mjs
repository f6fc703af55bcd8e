// Starts the platform the way a new user does (`shuangsuiji demo`) and a headless Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const bin = process.env.SSJ_BIN ?? join(root, "target/debug/shuangsuiji");

/** Runs `shuangsuiji demo` on a free port; resolves with its URL and the printed logins. */
export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), "ssj-browser-"));
  const child = spawn(bin, ["--database", join(dir, "demo.db"), "--data-dir", join(dir, "data"), "demo", "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const passwords = {};
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const base = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("shuangsuiji demo did not start:\n" + stderr)), 60_000);
    child.on("exit", (code) => fail(new Error(`shuangsuiji demo exited with ${code}:\n${stderr}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const login = line.match(/用户名 (\S+)\s+密码 (\S+)/);
      if (login) passwords[login[1]] = login[2];
      const listening = line.match(/listening on (http:\/\/\S+)/);
      if (listening) { clearTimeout(timer); ok(listening[1]); }
    });
  });
  return {
    base,
    passwords,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((ok) => (child.exitCode !== null ? ok() : child.on("exit", ok)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

export async function login(page, base, username, password) {
  await page.goto(base + "/login");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
}
