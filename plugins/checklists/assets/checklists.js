// The compliance report's table: filter rows by verdict and sort by a column, in the
// browser, without a server. Runs again on Material's instant navigation.
(function () {
  function setup() {
    document.querySelectorAll("table.cl-compliance").forEach(function (table) {
      if (table.dataset.clReady) return;
      table.dataset.clReady = "1";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var bar = document.querySelector(".cl-filters[data-for='" + table.id + "']");
      if (bar) {
        bar.addEventListener("click", function (event) {
          var button = event.target.closest("button");
          if (!button) return;
          bar.querySelectorAll("button").forEach(function (b) {
            b.setAttribute("aria-pressed", b === button ? "true" : "false");
          });
          var wanted = button.dataset.verdict;
          rows.forEach(function (row) {
            row.hidden = wanted !== "all" && row.dataset.verdict !== wanted;
          });
        });
      }
      table.querySelectorAll("th[data-sort]").forEach(function (header, column) {
        header.addEventListener("click", function () {
          var ascending = header.getAttribute("aria-sort") !== "ascending";
          table.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
          header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          var key = function (row) {
            var cell = row.cells[column];
            return cell.dataset.sortKey || cell.textContent.trim();
          };
          rows.sort(function (a, b) {
            var order = key(a).localeCompare(key(b), undefined, { numeric: true });
            return ascending ? order : -order;
          });
          rows.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
