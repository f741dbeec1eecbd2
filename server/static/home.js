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
  var ontologyNs = el.getAttribute("data-ontology-ns");
  var termsUrl = el.getAttribute("data-terms");
  var Table = Yasgui.Yasr && Yasgui.Yasr.plugins.table;
  if (Table) {
    Table.defaults.openIriInNewWindow = false;
    // Cells show their whole value unless the reader turns ellipsis on (the table's switch).
    var draw = Table.prototype.draw;
    Table.prototype.draw = function (config) {
      config = config || {};
      if (config.isEllipsed === undefined) config.isEllipsed = false;
      return draw.call(this, config);
    };
  }
  // Result IRIs that this server answers for link to their local pages: things, claims and
  // passages under /resource/, ontology terms under /ontology#Term.
  function localise(root) {
    var links = root.querySelectorAll ? root.querySelectorAll("a[href]") : [];
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      var local = null;
      if (resourceNs && href.indexOf(resourceNs) === 0) {
        local = "/resource/" + href.slice(resourceNs.length);
      } else if (ontologyNs && href.indexOf(ontologyNs) === 0) {
        local = "/ontology#" + href.slice(ontologyNs.length);
      }
      if (local) {
        links[i].setAttribute("href", local);
        links[i].setAttribute("title", href);
        links[i].removeAttribute("target");
      }
    }
  }
  // Classes and properties complete from this graph (GET /terms), never from a web service.
  var terms = null;
  function getTerms(kind) {
    if (!terms) {
      terms = fetch(termsUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { classes: [], properties: [] }; });
    }
    return terms.then(function (t) { return t[kind] || []; });
  }
  var completers = ["prefixes", "variables"];
  var noStorage = function () { return undefined; }; // a new release has new terms: keep none
  if (termsUrl && Yasgui.Yasqe && Yasgui.Yasqe.forkAutocompleter) {
    Yasgui.Yasqe.forkAutocompleter("class", {
      name: "kzmig-class", bulk: true, persistenceId: noStorage,
      get: function () { return getTerms("classes"); },
    }, false);
    Yasgui.Yasqe.forkAutocompleter("property", {
      name: "kzmig-property", bulk: true, persistenceId: noStorage,
      get: function () { return getTerms("properties"); },
    }, false);
    completers = completers.concat(["kzmig-class", "kzmig-property"]);
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
    // Offline: the stock class/property completers ask a web service (LOV); ours ask /terms.
    yasqe: { autocompleters: completers, resizeable: true },
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
