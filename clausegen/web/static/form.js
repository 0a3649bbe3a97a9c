// The deal form's only script: "Add an end user" copies the empty row kept in a <template>.
// Without it the form still works: one empty end-user row is always shown.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("add-end-user");
  var rows = document.getElementById("end-user-rows");
  var template = document.getElementById("end-user-template");
  if (!button || !rows || !template) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var next = 0;
    rows.querySelectorAll("fieldset.end-user").forEach(function (row) {
      next = Math.max(next, Number(row.getAttribute("data-index")) + 1);
    });
    var copy = template.content.firstElementChild.cloneNode(true);
    copy.setAttribute("data-index", String(next));
    copy.querySelectorAll("[name], [id], [for]").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace("[999]", "[" + next + "]").replace("-999-", "-" + next + "-"));
        }
      });
    });
    var number = copy.querySelector(".row-number");
    if (number) {
      number.textContent = String(next + 1);
    }
    rows.appendChild(copy);
    var first = copy.querySelector("input");
    if (first) {
      first.focus();
    }
  });
});
