// loadgrid's page renderer, shared by the live dashboard and report.html
// (docs/view-model.md, docs/adr/0019). It never fetches anything: it draws the whole page
// from a view model, and draws it again, in place, from a newer one.
//
//   LoadgridView.render(root, model, options)   root: an element; model: the view model;
//                                               options (optional, dashboard only):
//     { onStop: () => void,                     shows the stop button (live mode)
//       stopping: bool,                         the stop was asked for
//       connection: { state: "connected" | "connecting" | "disconnected" | "unauthorized",
//                     detail: "..." } }
//   LoadgridView.destroy(root)                  releases the charts (Chart instances)
//   LoadgridView.format(kind, value)            the text a figure shows
//
// Every figure taken from the model carries data-metric (its path in the model, e.g.
// "summary.total.requests"; an array element is selected as "requests.name=home", keys
// are percent-encoded), data-value (the model's exact value, as JSON) and data-format
// (the kind given to format()), so a test can compare the page with the API one to one.
//
// Charts use Chart.js 3 (the `Chart` global, Debian's libjs-chart.js) on linear axes in
// seconds; without it the page says so and shows everything else.
//
// namespace.js: the start of view.js. The build makes the one asset view.js from the files
// of broker/web/view/, concatenated in the order LOADGRID_VIEW_SOURCES lists them in
// broker/CMakeLists.txt: this one, format.js, dom.js, compare.js, header.js, tiles.js,
// charts.js, requests.js, grid.js, thresholds.js, warnings.js, logs.js, campaign.js,
// render.js. Each is a classic script (report.html inlines view.js, and inline scripts
// cannot import one another) that takes what it uses from this namespace object, from
// the files before it only, and adds what the files after it need. render.js, the last,
// publishes window.LoadgridView. A top-level const is shared by a page's classic scripts
// but is no property of window: LoadgridView stays the renderer's only global.
const LoadgridViewParts = {};
