// Uploads to the server's /files: the limits first (GET /files), then the file as the body of a
// POST with the account's HTTP Basic credentials. XMLHttpRequest, because fetch reports no upload
// progress.

let limits = null;

/** { enabled, maxUpload, quota } from the server; { enabled: false } when it shares no files. */
export async function fileLimits() {
  if (limits) return limits;
  try {
    const r = await fetch('/files', { cache: 'no-store' });
    limits = r.ok && (r.headers.get('content-type') || '').startsWith('application/json') ? await r.json() : { enabled: false };
  } catch {
    return { enabled: false }; // not remembered: the next try may reach the server
  }
  return limits;
}

export function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(1).replace(/\.0$/, '')} GiB`;
}

/**
 * Sends file; onProgress(loaded, total) as the body goes out. Resolves with the server's
 * { url, sha256, size, name }; rejects with an Error whose message is the server's reason.
 * Returns { promise, abort }.
 */
export function uploadFile(file, authorization, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', `/files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', authorization);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = e => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => onProgress(file.size, file.size);
    xhr.onload = () => {
      if (xhr.status === 201) {
        try { resolve(JSON.parse(xhr.responseText)); } catch { reject(new Error('the server sent an unreadable answer')); }
        return;
      }
      const text = (xhr.responseText || '').trim();
      reject(new Error(text || `the server refused it (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('the connection to the server failed'));
    xhr.onabort = () => reject(new Error('cancelled'));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}
