// Swagger UI (vendored, no CDN) inside the site's own page, reading the spec the element names.
(function () {
  var el = document.getElementById("swagger-ui");
  if (!el || typeof SwaggerUIBundle === "undefined") return;
  SwaggerUIBundle({
    url: el.dataset.openapi,
    domNode: el,
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null,  // the default validator is a remote service
  });
})();
