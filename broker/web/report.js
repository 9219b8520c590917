// report.html's bootstrap: the view model is inline, in
// <script type="application/json" id="loadgrid-model">, and view.js draws it once
// (docs/view-model.md). report.html inlines chart.min.js, view.js, style.css and this file.
(function () {
  'use strict';
  function start() {
    const root = document.getElementById('app');
    const source = document.getElementById('loadgrid-model');
    if (!root || !source) return;
    let model;
    try {
      model = JSON.parse(source.textContent);
    } catch (e) {
      root.textContent = 'this report is damaged: its data does not parse (' + e.message + ')';
      return;
    }
    window.LoadgridView.render(root, model);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
