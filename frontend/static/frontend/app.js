// Progressive enhancement for every page; each part leaves the plain HTML working without it.
(function () {
  "use strict";

  // Lets the stylesheet show what only works with JavaScript (the "Copy link to post" button) and hide its fallback.
  document.documentElement.classList.add("js");

  // Posts: copy a post's link to the clipboard; where the clipboard is out of reach, open the link instead.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-link]");
    if (!button) {
      return;
    }
    var url = button.getAttribute("data-copy-link");
    if (!navigator.clipboard) {
      window.location.href = url;
      return;
    }
    navigator.clipboard.writeText(url).then(function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () {
        button.textContent = label;
        var menu = button.closest("details");
        if (menu) {
          menu.open = false;
        }
      }, 1500);
    }, function () {
      window.location.href = url;
    });
  });

  // Menus (a post's "More actions", the narrow layout's menu): Escape closes the open one and returns focus to
  // its button, as a menu button does; a click elsewhere closes a post's menu.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var menu = event.target.closest && event.target.closest("details.more[open], details.narrow-nav[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.more[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.open = false;
      }
    });
  });

  // Compose: refuse an image together with a poll before anything is sent, as the server would.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-compose]");
    if (!form) {
      return;
    }
    var image = Array.prototype.find.call(
      form.querySelectorAll("input[type=file], input[name=media_ids]:checked"),
      function (input) { return input.type !== "file" || input.files.length; }
    );
    var pollFilled = Array.prototype.some.call(
      form.querySelectorAll("input[name^=poll_option_]"),
      function (input) { return input.value.trim() !== ""; }
    );
    var error = form.querySelector("[data-compose-error]");
    if (image && pollFilled) {
      event.preventDefault();
      error.hidden = false;
      image.focus();
    } else if (error) {
      error.hidden = true;
    }
  });

  // Compose: count characters as the server does (a link as 23, a remote mention by its local part).
  var URL_PATTERN = /(^|[^\w@\/])https?:\/\/[^\s<>"]+/gi;
  var MENTION_PATTERN = /(^|[^\w\/])@([a-z0-9_]+(?:[a-z0-9_.-]*[a-z0-9_])?)@[a-z0-9.-]+(?::\d+)?/gi;
  function countCharacters(form) {
    var text = form.querySelector("textarea[data-max-characters]");
    var counter = form.querySelector("[data-counter]");
    if (!text || !counter) {
      return;
    }
    var warning = form.querySelector("input[name=spoiler_text]");
    var countable = text.value.trim()
      .replace(URL_PATTERN, "$1xxxxxxxxxxxxxxxxxxxxxxx")
      .replace(MENTION_PATTERN, "$1@$2");
    var used = Array.from(countable).length + (warning ? Array.from(warning.value.trim()).length : 0);
    var left = Number(text.getAttribute("data-max-characters")) - used;
    counter.hidden = false;
    // The page's language decides which of its two forms a number takes ("1 character", "0 caractère").
    var one = window.Intl && new Intl.PluralRules(document.documentElement.lang || "en").select(left) === "one";
    var label = (one && counter.getAttribute("data-label-one")) || counter.getAttribute("data-label") || "{n}";
    counter.textContent = label.replace("{n}", String(left));
    counter.classList.toggle("over", left < 0);
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-compose]");
    if (form) {
      countCharacters(form);
    }
  });

  // Compose: show each chosen picture; a click on it sets its focal point (-1..1 across, 1..-1 down).
  document.addEventListener("change", function (event) {
    var slot = event.target.closest && event.target.closest("[data-image-slot]");
    var preview = slot && slot.querySelector("[data-focus-preview]");
    if (!preview || event.target.type !== "file") {
      return;
    }
    var file = event.target.files[0];
    preview.hidden = !file;
    if (file) {
      preview.querySelector("img").src = URL.createObjectURL(file);
    }
  });
  document.addEventListener("click", function (event) {
    var frame = event.target.closest(".focus-frame");
    var slot = frame && frame.closest("[data-image-slot]");
    if (!slot || event.target.tagName !== "IMG") {
      return;
    }
    var box = event.target.getBoundingClientRect();
    var x = ((event.clientX - box.left) / box.width) * 2 - 1;
    var y = 1 - ((event.clientY - box.top) / box.height) * 2;
    slot.querySelector("input[data-focus=x]").value = x.toFixed(2);
    slot.querySelector("input[data-focus=y]").value = y.toFixed(2);
    // The marker is drawn in the frame around the picture alone, so the percentages are the picture's.
    frame.style.setProperty("--focus-left", ((x + 1) * 50).toFixed(1) + "%");
    frame.style.setProperty("--focus-top", ((1 - y) * 50).toFixed(1) + "%");
    frame.classList.add("has-focus");
  });

  // Replies in place: one compose form at a time, under the post replied to; cancelling just closes it.
  // htmx fires beforeRequest on the link clicked, and load on each element it inserts.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.matches && event.target.matches("[data-reply-link]")) {
      var open = document.getElementById("compose");
      if (open) {
        open.remove();
      }
    }
  });
  // "Load more" replaces itself with the next page: focus moves to the first item it brought, so keyboard and
  // screen-reader users carry on reading where they were instead of starting again at the top of the page.
  var loadingMore = false;
  document.addEventListener("htmx:beforeRequest", function (event) {
    loadingMore = Boolean(event.target.closest && event.target.closest(".load-more"));
  });
  document.addEventListener("htmx:load", function (event) {
    var item = event.target;
    if (loadingMore && item.nodeType === 1 && !item.classList.contains("load-more")) {
      loadingMore = false;
      if (!item.hasAttribute("tabindex")) {
        item.setAttribute("tabindex", "-1");
      }
      item.focus();
    }
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target.id === "compose") {
      var text = event.target.querySelector("textarea");
      if (text) {
        text.focus();
        text.setSelectionRange(text.value.length, text.value.length);
        countCharacters(text.form);
      }
    }
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-cancel-reply]");
    var section = cancel && cancel.closest("#compose");
    var post = section && section.previousElementSibling;
    if (post && post.matches("article.status")) {
      event.preventDefault();
      section.remove();
      var link = post.querySelector("[data-reply-link]");
      if (link) {
        link.focus();
      }
    }
  });
  document.querySelectorAll("form[data-compose]").forEach(countCharacters);

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

