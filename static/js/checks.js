// The checker's pages, enhanced: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Show only the parameter fields of the chosen setup method.
  const showParams = () => {
    const method = document.querySelector("select[name=method]");
    if (!method) return;
    for (const field of document.querySelectorAll(".field[data-methods]")) {
      const used = field.dataset.methods.split(" ").includes(method.value);
      field.hidden = !used;
      const usedBy = field.querySelector(".used-by");
      if (usedBy) usedBy.hidden = true;
    }
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[name=method]")) showParams();
  });
  showParams();

  // A chosen vendor brings its methods and parameter fields at once: the same page,
  // asked for that vendor, gives them (names, aliases and misspellings all work).
  const vendor = document.querySelector("form[data-vendor-reload] input[name=vendor]");
  const slot = document.querySelector("form[data-vendor-reload] [data-vendor-fields]");
  if (vendor && slot) {
    let shown = vendor.value.trim();
    let timer = null;
    let latest = 0;
    const load = async () => {
      const value = vendor.value.trim();
      if (value === shown) return;
      shown = value;
      const asked = ++latest;
      if (!value) {
        slot.replaceChildren();
        return;
      }
      const params = new URLSearchParams({ vendor: value, edit: "1" });
      let html;
      try {
        const response = await fetch(`${window.location.pathname}?${params}`, { headers: { Accept: "text/html" } });
        if (!response.ok) return;
        html = await response.text();
      } catch {
        return;  // the fields come with the next page instead
      }
      if (asked !== latest) return;
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-vendor-fields]");
      if (!fresh) return;
      slot.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      showParams();
      const button = document.querySelector("form[data-vendor-reload] button[type=submit]");
      const name = fresh.querySelector("[data-vendor-name]");
      if (button && !button.disabled) button.textContent = name ? `Check ${name.dataset.vendorName} records` : "Check domain";
    };
    vendor.addEventListener("change", load);
    vendor.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(load, 400);
    });
  }

  // Live progress while a check runs (the server answers with the result page).
  for (const form of document.querySelectorAll("form[data-check-form]")) {
    const progress = form.querySelector("[data-check-progress]") ||
      form.parentElement.parentElement.querySelector("[data-check-progress]");
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = button.dataset.submitLabel || "Checking…";
      }
      if (!progress) return;
      const started = Date.now();
      const steps = ["Looking up DMARC", "Following SPF includes", "Fetching DKIM keys", "Comparing with the vendor's records"];
      progress.hidden = false;
      const tick = () => {
        const seconds = Math.floor((Date.now() - started) / 1000);
        progress.textContent = `${steps[Math.min(steps.length - 1, Math.floor(seconds / 2))]}… ${seconds} s`;
      };
      tick();
      setInterval(tick, 500);
    });
    // Coming back with the back button must not leave the form disabled.
    window.addEventListener("pageshow", () => {
      const button = form.querySelector("button[type=submit]");
      if (button) button.disabled = false;
    });
  }

  // Bulk checks: poll the JSON status and update the progress bar.
  const bulk = document.querySelector("[data-bulk-status-url]");
  if (bulk && !["done", "failed"].includes(bulk.dataset.status)) {
    const bar = bulk.querySelector("[data-bulk-progress]");
    const text = bulk.querySelector("[data-bulk-text]");
    const state = bulk.querySelector("[data-bulk-state]");
    const hint = bulk.querySelector("[data-bulk-hint]");
    if (hint) hint.textContent = "This page updates itself. You can also leave and come back to this address.";
    const poll = async () => {
      let status;
      try {
        const response = await fetch(bulk.dataset.bulkStatusUrl, { headers: { Accept: "application/json" } });
        if (!response.ok) throw new Error(response.statusText);
        status = await response.json();
      } catch {
        setTimeout(poll, 5000);
        return;
      }
      bar.max = Math.max(1, status.total);
      bar.value = status.done;
      bar.textContent = `${status.percent}%`;
      const counts = Object.entries(status.counts).map(([verdict, n]) => `${verdict}: ${n}`).join(", ");
      text.textContent = `${status.done} of ${status.total} checked (${status.percent}%). ${counts}`;
      if (status.status === "running") state.textContent = "Checking…";
      if (status.status === "done" || status.status === "failed") {
        state.textContent = status.status === "done" ? "Finished" : "Stopped with an error";
        window.location.reload();
        return;
      }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 500);
  }
});
