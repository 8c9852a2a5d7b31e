// What stays in JavaScript: what needs a browser API before or without the wasm — recording
// with the microphone (MediaRecorder), upload progress (XMLHttpRequest progress events),
// confirmation dialogs, copy buttons (Clipboard API), written drafts kept on the device
// (localStorage) and the preview's arrow keys. Everything
// that calls server functions or shows server state is a Leptos component (forms, dragging
// to reorder, following a transcription or a render). Every feature here has a plain-HTML
// fallback in the page, so nothing depends on this file. Handlers are delegated from the
// document, so they survive Leptos re-rendering the page.

const formatTime = (ms) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

// Sends a FormData with progress; resolves with the parsed JSON reply or rejects with a
// message a person can act on.
function send(url, data, progress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    if (progress) {
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
      };
    }
    const fail = (message, status) => Object.assign(new Error(message), { status });
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else if (xhr.status === 413 && !(body && body.error)) reject(fail("That file is too large.", 413));
      else reject(fail((body && body.error) || "The upload failed. Please try again.", xhr.status));
    };
    xhr.onerror = () => reject(fail("We couldn't reach MyStoryFlow. Check your connection and try again.", 0));
    xhr.send(data);
  });
}

// Sends the chosen files one request each, so every file gets its own progress and its
// own answer; one refused file doesn't stop the others.
async function uploadFiles(form) {
  const message = form.querySelector(".upload-form__message");
  const button = form.querySelector("button[type=submit]");
  const input = form.querySelector("input[type=file]");
  const files = [...input.files];
  button.disabled = true;
  message.removeAttribute("role");
  message.setAttribute("role", "status");
  const problems = [];
  for (const [i, file] of files.entries()) {
    message.textContent = files.length > 1 ? `Uploading ${i + 1} of ${files.length}: ${file.name}…` : `Uploading ${file.name}…`;
    const data = new FormData();
    for (const [key, value] of new FormData(form).entries()) {
      if (key !== input.name) data.append(key, value);
    }
    data.append(input.name, file, file.name);
    try {
      await send(form.action, data, form.querySelector("progress"));
    } catch (err) {
      problems.push(files.length > 1 && !err.message.includes(file.name) ? `${file.name}: ${err.message}` : err.message);
    }
  }
  if (problems.length === 0) {
    message.textContent = files.length > 1 ? `All ${files.length} uploaded.` : "Uploaded.";
    window.location.reload();
    return;
  }
  const saved = files.length - problems.length;
  message.textContent = problems.join(" ") + (saved > 0 ? ` The other ${saved} were added; reload the page to see them.` : "");
  message.setAttribute("role", "alert");
  button.disabled = false;
}

// Capture phase: a refused confirmation stops the submission before the form's own
// handler (a Leptos form posts its server function from there) sees it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  if (form.hasAttribute("data-upload-form")) {
    event.preventDefault();
    uploadFiles(form);
  }
});

// --- Recording -------------------------------------------------------------------------

const recorders = new WeakMap();

