/* Small behaviours of the back office screens, in plain JavaScript. */
(function () {
  "use strict";

  /* The same slug as parties/text.py: Latin accents dropped, other scripts kept. */
  function usernameBase(name) {
    var kept = [];
    Array.from((name || "").normalize("NFKD")).forEach(function (ch) {
      var prev = kept[kept.length - 1];
      if (/\p{M}/u.test(ch) && prev !== undefined && /^[\x00-\x7f]$/.test(prev)) return;
      kept.push(ch);
    });
    var text = kept.join("").normalize("NFKC").toLowerCase();
    text = text.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "");
    return text.replace(/[-\s_]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 140);
  }

  /* Fill the user name live from the full name until the user edits it by hand. */
  function setupUsername(form) {
    var source = form.querySelector("[data-username-source]");
    var target = form.querySelector("[data-username-target]");
    if (!source || !target) return;
    var auto = target.value === "" || target.value === usernameBase(source.value);
    target.addEventListener("input", function () { auto = target.value === ""; });
    source.addEventListener("input", function () {
      if (auto) target.value = usernameBase(source.value);
    });
  }

  /* Swap the state field between a drop-down and free text when the country changes. */
  function setupStates(form) {
    var country = form.querySelector("select[name$=country]");
    var state = form.querySelector("[data-state-field]");
    if (!country || !state) return;
    country.addEventListener("change", function () {
      var url = state.dataset.statesUrl + "?country=" + encodeURIComponent(country.value);
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var current = form.querySelector("[data-state-field]");
          var replacement;
          if (data.states.length) {
            replacement = document.createElement("select");
            replacement.className = "form-select";
            replacement.add(new Option("Select a state", ""));
            data.states.forEach(function (s) { replacement.add(new Option(s.name, s.code)); });
          } else {
            replacement = document.createElement("input");
            replacement.type = "text";
            replacement.className = "form-control";
          }
          ["name", "id"].forEach(function (attr) { replacement.setAttribute(attr, current.getAttribute(attr)); });
          replacement.dataset.stateField = "";
          replacement.dataset.statesUrl = current.dataset.statesUrl;
          current.replaceWith(replacement);
        });
    });
  }

  /* A Fetch button beside the GSTIN: checks it offline on the server and fills the state. */
  function setupGstin(form) {
    var input = form.querySelector("[data-gstin-field]");
    if (!input) return;
    var group = document.createElement("div");
    group.className = "input-group has-validation";
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.textContent = "Fetch";
    group.appendChild(button);
    var status = document.createElement("div");
    status.className = "gstin-status small mt-1";
    status.id = input.id + "_status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    group.parentNode.insertBefore(status, group.nextSibling);
    button.addEventListener("click", function () {
      var url = "/parties/customers/gstin/?number=" + encodeURIComponent(input.value);
      button.disabled = true;
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (!data.valid) {
            status.className = "gstin-status small mt-1 text-danger";
            status.textContent = data.error;
            return;
          }
          input.value = data.number;
          status.className = "gstin-status small mt-1 text-success";
          status.textContent = "Valid GSTIN · " + data.state_name + " · PAN " + data.pan + " · " + data.holder_type;
          var country = form.querySelector("select[name$=country]");
          var state = form.querySelector("[data-state-field]");
          if (country && country.value === "IN" && state && data.state) state.value = data.state;
        })
        .finally(function () { button.disabled = false; });
    });
  }

  /* Disable the submit button once pressed, so a double click saves once. */
  function setupSubmitOnce(form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>');
      });
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    setupUsername(form);
    setupStates(form);
    setupGstin(form);
    if (form.hasAttribute("data-submit-once")) setupSubmitOnce(form);
    if (form.hasAttribute("data-autosubmit")) {
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () { form.submit(); });
      });
    }
  });
})();

/* A page that is waiting on background work reloads itself every few seconds. */
(function () {
  "use strict";
  var waiting = document.querySelector("[data-refresh-seconds]");
  if (waiting) {
    setTimeout(function () { window.location.reload(); }, 1000 * Number(waiting.dataset.refreshSeconds));
  }
})();
