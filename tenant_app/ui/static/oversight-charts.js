// Oversight charts (issue 17): each element with data-echarts holds its ECharts option as JSON;
// the library is served locally (vendor/echarts-<version>). A click on a bar or point opens the
// rows behind that figure (the drill-down page), the same link the table's cell carries.
(function () {
  "use strict";
  function init() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-echarts]").forEach(function (el) {
      var option = JSON.parse(el.getAttribute("data-echarts"));
      var measures = JSON.parse(el.getAttribute("data-measures") || "[]");
      var buckets = JSON.parse(el.getAttribute("data-buckets") || "[]");
      var drill = el.getAttribute("data-drill");
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      if (drill) {
        chart.on("click", function (p) {
          var m = measures[p.seriesIndex], b = buckets[p.dataIndex];
          if (m === undefined || b === undefined) { return; }
          var sep = drill.indexOf("?") >= 0 ? "&" : "?";
          window.location.href = drill + sep + "measure=" + encodeURIComponent(m) +
            "&bucket=" + encodeURIComponent(b);
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
