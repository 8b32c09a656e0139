/* The scan page's camera (progressive enhancement: the upload and lookup forms work without this script).

   1. getUserMedia opens the back camera.
   2. Where the browser has a BarcodeDetector for QR codes, frames are decoded on the phone; a code whose text is
      a link of this service (the prefix in data-prefix, any case) opens its verification page /V/<digits>.
   3. Otherwise a frame is taken about every second (JPEG from a canvas, at most 1280 px on its longer side) and
      sent to POST /api/v1/scan. When the server finds a QR code in it, the same frame is submitted with the
      upload form, whose answer is the verdict page. 429 and 503 answers are waited out (Retry-After).
*/
(function () {
  "use strict";
  var ui = document.getElementById("camera-ui");
  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var video = document.getElementById("camera-video");
  var statusLine = document.getElementById("camera-status");
  var uploadForm = document.getElementById("upload-form");
  var photoInput = document.getElementById("photo");
  if (!ui || !startButton || !stopButton || !video || !statusLine || !uploadForm || !photoInput) {
    return;
  }
  var MAX_SIDE = 1280;
  var FRAME_INTERVAL_MS = 1000;
  var DETECT_INTERVAL_MS = 250;
  var prefix = (ui.getAttribute("data-prefix") || "").toUpperCase();
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;
  var detector = null;

  ui.hidden = false;

  function say(name, seconds) {
    var text = ui.getAttribute("data-" + name) || "";
    statusLine.textContent = text.replace("{seconds}", String(seconds));
  }

  if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
    startButton.disabled = true;
    say("unavailable");
    return;
  }

  function stop() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function schedule(delayMs) {
    if (stream) {
      timer = window.setTimeout(tick, delayMs);
    }
  }

  /* The digits of a link of this service, or null. */
  function linkDigits(text) {
    var upper = String(text || "").trim().toUpperCase();
    if (!prefix || upper.indexOf(prefix) !== 0) {
      return null;
    }
    var digits = upper.slice(prefix.length);
    return /^[0-9]+$/.test(digits) ? digits : null;
  }

  function makeDetector() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(null);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    }).catch(function () { return null; });
  }

  function grabFrame() {
    var width = video.videoWidth;
    var height = video.videoHeight;
    var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
  }

  /* Submit the frame with the upload form: its answer is the verdict page. */
  function submitFrame(blob) {
    stop();
    say("found");
    try {
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], "camera.jpg", { type: "image/jpeg" }));
      photoInput.files = transfer.files;
      uploadForm.submit();
    } catch (error) {
      say("unavailable");
    }
  }

  function sendFrame(blob) {
    if (!blob) {
      return Promise.resolve(FRAME_INTERVAL_MS);
    }
    var body = new FormData();
    body.append("photo", blob, "camera.jpg");
    return fetch("/api/v1/scan", { method: "POST", body: body, credentials: "same-origin",
                                   headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 200) {
          return response.json().then(function (answer) {
            if (answer && answer.results && answer.results.length) {
              submitFrame(blob);
              return null;
            }
            return FRAME_INTERVAL_MS;
          });
        }
        if (response.status === 429 || response.status === 503) {
          var wait = parseInt(response.headers.get("Retry-After") || "", 10);
          wait = isNaN(wait) ? 5 : Math.max(1, Math.min(wait, 120));
          say("wait", wait);
          return wait * 1000;
        }
        say("searching");
        return FRAME_INTERVAL_MS;  /* 422 no QR code in this frame, and the like: try the next one */
      });
  }

  function tick() {
    timer = null;
    if (!stream) {
      return;
    }
    if (video.readyState < 2 || !video.videoWidth) {
      schedule(DETECT_INTERVAL_MS);
      return;
    }
    if (detector) {
      detector.detect(video).then(function (codes) {
        for (var i = 0; i < codes.length; i += 1) {
          var digits = linkDigits(codes[i].rawValue);
          if (digits) {
            stop();
            say("found");
            window.location.assign("/V/" + digits);
            return;
          }
          say("foreign");
        }
        schedule(DETECT_INTERVAL_MS);
      }).catch(function () {
        detector = null;
        schedule(0);
      });
      return;
    }
    grabFrame().then(sendFrame).then(function (delayMs) {
      if (delayMs !== null) {
        schedule(delayMs);
      }
    }).catch(function () {
      schedule(FRAME_INTERVAL_MS);
    });
  }

  function start() {
    startButton.disabled = true;
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (opened) {
      stream = opened;
      video.srcObject = opened;
      video.hidden = false;
      startButton.hidden = true;
      stopButton.hidden = false;
      say("searching");
      return video.play();
    }).then(makeDetector).then(function (found) {
      detector = found;
      schedule(0);
    }).catch(function () {
      stop();
      say("unavailable");
    }).then(function () {
      startButton.disabled = false;
    });
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    statusLine.textContent = "";
    startButton.focus();
  });
  window.addEventListener("pagehide", stop);
})();
