// 统计分析: the trend charts of the last eight quarters, drawn with the vendored
// Apache ECharts from the page's JSON (json_script "trend-data"). Each chart's
// numbers are also in the table beneath it, which is what a screen reader reads.
(function () {
  const source = document.getElementById("trend-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels.map((parts) => parts.join("\n"));
  const font = {fontFamily: "Noto Sans CJK SC, Microsoft YaHei, sans-serif"};
  const base = {
    animation: false,
    textStyle: font,
    grid: {left: 48, right: 56, top: 64, bottom: 48},
    tooltip: {trigger: "axis"},
    legend: {top: 0},
    xAxis: {type: "category", data: labels},
  };
  const percent = {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}};

  const options = {
    "on-time": {
      ...base,
      yAxis: [{type: "value", name: "份", minInterval: 1}, {...percent, name: "按时报送率"}],
      series: [
        {name: "已报送", type: "bar", data: data.onTime.handed_in},
        {name: "按时报送", type: "bar", data: data.onTime.on_time},
        {name: "按时报送率（%）", type: "line", yAxisIndex: 1, data: data.onTime.rate,
          connectNulls: true},
      ],
    },
    categories: {
      ...base,
      legend: {top: 0, type: "scroll"},
      yAxis: {type: "value", name: "项", minInterval: 1},
      series: data.categories.map((row) => ({
        name: row.name, type: "bar", stack: "categories", data: row.counts,
      })),
    },
    rectification: {
      ...base,
      yAxis: percent,
      series: [
        {name: "整改完成率（%）", type: "line", data: data.rectification.rate, connectNulls: true},
        {name: "销号率（%）", type: "line", data: data.rectification.closed_rate,
          connectNulls: true},
      ],
    },
  };

  const charts = [];
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const option = options[element.dataset.chart];
    if (!option) return;
    const chart = echarts.init(element, null, {renderer: "canvas"});
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
