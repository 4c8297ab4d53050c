// Starts Redoc on the API documentation page (an external file: the site allows no inline scripts).
"use strict";
(function () {
  const container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.schemaUrl, { hideDownloadButton: false }, container);
})();
