import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/**
 * Failed logins counted per account and per address (issue 13, item 7), with
 * rate-limiter-flexible. Its in-memory store: one server process answers every login, and the
 * counts need not outlive a restart (an attacker gains one window per restart, which an admin
 * notices). A cluster of servers would switch to its Postgres store, which creates its own
 * table outside our migrations. Unknown usernames count like real ones, so a limit tells
 * nothing about which accounts exist.
 */
export class LoginLimits {
  private readonly perAccount: RateLimiterMemory;
  private readonly perAddress: RateLimiterMemory;

  constructor(limits: { perAccount: number; perAddress: number; windowSeconds: number }) {
    this.perAccount = new RateLimiterMemory({ keyPrefix: "account", points: limits.perAccount, duration: limits.windowSeconds });
    this.perAddress = new RateLimiterMemory({ keyPrefix: "address", points: limits.perAddress, duration: limits.windowSeconds });
  }

  /** Seconds to wait before this account or address may try again, or 0. */
  async blockedFor(username: string, address: string): Promise<number> {
    const [a, b] = await Promise.all([this.perAccount.get(username.toLowerCase()), this.perAddress.get(address)]);
    const waits = [a && a.consumedPoints >= this.perAccount.points ? a.msBeforeNext : 0, b && b.consumedPoints >= this.perAddress.points ? b.msBeforeNext : 0];
    return Math.ceil(Math.max(...waits) / 1000);
  }

  async failed(username: string, address: string): Promise<void> {
    // consume() rejects with a RateLimiterRes once the points are used up: that is a count, not an error.
    const swallow = (e: unknown) => {
      if (!(e instanceof RateLimiterRes)) throw e;
    };
    await Promise.all([this.perAccount.consume(username.toLowerCase()).catch(swallow), this.perAddress.consume(address).catch(swallow)]);
  }

  /** A successful login clears its account's count (not its address's: one good password must not unlock guessing others). */
  async succeeded(username: string): Promise<void> {
    await this.perAccount.delete(username.toLowerCase());
  }
}
