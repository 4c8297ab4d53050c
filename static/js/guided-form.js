// Progressive enhancement for the guided entry form:
// - only the questions of the routes ticked are shown (without this file, all are);
// - the preview follows the answers: the form is posted as a Preview with
//   fragment=1 when an answer changes, and the server's rendering of the
//   entry replaces the preview region. Without this file the Preview button does
//   the same with a whole page.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("guided-form");
  const preview = document.getElementById("guided-preview");
  if (!form || !preview) return;

  const routeBoxes = Array.from(form.querySelectorAll('input[name="routes"]'));
  const showRoutes = () => {
    const ticked = new Set(routeBoxes.filter((box) => box.checked).map((box) => box.value));
    for (const section of form.querySelectorAll("fieldset.route")) {
      const hasErrors = section.querySelector(".errorlist") !== null;
      section.hidden = !ticked.has(section.dataset.route) && !hasErrors;
    }
  };
  showRoutes();

  let timer = null;
  let inflight = null;
  const refresh = async () => {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const body = new FormData(form);
    body.set("action", "preview");
    body.set("fragment", "1");
    preview.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body,
        credentials: "same-origin",
        signal: inflight.signal,
      });
      if (response.ok || response.status === 429) {
        preview.innerHTML = await response.text();
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    } finally {
      preview.removeAttribute("aria-busy");
    }
  };
  const schedule = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 300);
  };

  // On "change" (a box ticked, or a field left after editing) rather than on every
  // keystroke: each refresh counts against the previews a user may ask for in an hour.
  form.addEventListener("change", (event) => {
    if (event.target.name === "routes") showRoutes();
    schedule();
  });
});
