// Starts Redoc on the API documentation page (an external file: the site allows no inline scripts).
"use strict";
(function () {
  // Redoc's sidebar footer shows a logo from cdn.redoc.ly. The site loads nothing from
  // elsewhere, so images are only given addresses on this site.
  const here = (value) => new URL(value, location.href).origin === location.origin;
  const source = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    ...source,
    set(value) {
      if (here(value)) source.set.call(this, value);
    },
  });
  const setAttribute = Element.prototype.setAttribute;
  HTMLImageElement.prototype.setAttribute = function (name, value) {
    if (name.toLowerCase() !== "src" || here(value)) setAttribute.call(this, name, value);
  };

  const container = document.getElementById("redoc-container");
  Redoc.init(container.dataset.schemaUrl, {}, container);
})();
