// UTF-8 sizes: what queue bounds, close reasons and payload limits are measured in.

const encoder = /* @__PURE__ */ new TextEncoder();

export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}
