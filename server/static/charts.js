// The pictures: Apache ECharts draws what the page's JSON data block holds.
// Every mark links to its page; the page's table holds the same data without JavaScript.
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var block = document.getElementById("chart-data");
  if (!block) return;
  var data = JSON.parse(block.textContent);
  var charts = [];
  window.kzmigCharts = charts;

  function go(href) { if (href) window.location.href = href + window.location.search; }
  function make(el, option) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (p) { if (p.data && p.data.href) go(p.data.href); });
    charts.push(chart);
    return chart;
  }
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  var colours = { Program: "#c0392b", Law: "#8e44ad", Agreement: "#2980b9", Event: "#d35400",
    TimePeriod: "#7f8c8d" };

  function timeline(el) {
    var items = data.dated;
    var thisYear = new Date().getFullYear();
    var min = Math.floor((Math.min.apply(null, items.map(function (i) { return i.start; })) - 5) / 10) * 10;
    // an event, law or agreement with one year is a moment; a period or program with no end
    // is still open (drawn to this year, paler)
    function open(i) { return i.end === null && (i.kind === "TimePeriod" || i.kind === "Program"); }
    el.style.height = Math.max(300, items.length * 24 + 60) + "px";
    make(el, {
      animation: false,
      grid: { left: Math.min(260, el.clientWidth * 0.4), right: 30, top: 20, bottom: 30 },
      tooltip: { formatter: function (p) {
        var i = p.data.item;
        return esc(i.label) + "<br>" + esc(i.kind_label) + ": " + i.start +
          (open(i) ? "–" : i.end === null || i.end === i.start ? "" : "–" + i.end);
      } },
      xAxis: { type: "value", min: min, max: thisYear + 1, axisLabel: { formatter: function (v) { return String(v); } } },
      yAxis: { type: "category", inverse: true, data: items.map(function (i) { return i.label; }),
        axisLabel: { width: Math.min(250, el.clientWidth * 0.4 - 10), overflow: "truncate" } },
      series: [
        { type: "bar", stack: "t", silent: true, itemStyle: { color: "transparent" },
          data: items.map(function (i) { return i.start; }) },
        { type: "bar", stack: "t", cursor: "pointer",
          data: items.map(function (i) {
            var end = open(i) ? thisYear : i.end === null ? i.start : i.end;
            return { value: end - i.start + 1, href: i.href, item: i,
              itemStyle: { color: colours[i.kind] || "#555", opacity: open(i) ? 0.5 : 1 } };
          }) }
      ]
    });
  }

  function flows(el) {
    var group = document.getElementById("flow-group");
    var period = document.getElementById("flow-period");
    function options(select, key) {
      var seen = {};
      data.links.forEach(function (l) { l[key].forEach(function (v) { seen[v] = true; }); });
      Object.keys(seen).sort().forEach(function (v) {
        var o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o);
      });
    }
    if (group) options(group, "groups");
    if (period) options(period, "periods");
    el.style.height = "640px";
    var chart = null;
    function draw() {
      var g = group ? group.value : "", p = period ? period.value : "";
      var links = data.links.filter(function (l) {
        return (!g || l.groups.indexOf(g) >= 0) && (!p || l.periods.indexOf(p) >= 0);
      });
      var nodes = {}, out = [];
      links.forEach(function (l) {
        var s = "\u2190 " + l.origin, t = "\u2192 " + l.destination;
        nodes[s] = true; nodes[t] = true;
        out.push({ source: s, target: t, value: l.count ? 1 + Math.log10(l.count) : 1, href: l.href, label: l.label,
          count: l.count });
      });
      var option = {
        animation: false,
        tooltip: { formatter: function (x) {
          if (x.dataType !== "edge") return esc(x.name.slice(2));
          return esc(x.data.label) + "<br>" + esc(x.data.source.slice(2)) + " \u2192 " +
            esc(x.data.target.slice(2)) + (x.data.count ? "<br>" + x.data.count.toLocaleString() : "");
        } },
        series: [{ type: "sankey", left: 10, right: 160, nodeGap: 6, draggable: false,
          layoutIterations: 0, emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", opacity: 0.4 },
          label: { formatter: function (x) { return x.name.slice(2); } },
          data: Object.keys(nodes).map(function (n) { return { name: n }; }), links: out }]
      };
      if (chart) chart.setOption(option, true); else chart = make(el, option);
    }
    draw();
    if (group) group.addEventListener("change", draw);
    if (period) period.addEventListener("change", draw);
  }

  function bars(el, points, byLabel) {
    el.style.height = Math.max(130, points.length * 40 + 60) + "px";
    make(el, {
      animation: false,
      grid: { left: Math.min(280, el.clientWidth * 0.4), right: 80, top: 10, bottom: 30 },
      tooltip: { formatter: function (x) {
        var p = x.data.point;
        return esc(p.label) + ": <b>" + p.value.toLocaleString() + "</b> " + esc(p.unit || "") +
          (p.period ? "<br>" + esc(p.period) : "") + (p.who ? "<br>" + esc(p.who) : "") +
          (p.quote ? "<br><i>\u201c" + esc(p.quote.slice(0, 160)) + "\u201d</i>" : "");
      } },
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true,
        data: points.map(function (p) { return byLabel ? p.label : (p.period || p.label); }),
        axisLabel: { width: Math.min(270, el.clientWidth * 0.4 - 10), overflow: "truncate" } },
      series: [{ type: "bar", cursor: "pointer", barMaxWidth: 28, label: { show: true, position: "right",
          formatter: function (x) { return x.data.point.value.toLocaleString(); } },
        data: points.map(function (p) {
          return { value: p.value, point: p, href: p.claim ? p.claim.href : p.href };
        }) }]
    });
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var kind = el.getAttribute("data-chart");
    var index = Number(el.getAttribute("data-index") || 0);
    if (kind === "timeline") timeline(el);
    else if (kind === "flows") flows(el);
    else if (kind === "indicator") bars(el, data.indicators[index].points, true);
    else if (kind === "series") bars(el, data.series[index].points, true);
    else if (kind === "neighbours") neighbours(el);
  });

  function neighbours(el) {
    var nodes = [{ name: data.centre.label, href: null, symbolSize: 26, category: 0 }];
    var seen = {}; seen[data.centre.label] = true;
    var links = [];
    data.links.forEach(function (l) {
      if (!seen[l.label]) {
        seen[l.label] = true;
        nodes.push({ name: l.label, href: l.href, symbolSize: 14, category: l.incoming ? 2 : 1 });
      }
      links.push({ source: l.incoming ? l.label : data.centre.label,
        target: l.incoming ? data.centre.label : l.label, name: l.property });
    });
    make(el, {
      animation: false,
      tooltip: { formatter: function (x) { return esc(x.dataType === "edge" ? x.data.name : x.name); } },
      series: [{ type: "graph", layout: "force", roam: true, draggable: false,
        force: { repulsion: 160, edgeLength: 90 }, edgeSymbol: ["none", "arrow"],
        categories: [{ name: "this" }, { name: "out" }, { name: "in" }],
        label: { show: true, position: "right", width: 160, overflow: "truncate" },
        data: nodes, links: links }]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
