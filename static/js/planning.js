// Inline goal and objective forms (planning): they open in a slot above their table; "Cancel"
// empties the slot.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-close-form]");
  if (button) {
    const slot = button.closest(".form-slot");
    if (slot) slot.replaceChildren();
  }
});
