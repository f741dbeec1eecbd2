// Highlights an RFC 5147 passage (#char=start,end, positions in code points) in a
// source page, and scrolls to it. Written for kzmig; no dependencies.
(function () {
  "use strict";
  var container = document.getElementById("text");
  if (!container) return;

  function parse(hash) {
    var m = /^#char=(\d+)(?:,(\d+))?$/.exec(hash || "");
    if (!m) return null;
    var start = parseInt(m[1], 10);
    var end = m[2] === undefined ? start : parseInt(m[2], 10);
    return end >= start ? [start, end] : null;
  }

  function clear() {
    var marks = container.querySelectorAll("mark.target.client");
    for (var i = 0; i < marks.length; i++) {
      var mark = marks[i];
      while (mark.firstChild) mark.parentNode.insertBefore(mark.firstChild, mark);
      mark.parentNode.removeChild(mark);
    }
    container.normalize();
  }

  // UTF-16 offset in `text` of code point offset `cp`, counting from code point `base`.
  function unitOffset(text, cp) {
    var units = 0;
    for (var n = 0; n < cp && units < text.length; n++) {
      var c = text.charCodeAt(units);
      units += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return units;
  }

  function codePoints(text) {
    var n = 0;
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (!(c >= 0xdc00 && c <= 0xdfff)) n++;
    }
    return n;
  }

  function highlight(range) {
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var pos = 0, pieces = [], node;
    while ((node = walker.nextNode())) {
      var len = codePoints(node.data);
      var a = Math.max(range[0], pos), b = Math.min(range[1], pos + len);
      if (a < b) pieces.push([node, a - pos, b - pos]);
      pos += len;
      if (pos >= range[1]) break;
    }
    var first = null;
    pieces.forEach(function (p) {
      var text = p[0], from = unitOffset(text.data, p[1]), to = unitOffset(text.data, p[2]);
      var r = document.createRange();
      r.setStart(text, from);
      r.setEnd(text, to);
      var mark = document.createElement("mark");
      mark.className = "target client";
      r.surroundContents(mark);
      if (!first) first = mark;
    });
    return first;
  }

  function show() {
    var range = parse(window.location.hash);
    if (!range) {
      var server = container.querySelector("mark.target");
      if (server) server.scrollIntoView({ block: "center" });
      return;
    }
    clear();
    var first = highlight(range);
    if (first) {
      first.id = "target";
      first.scrollIntoView({ block: "center" });
    }
  }

  window.addEventListener("hashchange", show);
  show();
})();
