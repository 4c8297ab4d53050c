// Progressive enhancement for the vendor entry form: "Add a ..." buttons for
// documentation links, parameters and records copy a blank row in the page
// instead of posting the form back. Without this file the buttons post the form
// and the server adds the row; adding a whole method always does that.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("entry-form");
  if (!form) return;

  form.addEventListener("click", (event) => {
    const button = event.target.closest('button[name="add"]');
    if (!button || button.value === "methods") return;
    const prefix = button.value;
    const counter = form.querySelector(`input[type="hidden"][name="${prefix}-count"]`);
    const rows = Array.from(form.querySelectorAll(`[id^="${prefix}-"].row`)).filter(
      (row) => /^\d+$/.test(row.id.slice(prefix.length + 1)),
    );
    if (!counter || rows.length === 0) return;  // let the server do it
    event.preventDefault();

    const index = Number(counter.value);
    const template = rows[rows.length - 1];
    const last = template.id.slice(prefix.length + 1);
    const from = `${prefix}-${last}-`;
    const to = `${prefix}-${index}-`;
    const row = template.cloneNode(true);
    row.id = `${prefix}-${index}`;
    for (const el of row.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
      for (const attr of ["name", "id", "for", "aria-describedby"]) {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.split(from).join(to));
      }
    }
    // A fresh row: no values, no errors, defaults as the server would set them.
    for (const el of row.querySelectorAll(".errorlist")) el.remove();
    for (const el of row.querySelectorAll(".remove-field")) el.remove();
    for (const el of row.querySelectorAll("input, textarea, select")) {
      el.removeAttribute("aria-invalid");
      if (el.type === "checkbox") el.checked = el.name.endsWith("-required");
      else if (el.tagName === "SELECT") {
        const defaults = { type: "CNAME", check: "equals" };
        const field = el.name.slice(el.name.lastIndexOf("-") + 1);
        el.value = defaults[field] || "";
      } else el.value = "";
    }
    template.after(row);
    counter.value = String(index + 1);
    const max = Number(button.dataset.max || "0");
    if (max && index + 1 >= max) button.hidden = true;
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });
});
