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
          // Keep what ties the field to its label, help and error for screen readers.
          ["name", "id", "aria-describedby", "aria-invalid", "required"].forEach(function (attr) {
            if (current.hasAttribute(attr)) replacement.setAttribute(attr, current.getAttribute(attr));
          });
          if (current.classList.contains("is-invalid")) replacement.classList.add("is-invalid");
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
    // The Fetch result describes the field, after its help text and any server error.
    var describedBy = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    describedBy.push(status.id);
    input.setAttribute("aria-describedby", describedBy.join(" "));
    button.setAttribute("aria-controls", status.id);
    function show(kind, text) {
      status.className = "gstin-status small mt-1 text-" + kind;
      status.textContent = text;
    }
    button.addEventListener("click", function () {
      var url = "/parties/customers/gstin/?number=" + encodeURIComponent(input.value);
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      show("body-secondary", "Checking…");
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.statusText);
          return response.json();
        })
        .then(function (data) {
          if (!data.valid) {
            input.setAttribute("aria-invalid", "true");
            show("danger", data.error);
            return;
          }
          input.value = data.number;
          input.removeAttribute("aria-invalid");
          input.classList.remove("is-invalid");
          show("success", "Valid GSTIN · " + data.state_name + " · PAN " + data.pan + " · " + data.holder_type);
          var country = form.querySelector("select[name$=country]");
          var state = form.querySelector("[data-state-field]");
          if (country && country.value === "IN" && state && data.state) {
            state.value = data.state;
            state.dispatchEvent(new Event("change", { bubbles: true }));
          }
        })
        .catch(function () { show("danger", "The GSTIN could not be checked just now; try again."); })
        .finally(function () {
          button.disabled = false;
          button.removeAttribute("aria-busy");
        });
    });
  }

  /* Disable the submit buttons once pressed, with a spinner, so a double click saves once. */
  function setupSubmitOnce(form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      if (form.getAttribute("aria-busy") === "true") {  // already on its way: never post twice
        event.preventDefault();
        return;
      }
      // A disabled button is left out of the posted data: carry the pressed one's name and value.
      var submitter = event.submitter;
      if (submitter && submitter.name) {
        var carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        carried.setAttribute("data-submitter", "");
        form.appendChild(carried);
      }
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) {
        button.disabled = true;
        button.insertAdjacentHTML("afterbegin", '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true" data-submit-spinner></span>');
      });
    });
  }

  /* Back to a page kept in the browser's cache: its forms can be sent again. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("[data-submit-spinner], input[data-submitter]").forEach(function (el) { el.remove(); });
      form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (button) { button.disabled = false; });
    });
  });

  /* A drop-down that applies itself when picked with the mouse. With the keyboard, arrow keys only
     choose (the page must not reload under the user at each step): Enter or the Apply button applies. */
  function setupAutosubmit(form) {
    var apply = form.querySelector("[data-autosubmit-apply]");
    if (apply) apply.hidden = true;
    form.querySelectorAll("select").forEach(function (select) {
      var initial = select.value;
      var byKeyboard = false;
      select.addEventListener("pointerdown", function () { byKeyboard = false; });
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && select.value !== initial) {
          event.preventDefault();
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
          return;
        }
        if (event.key !== "Tab" && event.key !== "Shift") byKeyboard = true;
      });
      select.addEventListener("change", function () {
        if (!byKeyboard) {
          form.submit();
        } else if (apply) {
          apply.hidden = select.value === initial;
        }
      });
    });
  }

  /* After a refused save, put the focus on the first field with an error; its message is read with it. */
  function focusFirstError(form) {
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    var invalid = form.querySelector("[aria-invalid=true]:not([type=hidden])");
    if (invalid && typeof invalid.focus === "function") invalid.focus();
  }

  document.querySelectorAll("form").forEach(function (form) {
    setupUsername(form);
    setupStates(form);
    setupGstin(form);
    if (form.hasAttribute("data-submit-once")) setupSubmitOnce(form);
    focusFirstError(form);
    if (form.hasAttribute("data-autosubmit")) setupAutosubmit(form);
  });
})();

/* The phone menu: its button says whether it is open, and gets the focus back when it closes. */
(function () {
  "use strict";
  var sidebar = document.getElementById("sidebar");
  var button = document.getElementById("menu-button");
  if (!sidebar || !button) return;
  sidebar.addEventListener("show.bs.offcanvas", function () { button.setAttribute("aria-expanded", "true"); });
  sidebar.addEventListener("hidden.bs.offcanvas", function () {
    button.setAttribute("aria-expanded", "false");
    if (!document.activeElement || document.activeElement === document.body || sidebar.contains(document.activeElement)) {
      button.focus();
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

// A job's page follows the job: its state, progress bar, download link and error, until it ends.
(function () {
  var card = document.querySelector("[data-job-status]");
  if (!card || card.dataset.jobFinished === "1") { return; }
  var labels = {queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed"};
  var number = new Intl.NumberFormat(document.documentElement.lang || undefined);
  function show(status) {
    var state = card.querySelector("[data-job-state]");
    state.textContent = labels[status.state] || status.state;
    state.className = "badge job-state job-state-" + status.state;
    var bar = card.querySelector("[data-job-progress]");
    var percent = status.state === "succeeded" ? 100 : (status.total ? Math.min(100, Math.floor(status.done * 100 / status.total)) : 0);
    bar.value = percent;
    bar.textContent = percent + "%";
    var count = card.querySelector("[data-job-count]");
    count.textContent = status.total ? number.format(status.done) + " of " + number.format(status.total) + " rows"
      : (status.done ? number.format(status.done) + " rows" : "");
    var error = card.querySelector("[data-job-error]");
    error.textContent = status.error || "";
    error.classList.toggle("d-none", !status.error);
    var download = card.querySelector("[data-job-download]");
    if (status.download_url) { card.querySelector("[data-job-download-link]").href = status.download_url; }
    download.classList.toggle("d-none", !status.download_url);
    var finished = status.state === "succeeded" || status.state === "failed";
    card.querySelector("[data-job-waiting]").classList.toggle("d-none", finished);
    return finished;
  }
  function poll() {
    fetch(card.dataset.jobStatus, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (status) { if (show(status)) { window.location.reload(); } else { setTimeout(poll, 1000); } })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