function setUpRecorder(root) {
  if (recorders.has(root)) return recorders.get(root);
  const el = (sel) => root.querySelector(sel);
  const state = { recorder: null, chunks: [], blob: null, elapsed: 0, startedAt: 0, timer: null, stream: null };
  const message = el(".recorder__message");
  const timer = el(".recorder__timer");
  const buttons = {
    start: el("[data-action=start]"),
    pause: el("[data-action=pause]"),
    stop: el("[data-action=stop]"),
    upload: el("[data-action=upload]"),
    discard: el("[data-action=discard]"),
  };
  const preview = el(".recorder__preview");
  // Only the controls of the current step are on the page: idle → Start; recording →
  // timer, Pause, Stop; stopped → listen back, Save, Record again.
  const show = (step) => {
    root.dataset.step = step;
    root.querySelectorAll("[data-step]").forEach((node) => {
      node.hidden = !node.dataset.step.split(" ").includes(step);
    });
  };
  const tick = () => {
    const running = state.recorder && state.recorder.state === "recording";
    timer.textContent = formatTime(state.elapsed + (running ? Date.now() - state.startedAt : 0));
  };
  const say = (text, urgent) => {
    message.textContent = text;
    message.setAttribute("role", urgent ? "alert" : "status");
  };
  const reset = () => {
    state.chunks = [];
    state.blob = null;
    state.elapsed = 0;
    preview.removeAttribute("src");
    buttons.upload.disabled = false;
    timer.textContent = "0:00";
    show("idle");
  };
  const api = {
    async start() {
      reset();
      buttons.start.disabled = true;
      try {
        state.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch (err) {
        if (err && (err.name === "NotAllowedError" || err.name === "SecurityError")) {
          say("Microphone access was refused. Allow the microphone for this site in your browser, or upload a recording instead.", true);
        } else if (err && (err.name === "NotFoundError" || err.name === "OverconstrainedError")) {
          say("No microphone was found. Connect one and try again, or upload a recording instead.", true);
        } else {
          say("The microphone could not be started. You can upload a recording instead.", true);
        }
        buttons.start.disabled = false;
        return;
      }
      const type = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"].find(
        (t) => window.MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(t),
      );
      state.recorder = new MediaRecorder(state.stream, type ? { mimeType: type } : undefined);
      state.recorder.ondataavailable = (e) => e.data.size && state.chunks.push(e.data);
      state.recorder.onstop = () => {
        state.stream.getTracks().forEach((t) => t.stop());
        state.blob = new Blob(state.chunks, { type: state.recorder.mimeType || "audio/webm" });
        preview.src = URL.createObjectURL(state.blob);
        show("stopped");
        say(`Recorded ${timer.textContent}. Listen back, then save it or record again.`);
      };
      buttons.start.disabled = false;
      state.recorder.start(1000);
      state.startedAt = Date.now();
      state.timer = setInterval(tick, 250);
      if (buttons.pause) buttons.pause.textContent = "Pause";
      show("recording");
      say("Recording…");
    },
    pause() {
      const r = state.recorder;
      if (!r) return;
      if (r.state === "recording") {
        r.pause();
        state.elapsed += Date.now() - state.startedAt;
        buttons.pause.textContent = "Resume";
        say("Paused.");
      } else if (r.state === "paused") {
        r.resume();
        state.startedAt = Date.now();
        buttons.pause.textContent = "Pause";
        say("Recording…");
      }
    },
    stop() {
      const r = state.recorder;
      if (!r || r.state === "inactive") return;
      if (r.state === "recording") state.elapsed += Date.now() - state.startedAt;
      clearInterval(state.timer);
      timer.textContent = formatTime(state.elapsed);
      r.stop();
    },
    discard() {
      reset();
      say("Ready to record again.");
    },
    async upload() {
      if (!state.blob) return;
      const ext = (state.blob.type.includes("ogg") && "ogg") || (state.blob.type.includes("mp4") && "m4a") || "webm";
      // Fields the recorder carries (the storyteller's question) go before the recording.
      const fields = [...root.querySelectorAll("input[type=hidden]")].map((input) => [input.name, input.value]);
      const record = { url: root.dataset.upload, fields, blob: state.blob, name: `recording.${ext}`, done: root.dataset.done || "" };
      const data = formOf(record);
      const key = root.dataset.keep;
      // Kept on the device first: a dropped connection or a closed tab loses nothing.
      if (key) await keep(key, record);
      buttons.upload.disabled = true;
      say("Saving the recording…");
      let progress = root.querySelector("progress");
      if (!progress) {
        progress = document.createElement("progress");
        progress.max = 100;
        progress.setAttribute("aria-label", "Upload progress");
        buttons.upload.parentElement.after(progress);
      }
      try {
        await send(root.dataset.upload, data, progress);
        if (key) await forget(key);
        say("Recording saved.");
        if (root.dataset.done) window.location.assign(root.dataset.done);
        else window.location.reload();
      } catch (err) {
        if (key && !gone(err)) {
          say("We couldn't send it yet, but your recording is kept on this device and we'll keep trying. You can close this page.", true);
          scheduleResend();
        } else {
          if (key) await forget(key);
          say(err.message, true);
        }
        buttons.upload.disabled = false;
      }
    },
  };
  recorders.set(root, api);
  return api;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-recorder] [data-action]");
  if (!button) return;
  const api = setUpRecorder(button.closest("[data-recorder]"));
  api[button.dataset.action]?.();
});

// --- Recordings kept on the device (IndexedDB) until the server has them -----------------

const asPromise = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

