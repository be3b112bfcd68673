/// The dashboard's one script: progressive enhancement only. Every page works without it; with
/// it, times show in the reader's zone, `j`/`k` walk the failures and `/` searches, and a page
/// of a running run follows it live. Live updates re-read the page itself and swap its live
/// regions, so what appears is rendered (and escaped) by the server, never assembled here.
enum Script {
    static let text = #"""
        (function () {
          "use strict";

          function localTimes(root) {
            root.querySelectorAll("time[datetime]").forEach(function (el) {
              var when = new Date(el.getAttribute("datetime"));
              if (isNaN(when.getTime())) return;
              el.title = el.getAttribute("datetime");
              el.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
            });
          }

          function typing(target) {
            return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
          }

          document.addEventListener("keydown", function (event) {
            if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
            if (event.key === "/") {
              var search = document.getElementById("search");
              if (search) { event.preventDefault(); search.focus(); search.select(); }
              return;
            }
            if (event.key !== "j" && event.key !== "k") return;
            var items = Array.prototype.slice.call(document.querySelectorAll("[data-failure]"));
            if (!items.length) return;
            var at = items.indexOf(document.activeElement);
            var next = event.key === "j" ? Math.min(items.length - 1, at + 1) : Math.max(0, at < 0 ? 0 : at - 1);
            event.preventDefault();
            items[next].focus();
            items[next].scrollIntoView({ block: "nearest" });
          });

          function liveConfig() {
            var el = document.getElementById("live-config");
            if (!el) return null;
            try { return JSON.parse(el.textContent); } catch (e) { return null; }
          }

          var config = liveConfig();
          var status = document.querySelector("[data-live-status]");
          function setState(state, text) {
            if (!status) return;
            status.setAttribute("data-state", state);
            status.textContent = text;
          }

          var refreshing = false, pending = false;
          function refresh() {
            if (refreshing) { pending = true; return; }
            refreshing = true;
            fetch(location.href, { headers: { "Accept": "text/html" }, cache: "no-store" })
              .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
              .then(function (html) {
                var fresh = new DOMParser().parseFromString(html, "text/html");
                document.querySelectorAll("[data-live-region]").forEach(function (region) {
                  var replacement = fresh.getElementById(region.id);
                  if (replacement) {
                    region.replaceWith(replacement);
                    localTimes(replacement);
                  }
                });
                var freshConfig = fresh.getElementById("live-config");
                if (freshConfig) {
                  try { config = JSON.parse(freshConfig.textContent); } catch (e) {}
                }
                document.dispatchEvent(new CustomEvent("verdict:refreshed"));
              })
              .catch(function () {})
              .then(function () {
                refreshing = false;
                if (pending) { pending = false; refresh(); }
              });
          }

          var timer = null;
          function soon() {
            if (timer) return;
            timer = setTimeout(function () { timer = null; refresh(); }, 150);
          }

          var polling = false;
          function poll() {
            if (polling) return;
            polling = true;
            setState("polling", "updating every 5 s");
            setInterval(function () { if (config && config.active) refresh(); }, 5000);
          }

          function connect() {
            if (!config || !config.active) return;
            if (!("WebSocket" in window) || !config.websocket) { poll(); return; }
            var scheme = location.protocol === "https:" ? "wss://" : "ws://";
            var socket;
            // A path is on the page's own host (the emulator); AWS gives the API its own domain.
            var url = /^wss?:\/\//.test(config.websocket) ? config.websocket : scheme + location.host + config.websocket;
            try { socket = new WebSocket(url); } catch (e) { poll(); return; }
            var opened = false;
            socket.onopen = function () {
              opened = true;
              setState("live", "live");
              socket.send(JSON.stringify(config.subscribe));
            };
            socket.onmessage = function (message) {
              var event;
              try { event = JSON.parse(message.data); } catch (e) { return; }
              if (event && typeof event.type === "string") {
                document.dispatchEvent(new CustomEvent("verdict:event", { detail: event }));
                soon();
              }
            };
            socket.onclose = function () { if (opened) { setState("closed", "reconnecting"); setTimeout(connect, 2000); } else { poll(); } };
          }

          localTimes(document);
          connect();
        })();
        """#
}
