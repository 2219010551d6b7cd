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
