import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "graphql-yoga";
import { Redis } from "ioredis";

// Live updates. Every topic key starts with the organization id, so a subscription can
// only ever hear its own organization. In one process events go through memory; with
// REDIS_URL they fan out through Redis, so a client on one replica sees writes made
// through another. Payloads are small JSON: subscribers read current data themselves.

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

export function createEventBus(redisUrl?: string): EventBus {
  if (!redisUrl) return { events: createPubSub<Topics>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false });
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  return {
    events: createPubSub<Topics>({ eventTarget: eventTarget as never }),
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
