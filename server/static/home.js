// The query editor: YASGUI with one tab per example query, against this server only.
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  if (!el || typeof Yasgui === "undefined") return;
  var examples = JSON.parse(document.getElementById("kzmig-examples").textContent);
  var prefixes = JSON.parse(document.getElementById("kzmig-prefixes").textContent);
  // the page says where, relative to itself; the browser knows its own URL
  var endpoint = new URL(el.getAttribute("data-endpoint"), window.location.href).href;
  var resourceNs = el.getAttribute("data-resource-ns");
  if (Yasgui.Yasr && Yasgui.Yasr.plugins.table) {
    Yasgui.Yasr.plugins.table.defaults.openIriInNewWindow = false;
  }
  // Result IRIs that this server answers for link to their local pages.
  function localise(root) {
    var links = root.querySelectorAll ? root.querySelectorAll("a[href]") : [];
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (resourceNs && href.indexOf(resourceNs) === 0) {
        links[i].setAttribute("href", "/resource/" + href.slice(resourceNs.length));
        links[i].removeAttribute("target");
      }
    }
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (c) {
      c.addedNodes.forEach(function (n) { if (n.nodeType === 1) localise(n); });
    });
  }).observe(el, { childList: true, subtree: true });
  var yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    // Only this server: no endpoint catalogue of other services.
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    // Offline: no remote autocompletion (the class/property completers ask a web service).
    yasqe: { autocompleters: ["prefixes", "variables"], resizeable: true },
    yasr: { prefixes: prefixes },
    persistenceId: "kzmig",
    autoAddOnInit: false,
  });
  examples.forEach(function (ex) {
    if (yasgui.tabNameTaken(ex.title)) return;
    var config = Yasgui.Tab.getDefaults(yasgui);
    config.name = ex.title;
    config.yasqe.value = ex.query;
    config.requestConfig.endpoint = endpoint;
    yasgui.addTab(!yasgui.getTab(), config); // the first example is shown when none is
  });
  // A share link followed from this very page only changes the fragment: reload to open it.
  window.addEventListener("hashchange", function () {
    if (/(^#|&)query=/.test(window.location.hash)) window.location.reload();
  });
  window.kzmigYasgui = yasgui;
})();
