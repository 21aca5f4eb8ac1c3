// Progressive enhancement for every page; each part leaves the plain HTML working without it.
(function () {
  "use strict";

  // Compose: refuse an image together with a poll before anything is sent, as the server would.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-compose]");
    if (!form) {
      return;
    }
    var image = form.querySelector("input[type=file]");
    var pollFilled = Array.prototype.some.call(
      form.querySelectorAll("input[name^=poll_option_]"),
      function (input) { return input.value.trim() !== ""; }
    );
    var error = form.querySelector("[data-compose-error]");
    if (image && image.files.length && pollFilled) {
      event.preventDefault();
      error.hidden = false;
      image.focus();
    } else if (error) {
      error.hidden = true;
    }
  });

  // Media: open a picture in a dialog over the page; the link to the full file stays for everyone else.
  var viewer = null;
  function openViewer(link) {
    if (!viewer) {
      viewer = document.createElement("dialog");
      viewer.className = "media-viewer";
      viewer.setAttribute("aria-label", document.documentElement.getAttribute("data-viewer-label") || "Media");
      viewer.innerHTML = '<img alt=""><p></p><form method="dialog"><button type="submit"></button> <a target="_blank" rel="noopener"></a></form>';
      viewer.addEventListener("click", function (event) {
        if (event.target === viewer) {
          viewer.close();
        }
      });
      document.body.appendChild(viewer);
    }
    var labels = document.documentElement.dataset;
    var image = viewer.querySelector("img");
    image.src = link.href;
    image.alt = link.getAttribute("data-alt") || "";
    viewer.querySelector("p").textContent = link.getAttribute("data-alt") || "";
    viewer.querySelector("button").textContent = labels.closeLabel || "Close";
    var original = viewer.querySelector("a");
    original.href = link.href;
    original.textContent = labels.originalLabel || "Open the original";
    viewer.showModal();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-viewer]");
    if (!link || !window.HTMLDialogElement || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    openViewer(link);
  });
})();
