// Small progressive enhancements; every page works without this file.

// SHA-256 of bytes (FIPS 180-4), written here so that a commitment can be computed on a page
// served over plain HTTP, where the browser's crypto.subtle is not available.
function sha256Hex(bytes) {
  const k = [];
  const h = [];
  const frac = (x) => ((x - Math.floor(x)) * 0x100000000) >>> 0;
  for (let n = 2, found = 0; found < 64; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (!prime) continue;
    if (found < 8) h.push(frac(Math.sqrt(n)));
    k.push(frac(Math.cbrt(n)));
    found++;
  }
  const length = bytes.length;
  const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded.length - 4, (length * 8) >>> 0);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(block + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] = (h[0] + a) >>> 0; h[1] = (h[1] + b) >>> 0; h[2] = (h[2] + c) >>> 0; h[3] = (h[3] + d) >>> 0;
    h[4] = (h[4] + e) >>> 0; h[5] = (h[5] + f) >>> 0; h[6] = (h[6] + g) >>> 0; h[7] = (h[7] + hh) >>> 0;
  }
  return h.map((x) => x.toString(16).padStart(8, "0")).join("");
}

/** The commitment of SSJ-DRAW/1: SHA-256("SSJ-COMMIT/1" 0x00 value), lowercase hex. */
function commitmentOf(value) {
  const prefix = new TextEncoder().encode("SSJ-COMMIT/1\0");
  const body = new TextEncoder().encode(value);
  const all = new Uint8Array(prefix.length + body.length);
  all.set(prefix);
  all.set(body, prefix.length);
  return sha256Hex(all);
}

document.addEventListener("DOMContentLoaded", () => {
  const tool = document.getElementById("commitment-tool");
  if (tool) {
    const input = document.getElementById("commit-value");
    const output = document.getElementById("commit-output");
    const show = () => { output.textContent = input.value ? commitmentOf(input.value) : ""; };
    document.getElementById("commit-compute").addEventListener("click", show);
    input.addEventListener("input", show);
  }
  for (const a of document.querySelectorAll("a[data-back]")) {
    if (history.length > 1) {
      a.addEventListener("click", (e) => { e.preventDefault(); history.back(); });
    }
  }
  // On a phone the console's menu folds behind one button (without this file it stays a strip).
  const menu = document.getElementById("menu-toggle");
  const side = document.getElementById("side-nav");
  if (menu && side) {
    document.documentElement.classList.add("menu-folds");
    menu.addEventListener("click", () => {
      const open = side.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The task form's item lists: typing filters a list; changing a department reloads the
  // lists for it (the form's 刷新可选事项 button, which keeps everything typed).
  for (const picker of document.querySelectorAll("[data-picker]")) {
    const filter = picker.querySelector("[data-filter]");
    filter.addEventListener("input", () => {
      const words = filter.value.trim();
      for (const row of picker.querySelectorAll("label.pick")) {
        row.hidden = words !== "" && !row.textContent.includes(words);
      }
    });
  }
  const refresh = document.getElementById("refresh-items");
  if (refresh) {
    for (const el of document.querySelectorAll("#task-form [data-refresh]")) {
      el.addEventListener("change", () => refresh.click());
    }
  }
  // Ask before destructive submissions that carry a data-confirm text.
  for (const f of document.querySelectorAll("form[data-confirm]")) {
    f.addEventListener("submit", (e) => { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  }
});
