import escapeHtml from "escape-html";

const HEAD = (title: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lightbook — ${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;color:#1d2433}
input{width:100%;padding:.5rem;margin:.5rem 0;font:inherit;box-sizing:border-box}button,.sso{padding:.5rem 1rem;font:inherit}.err{color:#b00020}.ok{color:#05620f}
details{margin-top:2rem}</style></head>
<body><h1>Lightbook</h1>`;

/** The login form, served without the Next app so that logging in never depends on it. */
export function loginPage(next: string, opts: { error?: string; sso?: boolean; username?: string } = {}): string {
  const n = escapeHtml(next);
  return `${HEAD("log in")}
${opts.error ? `<p class="err" role="alert">${escapeHtml(opts.error)}</p>` : ""}
<form method="post" action="/login"><label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="${escapeHtml(opts.username ?? "")}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<input type="hidden" name="next" value="${n}"><button type="submit">Log in</button></form>
${opts.sso ? `<p><a class="sso" id="sso" href="/login/oidc?next=${encodeURIComponent(next)}">Log in with single sign-on</a></p>` : ""}
<details><summary>Log in with the server's token</summary>
<p>Paste the token that the server printed when it started (the <code>?token=…</code> part of its URL).</p>
<form method="post" action="/login"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off">
<input type="hidden" name="next" value="${n}"><button type="submit">Log in with token</button></form></details>
</body></html>`;
}

/** The signed-in user's page: set a password, log out. */
export function accountPage(p: { username: string; xsrf: string; hasPassword: boolean; message?: { ok: boolean; text: string } }): string {
  const x = escapeHtml(p.xsrf);
  return `${HEAD("account")}
<p>Logged in as <strong id="who">${escapeHtml(p.username)}</strong>. <a href="/">Notebooks</a></p>
${p.message ? `<p class="${p.message.ok ? "ok" : "err"}" role="${p.message.ok ? "status" : "alert"}">${escapeHtml(p.message.text)}</p>` : ""}
<h2>${p.hasPassword ? "Change the password" : "Set a password"}</h2>
<form method="post" action="/account/password"><input type="hidden" name="_xsrf" value="${x}">
<input type="hidden" name="username" value="${escapeHtml(p.username)}" autocomplete="username">
<label for="new-password">New password (at least 12 characters)</label>
<input id="new-password" name="password" type="password" autocomplete="new-password" minlength="12" required>
<button type="submit">Save the password</button></form>
<form method="post" action="/logout"><input type="hidden" name="_xsrf" value="${x}"><button type="submit" id="logout">Log out</button></form>
</body></html>`;
}
