// Small progressive enhancements. No inline scripts anywhere (Content Security Policy).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) {
    el.form.requestSubmit();
  }
});
