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

/** The first sheet of an xlsx as rows of cell texts: the zip read with node's zlib, shared
 *  strings and inline strings resolved (enough for the files the platform writes). */
export async function xlsxRows(bytes) {
  const { inflateRawSync } = await import("node:zlib");
  const buf = Buffer.from(bytes);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const entries = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < entries; i++) {
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(raw) : raw).toString("utf8");
    at += 46 + nameLen + extraLen + commentLen;
  }
  const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  const shared = [...(files["xl/sharedStrings.xml"] ?? "").matchAll(/<si>(.*?)<\/si>/gs)]
    .map((m) => unescape([...m[1].matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join("")));
  const sheet = files["xl/worksheets/sheet1.xml"];
  const col = (ref) => [...ref.replace(/\d+/g, "")].reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0) - 1;
  return [...sheet.matchAll(/<row[^>]*>(.*?)<\/row>/gs)].map((row) => {
    const cells = [];
    for (const c of row[1].matchAll(/<c r="([A-Z]+\d+)"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      const [, ref, attrs, inner = ""] = c;
      const v = inner.match(/<v>(.*?)<\/v>/s)?.[1] ?? inner.match(/<t[^>]*>(.*?)<\/t>/s)?.[1] ?? "";
      cells[col(ref)] = / t="s"/.test(attrs) ? shared[Number(v)] : unescape(v);
    }
    return Array.from(cells, (x) => x ?? "");
  });
}
