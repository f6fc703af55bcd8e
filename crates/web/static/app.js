// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  for (const a of document.querySelectorAll("a[data-back]")) {
    if (history.length > 1) {
      a.addEventListener("click", (e) => { e.preventDefault(); history.back(); });
    }
  }
  // Ask before destructive submissions that carry a data-confirm text.
  for (const f of document.querySelectorAll("form[data-confirm]")) {
    f.addEventListener("submit", (e) => { if (!confirm(f.dataset.confirm)) e.preventDefault(); });
  }
});
