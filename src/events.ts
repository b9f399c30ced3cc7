import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import { Redis } from "ioredis";
import type { Sql } from "./db/sql.js";

// Live updates. Every topic key starts with the organization id, so a subscription can
// only ever hear its own organization. In one process events go through memory; with
// REDIS_URL they fan out through Redis, so a client on one replica sees writes made
// through another, and channels are namespaced by installation (its database). Payloads
// are small JSON: subscribers read current data themselves.

export interface RunStateChangeEvent {
  runId: number;
  fromState: string | null;
  toState: string;
  source: string;
  at: string;
}

export interface MetricsLoggedEvent {
  runId: number;
  names: string[];
  points: number;
  maxStep: number;
}

type Topics = {
  /** key: `${organizationId}:${projectName}` */
  "run-state": [key: string, payload: RunStateChangeEvent];
  /** key: `${organizationId}:${runId}` */
  "run-updated": [key: string, payload: { runId: number }];
  /** key: `${organizationId}:${runId}` */
  "metrics-logged": [key: string, payload: MetricsLoggedEvent];
};

export type RunEvents = PubSub<Topics>;

export const projectKey = (organizationId: number, projectName: string) => `${organizationId}:${projectName}`;
export const runKey = (organizationId: number, runId: number) => `${organizationId}:${runId}`;

export interface EventBus {
  events: RunEvents;
  close(): Promise<void>;
}

type Target = ReturnType<typeof createRedisEventTarget>;

/**
 * Event types (Redis channels) under a namespace: two installations sharing one Redis have
 * the same organization ids, and must not hear each other.
 */
function namespaced(target: Target, namespace: string): Target {
  return {
    addEventListener: (type, listener, options) => target.addEventListener(namespace + type, listener, options),
    removeEventListener: (type, listener, options) => target.removeEventListener(namespace + type, listener, options),
    dispatchEvent: (event) => target.dispatchEvent(new CustomEvent(namespace + event.type, { detail: (event as CustomEvent).detail })),
  };
}

/** The namespace of an installation, from the identity its database holds (migration installation). */
export async function installationNamespace(sql: Sql): Promise<string> {
  const [row] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM installation ORDER BY created_at LIMIT 1`);
  return `gw:${row?.id ?? "default"}:`;
}

export function createEventBus(redisUrl?: string, namespace = ""): EventBus {
  if (!redisUrl) return { events: createPubSub<Topics>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  const eventTarget = namespaced(createRedisEventTarget({ publishClient, subscribeClient }), namespace);
  return {
    events: createPubSub<Topics>({ eventTarget: eventTarget as never }),
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
