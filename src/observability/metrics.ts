import { Response } from "@whatwg-node/fetch";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DocumentNode, GraphQLError, OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";

// Prometheus metrics at GET /metrics: requests and latency per route and per GraphQL
// operation, errors by code, database pool use, metric points ingested, and the process's
// own figures. One registry per gateway, so that tests can run several.

/** Client-chosen operation names are labels: beyond this many, they count as "other". */
const MAX_OPERATION_NAMES = 200;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface GatewayMetrics {
  registry: Registry;
  ingestedPoints(n: number): void;
}

export function createMetrics(
  opts: {
    poolStats?: () => PoolStats;
    defaultMetrics?: boolean;
    /** The template of the route serving a path (ids left out); null for a path nothing serves. */
    routeLabel?: (path: string) => string | null;
  } = {},
): GatewayMetrics & { plugin: Plugin } {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "gateway_" });
  const requests = new Counter({ name: "gateway_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers: [registry] });
  const latency = new Histogram({
    name: "gateway_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const operations = new Histogram({
    name: "gateway_graphql_operation_duration_seconds",
    help: "GraphQL execution time by operation name and type",
    labelNames: ["operation", "type"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const errors = new Counter({ name: "gateway_graphql_errors_total", help: "GraphQL errors by code", labelNames: ["code"], registers: [registry] });
  const points = new Counter({ name: "gateway_ingested_points_total", help: "Metric points stored", registers: [registry] });
  if (opts.poolStats) {
    const stats = opts.poolStats;
    new Gauge({
      name: "gateway_db_pool_connections",
      help: "Database pool connections by state (total, idle, waiting clients)",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        const s = stats();
        this.set({ state: "total" }, s.total);
        this.set({ state: "idle" }, s.idle);
        this.set({ state: "waiting" }, s.waiting);
      },
    });
  }

  const names = new Set<string>();
  const operationLabel = (name: string | undefined | null) => {
    if (!name) return "anonymous";
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES || !/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) return "other";
    names.add(name);
    return name;
  };
  // Route templates, never raw paths: a label per run id, or per path a scanner invents,
  // would grow the registry without bound.
  const OWN_PATHS = new Set(["/graphql", "/metrics", "/healthz", "/readyz"]);
  const routeOf = (path: string) => (OWN_PATHS.has(path) ? path : (opts.routeLabel?.(path) ?? "other"));
  const started = new WeakMap<Request, { t0: number; route: string }>();

  const plugin: Plugin = {
    onRequest({ request, url, endResponse }) {
      started.set(request, { t0: performance.now(), route: routeOf(url.pathname) });
      if (request.method === "GET" && url.pathname === "/metrics") {
        return registry.metrics().then((text) => endResponse(new Response(text, { status: 200, headers: { "content-type": registry.contentType } })));
      }
    },
    onResponse({ request, response }) {
      const s = started.get(request);
      if (!s) return;
      requests.inc({ route: s.route, status: String(response.status) });
      latency.observe({ route: s.route }, (performance.now() - s.t0) / 1000);
    },
    onExecute({ args }) {
      const t0 = performance.now();
      const definition = (args.document as DocumentNode).definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
      const operation = operationLabel(args.operationName ?? definition?.name?.value);
      const type = definition?.operation ?? "query";
      return {
        onExecuteDone() {
          operations.observe({ operation, type }, (performance.now() - t0) / 1000);
        },
      };
    },
    // Every answer, validation failures included (they never reach execution).
    onResultProcess({ result }) {
      for (const r of Array.isArray(result) ? result : [result]) {
        if (r && typeof r === "object" && "errors" in r) {
          for (const e of (r.errors ?? []) as GraphQLError[]) errors.inc({ code: String(e.extensions?.code ?? "INTERNAL") });
        }
      }
    },
  };
  return { registry, plugin, ingestedPoints: (n) => points.inc(n) };
}
