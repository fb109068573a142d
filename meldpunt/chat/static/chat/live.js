// The chat's live path: replaces the self-refreshing transcript frame with a list fed by
// Server-Sent Events. Without JavaScript (or EventSource) the frame simply stays.
(function () {
  "use strict";
  var frame = document.getElementById("transcript");
  if (!frame || !frame.dataset.events || !window.EventSource) {
    return;
  }
  var position = document.createElement("p");
  position.id = "queue-position";
  var list = document.createElement("ol");
  list.className = "chat-thread";
  list.id = "chat-thread";
  list.setAttribute("aria-live", "polite");
  frame.replaceWith(position, list);
  var source = new EventSource(frame.dataset.events);
  source.onmessage = function (event) {
    // Rendered and escaped by the server's own template (chat/_message.html).
    list.insertAdjacentHTML("beforeend", JSON.parse(event.data).html);
    list.lastElementChild.scrollIntoView({ block: "nearest" });
  };
  source.addEventListener("position", function (event) {
    position.innerHTML = JSON.parse(event.data).html;
  });
  source.addEventListener("end", function () {
    source.close();
    window.location.reload(); // the finished page: receipt, survey, contact registration
  });
})();
