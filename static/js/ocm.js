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
    // One series ({labels, values}) or several ({labels, datasets: [{label, values}]}).
    const datasets = data.datasets
      ? data.datasets.map((d, i) => ({ data: d.values, label: d.label, backgroundColor: palette[i % palette.length] }))
      : [{ data: data.values, backgroundColor: type === "bar" ? palette[0] : palette, label: options.label || "" }];
    new Chart(canvas, {
      type,
      data: { labels: data.labels, datasets },
      options: {
        animation: false,
        responsive: true,
        // A chart with one or two bars (a few organizations with data) keeps slim bars.
        datasets: { bar: { maxBarThickness: 32 } },
        plugins: { legend: { display: type !== "bar" || Boolean(data.datasets) } },
        ...options.extra,
      },
    });
  };
  draw("chart-onboarding", "bar", charts.onboarding, { label: "Organizations" });
  draw("chart-partnerships", "doughnut", charts.partnerships);
  draw("chart-bc", "doughnut", charts.bc_readiness);
  draw("chart-active", "bar", charts.active_users, { label: "Active users" });
  draw("chart-utilization", "bar", charts.utilization, {
    label: "Utilization rate (%)",
    extra: { indexAxis: "y", scales: { x: { min: 0, max: 100 } } },
  });
  draw("chart-quarter", "bar", charts.obligations_quarter);
  document.body.dataset.chartsReady = "true";
});
