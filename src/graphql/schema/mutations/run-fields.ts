import type { InputFieldBuilder } from "@pothos/core";

/** The writable descriptive fields of a run, shared by createRun and updateRun. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function RunFieldsInput(t: InputFieldBuilder<any, "InputObject">) {
  return {
    notes: t.string(),
    runGroup: t.string({ description: "Set directly, or derived from a group:<name> tag." }),
    config: t.field({ type: "JSONObject" }),
    systemMetadata: t.field({ type: "JSONObject" }),
    loggerSettings: t.field({ type: "JSONObject" }),
    inputData: t.field({ type: "JSON" }),
    result: t.field({ type: "JSON" }),
    runtimeConfig: t.field({ type: "JSONObject", description: "Kubeflow runtime config: { parameters, pipelineRoot }." }),
    pipelineSpec: t.field({ type: "JSON" }),
    pipelineId: t.string(),
    pipelineVersionId: t.string(),
    serviceAccount: t.string(),
  };
}