// Time zones: a member who has not chosen one types and reads times in this device's zone, as Mastodon's web app
// does. The hidden field tells the server which zone a typed time is in; without JavaScript it stays empty and
// times are in UTC, as the page says.
(function () {
  "use strict";

  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  // Some engines report a zone they could not determine; UTC it is, as the page already says.
  if (!zone || zone === "Etc/Unknown") {
    return;
  }

  function pad(number) {
    return String(number).padStart(2, "0");
  }
  function localParts(date) {
    return [date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()), pad(date.getHours()) + ":" + pad(date.getMinutes())];
  }

  function useDeviceZone(root) {
    root.querySelectorAll("[data-device-zone-hint]").forEach(function (hint) {
      hint.textContent = hint.getAttribute("data-device-zone-hint").replace("{zone}", zone);
    });
    root.querySelectorAll("time[data-device-zone-time]").forEach(function (time) {
      var parts = localParts(new Date(time.getAttribute("datetime")));
      time.textContent = parts[0] + " " + parts[1] + " " + zone;
    });
    root.querySelectorAll("input[data-device-zone]").forEach(function (field) {
      // An empty field means the server wrote the form's times in UTC: they move into the device's zone. A
      // filled one came back with a refused form, whose times are as the member typed them.
      if (!field.value && field.form) {
        field.form.querySelectorAll("input[type=datetime-local]").forEach(function (input) {
          if (input.value) {
            var parts = localParts(new Date(input.value + "Z"));
            input.value = parts[0] + "T" + parts[1];
          }
        });
      }
      field.value = zone;
    });
    // Settings: a member who has not chosen is offered the device's zone, to keep by saving.
    root.querySelectorAll("select[data-device-zone-select]").forEach(function (select) {
      var option = Array.prototype.find.call(select.options, function (item) {
        return item.value === zone;
      });
      if (option && !select.value) {
        option.selected = true;
        var note = select.parentNode.querySelector("[data-device-zone-note]");
        if (note) {
          note.hidden = false;
        }
      }
    });
  }

  useDeviceZone(document);
  // A reply form opened in place arrives after the page loaded.
  document.addEventListener("htmx:load", function (event) {
    if (event.target.querySelectorAll) {
      useDeviceZone(event.target);
    }
  });
})();
