function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The token form, served without the Next app so that logging in never depends on it. */
export function loginPage(next: string, failed: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lightbook — log in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#1d2433}
input{width:100%;padding:.5rem;margin:.5rem 0;font:inherit}button{padding:.5rem 1rem;font:inherit}.err{color:#b00020}</style></head>
<body><h1>Lightbook</h1>
<p>Paste the token that the server printed when it started (the <code>?token=…</code> part of its URL).</p>
${failed ? '<p class="err" role="alert">That token is not valid.</p>' : ""}
<form method="post" action="/login"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="${escapeHtml(next)}"><button type="submit">Log in</button></form>
</body></html>`;
}
