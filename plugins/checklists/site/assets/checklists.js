// The compliance report's table: filter rows by verdict, group them by section or by
// severity, and sort by a column, in the browser, without a server. Every control is a
// real <button> (keyboard and screen readers work as with any button); the sorted column
// carries aria-sort. Runs again on Material's instant navigation.
(function () {
  // The theme's search dialog has no accessible name: give it the search field's.
  function nameSearch() {
    var dialog = document.querySelector(".md-search[role='dialog']:not([aria-label])");
    var input = dialog && dialog.querySelector("input");
    if (dialog) dialog.setAttribute("aria-label", (input && (input.getAttribute("aria-label") || input.placeholder)) || "Search");
  }
  function setup() {
    nameSearch();
    document.querySelectorAll("table.cl-compliance").forEach(function (table) {
      if (table.dataset.clReady) return;
      table.dataset.clReady = "1";
      var rows = Array.prototype.slice.call(table.querySelectorAll("tr.cl-row"));
      var columns = table.tHead.rows[0].cells.length;
      var state = { verdict: "all", group: "section", column: null, ascending: true };

      function key(row, column) {
        var cell = row.cells[column];
        return cell.dataset.sortKey || cell.textContent.trim();
      }
      function compare(a, b) {
        if (state.column === null) return Number(a.dataset.order) - Number(b.dataset.order);
        var order = key(a, state.column).localeCompare(key(b, state.column), undefined, { numeric: true });
        if (order === 0) order = Number(a.dataset.order) - Number(b.dataset.order);
        return state.ascending ? order : -order;
      }
      function groupOf(row) {
        if (state.group === "section") {
          return { id: row.dataset.section, label: row.dataset.section, rank: Number(row.dataset.sectionOrder) };
        }
        if (state.group === "severity") {
          return { id: row.dataset.severity, label: row.dataset.severityLabel, rank: Number(row.dataset.severityOrder) };
        }
        return null;
      }
      function render() {
        var groups = [];
        var byId = {};
        rows.slice().sort(compare).forEach(function (row) {
          var group = groupOf(row) || { id: "", label: "", rank: 0 };
          if (!byId[group.id]) {
            byId[group.id] = { group: group, rows: [] };
            groups.push(byId[group.id]);
          }
          byId[group.id].rows.push(row);
        });
        groups.sort(function (a, b) { return a.group.rank - b.group.rank; });
        Array.prototype.slice.call(table.tBodies).forEach(function (body) { body.remove(); });
        groups.forEach(function (entry) {
          var body = document.createElement("tbody");
          body.dataset.group = entry.group.id;
          var shown = entry.rows.filter(function (row) {
            row.hidden = state.verdict !== "all" && row.dataset.verdict !== state.verdict;
            return !row.hidden;
          }).length;
          if (state.group !== "none") {
            var header = document.createElement("tr");
            header.className = "cl-group-row";
            header.hidden = shown === 0;
            var cell = document.createElement("th");
            cell.colSpan = columns;
            cell.scope = "rowgroup";
            cell.textContent = entry.group.label + " ";
            var count = document.createElement("span");
            count.className = "cl-group-count";
            count.textContent = (table.dataset.count || "{count}").replace("{count}", String(shown));
            cell.appendChild(count);
            header.appendChild(cell);
            body.appendChild(header);
          }
          entry.rows.forEach(function (row) { body.appendChild(row); });
          table.appendChild(body);
        });
      }
      function press(bar, button) {
        bar.querySelectorAll("button").forEach(function (b) {
          b.setAttribute("aria-pressed", b === button ? "true" : "false");
        });
      }
      var filters = document.querySelector(".cl-filters[data-for='" + table.id + "']");
      if (filters) {
        filters.addEventListener("click", function (event) {
          var button = event.target.closest("button");
          if (!button) return;
          press(filters, button);
          state.verdict = button.dataset.verdict;
          render();
        });
      }
      var grouping = document.querySelector(".cl-grouping[data-for='" + table.id + "']");
      if (grouping) {
        grouping.addEventListener("click", function (event) {
          var button = event.target.closest("button");
          if (!button) return;
          press(grouping, button);
          state.group = button.dataset.group;
          render();
        });
      }
      table.querySelectorAll("th .cl-sort").forEach(function (button) {
        button.addEventListener("click", function () {
          var header = button.closest("th");
          var column = Number(button.dataset.column);
          state.ascending = !(state.column === column && state.ascending);
          state.column = column;
          table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
          header.setAttribute("aria-sort", state.ascending ? "ascending" : "descending");
          render();
        });
      });
      // Paper shows every row, whatever the filter; the screen gets its filter back after.
      var filtered = null;
      window.addEventListener("beforeprint", function () {
        filtered = state.verdict;
        state.verdict = "all";
        render();
      });
      window.addEventListener("afterprint", function () {
        if (filtered === null) return;
        state.verdict = filtered;
        filtered = null;
        render();
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
