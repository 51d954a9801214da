// Confirm dialogs for plain (non-htmx) destructive forms.
document.addEventListener("submit", function (event) {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

// ---------------------------------------------------------------------------
// 粘贴文本: a text field holding traditional script or web-paste debris shows
// what was found and offers 转为简体 / 整理文本. The server converts; the page
// puts the result into the field; nothing is saved until 保存.
// ---------------------------------------------------------------------------
(function () {
  const body = document.body;
  const checkUrl = body.dataset.textCheck;
  const convertUrl = body.dataset.textConvert;
  if (!checkUrl || !convertUrl) return;
  const csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const timers = new WeakMap();

  function isTextField(el) {
    return (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")) &&
      el.closest("form[method=post]") && !el.closest("[data-no-text-tools]");
  }

  function post(url, data) {
    const form = new FormData();
    Object.entries(data).forEach(([k, v]) => form.append(k, v));
    return fetch(url, {method: "POST", body: form, headers: {"X-CSRFToken": csrf},
      credentials: "same-origin"}).then((r) => (r.ok ? r.json() : Promise.reject(r)));
  }

  function panelFor(field) {
    let panel = field.parentElement.querySelector(":scope > .text-tools");
    if (!panel) {
      panel = document.createElement("div");
      panel.className = "text-tools small mt-1";
      panel.setAttribute("role", "status");
      field.insertAdjacentElement("afterend", panel);
    }
    return panel;
  }

  function button(label, action, field) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm btn-outline-primary py-0 ms-1";
    b.textContent = label;
    b.addEventListener("click", function () {
      post(convertUrl, {text: field.value, action: action}).then(function (answer) {
        field.value = answer.text;
        field.dispatchEvent(new Event("change", {bubbles: true}));
        const panel = panelFor(field);
        panel.replaceChildren();
        const done = document.createElement("div");
        done.className = "text-success";
        done.textContent = (action === "simplify" ? "已转为简体：" : "已整理：") +
          answer.changes.join("；") + "。尚未保存，请核对后点击“保存”。";
        panel.appendChild(done);
        check(field, true);
      });
    });
    return b;
  }

  function check(field, keepMessage) {
    const text = field.value;
    if (!text.trim()) { if (!keepMessage) panelFor(field).replaceChildren(); return; }
    post(checkUrl, {text: text}).then(function (answer) {
      const panel = panelFor(field);
      const kept = keepMessage ? Array.from(panel.querySelectorAll(".text-success")) : [];
      panel.replaceChildren(...kept);
      if (answer.traditional) {
        const line = document.createElement("div");
        line.className = "text-warning-emphasis";
        line.append("检测到" + answer.traditional + "个繁体字", button("转为简体", "simplify", field));
        panel.appendChild(line);
      }
      if (answer.debris.length) {
        const line = document.createElement("div");
        line.className = "text-warning-emphasis";
        line.append("可整理：" + answer.debris.join("；"), button("整理文本", "tidy", field));
        panel.appendChild(line);
      }
    }).catch(function () {});
  }

  function schedule(field, delay) {
    clearTimeout(timers.get(field));
    timers.set(field, setTimeout(() => check(field, false), delay));
  }

  document.addEventListener("input", function (event) {
    if (isTextField(event.target)) schedule(event.target, 600);
  });
  // A form opened with text already in it (editing a record) is checked once.
  function scan(root) {
    root.querySelectorAll("textarea, input[type=text]").forEach(function (field) {
      if (isTextField(field) && field.value.trim()) schedule(field, 50);
    });
  }
  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:afterSettle", (event) => scan(event.target));
})();

// ---------------------------------------------------------------------------
// Confirm dialogs for one button of a form with several (审核通过 beside 退回修改):
// the button's own data-confirm, asked unless the form's was refused already.
// ---------------------------------------------------------------------------
document.addEventListener("submit", function (event) {
  const message = event.submitter && event.submitter.getAttribute("data-confirm");
  if (message && !event.defaultPrevented && !window.confirm(message)) {
    event.preventDefault();
  }
});