async function keptStore(mode) {
  const open = indexedDB.open("mystoryflow-recordings", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("pending");
  const db = await asPromise(open);
  return db.transaction("pending", mode).objectStore("pending");
}

async function keep(key, record) {
  try { await asPromise((await keptStore("readwrite")).put(record, key)); } catch (_) { /* private mode: the open tab still has it */ }
}

async function forget(key) {
  try { await asPromise((await keptStore("readwrite")).delete(key)); } catch (_) { /* nothing kept */ }
}

async function kept() {
  try {
    const store = await keptStore("readonly");
    const [keys, records] = await Promise.all([asPromise(store.getAllKeys()), asPromise(store.getAll())]);
    return keys.map((key, i) => [key, records[i]]);
  } catch (_) {
    return [];
  }
}

function formOf(record) {
  const data = new FormData();
  record.fields.forEach(([name, value]) => data.append(name, value));
  data.append("audio", record.blob, record.name);
  return data;
}

// The server will never take this one (the question was set aside, or the file refused):
// retrying cannot help. Anything else (no connection, the server busy) is tried again.
const gone = (err) => [400, 404, 409, 413, 415, 422].includes(err.status);

let resending = false;
let resendTimer = null;
async function resendKept() {
  if (resending) return;
  resending = true;
  let waiting = false;
  try {
    for (const [key, record] of await kept()) {
      try {
        await send(record.url, formOf(record), null);
        await forget(key);
        if (record.done && new URL(record.done, location.href).pathname === location.pathname) location.assign(record.done);
      } catch (err) {
        if (gone(err)) await forget(key);
        else waiting = true;
      }
    }
  } finally {
    resending = false;
  }
  if (waiting) scheduleResend();
}

function scheduleResend() {
  if (resendTimer) return;
  resendTimer = setTimeout(() => {
    resendTimer = null;
    resendKept();
  }, 15000);
}

window.addEventListener("online", resendKept);
if (window.indexedDB) resendKept();

function revealRecorders() {
  if (!(navigator.mediaDevices && window.MediaRecorder)) return;
  document.querySelectorAll("[data-recorder][hidden]").forEach((r) => (r.hidden = false));
}

// --- Written answers kept on the device until the server has them -----------------------
// A storyteller on a poor connection can lose the page (a send that fails, a closed tab):
// what they write into a form[data-draft] stays in localStorage under that key, comes back
// when the page is opened again, and is forgotten once the page says it arrived
// ([data-draft-sent]).

const draftStorage = (() => {
  try { return window.localStorage; } catch (_) { return null; }
})();
const draftKey = (key) => `mystoryflow:${key}`;

// One message at the top of the form, replaced by the next.
function formNote(form, role, text) {
  let note = form.querySelector("[data-draft-note]");
  if (!note) {
    note = document.createElement("p");
    note.dataset.draftNote = "";
    form.prepend(note);
  }
  note.className = role === "alert" ? "form-alert" : "form-note";
  note.setAttribute("role", role);
  note.textContent = text;
}

function restoreDrafts() {
  if (!draftStorage) return;
  document.querySelectorAll("[data-draft-sent]").forEach((sent) => draftStorage.removeItem(draftKey(sent.dataset.draftSent)));
  document.querySelectorAll("form[data-draft]:not([data-draft-ready])").forEach((form) => {
    form.dataset.draftReady = "";
    const field = form.querySelector("textarea");
    const kept = draftStorage.getItem(draftKey(form.dataset.draft));
    if (field && kept && !field.value.trim()) {
      field.value = kept;
      formNote(form, "status", "What you wrote before is still here. Send it when you are ready.");
    }
  });
}

document.addEventListener("input", (event) => {
  const field = event.target;
  const form = field instanceof HTMLTextAreaElement && field.closest("form[data-draft]");
  if (!form || !draftStorage) return;
  try {
    if (field.value.trim()) draftStorage.setItem(draftKey(form.dataset.draft), field.value);
    else draftStorage.removeItem(draftKey(form.dataset.draft));
  } catch (_) { /* storage full or refused: the page still has it */ }
});

// Capture phase, like the confirmation above: sent offline, the browser would replace the
// page with its own error page.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.draft !== undefined && navigator.onLine === false) {
    event.preventDefault();
    event.stopImmediatePropagation();
    formNote(form, "alert", "There is no connection right now. What you wrote is kept on this phone: press send again when you are connected.");
  }
}, true);

// --- Book preview: the arrow keys turn the pages -----------------------------------------

document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || !document.querySelector(".preview-controls")) return;
  if (e.target.closest && e.target.closest("input, textarea, select")) return;
  const link = document.querySelector(e.key === "ArrowRight" ? ".preview-controls a[rel=next]" : e.key === "ArrowLeft" ? ".preview-controls a[rel=prev]" : null);
  if (link) {
    e.preventDefault();
    link.click();
  }
});

// --- Copy buttons: copy the named field's text (the field itself works without JS) ----

document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const message = button.parentElement.querySelector(".copy-message");
  try {
    await navigator.clipboard.writeText(field.value);
    if (message) message.textContent = "Copied. Paste it into an email or a message to them.";
  } catch (_) {
    field.focus();
    field.select();
    if (message) message.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
  }
});

function revealCopyButtons() {
  if (!(navigator.clipboard && navigator.clipboard.writeText)) return;
  document.querySelectorAll("button[data-copy][hidden]").forEach((b) => (b.hidden = false));
}

revealRecorders();
revealCopyButtons();
restoreDrafts();
new MutationObserver(() => {
  revealRecorders();
  revealCopyButtons();
  restoreDrafts();
}).observe(document.documentElement, { childList: true, subtree: true });
// Lets browser tests tell when this file has run (the storyteller's page has no wasm).
document.body.dataset.enhanced = "true";
