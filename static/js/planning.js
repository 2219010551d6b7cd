// Inline editing (planning goals and objectives): "Cancel" on a new row's form removes the row.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-remove-row]");
  if (button) {
    button.closest("tr").remove();
  }
});
