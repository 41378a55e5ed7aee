/**
 * GET that retries while the connection is refused: StartContainer returns once the process runs,
 * which is before a server in it listens (in Kubernetes, readiness probes cover that gap).
 */
export async function getWhenListening(url: string, timeoutMs = 10_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
