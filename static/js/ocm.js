// Charts of the OCM dashboard. The data comes from a JSON block rendered by the server
// (json_script); every chart also has a table with the same figures.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("ocm-charts");
  if (!source || typeof Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#0b6e4f", "#c99a2e", "#2f6fae", "#b42318", "#6b4fa0", "#5b6675", "#067647", "#b54708"];
  const draw = (id, type, data, options = {}) => {
    const canvas = document.getElementById(id);
    if (!canvas || !data || !data.labels.length) return;
    new Chart(canvas, {
      type,
      data: {
        labels: data.labels,
        datasets: [{ data: data.values, backgroundColor: type === "bar" ? palette[0] : palette, label: options.label || "" }],
      },
      options: { animation: false, responsive: true, plugins: { legend: { display: type !== "bar" } }, ...options.extra },
    });
  };
  draw("chart-onboarding", "bar", charts.onboarding, { label: "Organizations" });
  draw("chart-partnerships", "doughnut", charts.partnerships);
  draw("chart-bc", "doughnut", charts.bc_readiness);
  draw("chart-active", "bar", charts.active_users, { label: "Active users" });
  document.body.dataset.chartsReady = "true";
});
