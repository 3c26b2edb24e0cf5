/* The fleet site's script: the dark scheme when the reader prefers it, and the matrix.
   The matrix data (window.FLEET_MATRIX, from data.js) comes from untrusted reports: it is
   only ever put into the page as text (textContent, attributes), never as HTML. */
(function () {
  "use strict";

  try {
    if (window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches) {
      document.documentElement.setAttribute("data-md-color-scheme", "slate");
    }
  } catch (ignored) { /* an old browser keeps the light scheme */ }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function readHash() {
    var state = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("=");
      var key = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      state[key] = at < 0 ? "" : decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
    });
    return state;
  }

  function writeHash(state, defaults) {
    var parts = [];
    Object.keys(state).sort().forEach(function (key) {
      if (state[key] !== "" && state[key] !== defaults[key]) {
        parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(state[key]));
      }
    });
    var url = window.location.pathname + window.location.search;
    window.history.replaceState(null, "", parts.length ? url + "#" + parts.join("&") : url);
  }

  function matrix(data, host) {
    var labels = data.labels;
    var columns = data.columns;
    var rows = data.rows.map(function (row) {
      return {
        name: row[0], slug: row[1], teams: row[2], verdicts: row[3], date: row[4],
        fails: row[5], outcomes: row[6], lower: String(row[0]).toLowerCase()
      };
    });
    var verdictOf = function (code) { return data.verdicts[code.charCodeAt(0) - 97]; };
    var severityRank = {};
    data.severities.forEach(function (name, rank) { severityRank[name] = rank; });
    var controls = document.querySelector("[data-fleet-controls]");
    var shown = document.querySelector("[data-fleet-shown]");
    var pager = document.querySelector("[data-fleet-pager]");
    var defaults = { section: "", severity: "", verdict: "", team: "", name: "", sort: "name", page: "1" };
    var state = Object.assign({}, defaults, readHash());

    controls.addEventListener("submit", function (event) { event.preventDefault(); });

    function field(name) { return controls.querySelector('[data-filter="' + name + '"]'); }

    function fill(name, options) {
      var select = field(name);
      options.forEach(function (option) { select.appendChild(el("option", { value: option[0] }, option[1])); });
    }

    function unique(values) {
      var seen = {};
      return values.filter(function (value) {
        if (seen[value] || value === "") return false;
        seen[value] = true;
        return true;
      });
    }

    fill("section", unique(columns.map(function (c) { return c.section; })).map(function (s) { return [s, s]; }));
    var present = {};
    columns.forEach(function (c) { present[c.severity] = true; });
    fill("severity", data.severities.filter(function (s) { return present[s]; }).map(function (s) {
      return [s, data.severityLabels[s] || s];
    }));
    var codes = {};
    rows.forEach(function (row) { for (var i = 0; i < row.verdicts.length; i++) codes[row.verdicts[i]] = true; });
    fill("verdict", data.verdicts.map(function (v, index) { return [v, String.fromCharCode(97 + index)]; })
      .filter(function (pair) { return codes[pair[1]]; })
      .sort(function (a, b) { return a[0].rank - b[0].rank; })
      .map(function (pair) { return [pair[0].value, pair[0].icon + " " + pair[0].label]; }));
    var teams = {};
    rows.forEach(function (row) { row.teams.forEach(function (team) { teams[team] = true; }); });
    fill("team", Object.keys(teams).sort().map(function (t) { return [t, t]; }));
    columns.forEach(function (column, index) {
      fill("sort", [["col:" + index, column.text]]);
    });

    ["section", "severity", "verdict", "team", "name", "sort"].forEach(function (name) {
      var input = field(name);
      input.value = state[name];
      if (input.value !== state[name]) state[name] = defaults[name]; // unknown in this fleet
      input.addEventListener(name === "name" ? "input" : "change", function () {
        state[name] = input.value;
        state.page = "1";
        draw();
      });
    });
    pager.querySelectorAll("button[data-page]").forEach(function (button) {
      button.addEventListener("click", function () {
        var page = parseInt(state.page, 10) || 1;
        state.page = String(button.getAttribute("data-page") === "next" ? page + 1 : page - 1);
        draw();
        host.scrollIntoView({ block: "start" });
      });
    });

    function visibleColumns() {
      var limit = state.severity === "" ? null : severityRank[state.severity];
      var out = [];
      columns.forEach(function (column, index) {
        if (state.section !== "" && column.section !== state.section) return;
        if (limit !== null && !(severityRank[column.severity] <= limit)) return;
        out.push(index);
      });
      return out;
    }

    function selectedRows(visible) {
      var wanted = null;
      data.verdicts.forEach(function (v, index) {
        if (v.value === state.verdict) wanted = String.fromCharCode(97 + index);
      });
      var query = state.name.toLowerCase();
      var out = rows.filter(function (row) {
        if (state.team !== "" && row.teams.indexOf(state.team) < 0) return false;
        if (query !== "" && row.lower.indexOf(query) < 0) return false;
        if (wanted !== null && !visible.some(function (i) { return row.verdicts[i] === wanted; })) return false;
        return true;
      });
      var byName = function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; };
      var sort = state.sort;
      if (sort === "failing") {
        out.sort(function (a, b) { return b.fails - a.fails || byName(a, b); });
      } else if (sort === "date") {
        out.sort(function (a, b) { return a.date < b.date ? 1 : a.date > b.date ? -1 : byName(a, b); });
      } else if (sort.indexOf("col:") === 0) {
        var column = parseInt(sort.slice(4), 10);
        out.sort(function (a, b) {
          return verdictOf(a.verdicts[column]).rank - verdictOf(b.verdicts[column]).rank || byName(a, b);
        });
      } else {
        out.sort(byName);
      }
      return { rows: out, wanted: wanted };
    }

    function draw() {
      var visible = visibleColumns();
      var selected = selectedRows(visible);
      var total = selected.rows.length;
      var pages = Math.max(1, Math.ceil(total / data.rowsPerPage));
      var page = Math.min(Math.max(1, parseInt(state.page, 10) || 1), pages);
      state.page = String(page);
      writeHash(state, defaults);
      var start = (page - 1) * data.rowsPerPage;
      var slice = selected.rows.slice(start, start + data.rowsPerPage);

      var table = el("table", { "class": "fl-matrix" });
      var head = el("thead");
      var headRow = el("tr");
      headRow.appendChild(el("th", { scope: "col", "class": "fl-corner" }, labels.col_repository));
      headRow.appendChild(el("th", { scope: "col", "class": "fl-teams" }, labels.col_teams));
      visible.forEach(function (index) {
        var column = columns[index];
        var sorted = state.sort === "col:" + index;
        var th = el("th", { scope: "col", "class": "fl-col", "data-col": String(index) });
        if (sorted) th.setAttribute("aria-sort", "ascending");
        var title = column.text + " — " + column.check + " (" + (data.severityLabels[column.severity] || column.severity) + ")";
        var button = el("button", { type: "button", title: title, "aria-label": title });
        button.appendChild(el("span", { "class": "fl-vert" }, column.text));
        button.addEventListener("click", function () {
          state.sort = "col:" + index;
          field("sort").value = state.sort;
          state.page = "1";
          draw();
        });
        th.appendChild(button);
        headRow.appendChild(th);
      });
      head.appendChild(headRow);
      table.appendChild(head);

      var body = el("tbody");
      slice.forEach(function (row) {
        var tr = el("tr");
        var th = el("th", { scope: "row" });
        th.appendChild(el("a", { href: "../../repos/" + encodeURIComponent(row.slug) + "/" }, row.name));
        tr.appendChild(th);
        tr.appendChild(el("td", { "class": "fl-teams" }, row.teams.join(", ")));
        visible.forEach(function (index) {
          var verdict = verdictOf(row.verdicts[index]);
          var dim = selected.wanted !== null && row.verdicts[index] !== selected.wanted;
          var td = el("td", { "class": "fl-cell cl-v-" + verdict.value + (dim ? " fl-dim" : "") });
          var text = row.name + " — " + columns[index].text + ": " + verdict.label;
          var link = el("a", {
            href: "../../repos/" + encodeURIComponent(row.slug) + "/#i" + index,
            title: text,
            "aria-label": text,
            "data-verdict": verdict.value
          }, verdict.icon);
          td.appendChild(link);
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      table.appendChild(body);

      var foot = el("tfoot");
      var footRow = el("tr");
      footRow.appendChild(el("th", { scope: "row", colspan: "2" }, labels.pass_row));
      visible.forEach(function (index) {
        var passed = 0;
        var applicable = 0;
        selected.rows.forEach(function (row) {
          var outcome = row.outcomes[index];
          if (outcome !== "d") applicable += 1;
          if (outcome === "a") passed += 1;
        });
        var rate = applicable ? Math.round(passed / applicable * 100) + "%" : "–";
        footRow.appendChild(el("td", { "class": "fl-rate-cell", title: passed + "/" + applicable }, rate));
      });
      foot.appendChild(footRow);
      table.appendChild(foot);

      host.replaceChildren(table);
      shown.textContent = total === 0 ? labels.shown_none : format(labels.shown, {
        from: start + 1, to: start + slice.length, total: total, page: page, pages: pages
      });
      pager.querySelector('[data-page="prev"]').disabled = page <= 1;
      pager.querySelector('[data-page="next"]').disabled = page >= pages;
      pager.hidden = pages <= 1;
    }

    window.addEventListener("hashchange", function () {
      var next = Object.assign({}, defaults, readHash());
      Object.keys(defaults).forEach(function (name) {
        state[name] = next[name];
        if (name !== "page") field(name).value = next[name];
      });
      draw();
    });
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var host = document.querySelector("[data-fleet-matrix]");
    if (host && window.FLEET_MATRIX) matrix(window.FLEET_MATRIX, host);
  });
})();
