// Progressive enhancement: tell the reader, at the top of the timeline, when new posts reach it,
// from the server-sent events of the streaming API. Without JavaScript or EventSource the page
// simply stays as it was served.
(function () {
  "use strict";
  var notice = document.querySelector(".live-notice[data-stream]");
  if (!notice || !window.EventSource) {
    return;
  }
  var count = 0;
  var link = notice.querySelector("a");
  var source = new EventSource(notice.getAttribute("data-stream"), { withCredentials: true });
  source.addEventListener("update", function () {
    count += 1;
    link.textContent = count === 1
      ? notice.getAttribute("data-one")
      : notice.getAttribute("data-many").replace("%s", count.toLocaleString(document.documentElement.lang || undefined));
    notice.hidden = false;
  });
})();
