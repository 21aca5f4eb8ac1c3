// Progressive enhancement: tell the reader when new posts reach the timeline
// they are reading, from the server-sent events of the streaming API. Without
// JavaScript or EventSource the page simply stays as it was served.
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource) {
    return;
  }
  var count = 0;
  var notice = document.createElement("p");
  notice.className = "live-notice";
  notice.setAttribute("role", "status");
  notice.hidden = true;
  var link = document.createElement("a");
  link.href = window.location.pathname + window.location.search;
  notice.appendChild(link);
  root.parentNode.insertBefore(notice, root);
  var source = new EventSource(root.getAttribute("data-stream"), { withCredentials: true });
  source.addEventListener("update", function () {
    count += 1;
    link.textContent = count === 1
      ? root.getAttribute("data-one")
      : root.getAttribute("data-many").replace("%s", String(count));
    notice.hidden = false;
  });
})();
