// Container health probe (liveness): exit 0 when the app's GET /health answers 2xx within 4 s.
// /health asks no dependency, so a database outage never marks a running app unhealthy; /ready
// does (for load balancers and Kubernetes readiness). The api serves /health on PORT; every other
// app on HEALTH_PORT (both set by the image, overridable at run time).
const port = process.env.APP === 'api' ? process.env.PORT : process.env.HEALTH_PORT;
try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
