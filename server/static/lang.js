// The language switch keeps the place on the page: a link to this page in another
// language takes the current fragment along (#char=..., an ontology term, a query tab).
document.addEventListener("click", (event) => {
  const link = event.target.closest("nav.languages a");
  if (link && location.hash) {
    link.href = link.href.split("#")[0] + location.hash;
  }
});
