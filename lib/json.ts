/** A JSON object (not an array, not null): what request and answer bodies are checked to be. */
export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
