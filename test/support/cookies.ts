/** A minimal cookie jar for fetch: what a browser would send back, cookie by cookie. */
export class CookieJar {
  private readonly values = new Map<string, string>();

  take(res: Response): this {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === "" || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.values.delete(name);
      else this.values.set(name, value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  header(): string {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}
