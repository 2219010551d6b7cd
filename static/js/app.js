// Small progressive enhancements. No inline scripts anywhere (Content Security Policy).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});

// Dismissing an announcement: remembered in a cookie the server reads (no request, no write).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-dismiss-announcement]");
  if (!button) return;
  const key = button.dataset.dismissAnnouncement;
  const found = document.cookie.split("; ").find((c) => c.startsWith("bmms_dismissed="));
  const keys = new Set(found ? found.slice("bmms_dismissed=".length).split(".").filter(Boolean) : []);
  keys.add(key);
  const value = Array.from(keys).slice(-30).join(".");
  document.cookie = `bmms_dismissed=${value}; path=/; max-age=${60 * 60 * 24 * 60}; SameSite=Lax`;
  button.closest("[data-announcement]").remove();
});

// Wide tables scroll inside their own box (the page never scrolls sideways): every .table that
// is not already in a .table-scroll gets one; a box that really scrolls becomes a focusable,
// named region so that keyboard users can scroll it too.
function labelOf(table) {
  const caption = table.querySelector("caption");
  if (caption) return caption.textContent.trim();
  const section = table.closest("section, .card, main");
  const heading = section && section.querySelector("h1, h2, h3");
  return heading ? heading.textContent.trim() : "Table";
}
function fitTables(root) {
  root.querySelectorAll("table.table").forEach((table) => {
    let box = table.parentElement;
    if (!box.classList.contains("table-scroll")) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", `${labelOf(table)} (scrolls sideways)`);
    }
  });
}
document.addEventListener("DOMContentLoaded", () => fitTables(document));
document.addEventListener("htmx:afterSettle", (event) => fitTables(event.target));
