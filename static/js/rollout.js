// The adoption chart of the rollout board (data from a json_script block; a table repeats it).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("rollout-chart");
  const canvas = document.getElementById("chart-adoption");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  if (!data.datasets.length) return;
  const palette = ["#0b6e4f", "#c99a2e", "#2f6fae", "#b42318", "#6b4fa0"];
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: data.datasets.map((d, i) => ({ label: d.label, data: d.values, borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length] })),
    },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } } },
  });
});
