import { createGraphQLError, type Plugin } from "graphql-yoga";
import { json } from "./rest/responses.js";

// Request bodies are held to MAX_BODY_BYTES. A declared length is enforced by Node's HTTP
// parser, so it is checked before anything is read; only a body without one (chunked) is
// counted as it arrives. Yoga's own limit (turned off in createGateway) counted every body
// through a TransformStream, which cost a trivial request a tenth of its CPU.

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export const payloadTooLarge = (maxBytes: number) =>
  json(413, { error: "Payload Too Large", message: `Request bodies are limited to ${maxBytes} bytes.` });

/** 413 before a body larger than the limit is read; a chunked GraphQL body is counted. */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > maxBytes) endResponse(payloadTooLarge(maxBytes));
    },
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!isChunked(request) || !requestParser) return;
      setRequestParser(async (req) => {
        const text = await readLimited(req, maxBytes);
        if (text === null) throw createGraphQLError("Payload Too Large", { extensions: { code: "PAYLOAD_TOO_LARGE", http: { status: 413 } } });
        return requestParser(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body: text }));
      });
    },
  };
}

/** A body with no declared length. */
export const isChunked = (request: Request) => request.body != null && !request.headers.has("content-length");

/** The body as text, or null once it passes `maxBytes`. */
export async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  const reader = request.body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString("utf8");
    size += value.byteLength;
    if (size > maxBytes) {
      // Not awaited: cancelling waits for a body the client may still be sending.
      void reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
}
